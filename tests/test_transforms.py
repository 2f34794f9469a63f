import numpy as np
import pytest

from plugin.core import transforms
from plugin.core.errors import RegistrationError


def random_affine(rng):
    angle = np.deg2rad(rng.uniform(-10, 10))
    scale = rng.uniform(0.9, 1.1)
    return np.array([[scale * np.cos(angle), -scale * np.sin(angle), rng.uniform(-40, 40)],
                     [scale * np.sin(angle), scale * np.cos(angle), rng.uniform(-40, 40)], [0, 0, 1]])


@pytest.mark.parametrize("seed", range(3))
def test_robust_affine_recovers_truth_among_outliers(seed):
    rng = np.random.default_rng(seed)
    truth = random_affine(rng)
    sar = rng.uniform(0, 500, (200, 2))
    optical = transforms.apply(truth, sar) + rng.normal(0, 0.3, (200, 2))
    outliers = rng.random(200) < 0.5
    optical[outliers] = rng.uniform(0, 500, (outliers.sum(), 2))
    matrix, inliers = transforms.fit_robust(sar, optical, "affine", 3.0, seed)
    assert transforms.corner_error(matrix, truth, 500, 500) < 1.0
    assert inliers[~outliers].mean() > 0.95 and inliers[outliers].mean() < 0.05


@pytest.mark.parametrize("model", ["affine", "homography"])
def test_refined_inliers_are_a_fixed_point_and_no_worse_than_ransac(model):
    """Matches good to ~1.2 px against a 3 px threshold (as the template matches are), with
    outliers near the threshold: the refined set is exactly the points within 3 px of its own
    least-squares fit, and the fit is at least as close to the truth as RANSAC's."""
    rng = np.random.default_rng(7)
    truth = random_affine(rng)
    sar = rng.uniform(0, 1000, (400, 2))
    optical = transforms.apply(truth, sar) + rng.normal(0, 1.2, (400, 2))
    outliers = rng.random(400) < 0.4
    optical[outliers] += rng.uniform(3, 8, (outliers.sum(), 1)) * rng.choice([-1, 1], (outliers.sum(), 2))
    ransac, ransac_inliers = transforms.fit_robust(sar, optical, model, 3.0)
    matrix, inliers = transforms.refine_inliers(sar, optical, model, ransac_inliers, 3.0)
    distances = np.linalg.norm(transforms.residuals(matrix, sar, optical), axis=1)
    np.testing.assert_array_equal(inliers, distances <= 3.0)
    np.testing.assert_allclose(matrix, transforms.fit_least_squares(sar[inliers], optical[inliers], model))
    refined, raw = (transforms.corner_error(m, truth, 1000, 1000) for m in (matrix, ransac))
    assert refined < 1.0 and refined <= raw + 0.05, (refined, raw)


def test_homography_fit_and_residuals():
    rng = np.random.default_rng(4)
    truth = random_affine(rng)
    truth[2, :2] = [1e-4, -5e-5]
    sar = rng.uniform(0, 400, (50, 2))
    optical = transforms.apply(truth, sar)
    matrix = transforms.fit_least_squares(sar, optical, "homography")
    assert transforms.corner_error(matrix, truth, 400, 400) < 1e-3
    assert np.abs(transforms.residuals(matrix, sar, optical)).max() < 1e-3


def test_too_few_points():
    assert transforms.fit_robust(np.zeros((2, 2)), np.zeros((2, 2)), "affine")[0] is None
    with pytest.raises(RegistrationError, match="too few"):
        transforms.fit_least_squares(np.zeros((3, 2)), np.zeros((3, 2)), "homography")


def test_similarity_ransac_at_a_low_inlier_ratio():
    rng = np.random.default_rng(7)
    angle = np.deg2rad(2.0)
    truth = np.array([[np.cos(angle), -np.sin(angle), 20.0], [np.sin(angle), np.cos(angle), -30.0], [0, 0, 1]])
    sar = rng.uniform(0, 800, (600, 2))
    optical = transforms.apply(truth, sar) + rng.normal(0, 1.0, (600, 2))
    outliers = rng.random(600) < 0.93  # 7% inliers
    optical[outliers] = sar[outliers] + rng.uniform(-100, 100, (outliers.sum(), 2))
    matrix, inliers = transforms.fit_robust(sar, optical, "similarity", 4.0)
    assert transforms.corner_error(matrix, truth, 800, 800) < 2.0
    assert inliers[~outliers].mean() > 0.9


def test_least_squares_similarity_recovers_its_points_and_does_not_follow_a_shear():
    """benchmarks.final_fit fits a similarity to the tie points the engine's affine fit kept."""
    from plugin.core.similarity_search import similarity_about

    rng = np.random.default_rng(0)
    sar_xy = rng.uniform(0, 256, (50, 2))
    truth = similarity_about(2.5, 1.04, np.array([128.0, 128.0]))
    truth[:2, 2] += (7.0, -3.0)
    np.testing.assert_allclose(transforms.fit_least_squares(sar_xy, transforms.apply(truth, sar_xy), "similarity"), truth, atol=1e-9)
    sheared = np.array([[1.0, 0.05, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    fit = transforms.fit_least_squares(sar_xy, transforms.apply(sheared, sar_xy), "similarity")
    assert fit[0, 0] == fit[1, 1] and fit[0, 1] == -fit[1, 0]  # a similarity's form, whatever the points
    assert transforms.corner_error(fit, sheared, 256, 256) > 1.0
