"""When the matchers refuse to register: the guided matcher's descriptor consensus must be spread
over the image and, with a prior, plausible; the fine template matches must mostly agree.
Synthetic matches and images with a known transform (seeded)."""
import numpy as np
import pytest

from plugin.core import transforms
from plugin.core.errors import RegistrationError
from plugin.core.georef import CoarseAlignment
from plugin.core.matching import Matches
from plugin.core.pipeline import RegistrationOptions, _coarse_by_descriptors, _distinct_cells, _fine_features, _locate, descriptor_tolerance, \
    grid_step_for, template_radius_for
from plugin.core.progress import Progress


def matches_for(sar_to_optical, optical_xy, outliers=0, seed=0):
    """Descriptor matches that follow ``sar_to_optical`` exactly, plus random outliers."""
    rng = np.random.default_rng(seed)
    sar_xy = transforms.apply(np.linalg.inv(sar_to_optical), optical_xy)
    sar_xy[len(sar_xy) - outliers:] = rng.uniform(0, 300, (outliers, 2))
    count = len(optical_xy)
    return Matches(np.arange(count), np.arange(count), optical_xy, sar_xy, np.full(count, 0.5), np.full(count, 1.0))


def alignment(predicted=True, size=300, seed=1):
    rng = np.random.default_rng(seed)
    image = rng.random((size, size)).astype(np.float32)
    return CoarseAlignment(image, np.ones(image.shape, bool), predicted, lambda xy: xy, predicted=predicted)


@pytest.fixture(params=["cfog", "learned"])
def features(request):
    """Fine matching compares CFOG or the learned dense features: both must refuse and accept alike."""
    return request.param


def refine(matches, predicted=True, optical=None, features="cfog"):
    """The guided matcher after the descriptors: coarse similarity, then fine matching."""
    aligned = alignment(predicted)
    optical = aligned.sar_image if optical is None else optical
    coarse = _coarse_by_descriptors(matches, aligned, RegistrationOptions(grid_step=grid_step_for(RegistrationOptions(), aligned.sar_valid.shape)))
    options = RegistrationOptions(features=features)
    fine, _ = _locate(_fine_features(optical, np.ones(optical.shape, bool), options), aligned, coarse, matches.optical_xy,
                      matches.distance, "affine", options, Progress())
    return fine


def similarity(scale, degrees, shift):
    a = np.radians(degrees)
    return np.array([[scale * np.cos(a), -scale * np.sin(a), shift[0]], [scale * np.sin(a), scale * np.cos(a), shift[1]], [0, 0, 1]])


def test_the_automatic_grid_step_is_coarser_only_for_autos_fallback_on_larger_images():
    automatic = RegistrationOptions()
    assert automatic.grid_step == 0 and automatic.matcher == "auto"
    assert [grid_step_for(automatic, (size, size)) for size in (256, 316, 512, 513, 1024, 10980)] == [8, 8, 8, 16, 16, 16]
    assert grid_step_for(RegistrationOptions(matcher="guided"), (1024, 1024)) == 8
    assert grid_step_for(RegistrationOptions(grid_step=4), (1024, 1024)) == 4  # the user's own step is kept
    RegistrationOptions(grid_step=0).check()
    with pytest.raises(RegistrationError, match="out of range"):
        RegistrationOptions(grid_step=65).check()


def test_the_grid_step_must_be_resolved_before_it_is_used():
    with pytest.raises(ValueError, match="grid_step_for"):
        descriptor_tolerance(RegistrationOptions())
    assert descriptor_tolerance(RegistrationOptions(grid_step=16)) == 12.0


def test_a_consensus_of_neighbouring_keypoints_counts_once_per_cell():
    rng = np.random.default_rng(2)
    clustered = rng.uniform(100, 150, (40, 2))  # 40 matches in about four 32 px cells
    with pytest.raises(RegistrationError, match="well-separated matches"):
        refine(matches_for(similarity(1.0, 0.0, (5, 3)), clustered))


def test_with_a_prior_an_implausible_scale_is_refused():
    spread = np.random.default_rng(3).uniform(20, 280, (80, 2))
    with pytest.raises(RegistrationError, match="scale of 0.60"):
        refine(matches_for(similarity(0.6, 2.0, (40, 10)), spread))


