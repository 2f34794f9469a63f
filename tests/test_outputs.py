"""Writers, tested on a result built from known tie points (no network involved)."""
import os
from collections import namedtuple

import numpy as np
import pytest
from osgeo import gdal, ogr, osr

from plugin.core import outputs
from plugin.core.errors import RegistrationError
from plugin.core.matching import Matches
from plugin.core.pipeline import RasterInfo, RegistrationResult, TiePoints, fit_tie_points, result_from_tie_points
from plugin.core.raster_io import pixel_to_map
from tests.conftest import write_tif

OPTICAL_GT = (440000.0, 10.0, 0.0, 3730000.0, 0.0, -10.0)
SHIFT = np.array([6.0, -4.0])
DiskUsage = namedtuple("DiskUsage", "total used free")


@pytest.fixture
def result(tmp_path):
    """A SAR raster whose content is the optical one shifted by SHIFT, and perfect tie points."""
    rng = np.random.default_rng(0)
    optical = rng.integers(1, 255, (120, 150)).astype(np.uint8)
    sar = np.zeros_like(optical)
    sar[4:, :-6] = optical[:-4, 6:]  # SAR pixel (x, y) shows optical pixel (x + 6, y - 4)
    optical_path = write_tif(tmp_path / "optical.tif", optical, OPTICAL_GT, 32611)
    sar_path = write_tif(tmp_path / "sar.tif", sar, (0.0, 1.0, 0.0, 0.0, 0.0, 1.0), None, nodata=0)
    sar_xy = rng.uniform(10, 110, (30, 2))
    tie_points = TiePoints(sar_xy + SHIFT, sar_xy, rng.uniform(0.5, 1, 30), [""] * 29 + ["ransac"],
                           np.r_[np.ones(29, bool), False])
    tie_points.optical_xy[-1] += 50  # the rejected one is an outlier
    info = lambda path, w, h, gt, wkt: RasterInfo(path, w, h, gt, wkt, (1,))  # noqa: E731
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32611)
    empty = Matches(*(np.zeros(0),) * 6)
    return RegistrationResult(info(optical_path, 150, 120, OPTICAL_GT, srs.ExportToWkt()), info(sar_path, 150, 120, None, None),
                              tie_points, fit_tie_points(tie_points, "affine"), empty, {}, False, "test", "cpu")


@pytest.mark.parametrize("model", ["affine", "homography", "poly1", "poly2", "tps"])
def test_warped_sar_is_in_the_optical_grid(result, tmp_path, model):
    result.fit = fit_tie_points(result.tie_points, model)
    path = outputs.write_warped_sar(result, str(tmp_path / f"warped_{model}.tif"))
    warped, optical = gdal.Open(path), gdal.Open(result.optical.path)
    assert warped.GetGeoTransform() == optical.GetGeoTransform()
    assert osr.SpatialReference(warped.GetProjection()).GetAuthorityCode(None) == "32611"
    assert (warped.RasterXSize, warped.RasterYSize) == (150, 120)
    assert warped.GetRasterBand(1).GetNoDataValue() == 0
    inside = warped.ReadAsArray()[20:100, 20:120].astype(int)
    assert np.mean(np.abs(inside - optical.ReadAsArray()[20:100, 20:120].astype(int)) <= 1) > 0.95
    # Optical columns 0..5 and rows 116..119 are outside the SAR footprint: nodata.
    assert warped.ReadAsArray()[:, :5].max() == 0 and warped.ReadAsArray()[-3:, :].max() == 0


def test_a_float_sar_without_nodata_is_nan_outside_its_footprint(result, tmp_path):
    """Float SAR (backscatter in dB, say) with no nodata value: the output's nodata is NaN, and
    every pixel the SAR does not cover is NaN, not 0 (a valid backscatter value), nor left unwritten."""
    sar = gdal.Open(result.sar.path).ReadAsArray().astype(np.float32) - 20.0  # negative dB-like values, none NaN
    result.sar = RasterInfo(write_tif(tmp_path / "sar_db.tif", sar), 150, 120, None, None, (1,))
    warped = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "warped_db.tif")))
    values = warped.ReadAsArray()
    assert np.isnan(warped.GetRasterBand(1).GetNoDataValue())
    assert np.isnan(values[:, :5]).all() and np.isnan(values[-3:, :]).all()
    assert np.isfinite(values[20:100, 20:120]).all()


def test_a_conventional_fill_the_engine_read_as_nodata_is_nodata_in_the_warped_sar(result, tmp_path):
    """A float SAR bordered by -9999 that it does not declare as nodata: the engine read the border
    as nodata (RasterInfo.assumed_nodata), so the warp does too; as data, bilinear resampling
    blended -9999 into the pixels along the border."""
    sar = gdal.Open(result.sar.path).ReadAsArray().astype(np.float32) / 255 + 0.01  # linear backscatter
    sar[:, 60:] = -9999.0
    result.sar = RasterInfo(write_tif(tmp_path / "sar_fill.tif", sar), 150, 120, None, None, (1,), assumed_nodata=-9999.0)
    warped = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "warped_fill.tif")))
    values = warped.ReadAsArray()
    assert warped.GetRasterBand(1).GetNoDataValue() == -9999.0
    assert ((values == -9999.0) | ((values > 0) & (values < 1.1))).all()  # nothing in between
    assert (values[20:100, 20:60] > 0).all() and (values[:, 75:] == -9999.0).all()
    # The warp from tie points (Processing), which reads no pixels itself, finds the same fill.
    again = result_from_tie_points(result.optical.path, result.sar.path, result.tie_points, "affine")
    assert again.sar.assumed_nodata == -9999.0
    values = gdal.Open(outputs.write_warped_sar(again, str(tmp_path / "warped_again.tif"))).ReadAsArray()
    assert ((values == -9999.0) | ((values > 0) & (values < 1.1))).all()


