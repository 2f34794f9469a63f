"""The SAR image's normalisation, and the speckle smoothing that studies set (benchmarks/README.md, *Speckle smoothing*)."""
import numpy as np
import pytest

from benchmarks.options_study import engine_constants
from plugin.core import normalize
from plugin.core.raster_io import Raster


def speckled(seed: int = 0) -> Raster:
    """Linear intensity: two fields (1 and 4) under one-look speckle (exponential), a nodata margin."""
    rng = np.random.default_rng(seed)
    mean = np.ones((128, 128), np.float32)
    mean[:, 64:] = 4.0
    data = (mean * rng.exponential(1.0, mean.shape)).astype(np.float32)
    valid = np.ones(mean.shape, bool)
    valid[:8] = False
    return Raster("speckled.tif", np.where(valid, data, 0).astype(np.float32), valid, None, None, "Float32", (1,))


def test_the_sar_is_normalised_unsmoothed_by_default():
    assert normalize.SAR_SMOOTHING is None
    raster = speckled()
    image = normalize.normalize_sar(raster)
    expected = normalize.percentile_stretch(normalize.to_decibels(raster.data, raster.valid), raster.valid)
    np.testing.assert_array_equal(image, expected)


@pytest.mark.parametrize("smoothing", [("gaussian", 1.0), ("median", 5), ("wiener", 5), ("nlmeans", 30)])
def test_each_smoothing_calms_speckle_keeps_the_edge_and_the_nodata(smoothing):
    raster = speckled()
    plain = normalize.normalize_sar(raster)
    with engine_constants({"normalize.SAR_SMOOTHING": smoothing}):
        image = normalize.normalize_sar(raster)
    assert normalize.SAR_SMOOTHING is None  # restored after the block
    assert image.dtype == np.float32 and (image[~raster.valid] == 0).all() and image.min() >= 0 and image.max() <= 1
    inside = (slice(16, 120), slice(8, 56))
    assert image[inside].std() < 0.8 * plain[inside].std()  # less speckle in one field
    step = image[16:120, 66:120].mean() - image[16:120, 8:62].mean()
    assert step == pytest.approx(plain[16:120, 66:120].mean() - plain[16:120, 8:62].mean(), rel=0.15)  # the fields' contrast stays


def test_an_unknown_smoothing_is_refused():
    with pytest.raises(ValueError, match="unknown smoothing"):
        normalize.smoothed(np.zeros((8, 8), np.float32), "lee", 3)
