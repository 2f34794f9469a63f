import os
import re

import numpy as np
import pytest
from osgeo import gdal, osr

from plugin.core.errors import RegistrationError
from plugin.core.normalize import normalize_sar, sar_scale_of
from plugin.core.raster_io import Window, gcp_misfit_px, map_to_pixel, pixel_to_map, read_raster, same_image, undeclared_fill
from tests.conftest import write_tif

GT = (500000.0, 10.0, 0.0, 4200000.0, 0.0, -10.0)


def test_rgb_luminance_and_band_choice(tmp_path):
    rgb = np.zeros((3, 80, 90), np.uint8)
    rgb[0], rgb[1], rgb[2] = 200, 100, 50
    rgb[:, 0, 0] = 0  # one black pixel: an image of one value is refused
    path = write_tif(tmp_path / "rgb.tif", rgb, GT, 32611)
    raster = read_raster(path, "optical")
    assert raster.bands_used == (1, 2, 3) and raster.is_georeferenced
    np.testing.assert_allclose(raster.data[1:], 0.299 * 200 + 0.587 * 100 + 0.114 * 50, rtol=1e-5)
    assert read_raster(path, "optical", (2,)).data[1, 1] == 100
    assert read_raster(path, "sar").bands_used == (1,)
    with pytest.raises(RegistrationError, match="band 4 does not exist"):
        read_raster(path, "optical", (4,))


@pytest.mark.parametrize("dtype", ["uint16", "int16", "float32"])
def test_integer_and_float_types_with_nodata(tmp_path, dtype):
    values = (np.arange(100 * 100).reshape(100, 100) % 500 + 1).astype(dtype)
    values[:10] = 0
    path = write_tif(tmp_path / f"{dtype}.tif", values, GT, 32611, nodata=0)
    raster = read_raster(path, "sar")
    assert not raster.valid[:10].any() and raster.valid[10:].all()
    assert raster.data.dtype == np.float32 and sar_scale_of(raster) == "linear"


def test_float_decibels_with_nan(tmp_path):
    values = np.random.default_rng(0).uniform(-25, 0, (100, 100)).astype(np.float32)
    values[50:, :20] = np.nan
    raster = read_raster(write_tif(tmp_path / "db.tif", values, GT, 32611), "sar")
    assert not raster.valid[50:, :20].any() and sar_scale_of(raster) == "db"
    normalised = normalize_sar(raster)
    assert normalised[raster.valid].min() >= 0 and normalised[raster.valid].max() <= 1 and (normalised[~raster.valid] == 0).all()


def test_complex_is_read_as_amplitude(tmp_path):
    ramp = 1 + np.indices((90, 90)).sum(0) % 3
    values = ((3 + 4j) * ramp).astype(np.complex64)
    raster = read_raster(write_tif(tmp_path / "slc.tif", values, GT, 32611), "sar")
    np.testing.assert_allclose(raster.data, 5.0 * ramp)


def test_not_georeferenced(tmp_path):
    raster = read_raster(write_tif(tmp_path / "plain.tif", np.indices((80, 80)).sum(0).astype(np.uint8)), "sar")
    assert not raster.is_georeferenced