def test_packed_values_keep_their_scale_offset_and_unit(result, tmp_path):
    dataset = gdal.Open(result.sar.path, gdal.GA_Update)
    band = dataset.GetRasterBand(1)
    band.SetScale(0.01), band.SetOffset(-30.0), band.SetUnitType("dB")
    dataset = None
    warped = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "warped.tif")))  # kept open while its band is read
    band = warped.GetRasterBand(1)
    assert (band.GetScale(), band.GetOffset(), band.GetUnitType()) == (0.01, -30.0, "dB")


def test_a_sar_with_an_alpha_band_keeps_its_alpha(result, tmp_path):
    """A SAR written with an alpha band (gdalwarp -dstalpha, QGIS's Warp): its data band is warped
    and its alpha marks the footprint (it came out all nodata, marked as no alpha)."""
    sar = gdal.Open(result.sar.path).ReadAsArray()
    path = write_tif(tmp_path / "sar_alpha.tif", np.stack([sar, np.where(sar > 0, 255, 0).astype(np.uint8)]))
    dataset = gdal.Open(path, gdal.GA_Update)
    dataset.GetRasterBand(2).SetColorInterpretation(gdal.GCI_AlphaBand)
    dataset = None
    result.sar = RasterInfo(path, 150, 120, None, None, (1,))
    warped = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "warped_alpha.tif")))
    values, alpha = warped.GetRasterBand(1).ReadAsArray(), warped.GetRasterBand(2).ReadAsArray()
    assert warped.GetRasterBand(2).GetColorInterpretation() == gdal.GCI_AlphaBand
    assert (alpha[20:100, 20:120] == 255).all() and (alpha[:, :5] == 0).all()
    optical = gdal.Open(result.optical.path).ReadAsArray()
    assert np.mean(np.abs(values[20:100, 20:120].astype(int) - optical[20:100, 20:120]) <= 1) > 0.95


@pytest.mark.parametrize("name", ["warped.png", "warped.img", "warped"])
def test_the_warped_sar_is_named_as_the_geotiff_it_is(result, tmp_path, name):
    with pytest.raises(RegistrationError, match="written as a GeoTIFF.*Choose a name ending in .tif"):
        outputs.write_warped_sar(result, str(tmp_path / name))
    assert sorted(os.listdir(tmp_path)) == ["optical.tif", "sar.tif"]
    outputs.write_warped_sar(result, str(tmp_path / "warped.TIFF"))


def test_the_warp_reports_its_progress_and_stops_when_asked_writing_nothing(result, tmp_path):
    from plugin.core import RegistrationCancelled

    heard = []
    outputs.write_warped_sar(result, str(tmp_path / "whole.tif"), progress=lambda fraction: heard.append(fraction) or True)
    assert len(heard) > 2 and heard == sorted(heard) and heard[-1] == 1.0
    asked = []
    with pytest.raises(RegistrationCancelled):
        outputs.write_warped_sar(result, str(tmp_path / "stopped.tif"), progress=lambda fraction: asked.append(fraction) or len(asked) < 2)
    assert len(asked) == 2 and sorted(os.listdir(tmp_path)) == ["optical.tif", "sar.tif", "whole.tif"]

    def interrupted(fraction):  # Ctrl-C (or SIGTERM) delivered while GDAL calls back: it was a "could not write" error
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        outputs.write_warped_sar(result, str(tmp_path / "interrupted.tif"), progress=interrupted)
    assert sorted(os.listdir(tmp_path)) == ["optical.tif", "sar.tif", "whole.tif"]