def test_without_a_prior_only_scales_beyond_the_descriptor_are_refused():
    spread = np.random.default_rng(4).uniform(20, 280, (80, 2))
    with pytest.raises(RegistrationError, match="cannot match across"):
        refine(matches_for(similarity(0.4, 0.0, (60, 20)), spread), predicted=False)


def test_a_plausible_consensus_passes_to_the_template_stage():
    """Same image on both sides, so the template stage confirms the identity transform."""
    spread = np.random.default_rng(5).uniform(30, 270, (120, 2))
    fine = refine(matches_for(similarity(1.0, 0.0, (0, 0)), spread, outliers=30), features="cfog")
    assert fine.kept.sum() > 60
    np.testing.assert_allclose(fine.sar_xy[fine.kept], fine.optical_xy[fine.kept], atol=0.1)


def test_fine_matches_on_an_unrelated_image_are_refused(features):
    """A plausible descriptor consensus, but the SAR shows another place: the templates disagree."""
    spread = np.random.default_rng(6).uniform(30, 270, (120, 2))
    other = np.random.default_rng(7).random((300, 300)).astype(np.float32)
    with pytest.raises(RegistrationError, match="template matches are distinct and agree"):
        refine(matches_for(similarity(1.0, 0.0, (0, 0)), spread), optical=other, features=features)


def test_templates_are_at_most_an_eighth_of_the_image():
    """97 px templates on a 1024 px image; on a 256 px tile the 65 px ones the gate was set with."""
    options = RegistrationOptions()
    assert options.template_radius == 48
    assert template_radius_for(options, (1024, 1024)) == 48
    assert template_radius_for(options, (256, 316)) == 32
    assert template_radius_for(options, (40, 400)) == 8  # never below the options' own lower bound
    assert template_radius_for(RegistrationOptions(template_radius=20), (1024, 1024)) == 20


def test_template_consensus_counts_in_cells_of_the_template_radius():
    """Points 40 px apart share most of a 97 px template: they count once in 48 px cells, apart in 32 px cells."""
    xy = np.array([[100.0, 100.0], [140.0, 100.0], [100.0, 140.0], [140.0, 140.0]])
    assert _distinct_cells(xy) == 4
    assert _distinct_cells(xy, 48) == 1


def test_a_refused_first_pass_is_tried_again_around_its_own_fit(monkeypatch):
    """A coarse transform 16% off in scale: only templates near the centre find their match inside
    the +-10 px window, too few for the gate; recentred on their fit, most do."""
    import cv2

    from plugin.core import pipeline
    from plugin.core.similarity_search import similarity_about
    from plugin.core.structural import cfog

    image = cv2.GaussianBlur(np.random.default_rng(11).random((400, 400)).astype(np.float32), (0, 0), 2.0)
    valid = np.ones(image.shape, bool)
    scaled = similarity_about(0.0, 1.16, np.array([199.5, 199.5]))  # optical -> resampled grid
    grid = cv2.warpAffine(image, scaled[:2], image.shape[::-1], flags=cv2.INTER_LINEAR)
    optical_features, grid_features = cfog(image, valid), cfog(grid, valid)
    points = np.stack(np.meshgrid(np.arange(40.0, 361.0, 16), np.arange(40.0, 361.0, 16)), axis=-1).reshape(-1, 2)

    monkeypatch.setattr(pipeline, "FIRST_PASS_ROUNDS", 1)
    once, _, _ = pipeline.first_pass(optical_features, grid_features, points, 32, 3.0)
    assert once.matrix is None and once.fit is not None
    monkeypatch.setattr(pipeline, "FIRST_PASS_ROUNDS", 2)
    twice, _, _ = pipeline.first_pass(optical_features, grid_features, points, 32, 3.0)
    assert max(once.agreement.values()) < 0.2
    assert twice.matrix is not None and max(twice.agreement.values()) > 0.4
    assert np.abs(transforms.apply(twice.matrix, transforms.apply(scaled, points)) - points).max() < 1.0