def test_bad_inputs_have_clear_messages(tmp_path):
    with pytest.raises(RegistrationError, match="does not exist"):
        read_raster(str(tmp_path / "missing.tif"), "sar")
    text = tmp_path / "notes.tif"
    text.write_text("not a raster")
    with pytest.raises(RegistrationError, match="not a raster GDAL can read"):
        read_raster(str(text), "sar")
    with pytest.raises(RegistrationError, match="too small to register"):  # not "almost no valid pixels"
        read_raster(write_tif(tmp_path / "tiny.tif", np.ones((60, 60), np.uint8)), "sar")
    empty = write_tif(tmp_path / "empty.tif", np.zeros((80, 80), np.float32), GT, 32611, nodata=0)
    with pytest.raises(RegistrationError, match="no valid pixels"):
        read_raster(empty, "sar")
    # A band of one value (an empty band, a mask) was matched for seconds and refused as "too few
    # matches", with advice on the search radius; one pixel that differs, off the 8 px sampling grid, is an image.
    flat = np.full((100, 120), 5.0, np.float32)
    flat[:10] = np.nan
    with pytest.raises(RegistrationError, match=r"holds one value \(5\) in every valid pixel of band\(s\) \[1\]: there is no image"):
        read_raster(write_tif(tmp_path / "flat.tif", flat, GT, 32611, nodata=float("nan")), "sar")
    flat[50, 51] = 6.0
    assert read_raster(write_tif(tmp_path / "almost_flat.tif", flat, GT, 32611, nodata=float("nan")), "sar").data.max() == 6.0


def test_the_same_image_as_optical_and_sar_is_told_apart_from_a_stack_of_both(tmp_path):
    rgb = write_tif(tmp_path / "rgb.tif", np.zeros((3, 80, 90), np.uint8), GT, 32611)
    (tmp_path / "link.tif").symlink_to(rgb)
    assert same_image(rgb, rgb)  # luminance of bands 1-3 and the SAR's band 1
    assert same_image(rgb, str(tmp_path / "." / "link.tif"))  # the same file by another name
    assert not same_image(rgb, write_tif(tmp_path / "other.tif", np.zeros((3, 80, 90), np.uint8), GT, 32611))
    stack = write_tif(tmp_path / "stack.tif", np.zeros((4, 80, 90), np.uint16), GT, 32611)  # e.g. three optical bands and a SAR band
    assert not same_image(stack, stack, (1, 2, 3), (4,))
    assert same_image(stack, stack, (1, 2, 3), (3,))
    assert not same_image(str(tmp_path / "missing.tif"), str(tmp_path / "missing.tif"))  # reading it will say why


def test_a_damaged_raster_or_a_vrt_missing_its_source_says_so_with_the_fix(tmp_path):
    """GDAL opens both, and fails only when the pixels are read: that was a traceback."""
    whole = write_tif(tmp_path / "whole.tif", np.random.default_rng(0).integers(0, 255, (3, 300, 300)).astype(np.uint8), GT, 32611)
    compressed = str(tmp_path / "compressed.tif")
    gdal.Translate(compressed, whole, creationOptions=["COMPRESS=DEFLATE", "TILED=YES"])
    data = open(compressed, "rb").read()
    truncated = tmp_path / "truncated.tif"  # an interrupted download
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(RegistrationError, match="could not be read.*incomplete or damaged"):
        read_raster(str(truncated), "optical")
    source = write_tif(tmp_path / "source.tif", np.ones((80, 80), np.uint8), GT, 32611)
    vrt = str(tmp_path / "mosaic.vrt")
    gdal.BuildVRT(vrt, [source]).FlushCache()
    os.remove(source)
    with pytest.raises(RegistrationError, match=r"could not be read \(.*source.tif.*VRT's sources"):
        read_raster(vrt, "sar")


def test_a_paletted_raster_is_read_as_the_luminance_of_its_colours(tmp_path):
    """Its pixels are indices into a colour table: read as intensities, a palette not ordered by
    brightness made the sample's optical noise, and the pair was refused. A transparent colour is nodata."""
    grey = np.indices((80, 90)).sum(0) % 4  # four shades, dark to light
    colours = [(10, 10, 10, 255), (200, 0, 0, 255), (90, 90, 90, 255), (0, 0, 0, 0)]  # index 3: transparent
    dataset = gdal.GetDriverByName("MEM").Create("", 90, 80, 1, gdal.GDT_Byte)
    dataset.GetRasterBand(1).WriteArray(grey.astype(np.uint8))
    table = gdal.ColorTable()
    for index, colour in enumerate(colours):
        table.SetColorEntry(index, colour)
    dataset.GetRasterBand(1).SetRasterColorTable(table)
    path = str(tmp_path / "paletted.png")  # PNG keeps a colour's transparency (a GeoTIFF's colour map has none)
    gdal.GetDriverByName("PNG").CreateCopy(path, dataset)
    raster = read_raster(path, "optical")
    luminance = [0.299 * r + 0.587 * g + 0.114 * b for r, g, b, _ in colours]
    np.testing.assert_allclose(raster.data[grey < 3], np.take(luminance, grey[grey < 3]), rtol=1e-5)
    assert (raster.valid == (grey < 3)).all() and (raster.data[grey == 3] == 0).all()


