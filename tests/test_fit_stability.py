"""The split-half agreement that benchmarks/fit_stability.py measures against self-consistency."""
import numpy as np

from benchmarks.fit_stability import split_half_px
from plugin.core import transforms


def test_split_half_agreement_is_small_for_one_transform_and_large_when_the_halves_differ():
    rng = np.random.default_rng(3)
    truth = np.array([[1.02, 0.03, 12.0], [-0.02, 0.98, -7.0], [0.0, 0.0, 1.0]])
    sar = rng.uniform(0, 512, (300, 2))
    optical = transforms.apply(truth, sar) + rng.normal(0, 1.0, (300, 2))
    assert split_half_px(sar, optical, "affine", 512, 512) < 2.0
    # the right half shifted by 6 px, as where terrain or the data's own misalignment moves part of the image
    bent = optical + np.where(sar[:, :1] >= np.median(sar[:, 0]), [6.0, 0.0], [0.0, 0.0])
    assert split_half_px(sar, bent, "affine", 512, 512) > 4.5


def test_split_half_agreement_needs_enough_points_in_each_half():
    sar = np.array([[0, 0], [10, 0], [0, 10], [10, 10], [5, 5]], float)
    assert np.isnan(split_half_px(sar, sar, "affine", 20, 20))


def test_tie_point_agreement_pairs_points_by_optical_keypoint_and_maps_through_the_warp():
    from types import SimpleNamespace
    from benchmarks.fit_stability import tie_point_agreement
    warp = np.array([[0.99, -0.05, 20.0], [0.05, 0.99, -10.0], [0.0, 0.0, 1.0]])  # SAR as it is -> warped SAR
    optical = np.array([[10.0, 10.0], [50.0, 20.0], [80.0, 90.0], [30.0, 60.0]])
    as_is_sar = optical + [1.0, -2.0]
    as_is = SimpleNamespace(optical_xy=optical, sar_xy=as_is_sar, enabled=np.array([True, True, True, False]))
    warped_sar = transforms.apply(warp, as_is_sar) + [[0.0, 0.0], [0.6, 0.0], [4.0, 0.0], [0.0, 0.0]]
    order = [3, 2, 1, 0]  # the warped run lists its tie points in another order
    warped = SimpleNamespace(optical_xy=optical[order], sar_xy=warped_sar[order], enabled=np.array([True, True, True, False]))
    kept_by_both, apart = tie_point_agreement(warped, as_is, warp)
    # either keeps all four, both keep keypoints 1 and 2, which lie 0.6 and 4 px apart (through the warp's scale of ~1)
    assert kept_by_both == 0.5
    assert 2.0 < apart < 2.7
