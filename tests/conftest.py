import gc
import json
import os
import shutil

import numpy as np
import pytest
from osgeo import gdal, osr

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLE = os.path.join(ROOT, "resources", "sample")


def sample_truth() -> np.ndarray:
    """The bundled sample's true SAR -> optical pixel transform (a translation), from truth.json."""
    with open(os.path.join(SAMPLE, "truth.json")) as handle:
        return np.array(json.load(handle)["sar_to_optical"], float)


SAMPLE_SHIFT = sample_truth()[:2, 2]  # optical_xy = sar_xy + SAMPLE_SHIFT


def sample_files() -> dict:
    """The bundled real Sentinel-1/Sentinel-2 sample and its known truth."""
    return {"optical": os.path.join(SAMPLE, "optical.tif"), "sar": os.path.join(SAMPLE, "sar.tif"), "truth": sample_truth()}


@pytest.fixture(autouse=True, scope="session")
def collect_qgis_objects_before_exit(qgis_app):
    """Layers and tasks left in reference cycles by the tests are collected while QGIS still runs:
    pytest collects garbage again after pytest-qgis has called exitQgis(), and a QGIS object freed
    then takes the interpreter down (exit 139) after every test has passed."""
    yield
    from qgis.core import QgsProject

    QgsProject.instance().removeAllMapLayers()
    gc.collect()
    qgis_app.processEvents()


@pytest.fixture(scope="session")
def sample():
    """The bundled real Sentinel-1/Sentinel-2 sample and its known truth."""
    return sample_files()


@pytest.fixture(scope="module")
def sample_copy(tmp_path_factory):
    """The bundled sample, copied: QGIS writes .aux.xml statistics beside rasters it loads."""
    sample, folder = sample_files(), tmp_path_factory.mktemp("sample")
    return dict(sample, **{key: shutil.copy(sample[key], folder) for key in ("optical", "sar")})


def write_tif(path, array, geotransform=None, epsg=None, nodata=None, data_type=None):
    """Writes a (bands x) H x W array as GeoTIFF; returns path."""
    array = np.asarray(array)
    bands = array[None] if array.ndim == 2 else array
    data_type = data_type or gdal.GetDataTypeByName({"uint8": "Byte", "uint16": "UInt16", "int16": "Int16", "float32": "Float32",
                                                      "float64": "Float64", "complex64": "CFloat32"}[str(bands.dtype)])
    ds = gdal.GetDriverByName("GTiff").Create(str(path), bands.shape[2], bands.shape[1], bands.shape[0], data_type)
    if geotransform is not None:
        ds.SetGeoTransform(geotransform)
    if epsg is not None:
        srs = osr.SpatialReference()
        srs.ImportFromEPSG(epsg)
        ds.SetProjection(srs.ExportToWkt())
    for i, band in enumerate(bands):
        out = ds.GetRasterBand(i + 1)
        if nodata is not None:
            out.SetNoDataValue(nodata)
        out.WriteArray(band)
    ds = None
    return str(path)


def apply(matrix, xy):
    h = np.hstack([xy, np.ones((len(xy), 1))]) @ np.asarray(matrix, float).T
    return h[:, :2] / h[:, 2:3]


def grid_error(estimated, truth, width, height, steps=20):
    """RMS and max distance between two SAR -> optical transforms over a grid of SAR pixels."""
    xs, ys = np.meshgrid(np.linspace(0, width - 1, steps), np.linspace(0, height - 1, steps))
    grid = np.stack([xs.ravel(), ys.ravel()], axis=1)
    error = np.linalg.norm(apply(estimated, grid) - apply(truth, grid), axis=1)
    return float(np.sqrt(np.mean(error**2))), float(error.max())