def test_a_conventional_fill_is_read_as_nodata_where_the_band_declares_none(tmp_path):
    """Linear backscatter bordered by -9999 and no nodata value declared: the border was read as
    data, so the SAR was taken for decibels (negative values) and the pair was refused."""
    linear = np.random.default_rng(0).uniform(0.01, 0.5, (100, 120)).astype(np.float32)
    linear[:, :20] = -9999.0
    linear[50, 50] = np.nan
    path = write_tif(tmp_path / "fill.tif", linear, GT, 32611)
    raster = read_raster(path, "sar")
    assert raster.assumed_nodata == -9999.0 and raster.valid.sum() == 100 * 100 - 1 and not raster.valid[:, :20].any()
    assert sar_scale_of(raster) == "linear"
    # Declared nodata, or a lowest value that is not a fill (decibels), is left as it is.
    declared = write_tif(tmp_path / "declared.tif", linear, GT, 32611, nodata=0.0)
    assert read_raster(declared, "sar").assumed_nodata is None and read_raster(declared, "sar").valid[:, :20].all()
    decibels = write_tif(tmp_path / "db.tif", 10 * np.log10(linear[:, 20:]), GT, 32611)
    assert read_raster(decibels, "sar").assumed_nodata is None and sar_scale_of(read_raster(decibels, "sar")) == "db"
    packed = write_tif(tmp_path / "packed.tif", np.where(linear > 0, linear * 10000, -32768).astype(np.int16), GT, 32611)
    assert read_raster(packed, "sar").assumed_nodata == -32768.0
    # Without reading the pixels into memory (the warp from tie points), the same answer.
    assert [undeclared_fill(p) for p in (path, declared, decibels, packed)] == [-9999.0, None, None, -32768.0]


def test_a_folder_an_empty_file_and_an_archive_are_named_as_such(tmp_path):
    """Each was 'not a raster GDAL can read', with advice to convert it; an archive's refusal names
    the rasters inside it as GDAL reads them, and such a name registers."""
    import zipfile

    (tmp_path / "scenes").mkdir()
    with pytest.raises(RegistrationError, match="is a folder, not a raster"):
        read_raster(str(tmp_path / "scenes"), "sar")
    (tmp_path / "cut.tif").write_bytes(b"")
    with pytest.raises(RegistrationError, match=r"is empty \(0 bytes\)\. Its download"):
        read_raster(str(tmp_path / "cut.tif"), "sar")
    source = write_tif(tmp_path / "sar.tif", np.indices((80, 90)).sum(0).astype(np.uint8), GT, 32611)
    with zipfile.ZipFile(tmp_path / "product.zip", "w") as archive:
        archive.write(source, "product/measurement/sar.tif")
        archive.writestr("product/annotation/notes.xml", "<a/>")
    inside = f"/vsizip/{tmp_path / 'product.zip'}/product/measurement/sar.tif"
    with pytest.raises(RegistrationError, match=f"is an archive, not a raster: it holds {re.escape(inside)}\\. Give the raster"):
        read_raster(str(tmp_path / "product.zip"), "sar")
    assert read_raster(inside, "sar").shape == (80, 90)