def test_a_sar_damaged_since_it_was_registered_is_reported_and_nothing_is_written(result, tmp_path):
    """The dock writes the outputs when asked, perhaps long after the registration: a SAR raster
    damaged meanwhile (overwritten by an interrupted copy) was an unexpected error with a traceback."""
    compressed = str(tmp_path / "sar_deflate.tif")
    gdal.Translate(compressed, result.sar.path, creationOptions=["COMPRESS=DEFLATE", "TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16"])
    data = open(compressed, "rb").read()
    with open(compressed, "wb") as handle:
        handle.write(data[: len(data) // 2])
    result.sar = RasterInfo(compressed, 150, 120, None, None, (1,))
    target = tmp_path / "warped.tif"
    with pytest.raises(RegistrationError, match="could not write the warped SAR.*still whole and readable"):
        outputs.write_warped_sar(result, str(target))
    assert not target.exists() and not [name for name in os.listdir(tmp_path) if "partial" in name or name.startswith(".")]


def _write_past_a_size_limit(result, tmp_path, writer: str, name: str, limit: int):
    """Runs ``outputs.<writer>(result, OUT)`` (a file ``name``) in a process whose files may not grow past ``limit``
    bytes (a write beyond fails, as on a full disk): (its stdout, its stderr, what is left in OUT's folder)."""
    import pickle
    import subprocess
    import sys

    folder = tmp_path / f"out-{writer}"
    folder.mkdir()
    (tmp_path / "result.pickle").write_bytes(pickle.dumps(result))
    script = (
        "import pickle, resource, signal, sys\n"
        "from plugin.core import outputs\n"
        "from plugin.core.errors import RegistrationError\n"
        "result = pickle.load(open(sys.argv[1], 'rb'))\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), resource.RLIM_INFINITY))\n"
        "try:\n"
        f"    outputs.{writer}(result, sys.argv[2])\n"
        "except RegistrationError as error:\n"
        "    print('refused:', error)\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "result.pickle"), str(folder / name), str(limit)],
                          capture_output=True, text=True, cwd=root, timeout=120)
    return done.stdout, done.stderr, os.listdir(folder)


def test_a_write_that_fails_part_way_is_reported_once_and_leaves_nothing(result, tmp_path):
    """Writing fails near the end of the warped SAR (here at a file size limit, as on a full disk)
    and at the start of a tie-point file: one clear error each, no leftover file, and nothing
    printed from closing the half-written GeoTIFF afterwards (GDAL's destructor)."""
    whole = os.path.getsize(outputs.write_warped_sar(result, str(tmp_path / "whole.tif")))
    stdout, stderr, left = _write_past_a_size_limit(result, tmp_path, "write_warped_sar", "warped.tif", whole - 512)  # its last blocks and directory
    assert "refused: GDAL could not write the warped SAR" in stdout and "free space" in stdout
    assert "Exception ignored" not in stderr and "Traceback" not in stderr, stderr
    assert left == []
    stdout, stderr, left = _write_past_a_size_limit(result, tmp_path, "write_points_file", "tie.points", 100)
    assert "refused: Could not write" in stdout and "File too large" in stdout and "Traceback" not in stderr, stderr
    assert left == []


def test_a_full_disk_is_named_whatever_words_gdal_or_ogr_use(tmp_path, monkeypatch):
    target = str(tmp_path / "tie_points.gpkg")
    with pytest.raises(RuntimeError, match="sqlite3_exec"):  # with space left, an error is what it is
        with outputs.safe_output(target, (), False):
            raise RuntimeError("sqlite3_exec(CREATE TABLE ...) failed: database or disk is full")
    monkeypatch.setattr(outputs.shutil, "disk_usage", lambda folder: DiskUsage(total=10**9, used=10**9, free=4096))
    with pytest.raises(RegistrationError, match="Could not write .*tie_points.gpkg': the disk is full. Free some space"):
        with outputs.safe_output(target, (), False) as temporary:
            open(temporary, "w").write("part")
            raise RuntimeError("sqlite3_exec(CREATE TABLE ...) failed: database or disk is full")
    assert os.listdir(tmp_path) == []
    project = tmp_path / "project.gpkg"  # a read-only GeoPackage written into in place (root may write anyway)
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(str(project))
    dataset.CreateLayer("roads", None, ogr.wkbPoint)
    dataset = None
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: path != str(project))
    with pytest.raises(RegistrationError, match="project.gpkg': the file is read-only. Choose another file"):
        with outputs._write_errors(str(project)):
            raise RuntimeError("attempt to write a readonly database")
    project.unlink()
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: False)  # a folder gone read-only (root may write anyway)
    with pytest.raises(RegistrationError, match="the folder is not writable. Choose a folder you may write to"):
        with outputs.safe_output(target, (), False):
            raise PermissionError(13, "Permission denied")


def test_points_file_round_trip(result, tmp_path):
    """As QGIS 3.22.16's Georeferencer writes and reads them: the optical's CRS first, then source
    coordinates in the SAR's own geotransform's coordinates where it has one (in pixels, these
    landed far off the georeferenced SAR), else pixel corners with y = -row."""
    sar_gt = gdal.Open(result.sar.path).GetGeoTransform()
    path = outputs.write_points_file(result, str(tmp_path / "tie.points"))
    lines = open(path).read().splitlines()
    assert lines[0].startswith("#CRS: PROJCRS[") and "32611" in lines[0]  # the optical's, as the Georeferencer writes it
    assert lines[1] == "mapX,mapY,sourceX,sourceY,enable,dX,dY,residual" and len(lines) == 32
    source = np.array([[float(v) for v in line.split(",")[2:4]] for line in lines[2:]])
    np.testing.assert_allclose(source, pixel_to_map(sar_gt, result.tie_points.sar_xy), atol=1e-6)
    back = outputs.read_points_file(path, OPTICAL_GT, result.optical.crs_wkt, sar_gt)
    np.testing.assert_allclose(back.optical_xy, result.tie_points.optical_xy, atol=1e-6)
    np.testing.assert_allclose(back.sar_xy, result.tie_points.sar_xy, atol=1e-6)
    np.testing.assert_array_equal(back.enabled, result.tie_points.enabled)
    refit = fit_tie_points(back, "affine")
    np.testing.assert_allclose(refit.sar_to_optical, result.fit.sar_to_optical, atol=1e-6)
    # A SAR without a geotransform of its own: pixels, the row counted upwards.
    result.sar = RasterInfo(write_tif(tmp_path / "plain.tif", gdal.Open(result.sar.path).ReadAsArray()), 150, 120, None, None, (1,))
    lines = open(outputs.write_points_file(result, str(tmp_path / "plain.points"))).read().splitlines()
    first = [float(v) for v in lines[2].split(",")]
    np.testing.assert_allclose(first[2:4], [result.tie_points.sar_xy[0, 0] + 0.5, -(result.tie_points.sar_xy[0, 1] + 0.5)], atol=1e-6)
    back = outputs.read_points_file(str(tmp_path / "plain.points"), OPTICAL_GT, result.optical.crs_wkt)
    np.testing.assert_allclose(back.sar_xy, result.tie_points.sar_xy, atol=1e-6)
    # A file headed pixelX, pixelY (earlier Georeferencers, this plugin before) holds pixels whatever the SAR.
    old = [lines[0], "mapX,mapY,pixelX,pixelY,enable,dX,dY,residual"] + lines[2:]
    (tmp_path / "old.points").write_text("\n".join(old) + "\n")
    back = outputs.read_points_file(str(tmp_path / "old.points"), OPTICAL_GT, result.optical.crs_wkt, sar_gt)
    np.testing.assert_allclose(back.sar_xy, result.tie_points.sar_xy, atol=1e-6)


