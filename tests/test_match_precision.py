"""benchmarks/match_precision.py: cross-validated polynomial residuals separate the matches'
own error from ground that is not one affine transform apart."""
import numpy as np

from benchmarks import match_precision


def _tie_points(bend: float, noise: float, count: int = 300, seed: int = 1):
    rng = np.random.default_rng(seed)
    optical = rng.uniform(0, 1024, (count, 2))
    u = (optical - 512) / 512
    sar = optical @ np.array([[1.01, 0.02], [-0.02, 0.99]]).T + [5.0, -7.0]
    sar[:, 0] += bend * (u[:, 0] ** 2 - u[:, 1] ** 2)  # a smooth, non-affine difference of up to `bend` px
    return optical, sar + rng.normal(0, noise, sar.shape)


def test_an_affine_pair_leaves_only_the_matches_noise_at_every_degree():
    optical, sar = _tie_points(bend=0.0, noise=0.0)
    for degree in (1, 2, 3):
        assert np.nanmax(match_precision.cross_validated_errors(optical, sar, degree)) < 1e-6


def test_ground_that_bends_raises_the_affine_residual_and_not_the_cubic():
    optical, sar = _tie_points(bend=3.0, noise=0.5)
    rms = {d: np.sqrt(np.mean(match_precision.cross_validated_errors(optical, sar, d) ** 2)) for d in (1, 2, 3)}
    expected = 0.5 * np.sqrt(2)  # the noise's RMS length
    assert rms[1] > 1.5 * expected
    assert abs(rms[2] - expected) < 0.1 and abs(rms[3] - expected) < 0.1


def test_too_few_tie_points_for_a_degree_give_no_figure():
    optical, sar = _tie_points(bend=0.0, noise=0.5, count=20)
    assert np.isnan(match_precision.cross_validated_errors(optical, sar, 3)).all()
    assert not np.isnan(match_precision.cross_validated_errors(optical, sar, 1)).any()