def test_a_file_of_several_rasters_names_them(tmp_path):
    """A GeoPackage of two raster tables (or a NetCDF, HDF5 or SAFE product) opens with no band of
    its own: it was called 'not a raster GDAL can read', with advice to convert it."""
    scenes = str(tmp_path / "scenes.gpkg")
    for table in ("optical", "sar"):
        source = write_tif(tmp_path / f"{table}.tif", np.indices((80, 90)).sum(0).astype(np.uint8), GT, 32611)
        gdal.Translate(scenes, source, format="GPKG", creationOptions=[f"RASTER_TABLE={table}", "APPEND_SUBDATASET=YES"])
    with pytest.raises(RegistrationError, match=r"holds 2 rasters, not one: GPKG:.*scenes.gpkg:optical, GPKG:.*scenes.gpkg:sar\. Give the name"):
        read_raster(scenes, "sar")
    assert read_raster(f"GPKG:{scenes}:sar", "sar").shape == (80, 90)


def test_pixel_centre_convention():
    centre_of_top_left = pixel_to_map(GT, np.array([[0.0, 0.0]]))
    np.testing.assert_allclose(centre_of_top_left, [[500005.0, 4199995.0]])
    np.testing.assert_allclose(map_to_pixel(GT, centre_of_top_left), [[0.0, 0.0]], atol=1e-9)


def test_a_geopackage_table_and_a_file_in_a_zip_are_read_as_gdal_names_them(tmp_path):
    """QGIS layers from a GeoPackage with several rasters, or from a zip, have sources GDAL opens
    as they are ('GPKG:x.gpkg:sar', '/vsizip/x.zip/sar.tif'): they are read, not refused as missing
    files, and the files behind them are known so that no output replaces them."""
    import zipfile

    from osgeo import gdal

    from plugin.core.raster_io import gdal_name, source_files

    values = (np.arange(90 * 100).reshape(90, 100) % 250 + 1).astype(np.uint8)
    tif = write_tif(tmp_path / "sar.tif", values, GT, 32611)
    geopackage = str(tmp_path / "scenes.gpkg")
    for table in ("optical", "sar"):
        gdal.Translate(geopackage, tif, format="GPKG", creationOptions=[f"RASTER_TABLE={table}", "APPEND_SUBDATASET=YES"])
    with zipfile.ZipFile(tmp_path / "scenes.zip", "w") as archive:
        archive.write(tif, "sar.tif")
    for name in (f"GPKG:{geopackage}:sar", f"/vsizip/{tmp_path / 'scenes.zip'}/sar.tif"):
        raster = read_raster(name, "sar")
        assert raster.is_georeferenced and raster.geotransform == GT
        np.testing.assert_array_equal(raster.data, values)
    assert source_files(f"GPKG:{geopackage}:sar") == [geopackage] and source_files(tif)[0] == tif
    assert source_files("/vsicurl/http://localhost:9/none.tif") == []
    assert gdal_name(f"{tif}|option:OVERVIEW_LEVEL=0") == tif and gdal_name(f"GPKG:{geopackage}:sar") == f"GPKG:{geopackage}:sar"
    with pytest.raises(RegistrationError, match="not a raster GDAL can read"):
        read_raster(f"GPKG:{geopackage}:nothing", "sar")
    with pytest.raises(RegistrationError, match="does not exist"):  # a Windows drive is a path, not a driver
        read_raster("C:/no/such/sar.tif", "sar")


def test_a_geotransform_without_a_crs_is_kept_for_the_outputs(tmp_path):
    """QGIS draws such a raster at its geotransform, so the outputs must use it (they were written
    at pixel coordinates); it is still not georeferenced for the coarse alignment."""
    raster = read_raster(write_tif(tmp_path / "no_crs.tif", np.indices((80, 80)).sum(0).astype(np.uint8), GT), "optical")
    assert raster.geotransform == GT and raster.crs_wkt is None and not raster.is_georeferenced