def test_points_saved_in_another_crs_are_read_in_the_opticals(result, tmp_path):
    """The Georeferencer saves map coordinates in its target CRS and names it on the first line;
    read as if in the optical raster's CRS, points in degrees or another zone landed anywhere."""
    path = outputs.write_points_file(result, str(tmp_path / "utm.points"))
    lines = open(path).read().splitlines()
    utm, wgs84 = osr.SpatialReference(), osr.SpatialReference()
    utm.ImportFromEPSG(32611)
    wgs84.ImportFromEPSG(4326)
    wgs84.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)  # lon, lat, as QGIS writes them
    to_degrees = osr.CoordinateTransformation(utm, wgs84)
    degrees = ["#CRS: EPSG:4326", lines[1]]
    for line in lines[2:]:
        values = line.split(",")
        values[:2] = [f"{v:.10f}" for v in to_degrees.TransformPoint(float(values[0]), float(values[1]))[:2]]
        degrees.append(",".join(values))
    (tmp_path / "degrees.points").write_text("\n".join(degrees) + "\n")
    back = outputs.read_points_file(str(tmp_path / "degrees.points"), OPTICAL_GT, result.optical.crs_wkt, gdal.Open(result.sar.path).GetGeoTransform())
    np.testing.assert_allclose(back.optical_xy, result.tie_points.optical_xy, atol=1e-3)
    (tmp_path / "nonsense.points").write_text("#CRS: not a crs\n" + "\n".join(lines[1:]) + "\n")
    with pytest.raises(RegistrationError, match="names no coordinate reference system"):
        outputs.read_points_file(str(tmp_path / "nonsense.points"), OPTICAL_GT, result.optical.crs_wkt)


def test_a_points_file_that_cannot_be_read_says_so(tmp_path):
    """A broken .points file gave a raw ValueError or IndexError; one without the enable column
    (four values a line) is read with every point enabled."""
    for name, text in (("words.points", "mapX,mapY,pixelX,pixelY,enable\n1,2,three,4,1\n"), ("short.points", "1,2,3\n")):
        (tmp_path / name).write_text(text)
        with pytest.raises(RegistrationError, match="cannot be read as a Georeferencer .points file"):
            outputs.read_points_file(str(tmp_path / name), OPTICAL_GT)
    (tmp_path / "four.points").write_text("#CRS: EPSG:32611\n440005,3729995,0.5,-0.5\n440105,3729995,10.5,-0.5\n")
    four = outputs.read_points_file(str(tmp_path / "four.points"), OPTICAL_GT)
    assert four.enabled.all() and np.allclose(four.optical_xy, [[0, 0], [10, 0]]) and np.allclose(four.sar_xy, [[0, 0], [10, 0]])


def test_geopackage_layer(result, tmp_path):
    path = outputs.write_geopackage(result, str(tmp_path / "tie.gpkg"))
    source = ogr.Open(path)  # keep the data source alive while its layer is used
    layer = source.GetLayer("tie_points")
    assert layer.GetFeatureCount() == 30
    assert layer.GetSpatialRef().GetAuthorityCode(None) == "32611"
    features = list(layer)
    assert features[-1]["rejected_by"] == "ransac" and features[-1]["enabled"] == 0
    assert features[0]["residual"] < 1e-6 and features[-1]["residual"] > 40
    # on the ground: UTM's 10 m pixels, 60 km from its central meridian (scale 0.9996-0.9997)
    assert features[-1]["residual_m"] == pytest.approx(features[-1]["residual"] * 10 / 0.99965, rel=2e-4)
    # against the fit without it and its neighbours (the tie points are exact): empty where too few lie farther than 96 px
    lengths = outputs.left_out_lengths(result.fit)
    assert [feature["left_out"] for feature in features] == [None if np.isnan(length) else pytest.approx(length) for length in lengths]
    assert features[-1]["left_out"] is None and 0 < np.isfinite(lengths).sum() < 29 and np.nanmax(lengths) < 1e-6
    point = features[0].GetGeometryRef()
    x, y = result.tie_points.optical_xy[0]
    assert point.GetX() == pytest.approx(OPTICAL_GT[0] + (x + 0.5) * 10) and point.GetY() == pytest.approx(OPTICAL_GT[3] - (y + 0.5) * 10)


