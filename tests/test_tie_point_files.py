"""Tie points read back from files by the engine (``core.tie_point_files``), as the command line's
``warp`` and the dock's Open tie points read them: the GeoPackage registration writes, edited
with GDAL as a user's tools would, reprojected, or a table without geometry."""
import numpy as np
import pytest
from osgeo import gdal, ogr

from plugin.core import RegistrationError, outputs
from plugin.core.pipeline import TiePoints, raster_info, result_from_tie_points
from plugin.core.tie_point_files import read_tie_point_file, read_tie_point_layer, recorded_rasters
from tests.conftest import SAMPLE_SHIFT


def tie_points(count=30, outliers=3, seed=1) -> TiePoints:
    rng = np.random.default_rng(seed)
    sar = rng.uniform(40, 700, (count, 2))
    optical = sar + SAMPLE_SHIFT
    optical[count - outliers:] += 30
    enabled = np.arange(count) < count - outliers
    distance = rng.uniform(0.2, 0.9, count)
    distance[0] = np.nan  # a point a user measured: no descriptor distance
    return TiePoints(optical, sar, distance, ["" if e else "ransac" for e in enabled], enabled, np.arange(10, 10 + count))


@pytest.fixture
def written(sample, tmp_path):
    result = result_from_tie_points(sample["optical"], sample["sar"], tie_points(), "affine")
    return result, outputs.write_geopackage(result, str(tmp_path / "tie.gpkg"))


def test_a_geopackage_reads_back_as_written(written, sample):
    result, path = written
    read = read_tie_point_layer(path, raster_info(sample["optical"]))
    np.testing.assert_allclose(read.optical_xy, result.tie_points.optical_xy, atol=1e-6)
    np.testing.assert_allclose(read.sar_xy, result.tie_points.sar_xy, atol=1e-9)
    np.testing.assert_allclose(read.distance, result.tie_points.distance, atol=1e-12)  # NaN where there was none
    assert list(read.enabled) == list(result.tie_points.enabled) and read.rejected_by == result.tie_points.rejected_by
    assert list(read.ids) == list(range(10, 40))
    assert recorded_rasters(path)[1].endswith("sar.tif")


def test_edits_made_with_another_tool_count(written, sample):
    """A point disabled by 'no', one re-enabled by an empty cell, one without an id (a copy: the
    next free id) and one moved on the map: what QGIS or ogr2ogr leave in the file."""
    result, path = written
    dataset = ogr.Open(path, update=1)
    layer = dataset.GetLayerByName("tie_points")
    geotransform = gdal.Open(sample["optical"]).GetGeoTransform()
    for feature in layer:
        point_id = feature.GetField("id")
        if point_id == 11:
            feature.SetField("enabled", None)
            feature.SetField("rejected_by", "")
        elif point_id == 12:
            feature.SetField("enabled", 0)
        elif point_id == 13:
            point = feature.GetGeometryRef()
            point.SetPoint_2D(0, point.GetX() + 2 * geotransform[1], point.GetY())  # two optical pixels east
        elif point_id == 14:
            copy = feature.Clone()
            copy.SetFID(-1)
            copy.SetField("id", None)
            layer.CreateFeature(copy)
        layer.SetFeature(feature)
    dataset = None
    read = read_tie_point_layer(path, raster_info(sample["optical"]))
    by_id = {int(point_id): index for index, point_id in enumerate(read.ids)}
    assert len(read) == 31 and sorted(by_id) == list(range(10, 41))
    assert read.enabled[by_id[11]] and not read.enabled[by_id[12]] and read.rejected_by[by_id[12]] == "user"
    assert read.rejected_by[by_id[39]] == "ransac"  # a point RANSAC rejected keeps its reason
    np.testing.assert_allclose(read.optical_xy[by_id[13]], result.tie_points.optical_xy[3] + [2, 0], atol=1e-6)
    np.testing.assert_allclose(read.sar_xy[by_id[40]], result.tie_points.sar_xy[4])


def test_a_reprojected_layer_gives_the_same_optical_pixels(written, sample, tmp_path):
    result, path = written
    moved = str(tmp_path / "wgs84.gpkg")
    gdal.VectorTranslate(moved, path, dstSRS="EPSG:4326", layerName="tie_points")
    read = read_tie_point_layer(moved, raster_info(sample["optical"]))
    np.testing.assert_allclose(read.optical_xy, result.tie_points.optical_xy, atol=1e-4)


def test_a_table_without_geometry_is_placed_by_its_pixel_fields(written, sample, tmp_path):
    result, path = written
    table = str(tmp_path / "tie.csv")
    gdal.VectorTranslate(table, path, format="CSV")  # the fields, no geometry
    read = read_tie_point_file(table, raster_info(sample["optical"]), sample["sar"])
    np.testing.assert_allclose(read.optical_xy, result.tie_points.optical_xy, atol=1e-6)
    assert recorded_rasters(table) == ("", "")


def test_a_points_file_is_read_as_the_georeferencer_writes_it(written, sample, tmp_path):
    result, _ = written
    path = outputs.write_points_file(result, str(tmp_path / "tie.points"))
    read = read_tie_point_file(path, raster_info(sample["optical"]), sample["sar"])
    np.testing.assert_allclose(read.sar_xy, result.tie_points.sar_xy, atol=1e-3)
    assert recorded_rasters(path) == ("", "")


def test_a_project_geopackage_gives_its_tie_point_layer(written, sample, tmp_path):
    result, _ = written
    project = str(tmp_path / "project.gpkg")
    dataset = ogr.GetDriverByName("GPKG").CreateDataSource(project)
    dataset.CreateLayer("roads", None, ogr.wkbLineString)
    dataset = None
    outputs.write_geopackage(result, project, overwrite=True)
    assert len(read_tie_point_layer(project, raster_info(sample["optical"]))) == 30


@pytest.mark.parametrize("what, said", [
    ("missing", "does not exist"),
    ("roads", "holds no tie-point layer (a point layer with the fields 'sar_x' and 'sar_y')"),
    ("two", "holds several tie-point layers (a, b)"),
    ("empty", "holds no points"),
    ("text", "holds no tie-point layer"),
])
def test_files_without_usable_tie_points_are_refused_with_what_to_choose(sample, tmp_path, what, said):
    path = str(tmp_path / ("notes.txt" if what == "text" else "file.gpkg"))
    if what == "text":
        open(path, "w").write("no tie points here\n")
    elif what != "missing":
        dataset = ogr.GetDriverByName("GPKG").CreateDataSource(path)
        for name in {"roads": ["roads"], "two": ["a", "b"], "empty": ["tie_points"]}[what]:
            layer = dataset.CreateLayer(name, None, ogr.wkbPoint)
            if what != "roads":
                for field in ("sar_x", "sar_y"):
                    layer.CreateField(ogr.FieldDefn(field, ogr.OFTReal))
        dataset = None
    with pytest.raises(RegistrationError, match=said.replace("(", r"\(").replace(")", r"\)")):
        read_tie_point_file(path, raster_info(sample["optical"]), sample["sar"])
