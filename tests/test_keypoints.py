import numpy as np
from scipy import ndimage
from osgeo import gdal

from plugin.core.keypoints import ENGINE_EDGE_MARGIN_PX, detect_keypoints, keypoint_mask, spread_evenly


def load(path):
    return gdal.Open(path).ReadAsArray()[:384, :384].astype(np.float32) / 255.0


def test_limit_margin_and_mask_are_respected(sample):
    image = load(sample["sar"])
    valid = np.ones(image.shape, bool)
    valid[:, 300:] = False
    keypoints = detect_keypoints(image, valid, max_keypoints=150, margin=10)
    assert 100 <= len(keypoints) <= 150
    assert keypoints.xy[:, 0].max() < 300 - 10
    assert keypoints.xy.min() >= 10 and keypoints.xy[:, 1].max() < 384 - 10


def test_the_margin_at_the_image_edge_is_the_margin_asked_for(sample):
    """Not twice it: the edge once counted both as invalid and by the erosion, so a 256 px tile
    gave training windows only from its central 20 px for a 59 px margin."""
    image = load(sample["sar"])
    edge = detect_keypoints(image, np.ones(image.shape, bool), max_keypoints=2000, margin=30).xy
    distance = np.minimum(edge, np.array(image.shape[::-1]) - 1 - edge).min(axis=1)
    assert distance.min() >= 30 and (distance < 45).sum() >= 10


def test_the_engine_keeps_the_edge_margin_its_benchmarks_were_measured_with():
    """8 px from invalid pixels and 16 px from the edge, exactly as before the margin was fixed
    (the old rule: blank 8 px at the edge, then erode by 8), so no benchmark figure moved."""
    rng = np.random.default_rng(3)
    valid = np.ones((120, 140), bool)
    valid[rng.integers(0, 120, 30), rng.integers(0, 140, 30)] = False  # nodata specks
    valid[:, 100:] = False
    old = valid.copy()
    old[:8], old[-8:], old[:, :8], old[:, -8:] = False, False, False, False
    old = ndimage.binary_erosion(old, iterations=8)
    assert ENGINE_EDGE_MARGIN_PX == 16
    np.testing.assert_array_equal(keypoint_mask(valid, 8), old)
    assert keypoint_mask(valid, 8)[16:-16, 16:92].any() and not keypoint_mask(valid, 8)[:16].any()


def test_points_are_spread_over_cells():
    rng = np.random.default_rng(1)
    xy = np.vstack([rng.uniform(0, 64, (500, 2)), rng.uniform(64, 256, (40, 2))])  # a dense corner
    response = np.r_[np.full(500, 100.0), np.full(40, 1.0)]  # ... with the strongest points
    chosen = spread_evenly(xy, response, (256, 256), max_keypoints=60, cell_size=64)
    in_corner = (xy[chosen] < 64).all(axis=1).sum()
    assert len(chosen) == 60 and in_corner <= 30  # without spreading all 60 would be in the corner


def test_repeatable_under_shift(sample):
    image = load(sample["sar"])
    valid = np.ones(image.shape, bool)
    first = detect_keypoints(image, valid, 300)
    shifted = detect_keypoints(np.roll(image, (7, 5), axis=(0, 1)), valid, 300)
    distance = np.linalg.norm(first.xy[:, None] + [5, 7] - shifted.xy[None], axis=2).min(axis=1)
    assert np.mean(distance <= 1.0) > 0.7


def test_first_points_are_spread_even_when_all_are_kept():
    """Fine matching's first pass takes the first few keypoints: they must be spread out too."""
    rng = np.random.default_rng(2)
    xy = np.vstack([rng.uniform(0, 64, (200, 2)), rng.uniform(64, 256, (40, 2))])
    response = np.r_[np.full(200, 100.0), np.full(40, 1.0)]
    chosen = spread_evenly(xy, response, (256, 256), max_keypoints=1000, cell_size=64)
    assert sorted(chosen) == list(range(240))  # all kept
    assert (xy[chosen[:30]] < 64).all(axis=1).sum() <= 5  # the corner's strong points do not come first


def test_the_mask_is_scipys_iterated_erosion_for_any_margin():
    """One OpenCV erosion by a diamond stands in for scipy's binary erosion iterated ``margin``
    times (9x faster): the same mask, pixel for pixel, the image's edge counted as invalid."""
    rng = np.random.default_rng(4)
    valid = ndimage.binary_opening(rng.random((150, 170)) > 0.05, iterations=1)
    for margin in (1, 3, 8, 30):
        np.testing.assert_array_equal(keypoint_mask(valid, margin, edge_margin=0),
                                      ndimage.binary_erosion(valid, iterations=margin, border_value=0))