def test_inputs_and_existing_files_are_never_overwritten(result, tmp_path):
    before = open(result.sar.path, "rb").read()
    with pytest.raises(RegistrationError, match="is one of the input rasters"):
        outputs.write_warped_sar(result, result.sar.path, overwrite=True)
    assert open(result.sar.path, "rb").read() == before
    existing = tmp_path / "exists.tif"
    existing.write_bytes(b"keep me")
    with pytest.raises(RegistrationError, match="already exists"):
        outputs.write_warped_sar(result, str(existing))
    assert existing.read_bytes() == b"keep me"
    outputs.write_warped_sar(result, str(existing), overwrite=True)
    assert gdal.Open(str(existing)).RasterXSize == 150
    assert not [f for f in os.listdir(tmp_path) if ".partial-" in f]
    with pytest.raises(RegistrationError, match="folder"):
        outputs.write_points_file(result, str(tmp_path / "no" / "such" / "dir.points"))


def test_a_project_geopackage_keeps_its_other_layers(result, tmp_path):
    """Tie points written into a GeoPackage that holds other layers (a project's, with a basemap
    raster and a road layer): the tie-point layer is added, or replaced when written again, and the
    rest is untouched. The whole file was replaced, losing them."""
    project = str(tmp_path / "project.gpkg")
    gdal.Translate(project, result.optical.path, format="GPKG", creationOptions=["RASTER_TABLE=basemap"])
    dataset = ogr.Open(project, update=1)
    roads = dataset.CreateLayer("roads", None, ogr.wkbPoint)
    roads.CreateField(ogr.FieldDefn("name", ogr.OFTString))
    feature = ogr.Feature(roads.GetLayerDefn())
    feature.SetField("name", "A1")
    feature.SetGeometry(ogr.CreateGeometryFromWkt("POINT (1 2)"))
    roads.CreateFeature(feature)
    dataset = roads = feature = None
    before = open(project, "rb").read()
    with pytest.raises(RegistrationError, match=r"already exists.*'tie_points' is then added or replaced.*other layer\(s\) are kept"):
        outputs.write_geopackage(result, project)
    assert open(project, "rb").read() == before
    for count in (30, 20):  # added, then replaced by fewer tie points
        points = result.tie_points
        result.tie_points = TiePoints(points.optical_xy[:count], points.sar_xy[:count], points.distance[:count],
                                      points.rejected_by[:count], points.enabled[:count])
        result.fit = fit_tie_points(result.tie_points, "affine")
        outputs.write_geopackage(result, project, overwrite=True)
        dataset = ogr.Open(project)
        names = sorted(dataset.GetLayer(i).GetName() for i in range(dataset.GetLayerCount()))
        assert names == ["roads", "tie_points"]
        assert [f.GetField("name") for f in dataset.GetLayerByName("roads")] == ["A1"]
        assert dataset.GetLayerByName("tie_points").GetFeatureCount() == len(result.tie_points)
        dataset = None
        basemap = gdal.Open(f"GPKG:{project}:basemap")
        assert (basemap.ReadAsArray() == gdal.Open(result.optical.path).ReadAsArray()).all()
        basemap = None
    assert not [name for name in os.listdir(tmp_path) if "partial" in name]


def test_a_geopackage_of_tie_points_alone_is_replaced_whole(result, tmp_path):
    path = str(tmp_path / "tie.gpkg")
    outputs.write_geopackage(result, path)
    outputs.write_geopackage(result, path, overwrite=True)
    dataset = ogr.Open(path)
    assert dataset.GetLayerCount() == 1 and dataset.GetLayer(0).GetFeatureCount() == len(result.tie_points)


def test_the_geopackage_that_holds_an_input_raster_is_never_overwritten(result, tmp_path):
    """An optical raster read from a GeoPackage table ('GPKG:scenes.gpkg:optical'): writing the tie
    points to scenes.gpkg would replace the file it came from."""
    geopackage = str(tmp_path / "scenes.gpkg")
    gdal.Translate(geopackage, result.optical.path, format="GPKG", creationOptions=["RASTER_TABLE=optical"])
    result.optical.path = f"GPKG:{geopackage}:optical"
    before = open(geopackage, "rb").read()
    with pytest.raises(RegistrationError, match="is one of the input rasters"):
        outputs.write_geopackage(result, geopackage, overwrite=True)
    assert open(geopackage, "rb").read() == before
    assert outputs.is_an_input(geopackage, (result.optical.path, result.sar.path))
    assert not outputs.is_an_input(str(tmp_path / "other.gpkg"), (result.optical.path,))


