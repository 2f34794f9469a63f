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