def test_a_raster_georeferenced_by_gcps_only_is_placed_by_their_best_affine(tmp_path):
    """A SAR with ground control points and no geotransform (a Sentinel-1 GRD TIFF, say) was read
    as not georeferenced, so it was matched in pixel space, where a mirrored ascending pass cannot
    be registered; its GCPs now place it for the coarse alignment."""
    from osgeo import gdal

    mirrored = (500000.0, 10.0, 0.0, 4100000.0, 0.0, 10.0)  # rows run north: an image mirrored north-south
    plain = write_tif(tmp_path / "plain.tif", np.indices((90, 100)).sum(0).astype(np.uint8))
    rows, cols = np.meshgrid([0.0, 45.0, 90.0], [0.0, 50.0, 100.0], indexing="ij")
    gcps = [gdal.GCP(mirrored[0] + c * mirrored[1], mirrored[3] + r * mirrored[5], 0.0, c, r) for r, c in zip(rows.ravel(), cols.ravel())]
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32611)
    dataset = gdal.Open(plain, gdal.GA_Update)
    dataset.SetGCPs(gcps, srs.ExportToWkt())
    dataset = None
    raster = read_raster(plain, "sar")
    assert raster.is_georeferenced and np.allclose(raster.geotransform, mirrored)
    assert osr.SpatialReference(raster.crs_wkt).GetAuthorityCode(None) == "32611"


def test_decibels_packed_in_int16_are_read_as_decibels(tmp_path):
    """dB x 100 in Int16 with the band's scale 0.01 (as gdal_translate -ot Int16 -scale writes it):
    read as dB, not as linear values, which all negative would flatten to one value (the pair was
    then refused as if the images did not overlap)."""
    from osgeo import gdal

    decibels = np.random.default_rng(0).uniform(-25, -2, (100, 100)).astype(np.float32)
    path = write_tif(tmp_path / "db_int16.tif", np.round(decibels * 100).astype(np.int16), GT, 32611, nodata=-32768)
    dataset = gdal.Open(path, gdal.GA_Update)
    dataset.GetRasterBand(1).SetScale(0.01)
    dataset = None
    raster = read_raster(path, "sar")
    np.testing.assert_allclose(raster.data, decibels, atol=0.006)
    assert sar_scale_of(raster) == "db" and normalize_sar(raster).std() > 0.1
    with pytest.raises(RegistrationError, match="not linear backscatter"):
        normalize_sar(raster, "linear")


def test_a_sentinel2_stack_is_read_as_its_red_green_and_blue(tmp_path):
    """13 bands in Sentinel-2 order, no colour interpretation: bands 4, 3, 2 (band 1 is the 60 m
    coastal aerosol band); bands named B04, B03, B02 anywhere in a stack: those."""
    from osgeo import gdal

    stack = np.stack([np.indices((70, 70)).sum(0).astype(np.uint16) + 10 * (i + 1) for i in range(13)])
    assert read_raster(write_tif(tmp_path / "s2.tif", stack, GT, 32611), "optical").bands_used == (4, 3, 2)
    named = write_tif(tmp_path / "named.tif", stack[:5], GT, 32611)
    dataset = gdal.Open(named, gdal.GA_Update)
    for index, name in enumerate(["B11", "B04", "B08", "B03", "B02"], 1):
        dataset.GetRasterBand(index).SetDescription(name)
    dataset = None
    assert read_raster(named, "optical").bands_used == (2, 4, 5)
    assert read_raster(write_tif(tmp_path / "five.tif", stack[:5], GT, 32611), "optical").bands_used == (1,)