def test_the_file_behind_a_vrt_input_is_never_overwritten(result, tmp_path):
    """A SAR given as a VRT over scene.tif: writing the output to scene.tif with overwrite on
    would replace the SAR's own pixels."""
    vrt = str(tmp_path / "sar.vrt")
    gdal.Translate(vrt, result.sar.path, format="VRT")
    original, result.sar.path = result.sar.path, vrt
    before = open(original, "rb").read()
    with pytest.raises(RegistrationError, match="is one of the input rasters"):
        outputs.write_warped_sar(result, original, overwrite=True)
    assert open(original, "rb").read() == before


def test_tie_points_that_fix_no_transform_are_refused_with_the_fix(result, tmp_path):
    """Enabled points along one line would fold the SAR onto it (RMSE 0, an empty output); points
    on one circle leave GDAL's third-order polynomial unsolved (a raw GDAL error before)."""
    tie_points = result.tie_points
    line = np.c_[np.linspace(10, 110, 30), np.linspace(20, 90, 30)]
    on_a_line = TiePoints(line + SHIFT, line, tie_points.distance, tie_points.rejected_by, np.ones(30, bool))
    with pytest.raises(RegistrationError, match="lie on one line"):
        fit_tie_points(on_a_line, "affine")
    angle = np.linspace(0, 2 * np.pi, 30, endpoint=False)
    circle = np.c_[60 + 40 * np.cos(angle), 60 + 40 * np.sin(angle)]
    result.tie_points = TiePoints(circle + SHIFT, circle, tie_points.distance, tie_points.rejected_by, np.ones(30, bool))
    result.fit = fit_tie_points(result.tie_points, "poly3")
    with pytest.raises(RegistrationError, match="cannot fit the poly3 warp"):
        outputs.write_warped_sar(result, str(tmp_path / "warped.tif"))
    assert not os.listdir(tmp_path) or not [f for f in os.listdir(tmp_path) if f.startswith("warped")]


def test_an_optical_grid_without_a_crs_places_the_outputs_on_it(result, tmp_path):
    result.optical.crs_wkt = None  # a geotransform, no CRS: QGIS draws it at the geotransform
    warped = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "warped.tif")))
    assert warped.GetGeoTransform() == OPTICAL_GT and not warped.GetProjection()
    points = open(outputs.write_points_file(result, str(tmp_path / "t.points"))).read().splitlines()
    map_x = float(points[-1].split(",")[0])
    assert OPTICAL_GT[0] < map_x < OPTICAL_GT[0] + 150 * OPTICAL_GT[1]


@pytest.mark.parametrize("grid", ["optical", "sar"])
def test_the_registered_sar_lies_where_the_fit_puts_it_on_either_grid(sample, tmp_path, grid):
    """A SAR whose two bands hold each pixel's own column and row, in UTM (the optical is in World
    Mercator), registered by known tie points; each output pixel must hold the SAR pixel the fit
    maps to it. On the SAR's grid the output is in the SAR's CRS, north up, at its own pixel size."""
    from tests.gui_fixtures import sample_tie_points

    columns, rows = np.meshgrid(np.arange(800, dtype=np.float32), np.arange(760, dtype=np.float32))
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(32611)
    # 8.33 m: the ground size of the optical's 10 World Mercator units at 33.7 degrees north, so that
    # no pixel is averaged over several (bilinear then reproduces the coded ramps exactly)
    coded = write_tif(tmp_path / "coded.tif", np.stack([columns, rows]), (410000.0, 8.33, 0.0, 3735000.0, 0.0, -8.33), 32611, nodata=-1.0)
    result = result_from_tie_points(sample["optical"], coded, sample_tie_points(), "affine")
    written = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / f"on_{grid}.tif"), grid=grid))
    geotransform = written.GetGeoTransform()
    if grid == "sar":
        reference = osr.SpatialReference(wkt=written.GetProjection())
        assert reference.IsSame(utm) and geotransform[2] == geotransform[4] == 0.0
        assert geotransform[1] == pytest.approx(8.33) and geotransform[5] == pytest.approx(-8.33)
    else:
        assert geotransform == gdal.Open(sample["optical"]).GetGeoTransform()
    values = np.stack([written.GetRasterBand(band).ReadAsArray() for band in (1, 2)], axis=-1)
    inside = np.argwhere((values[..., 0] > 20) & (values[..., 0] < 780) & (values[..., 1] > 20) & (values[..., 1] < 740))
    picked = inside[np.random.default_rng(0).choice(len(inside), 200, replace=False)]
    output_xy = picked[:, ::-1].astype(float)
    map_xy = pixel_to_map(geotransform, output_xy)
    to_optical = osr.CoordinateTransformation(osr.SpatialReference(wkt=written.GetProjection()),
                                              osr.SpatialReference(wkt=gdal.Open(sample["optical"]).GetProjection()))
    optical_map = np.array(to_optical.TransformPoints(map_xy.tolist()))[:, :2]
    from plugin.core.raster_io import map_to_pixel

    optical_xy = map_to_pixel(gdal.Open(sample["optical"]).GetGeoTransform(), optical_map)
    expected = (np.c_[optical_xy, np.ones(len(optical_xy))] @ np.linalg.inv(result.fit.sar_to_optical).T)[:, :2]
    found = values[picked[:, 0], picked[:, 1]]
    assert np.abs(found - expected).max() < 0.05, np.abs(found - expected).max()


