"""A fit's residuals in metres on the ground (``plugin.core.ground``), checked against PROJ's
azimuthal equidistant projection centred on each point, whose distances from its centre are true
on the ellipsoid: an independent route to the same lengths."""
import numpy as np
import pytest
from osgeo import osr

from plugin.core.ground import ground_lengths_m, rmse_m
from plugin.core.raster_io import pixel_to_map, spatial_reference


def epsg(code: int) -> str:
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(code)
    return srs.ExportToWkt()


def true_length_m(geotransform, wkt, xy, step):
    """The length of ``step`` from ``xy`` measured in an azimuthal equidistant projection centred on ``xy``."""
    crs = spatial_reference(wkt)
    geographic = crs.CloneGeogCS()
    geographic.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    start, end = pixel_to_map(geotransform, np.array([xy, np.add(xy, step)], float))
    lon, lat, _ = osr.CoordinateTransformation(crs, geographic).TransformPoint(*start)
    local = osr.SpatialReference()
    local.ImportFromProj4(f"+proj=aeqd +lat_0={lat} +lon_0={lon} {geographic.ExportToProj4().replace('+proj=longlat', '')}")
    local.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    x, y, _ = osr.CoordinateTransformation(crs, local).TransformPoint(*end)
    return float(np.hypot(x, y))


CASES = [
    # UTM 11N, 10 m pixels, near the zone's edge (grid metres are 1.0006 ground metres there)
    ((300000.0, 10.0, 0.0, 4000000.0, 0.0, -10.0), 32611),
    # latitude and longitude at 60 degrees north: a degree of longitude is half as long as one of latitude
    ((10.0, 1e-4, 0.0, 60.5, 0.0, -1e-4), 4326),
    # web Mercator at 45 degrees north: its metres are 1/cos(45) = 1.41 ground metres
    ((1113194.9, 9.55, 0.0, 5621521.5, 0.0, -9.55), 3857),
    # a rotated geotransform
    ((500000.0, 8.66, 5.0, 4500000.0, 5.0, -8.66), 32633),
]


def sample_pixel_m(sample) -> float:
    """The bundled optical raster's 10 m pixel (World Mercator, EPSG:3395) on the ground at its centre:
    10 m over Mercator's scale on the ellipsoid there, sqrt(1 - e^2 sin^2 lat) / cos lat (1.2 at 33.7 N)."""
    from osgeo import gdal

    dataset = gdal.Open(sample["optical"])
    gt = dataset.GetGeoTransform()
    crs = spatial_reference(dataset.GetProjection())
    assert crs.GetAuthorityCode(None) == "3395" and abs(gt[1]) == pytest.approx(10.0, abs=1e-3)
    geographic = crs.CloneGeogCS()
    geographic.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    centre = gt[0] + gt[1] * dataset.RasterXSize / 2, gt[3] + gt[5] * dataset.RasterYSize / 2
    latitude = np.radians(osr.CoordinateTransformation(crs, geographic).TransformPoint(*centre)[1])
    e2 = 1 - (geographic.GetSemiMinor() / geographic.GetSemiMajor()) ** 2
    return 10.0 * np.cos(latitude) / np.sqrt(1 - e2 * np.sin(latitude) ** 2)


@pytest.mark.parametrize("geotransform,code", CASES)
def test_residuals_are_measured_on_the_ground_where_they_lie(geotransform, code):
    rng = np.random.default_rng(code)
    xy = rng.uniform(0, 5000, (6, 2))
    steps = rng.normal(0, 2.0, (6, 2))
    lengths = ground_lengths_m(geotransform, epsg(code), xy, steps)
    expected = [true_length_m(geotransform, epsg(code), point, step) for point, step in zip(xy, steps)]
    np.testing.assert_allclose(lengths, expected, rtol=1e-5)


def test_the_scale_of_each_crs_is_seen():
    one_px_east, one_px_north = np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])
    at = np.array([[100.0, 100.0]])
    gt_4326 = (10.0, 1e-4, 0.0, 60.5, 0.0, -1e-4)
    east, north = (ground_lengths_m(gt_4326, epsg(4326), at, step)[0] for step in (one_px_east, one_px_north))
    # at 60.49 degrees north: 1e-4 degrees along the parallel (radius 6394 km x cos) and along the meridian (radius 6384 km)
    assert east == pytest.approx(5.50, abs=0.01) and north == pytest.approx(11.14, abs=0.01)
    gt_3857 = (1113194.9, 9.55, 0.0, 5621521.5, 0.0, -9.55)  # about 45 degrees north
    assert ground_lengths_m(gt_3857, epsg(3857), at, one_px_east)[0] == pytest.approx(9.55 * np.cos(np.radians(45.0)), rel=0.01)


def test_a_local_grid_is_taken_in_its_units_and_a_crs_proj_cannot_place_gives_none():
    """A site's own grid (no ellipsoid): its units lie on the ground; that must not stop a summary."""
    local = osr.SpatialReference()
    local.SetLocalCS("site grid")
    local.SetLinearUnits("US survey foot", 0.3048006096)
    lengths = ground_lengths_m((0, 2.0, 0, 0, 0, -2.0), local.ExportToWkt(), np.zeros((2, 2)), np.array([[3.0, 4.0], [1.0, 0.0]]))
    np.testing.assert_allclose(lengths, [10.0 * 0.3048006096, 2.0 * 0.3048006096])
    engineering = ('ENGCRS["site",EDATUM["site datum"],CS[Cartesian,2],AXIS["x",east,LENGTHUNIT["metre",1]],'
                   'AXIS["y",north,LENGTHUNIT["metre",1]]]')
    np.testing.assert_allclose(ground_lengths_m((0, 1.0, 0, 0, 0, -1.0), engineering, np.zeros((1, 2)), np.array([[3.0, 4.0]])), [5.0])
    assert ground_lengths_m((0, 1, 0, 0, 0, -1), "not a CRS", np.zeros((1, 2)), np.ones((1, 2))) is None


def test_not_georeferenced_gives_none():
    assert ground_lengths_m(None, epsg(4326), np.zeros((1, 2)), np.ones((1, 2))) is None
    assert ground_lengths_m((0, 1, 0, 0, 0, -1), None, np.zeros((1, 2)), np.ones((1, 2))) is None


def test_rmse_in_metres_is_the_fit_rmse_on_the_ground_over_the_enabled_points():
    from types import SimpleNamespace

    geotransform, wkt = (300000.0, 10.0, 0.0, 4000000.0, 0.0, -10.0), epsg(32611)
    residuals = np.array([[1.0, 0.0], [0.0, 2.0], [30.0, 40.0]])
    result = SimpleNamespace(optical=SimpleNamespace(geotransform=geotransform, crs_wkt=wkt),
                             tie_points=SimpleNamespace(optical_xy=np.full((3, 2), 500.0), enabled=np.array([True, True, False])),
                             fit=SimpleNamespace(residuals=residuals))
    lengths = ground_lengths_m(geotransform, wkt, np.full((2, 2), 500.0), residuals[:2])
    assert rmse_m(result) == pytest.approx(np.sqrt(np.mean(lengths**2)))
    assert rmse_m(result) == pytest.approx(10.0 * np.sqrt(2.5), rel=2e-3)  # UTM grid metres are within 0.1% of the ground's here
    result.optical.crs_wkt = None
    assert rmse_m(result) is None
