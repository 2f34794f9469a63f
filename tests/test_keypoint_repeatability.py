"""The repeatability measure: optical keypoints whose true SAR position has a SAR keypoint within 3 px."""
import numpy as np

from benchmarks.keypoint_repeatability import random_points, repeatability


def test_only_points_on_the_sar_count_and_3_px_is_the_radius():
    valid = np.ones((100, 100), bool)
    valid[:, 60:] = False  # the SAR covers only the left part
    optical = np.array([[10.0, 10.0], [30.0, 30.0], [50.0, 50.0], [80.0, 20.0]])  # the last one falls off the SAR
    shift = np.array([[1.0, 0.0, 5.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # optical -> SAR: 5 px to the right
    sar = np.array([[17.0, 10.0], [39.0, 30.0], [55.0, 50.0]])  # 2 px, 4 px and 0 px from the true positions
    assert repeatability(optical, sar, shift, valid) == 2 / 3
    assert np.isnan(repeatability(optical, np.zeros((0, 2)), shift, valid))


def test_chance_points_lie_on_the_sar():
    valid = np.zeros((50, 50), bool)
    valid[10:20, 30:40] = True
    points = random_points(valid, 30, np.random.default_rng(0))
    assert len(points) == 30 and valid[points[:, 1].astype(int), points[:, 0].astype(int)].all()