def test_a_sar_without_a_crs_is_not_written_on_its_own_grid(result, tmp_path):
    with pytest.raises(RegistrationError, match="cannot be written in the SAR raster's own CRS.*optical raster's grid"):
        outputs.write_warped_sar(result, str(tmp_path / "own.tif"), grid="sar")
    assert not os.path.exists(tmp_path / "own.tif")


def test_a_sar_on_a_local_grid_is_not_written_on_its_own_grid(sample, tmp_path):
    """The tie points' map positions are in the optical raster's CRS, which a site's local grid relates
    to in no way: refused in words before writing (GDAL's own error came after the warp had started)."""
    from tests.test_georef import LOCAL_GRID

    on_grid = str(tmp_path / "sar_site.tif")
    gdal.Translate(on_grid, sample["sar"], outputSRS=LOCAL_GRID)
    sar_xy = np.random.default_rng(0).uniform(40, 700, (20, 2))
    tie_points = TiePoints(sar_xy + [17.0, -11.0], sar_xy, np.zeros(20), [""] * 20, np.ones(20, bool))
    result = result_from_tie_points(sample["optical"], on_grid, tie_points, "affine")
    with pytest.raises(RegistrationError, match="own CRS: Coordinates cannot be transformed from the CRS 'site grid'") as refused:
        outputs.write_warped_sar(result, str(tmp_path / "own.tif"), grid="sar")
    assert "optical raster's grid" in refused.value.fix and not os.path.exists(tmp_path / "own.tif")
    assert outputs.write_warped_sar(result, str(tmp_path / "optical_grid.tif")) == str(tmp_path / "optical_grid.tif")


def test_overview_levels_halve_until_the_smallest_fits_in_256_px():
    assert outputs.overview_levels(256, 256) == [] and outputs.overview_levels(120, 150) == []
    assert outputs.overview_levels(768, 768) == [2, 4]  # 384, 192
    assert outputs.overview_levels(300, 100) == [2]
    assert outputs.overview_levels(10980, 10980) == [2, 4, 8, 16, 32, 64]  # a Sentinel-2 tile: 172 px at 64


