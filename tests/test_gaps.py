"""Small nodata gaps inside the footprint are filled for matching, and only for matching."""
import numpy as np
from osgeo import gdal

from plugin.core import RegistrationOptions, register
from plugin.core.gaps import MAX_GAP_PX, fill_small_gaps, small_gaps
from plugin.core.outputs import write_warped_sar
from plugin.core.raster_io import read_raster
from tests.conftest import grid_error, write_tif

GT = (500000.0, 10.0, 0.0, 4200000.0, 0.0, -10.0)


def test_only_small_interior_gaps_count():
    valid = np.ones((100, 100), bool)
    valid[10:13, 10:13] = False  # 9 px inside: a gap
    valid[40:60, 40:60] = False  # 400 px: too large (water, a missing swath)
    valid[:, 95:] = False  # touches the edge: outside the footprint
    valid[80, 20] = False  # one pixel
    gaps = small_gaps(valid)
    assert gaps[10:13, 10:13].all() and gaps[80, 20]
    assert gaps.sum() == 9 + 1 and 20 * 20 > MAX_GAP_PX


def test_gaps_take_the_level_around_them_and_the_input_is_untouched(tmp_path):
    values = np.full((120, 120), 60, np.uint8)
    values[:, 60:] = 180
    values[20:24, 20:24] = 0  # in the dark half
    values[90, 100] = 0  # in the bright half
    path = write_tif(tmp_path / "sar.tif", values, GT, 32611, nodata=0)
    raster = read_raster(path, "sar")
    filled = fill_small_gaps(raster)
    assert not raster.valid[20:24, 20:24].any() and (raster.data[20:24, 20:24] == 0).all()
    assert filled.valid.all()
    np.testing.assert_allclose(filled.data[20:24, 20:24], 60, atol=0.5)
    np.testing.assert_allclose(filled.data[90, 100], 180, atol=0.5)
    assert fill_small_gaps(filled) is filled


def test_a_sar_whose_dark_pixels_read_as_nodata_registers_and_its_output_keeps_them(sample, tmp_path):
    """An 8-bit SAR export with nodata = 0 where its darkest quarter of pixels is 0 too, as in
    some TerraSAR-X tiles. Without the gaps filled the sample is refused (4 agreeing matches)."""
    dataset = gdal.Open(sample["sar"])
    values = dataset.ReadAsArray()
    values = np.where(values <= np.quantile(values[values > 0], 0.25), 0, values).astype(np.uint8)
    assert 0.2 < (values == 0).mean() and small_gaps(values > 0).mean() > 0.05
    path = write_tif(tmp_path / "sar_dark_as_nodata.tif", values, dataset.GetGeoTransform(), None, nodata=0)
    gdal.Open(path, gdal.GA_Update).SetProjection(dataset.GetProjection())
    result = register(sample["optical"], path, RegistrationOptions())
    rms, worst = grid_error(result.fit.sar_to_optical, sample["truth"], values.shape[1], values.shape[0])
    assert rms < 2.0 and worst < 4.0, (rms, worst)
    warped = gdal.Open(write_warped_sar(result, str(tmp_path / "warped.tif")))
    assert warped.GetRasterBand(1).GetNoDataValue() == 0
    # Nothing was invented: the output's nodata inside the image is the input's, give or take resampling.
    inside = warped.GetRasterBand(1).ReadAsArray()[100:-100, 100:-100]
    assert 0.15 < (inside == 0).mean() < 0.35