def scene_around(source, path, size=3000, at=(1900, 150)):
    """A raster of ``size`` px holding the raster ``source`` at column, row ``at`` (speckle of its
    median elsewhere, in every band), georeferenced so that the source's pixels keep their map
    positions: (path, the 3 x 3 source pixel -> scene pixel transform)."""
    dataset = gdal.Open(source)
    pixels, gt = dataset.ReadAsArray(), dataset.GetGeoTransform()
    pixels = pixels[None] if pixels.ndim == 2 else pixels
    rng = np.random.default_rng(0)
    scene = np.stack([(rng.gamma(4.0, 0.25, (size, size)) * np.median(band)).clip(1, 255).astype(np.uint8) for band in pixels])
    scene[:, at[1]:at[1] + pixels.shape[1], at[0]:at[0] + pixels.shape[2]] = pixels
    x, y = at
    scene_gt = (gt[0] - x * gt[1] - y * gt[2], gt[1], gt[2], gt[3] - x * gt[4] - y * gt[5], gt[4], gt[5])
    out = gdal.GetDriverByName("GTiff").Create(str(path), size, size, len(scene), gdal.GDT_Byte, ["TILED=YES"])
    out.SetGeoTransform(scene_gt)
    out.SetProjection(dataset.GetProjection())
    for index, band in enumerate(scene, start=1):
        out.GetRasterBand(index).WriteArray(band)
    out = None
    return str(path), np.array([[1.0, 0, x], [0, 1, y], [0, 0, 1]])


def sar_scene_around_the_sample(sample, path, size=3000, at=(1900, 150)):
    """``scene_around`` the sample's SAR: a SAR scene over the sample's optical raster."""
    return scene_around(sample["sar"], path, size, at)


def bent_gcp_scene(sample, path, size=6000, at=(1900, 150), bend_px=1200.0):
    """``scene_around`` the sample's SAR, georeferenced by an 11 x 11 grid of GCPs only, as a
    Sentinel-1 GRD is: the scene's own placement plus a bend that grows with the square of the
    distance from the sample's centre, to ``bend_px`` at the farthest corner (so that one affine
    transform fits all the GCPs badly, and those around the sample well). Returns (path, the 3 x 3
    sample pixel -> scene pixel transform)."""
    scene, sample_to_scene = scene_around(sample["sar"], path, size, at)
    dataset = gdal.Open(scene, gdal.GA_Update)
    gt, wkt = dataset.GetGeoTransform(), dataset.GetProjection()
    centre = np.array([at[0] + 400, at[1] + 380])
    k = bend_px / max(np.sum((np.array(corner) - centre) ** 2) for corner in [(0, 0), (size, 0), (0, size), (size, size)])
    gcps = []
    for column in np.linspace(0, size, 11):
        for row in np.linspace(0, size, 11):
            bend = k * np.sum((np.array([column, row]) - centre) ** 2)
            x = gt[0] + (column + bend) * gt[1] + (row + 0.5 * bend) * gt[2]
            y = gt[3] + (column + bend) * gt[4] + (row + 0.5 * bend) * gt[5]
            gcps.append(gdal.GCP(x, y, 0.0, float(column), float(row)))
    gdal.PushErrorHandler("CPLQuietErrorHandler")  # GDAL warns that the GCPs replace the geotransform: that is the point
    try:
        dataset.SetGCPs(gcps, wkt)
    finally:
        gdal.PopErrorHandler()
    dataset = None
    return str(path), sample_to_scene


def sar_bordered_by_a_fill(sample_sar: str, path, columns: int = 48) -> str:
    """The sample's SAR as Float32 with its first ``columns`` columns -9999, a fill it does not
    declare as nodata (the engine reads it as nodata and warns of it: 760 x 48 = 36480 pixels)."""
    sar = gdal.Open(sample_sar)
    values = sar.GetRasterBand(1).ReadAsArray().astype(np.float32)
    values[:, :columns] = -9999.0
    bordered = gdal.GetDriverByName("GTiff").Create(str(path), sar.RasterXSize, sar.RasterYSize, 1, gdal.GDT_Float32)
    bordered.SetGeoTransform(sar.GetGeoTransform())
    bordered.SetProjection(sar.GetProjection())
    bordered.GetRasterBand(1).WriteArray(values)
    bordered = None
    return str(path)


def sar_moved_on_the_map(sample_sar: str, path, east_m: float, north_m: float) -> str:
    """A copy of the sample's SAR whose georeferencing puts it ``east_m``, ``north_m`` metres away
    from where it lies (its pixels as they are): georeferencing that is wrong, or far off."""
    source = gdal.Open(sample_sar)
    x0, dx, rx, y0, ry, dy = source.GetGeoTransform()
    moved = gdal.Translate(str(path), source)
    moved.SetGeoTransform((x0 + east_m, dx, rx, y0 + north_m, ry, dy))
    moved = None
    return str(path)