def _block_means(values: np.ndarray) -> np.ndarray:
    """The mean of each 2 x 2 block's valid (finite, non-zero) pixels; NaN where none is."""
    rows, cols = values.shape[0] // 2 * 2, values.shape[1] // 2 * 2
    blocks = values[:rows, :cols].astype(float).reshape(rows // 2, 2, cols // 2, 2)
    valid = np.isfinite(blocks) & (blocks != 0)
    with np.errstate(invalid="ignore"):
        return np.where(valid, blocks, 0).sum(axis=(1, 3)) / valid.sum(axis=(1, 3))


@pytest.mark.parametrize("kind", ["uint8", "float32 dB"])
def test_the_registered_sar_carries_compressed_overviews_that_average_its_valid_pixels(sample, tmp_path, kind):
    """QGIS draws a large output from its overviews (a Sentinel-2 tile: 0.2 s, not 2.7-4.3 s).
    Each overview pixel is the average of the SAR pixels under it, nodata left out: a pixel on the
    footprint's edge is not darkened by the nodata beside it."""
    from tests.gui_fixtures import sample_tie_points

    sar = sample["sar"]
    if kind != "uint8":
        amplitude = gdal.Open(sar).ReadAsArray().astype(np.float32)
        sar = write_tif(tmp_path / "sar_db.tif", 20 * np.log10(amplitude / 255 + 1e-3), gdal.Open(sar).GetGeoTransform(), 32611)
    tie_points = sample_tie_points()
    tie_points.optical_xy[:] += 1.0  # an odd shift: footprint edges run through the overviews' 2 x 2 blocks
    result = result_from_tie_points(sample["optical"], sar, tie_points, "affine")
    path = outputs.write_warped_sar(result, str(tmp_path / "warped.tif"))
    written = gdal.Open(path)
    band = written.GetRasterBand(1)
    assert [(band.GetOverview(i).XSize, band.GetOverview(i).YSize) for i in range(band.GetOverviewCount())] == [(384, 384), (192, 192)]
    assert gdal.Open(f"GTIFF_DIR:2:{path}").GetMetadata("IMAGE_STRUCTURE")["COMPRESSION"] == "DEFLATE"
    full, overview = band.ReadAsArray(), band.GetOverview(0).ReadAsArray().astype(float)
    nodata = band.GetNoDataValue()
    overview[overview == nodata] = np.nan  # NaN stays NaN
    expected = _block_means(full) if kind == "uint8" else _block_means(np.where(full == 0, 1e-9, full))
    assert np.array_equal(np.isnan(overview), np.isnan(expected))  # nodata only where the SAR covers nothing
    valid = ~np.isnan(expected)
    assert np.abs(overview[valid] - expected[valid]).max() <= (0.51 if kind == "uint8" else 1e-3)
    is_valid = np.isfinite(full) & (full != nodata)
    edge = valid & (is_valid[::2, ::2] != is_valid[1::2, 1::2])  # blocks that straddle the footprint's edge
    assert edge.sum() > 100


def test_overviews_average_the_amplitude_of_complex_values_and_keep_classes():
    memory = gdal.GetDriverByName("MEM")
    assert outputs.overview_resampling(memory.Create("", 4, 4, 1, gdal.GDT_Float32).GetRasterBand(1)) == "AVERAGE"
    assert outputs.overview_resampling(memory.Create("", 4, 4, 1, gdal.GDT_CInt16).GetRasterBand(1)) == "AVERAGE_MAGPHASE"
    classes = memory.Create("", 4, 4, 1, gdal.GDT_Byte)
    classes.GetRasterBand(1).SetColorTable(gdal.ColorTable())
    assert outputs.overview_resampling(classes.GetRasterBand(1)) == "NEAREST"


def test_building_the_overviews_is_part_of_the_progress_and_of_cancel(sample, tmp_path):
    from plugin.core import RegistrationCancelled
    from tests.gui_fixtures import sample_tie_points

    result = result_from_tie_points(sample["optical"], sample["sar"], sample_tie_points(), "affine")
    heard = []
    outputs.write_warped_sar(result, str(tmp_path / "whole.tif"), progress=lambda fraction: heard.append(fraction) or True)
    assert heard == sorted(heard) and heard[-1] == 1.0
    assert any(0 < fraction < outputs.WARP_SHARE for fraction in heard) and any(outputs.WARP_SHARE < fraction < 1 for fraction in heard)
    with pytest.raises(RegistrationCancelled):  # stopped while the overviews are built: nothing is left
        outputs.write_warped_sar(result, str(tmp_path / "stopped.tif"), progress=lambda fraction: fraction <= outputs.WARP_SHARE)
    assert sorted(os.listdir(tmp_path)) == ["whole.tif"]


def test_a_disk_that_fills_while_the_overviews_are_built_is_reported_and_leaves_nothing(sample, tmp_path, monkeypatch):
    from tests.gui_fixtures import sample_tie_points

    result = result_from_tie_points(sample["optical"], sample["sar"], sample_tie_points(), "affine")
    with monkeypatch.context() as patched:
        patched.setattr(outputs, "overview_levels", lambda width, height, min_size=256: [])
        image_alone = os.path.getsize(outputs.write_warped_sar(result, str(tmp_path / "no_overviews.tif")))
    whole = os.path.getsize(outputs.write_warped_sar(result, str(tmp_path / "whole.tif")))
    assert whole > image_alone + 20_000
    stdout, stderr, left = _write_past_a_size_limit(result, tmp_path, "write_warped_sar", "warped.tif", image_alone + 4096)
    assert "refused: GDAL could not write the warped SAR" in stdout and "free space" in stdout
    assert "Exception ignored" not in stderr and "Traceback" not in stderr, stderr
    assert left == []


def test_a_sar_on_a_small_part_of_the_optical_raster_is_written_on_that_part_of_its_grid(tmp_path, monkeypatch):
    """A SAR scene over a corner of a large optical raster (an optical tile, or a web map GDAL reads as the
    whole world): the output keeps the optical raster's pixels but only where the SAR lies, not a raster
    the size of the optical one that is nodata nearly everywhere. Its pixels are those of the whole grid's."""
    rng = np.random.default_rng(3)
    optical = rng.integers(1, 255, (640, 640)).astype(np.uint8)
    sar = optical[100:220, 200:350].copy()  # SAR pixel (x, y) shows optical pixel (x + 200, y + 100)
    optical_path = write_tif(tmp_path / "tile.tif", optical, OPTICAL_GT, 32611)
    sar_path = write_tif(tmp_path / "scene.tif", sar, nodata=0)
    sar_xy = rng.uniform(5, 110, (30, 2))
    tie_points = TiePoints(sar_xy + [200.0, 100.0], sar_xy, rng.uniform(0.5, 1, 30), [""] * 30, np.ones(30, bool))
    result = result_from_tie_points(optical_path, sar_path, tie_points, "affine")
    cut = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "cut.tif")))
    left, step, _, top, _, step_y = cut.GetGeoTransform()
    x0, y0 = (left - OPTICAL_GT[0]) / step, (top - OPTICAL_GT[3]) / step_y
    x0, y0 = int(x0), int(y0)
    assert (x0, y0) == ((left - OPTICAL_GT[0]) / step, (top - OPTICAL_GT[3]) / step_y)  # on the optical raster's pixel grid
    width, height = cut.RasterXSize, cut.RasterYSize
    assert 196 <= x0 <= 199 and 96 <= y0 <= 99 and 351 <= x0 + width <= 354 and 221 <= y0 + height <= 224  # the SAR's box, a pixel or so to spare
    assert np.array_equal(cut.ReadAsArray()[100 - y0:220 - y0, 200 - x0:350 - x0], sar)  # an exact shift: the SAR's own pixels
    monkeypatch.setattr(outputs, "CUT_TO_SAR_BELOW", 0.0)  # the whole optical grid, as before
    whole = gdal.Open(outputs.write_warped_sar(result, str(tmp_path / "whole.tif")))
    assert (whole.RasterXSize, whole.RasterYSize) == (640, 640) and whole.GetGeoTransform() == OPTICAL_GT
    assert np.array_equal(whole.ReadAsArray()[y0:y0 + height, x0:x0 + width], cut.ReadAsArray())
    assert whole.ReadAsArray()[:y0].max() == 0 and whole.ReadAsArray()[:, x0 + width:].max() == 0
