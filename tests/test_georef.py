import logging

import numpy as np
import pytest
from osgeo import gdal

from plugin.core.errors import RegistrationError
from plugin.core.georef import coarse_align
from plugin.core.normalize import normalize_sar
from plugin.core.raster_io import crs_transformation, read_raster
from tests.conftest import write_tif


def test_sar_lands_in_the_optical_grid_across_crs(tmp_path, sample):
    # The optical raster reprojected to UTM 11N: the SAR (World Mercator) must be resampled into it.
    utm = str(tmp_path / "optical_utm.tif")
    gdal.Warp(utm, sample["optical"], dstSRS="EPSG:32611", resampleAlg="bilinear")
    optical, sar = read_raster(utm, "optical"), read_raster(sample["sar"], "sar")
    aligned = coarse_align(optical, sar, normalize_sar(sar))
    assert aligned.from_georeferencing and aligned.sar_image.shape == optical.shape
    assert aligned.sar_valid.mean() > 0.5
    # Round trip: a SAR pixel -> map -> optical grid -> grid_to_sar gives the pixel back.
    sar_ds, utm_ds = gdal.Open(sample["sar"]), gdal.Open(utm)
    transformer = gdal.Transformer(sar_ds, utm_ds, [])
    ok, (col, row, _) = transformer.TransformPoint(0, 400.5, 380.5)
    back = aligned.grid_to_sar(np.array([[col - 0.5, row - 0.5]]))
    np.testing.assert_allclose(back, [[400.0, 380.0]], atol=1e-3)


def test_no_overlap_is_a_user_error(tmp_path, sample):
    far = write_tif(tmp_path / "far.tif", np.indices((200, 200)).sum(0).astype(np.uint8), (0.0, 10.0, 0.0, 0.0, 0.0, -10.0), 3395)
    optical, sar = read_raster(sample["optical"], "optical"), read_raster(far, "sar")
    with pytest.raises(RegistrationError, match="do not overlap"):
        coarse_align(optical, sar, normalize_sar(sar))


def test_a_small_overlap_is_named_as_such(tmp_path, sample):
    """A 120 px pair of the same ground (as BigEarthNet's patches) overlaps fully, but too little to
    register: the message says how much it shares, not that the rasters do not overlap."""
    ds = gdal.Open(sample["optical"])
    x0, dx, _, y0, _, dy = ds.GetGeoTransform()
    patch = np.indices((120, 120)).sum(0).astype(np.uint8)
    optical = read_raster(write_tif(tmp_path / "optical.tif", patch, (x0, dx, 0.0, y0, 0.0, dy), 3395), "optical")
    sar = read_raster(write_tif(tmp_path / "sar.tif", patch, (x0, dx, 0.0, y0, 0.0, dy), 3395), "sar")
    with pytest.raises(RegistrationError, match=r"share only 14400 valid pixels .*about 120 x 120.*at least 16384") as error:
        coarse_align(optical, sar, normalize_sar(sar))
    assert "do not overlap" not in str(error.value)


def test_without_georeferencing_matching_stays_in_pixel_space(tmp_path):
    plain = write_tif(tmp_path / "plain.tif", np.random.default_rng(0).integers(0, 255, (100, 100)).astype(np.uint8))
    raster = read_raster(plain, "sar")
    aligned = coarse_align(raster, raster, raster.data)
    assert not aligned.from_georeferencing
    np.testing.assert_allclose(aligned.grid_to_sar(np.array([[3.0, 4.0]])), [[3.0, 4.0]])


LOCAL_GRID = 'LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]'


def test_rasters_on_one_local_grid_register_by_their_georeferencing(tmp_path, sample, caplog):
    """A site's own grid (LOCAL_CS, read back as an engineering CRS), which PROJ relates to no other
    CRS, not even to itself: both rasters on it register as on any CRS, placed by their
    georeferencing (the grid's metres taken as on the ground)."""
    from plugin.core import RegistrationOptions, register
    from plugin.core.ground import rmse_m
    from tests.conftest import grid_error

    local = {role: str(tmp_path / f"{role}.tif") for role in ("optical", "sar")}
    for role, path in local.items():
        gdal.Translate(path, sample[role], outputSRS=LOCAL_GRID)
    with caplog.at_level(logging.WARNING):
        result = register(local["optical"], local["sar"], RegistrationOptions(device="cpu"))
    assert result.from_georeferencing and "not used" not in caplog.text and result.warnings == ()
    rms, largest = grid_error(result.fit.sar_to_optical, sample["truth"], 800, 760)
    assert rms < 1.5 and largest < 3.0
    assert rmse_m(result) == pytest.approx(result.fit.rmse * 10.0, rel=0.01)  # the grid's 10 m pixels


def test_a_raster_on_a_grid_related_to_no_other_crs_registers_without_its_georeferencing(tmp_path, sample, caplog):
    """A SAR on a site's local grid with the optical in World Mercator, or on another site's grid:
    nothing says where one lies on the other, so the pair is matched as one without georeferencing
    (the whole image searched), with a warning that says why, and the outputs are on the optical
    raster's grid. Before, one grid and World Mercator were refused (with the advice to reproject,
    which a local grid cannot be), and two grids of different names were taken as one: the SAR,
    placed by coordinates that mean another site, did not overlap the optical raster."""
    from plugin.core import RegistrationOptions, register
    from plugin.core.outputs import matches_report
    from plugin.core.report import report_rows
    from tests.conftest import grid_error

    on_grid = str(tmp_path / "sar_site_a.tif")
    gdal.Translate(on_grid, sample["sar"], outputSRS=LOCAL_GRID)
    other_site = str(tmp_path / "optical_site_b.tif")
    gdal.Translate(other_site, sample["optical"], outputSRS=LOCAL_GRID.replace("site grid", "other site grid"),
                   outputBounds=(1000.0, 8680.0, 8680.0, 1000.0))  # its 768 px of 10 m, far from where the SAR's coordinates say
    for optical in (sample["optical"], other_site):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            result = register(optical, on_grid, RegistrationOptions(device="cpu"))
        assert not result.from_georeferencing
        assert "georeferencing is not used" in caplog.text and "from the CRS 'site grid'" in caplog.text
        rms, largest = grid_error(result.fit.sar_to_optical, sample["truth"], 800, 760)
        assert rms < 1.5 and largest < 3.0
        # kept with the result for the records: the report and the matches JSON say it
        assert len(result.warnings) == 1 and result.warnings[0].startswith("The rasters' georeferencing is not used")
        assert ("Note", result.warnings[0]) in report_rows(result) and matches_report(result)["warnings"] == list(result.warnings)


def test_local_grids_are_one_crs_only_of_the_same_name():
    """GDAL's IsSame compares a local grid by its unit and axes alone."""
    from plugin.core.raster_io import same_crs, spatial_reference

    site_a, site_b = spatial_reference(LOCAL_GRID), spatial_reference(LOCAL_GRID.replace("site grid", "other site grid"))
    unnamed = spatial_reference(LOCAL_GRID.replace("site grid", "unnamed"))
    assert site_a.IsSame(site_b)  # what GDAL says
    assert not same_crs(site_a, site_b)
    assert same_crs(site_a, spatial_reference(LOCAL_GRID)) and same_crs(site_a, unnamed)  # an unnamed grid says nothing against it
    with pytest.raises(RegistrationError, match="from the CRS 'site grid' to 'other site grid'"):
        crs_transformation(site_a, site_b)