def test_a_window_is_read_with_its_own_geotransform_and_where_it_starts(tmp_path):
    values = (np.arange(120 * 150).reshape(120, 150) % 251 + 1).astype(np.uint16)
    rotated = (500000.0, 10.0, 0.5, 4200000.0, 0.4, -10.0)  # a rotated geotransform, as the bundled SAR's
    path = write_tif(tmp_path / "scene.tif", values, rotated, 32611)
    window = Window(30, 20, 100, 80)
    whole, part = read_raster(path, "sar"), read_raster(path, "sar", window=window)
    np.testing.assert_array_equal(part.data, whole.data[20:100, 30:130])
    assert part.offset == (30, 20) and whole.offset == (0, 0) and part.crs_wkt == whole.crs_wkt
    # a pixel of the window and the same pixel of the file lie at one map position
    np.testing.assert_allclose(pixel_to_map(part.geotransform, np.array([[5.0, 7.0]])),
                               pixel_to_map(whole.geotransform, np.array([[35.0, 27.0]])), atol=1e-6)


def test_a_window_with_almost_nothing_valid_says_where_it_looked(tmp_path):
    values = np.zeros((200, 200), np.uint16)
    values[:, :100] = (np.arange(200 * 100).reshape(200, 100) % 97 + 1)
    path = write_tif(tmp_path / "edge.tif", values, GT, 32611, nodata=0)
    with pytest.raises(RegistrationError, match=r"almost no valid pixels where the optical raster lies \(columns 120-199, rows 0-99\)"):
        read_raster(path, "sar", window=Window(120, 0, 80, 100))


def gcp_raster(path, size: int, gcps) -> str:
    """A size x size px raster in UTM 11N georeferenced only by ``gcps``: (column, row, x, y) each."""
    dataset = gdal.GetDriverByName("GTiff").Create(str(path), size, size, 1, gdal.GDT_Byte)
    dataset.GetRasterBand(1).WriteArray((np.arange(size * size).reshape(size, size) % 251).astype(np.uint8))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32611)
    dataset.SetGCPs([gdal.GCP(float(x), float(y), 0.0, float(column), float(row)) for column, row, x, y in gcps], srs.ExportToWkt())
    dataset = None
    return str(path)


def test_a_window_of_a_gcp_raster_is_placed_by_the_gcps_around_it(tmp_path):
    """GCPs on a bent grid (x bends by 4e-5 px per px squared): one affine transform fits them tens of
    pixels off, the GCPs around a window to 2 px."""
    size = 2000

    def ground(column, row):
        return 500000.0 + 10.0 * (column + 4e-5 * column**2), 4200000.0 - 10.0 * row

    path = gcp_raster(tmp_path / "grd.tif", size, [(c, r, *ground(c, r)) for c in np.linspace(0, size, 11) for r in np.linspace(0, size, 11)])
    assert 20 < gcp_misfit_px(path) < 60
    assert gcp_misfit_px(write_tif(tmp_path / "own.tif", np.ones((70, 70), np.uint8), GT, 32611)) == 0.0
    window = Window(1500, 800, 400, 400)
    part = read_raster(path, "sar", window=window)
    inside = np.array([[1600.0, 900.0], [1850.0, 1150.0], [1700.0, 1000.0]])  # file pixel corners
    expected = np.array([ground(c, r) for c, r in inside])
    local = pixel_to_map(part.geotransform, inside - (1500, 800) - 0.5)
    whole = pixel_to_map(read_raster(path, "sar").geotransform, inside - 0.5)
    assert np.abs(local - expected).max() < 30.0  # within 3 px
    assert np.abs(whole - expected).max() > 100.0  # the whole scene's fit: tens of pixels off here


def test_a_window_whose_nearby_gcps_lie_on_one_line_is_placed_by_all_of_them(tmp_path):
    # GCPs along the top and the bottom edge only: the nearest ones to a window at the top lie on one line
    path = gcp_raster(tmp_path / "rows.tif", 2000, [(c, r, 500000.0 + 10 * c, 4200000.0 - 10 * r) for c in np.linspace(0, 2000, 11) for r in (0, 2000)])
    part = read_raster(path, "sar", window=Window(800, 0, 300, 200))
    assert part.is_georeferenced
    np.testing.assert_allclose(part.geotransform, (508000.0, 10.0, 0.0, 4200000.0, 0.0, -10.0), atol=1e-6)
