"""A web map layer as the optical reference, served from this machine: XYZ tiles (the bundled optical
raster cut as a web map's tiles are: EPSG:3857, 256 px, zoom levels 13-15) and a WMS that renders
it for each request, fetched by QGIS's own providers as from a basemap server, and by GDAL for the
command line."""
import base64
import contextlib
import functools
import http.server
import json
import os
import threading
import urllib.parse

import numpy as np
import pytest
from osgeo import gdal, osr

from benchmarks.cloud import serve
from benchmarks.web_reference import write_tiles
from plugin.core import RegistrationError, RegistrationOptions, register
from plugin.core.raster_io import pixel_to_map
from plugin.core.web_reference import MAX_REFERENCE_SIDE_PX, arcgis_tile_origins, check_fetched, reference_grid, wmts_tile_origins
from tests.conftest import write_tif
from tests.gui_fixtures import controller, iface, messages, run_in_dock  # noqa: F401
from tests.test_processing import REGISTER, WARP, processing, provider  # noqa: F401
from tests.test_qgis_process import QGIS_PROCESS, json_results, qgis_env, qgis_process  # noqa: F401

EARTH = 20037508.342789244  # half the width of the web Mercator world, m
ZOOMS = (13, 14, 15)


def tile_resolution(zoom: int) -> float:
    return 2 * EARTH / 256 / 2**zoom


@pytest.fixture(scope="module")
def tiles(sample_copy, tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiles")
    write_tiles(sample_copy["optical"], str(folder), ZOOMS)
    return str(folder)


@pytest.fixture
def basemap(tiles, monkeypatch):
    """The tiles served over HTTP; yields (the XYZ layer's source, the server)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = serve(tiles)
    try:
        yield f"type=xyz&url={server.url}/{{z}}/{{x}}/{{y}}.png&zmax=15&zmin=0", server
    finally:
        server.shutdown()
        server.server_close()


WMS_CAPABILITIES = """<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>Orthophotos</Title><OnlineResource xlink:href="{url}"/></Service>
<Capability><Request>
<GetCapabilities><Format>text/xml</Format><DCPType><HTTP><Get><OnlineResource xlink:href="{url}?"/></Get></HTTP></DCPType></GetCapabilities>
<GetMap><Format>image/png</Format><DCPType><HTTP><Get><OnlineResource xlink:href="{url}?"/></Get></HTTP></DCPType></GetMap>
</Request><Exception><Format>XML</Format></Exception>
<Layer><Title>Orthophotos</Title><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>{box}
<Layer queryable="0"><Name>ortho</Name><Title>Orthophoto</Title><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>{box}</Layer>
</Layer></Capability></WMS_Capabilities>"""
WMS_BOX = ("<EX_GeographicBoundingBox><westBoundLongitude>-118</westBoundLongitude><eastBoundLongitude>-117.7</eastBoundLongitude>"
           "<southBoundLatitude>33.55</southBoundLatitude><northBoundLatitude>33.8</northBoundLatitude></EX_GeographicBoundingBox>")


class OgcHandler(http.server.BaseHTTPRequestHandler):
    """A quiet handler of key-value requests (WMS, WMTS), each recorded in ``server.requests``."""

    def log_message(self, *args):
        pass

    def asked(self) -> dict:
        asked = {key.upper(): values[0] for key, values in urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).items()}
        self.server.requests.append(asked)
        return asked


class WmsHandler(OgcHandler):
    """A WMS 1.3.0 of one layer, 'ortho', in EPSG:3857 and EPSG:4326: GetMap warps ``server.raster`` to the
    CRS, box and size asked for (WMS 1.3.0 gives an EPSG:4326 box as latitudes first)."""

    def do_GET(self):
        asked = self.asked()
        if asked.get("REQUEST") == "GetCapabilities":
            body, kind = WMS_CAPABILITIES.format(url=self.server.url, box=WMS_BOX).encode(), "text/xml"
        else:
            box = [float(value) for value in asked["BBOX"].split(",")]
            if asked["CRS"] == "EPSG:4326":
                box = [box[1], box[0], box[3], box[2]]
            body, kind = drawn_png(self.server.raster, asked["CRS"], box, int(asked["WIDTH"]), int(asked["HEIGHT"])), "image/png"
        answer(self, body, kind)


def drawn_png(raster: str, crs: str, box, width: int, height: int) -> bytes:
    """``raster`` warped to ``box`` (x_min, y_min, x_max, y_max in ``crs``) at ``width`` x ``height`` px, as a PNG with alpha."""
    drawn = gdal.Warp("", raster, format="MEM", dstSRS=crs, outputBounds=box, resampleAlg="bilinear", width=width, height=height, dstAlpha=True)
    name = f"/vsimem/drawn-{threading.get_ident()}.png"
    gdal.Translate(name, drawn, format="PNG", options=["-co", "WORLDFILE=NO"])
    handle = gdal.VSIFOpenL(name, "rb")
    body = gdal.VSIFReadL(1, gdal.VSIStatL(name).size, handle)
    gdal.VSIFCloseL(handle)
    gdal.Unlink(name)
    return body


def answer(handler: http.server.BaseHTTPRequestHandler, body: bytes, kind: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


WMTS_CAPABILITIES = """<?xml version="1.0" encoding="UTF-8"?>
<Capabilities xmlns="http://www.opengis.net/wmts/1.0" xmlns:ows="http://www.opengis.net/ows/1.1" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.0.0">
<ows:ServiceIdentification><ows:Title>Orthophotos</ows:Title><ows:ServiceType>OGC WMTS</ows:ServiceType><ows:ServiceTypeVersion>1.0.0</ows:ServiceTypeVersion></ows:ServiceIdentification>
<ows:OperationsMetadata>{operations}</ows:OperationsMetadata>
<Contents><Layer><ows:Title>Orthophoto</ows:Title>
<ows:WGS84BoundingBox><ows:LowerCorner>-118.2 33.4</ows:LowerCorner><ows:UpperCorner>-117.6 33.95</ows:UpperCorner></ows:WGS84BoundingBox>
<ows:Identifier>ortho</ows:Identifier><Style isDefault="true"><ows:Identifier>default</ows:Identifier></Style><Format>image/png</Format>
{links}</Layer>{sets}
</Contents></Capabilities>"""
WMTS_LINK = "<TileMatrixSetLink><TileMatrixSet>{name}</TileMatrixSet></TileMatrixSetLink>"
WMTS_SET = "<TileMatrixSet><ows:Identifier>{name}</ows:Identifier><ows:SupportedCRS>urn:ogc:def:crs:EPSG::{epsg}</ows:SupportedCRS>{matrices}</TileMatrixSet>"
WMTS_OPERATION = ('<ows:Operation name="{name}"><ows:DCP><ows:HTTP><ows:Get xlink:href="{url}?"><ows:Constraint name="GetEncoding">'
                  '<ows:AllowedValues><ows:Value>KVP</ows:Value></ows:AllowedValues></ows:Constraint></ows:Get></ows:HTTP></ows:DCP></ows:Operation>')
WMTS_MATRIX = ("<TileMatrix><ows:Identifier>{level}</ows:Identifier><ScaleDenominator>{scale}</ScaleDenominator><TopLeftCorner>{x} {y}</TopLeftCorner>"
               "<TileWidth>256</TileWidth><TileHeight>256</TileHeight><MatrixWidth>{tiles}</MatrixWidth><MatrixHeight>{tiles}</MatrixHeight></TileMatrix>")
# A national grid's tiles: in UTM 11N, their corner 3.7 m east and 7.3 m north of a multiple of any level's pixel
WMTS_ORIGIN = (400003.7, 3750007.3)
WMTS_LEVELS = {"0": 40.0, "1": 20.0, "2": 10.0, "3": 5.0}  # m per pixel
# and the world in latitude and longitude from (-180, 90), as WMTS's WorldCRS84Quad cuts it: 256 px tiles, 2 x 1 at level 0
WORLD_LEVELS = {str(level): 180 / 256 / 2**level for level in range(10, 14)}  # degrees per pixel (level 12: 9.5 m along a meridian)
# and the UTM tiles again, but level 2's corner 0.25 px east and 0.35 px south of the others' (some services give
# each level a corner of its own)
WMTS_SETS = {"utm": (32611, WMTS_ORIGIN, WMTS_LEVELS), "world": (4326, (-180.0, 90.0), WORLD_LEVELS), "patchwork": (32611, WMTS_ORIGIN, WMTS_LEVELS)}
PATCHWORK_CORNERS = {"2": (400006.2, 3750003.8)}


def corner_of(matrix_set: str, level: str):
    """The top-left corner (x, y) of the tiles of ``level`` in ``matrix_set`` (``WMTS_SETS``)."""
    return PATCHWORK_CORNERS.get(level, WMTS_ORIGIN) if matrix_set == "patchwork" else WMTS_SETS[matrix_set][1]


class WmtsHandler(OgcHandler):
    """A WMTS 1.0.0 of one layer, 'ortho', in the tile matrix sets of ``WMTS_SETS``: GetTile warps ``server.raster``
    to the tile. Key-value requests at ``server.url``, or RESTful ones: the capabilities at
    ``<url>/1.0.0/WMTSCapabilities.xml`` (which then offer no key-value GetTile) and the tiles at
    ``<url>/tiles/<set>/<level>/<row>/<column>.png``."""

    def do_GET(self):
        asked = self.asked()
        path = urllib.parse.urlparse(self.path).path
        if asked.get("REQUEST") == "GetCapabilities" or path.endswith("/WMTSCapabilities.xml"):
            answer(self, wmts_capabilities(self.server.url, restful=path.endswith(".xml")), "text/xml")
            return
        if "/tiles/" in path:
            *_, matrix_set, level, row, column = path[:-len(".png")].split("/")
            asked = {"TILEMATRIXSET": matrix_set, "TILEMATRIX": level, "TILEROW": row, "TILECOL": column}
            self.server.requests.append(dict(asked, REQUEST="GetTile"))
        epsg, _, levels = WMTS_SETS[asked["TILEMATRIXSET"]]
        (origin_x, origin_y), span = corner_of(asked["TILEMATRIXSET"], asked["TILEMATRIX"]), 256 * levels[asked["TILEMATRIX"]]
        left, top = origin_x + int(asked["TILECOL"]) * span, origin_y - int(asked["TILEROW"]) * span
        answer(self, drawn_png(self.server.raster, f"EPSG:{epsg}", (left, top - span, left + span, top), 256, 256), "image/png")


class ArcGisHandler(OgcHandler):
    """A cached ArcGIS MapServer (REST) of ``server.raster`` in the tiles of WMTS_SETS['utm']: the service's
    description at ``<url>?f=json`` and its tiles at ``<url>/tile/<level>/<row>/<column>``."""

    def do_GET(self):
        self.asked()
        *_, level, row, column = urllib.parse.urlparse(self.path).path.split("/")
        _, (origin_x, origin_y), levels = WMTS_SETS["utm"]
        if "/tile/" not in self.path:
            reference = {"wkid": 32611, "latestWkid": 32611}
            extent = {"xmin": origin_x, "ymin": origin_y - 60000, "xmax": origin_x + 60000, "ymax": origin_y, "spatialReference": reference}
            lods = [{"level": int(key), "resolution": step, "scale": step / 0.00026458} for key, step in levels.items()]
            service = {"currentVersion": 10.81, "mapName": "Orthophotos", "singleFusedMapCache": True, "spatialReference": reference,
                       "tileInfo": {"rows": 256, "cols": 256, "dpi": 96, "format": "PNG", "origin": {"x": origin_x, "y": origin_y},
                                    "spatialReference": reference, "lods": lods},
                       "initialExtent": extent, "fullExtent": extent, "layers": [], "capabilities": "Map"}
            answer(self, json.dumps(service).encode(), "application/json")
            return
        span = 256 * levels[level]
        left, top = origin_x + int(column) * span, origin_y - int(row) * span
        answer(self, drawn_png(self.server.raster, "EPSG:32611", (left, top - span, left + span, top), 256, 256), "image/png")


def wmts_capabilities(url: str, restful: bool = False) -> bytes:
    """The capabilities of ``WmtsHandler`` at ``url``: the layer 'ortho' in the tile matrix sets of ``WMTS_SETS``
    (a corner in EPSG:4326 given latitude first, as WMTS asks), its tiles asked for by key and value, or
    ``restful``ly, by a ResourceURL template."""
    operations = "" if restful else "".join(WMTS_OPERATION.format(name=name, url=url) for name in ("GetCapabilities", "GetTile"))
    template = f'<ResourceURL format="image/png" resourceType="tile" template="{url}/tiles/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}.png"/>'
    links = "".join(WMTS_LINK.format(name=name) for name in WMTS_SETS) + (template if restful else "")
    sets = []
    for name, (epsg, _, levels) in WMTS_SETS.items():
        metres_per_unit = 2 * np.pi * 6378137 / 360 if epsg == 4326 else 1.0
        corners = {level: corner_of(name, level)[::-1] if epsg == 4326 else corner_of(name, level) for level in levels}
        sets.append(WMTS_SET.format(name=name, epsg=epsg, matrices="".join(
            WMTS_MATRIX.format(level=level, scale=repr(step * metres_per_unit / 0.00028), x=corners[level][0], y=corners[level][1],
                               tiles=2 ** (int(level) + 1) if epsg == 4326 else int(60000 / (256 * step)) + 1)
            for level, step in levels.items())))
    return WMTS_CAPABILITIES.format(operations=operations, links=links, sets="".join(sets)).encode()


@contextlib.contextmanager
def served(handler, raster: str, path: str, monkeypatch):
    """A started server of ``handler`` for ``raster`` at http://127.0.0.1:<port>``path`` (``server.url``)."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.raster, server.requests, server.url = raster, [], f"http://127.0.0.1:{server.server_address[1]}{path}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def wms(sample, monkeypatch):
    """A WMS of the sample's optical raster; yields (the QGIS WMS layer's source, the server: its ``requests``)."""
    with served(WmsHandler, sample["optical"], "/wms", monkeypatch) as server:
        yield f"crs=EPSG:3857&dpiMode=7&format=image/png&layers=ortho&styles=&url={server.url}", server


@pytest.fixture
def wmts(sample, monkeypatch):
    """A WMTS of the sample's optical raster in UTM tiles; yields (the QGIS WMTS layer's source, the server)."""
    with served(WmtsHandler, sample["optical"], "/wmts", monkeypatch) as server:
        yield (f"crs=EPSG:32611&dpiMode=7&format=image/png&layers=ortho&styles=default&tileMatrixSet=utm"
               f"&url={server.url}?SERVICE%3DWMTS%26REQUEST%3DGetCapabilities"), server


def in_map(result, sar_xy, wkt: str) -> np.ndarray:
    """Where the result's fit puts SAR pixels ``sar_xy`` on the ground, in the CRS ``wkt``."""
    optical_xy = (np.c_[sar_xy, np.ones(len(sar_xy))] @ result.fit.sar_to_optical.T)[:, :2]
    source, target = osr.SpatialReference(), osr.SpatialReference()
    source.ImportFromWkt(result.optical.crs_wkt)
    target.ImportFromWkt(wkt)
    for reference in (source, target):
        reference.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    points = pixel_to_map(result.optical.geotransform, optical_xy)
    return np.array(osr.CoordinateTransformation(source, target).TransformPoints(points.tolist()))[:, :2]


CORNERS = np.array([[0, 0], [799, 0], [0, 759], [799, 759], [400, 380]], float)  # the sample SAR's corners and centre


def web_mercator() -> str:
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(3857)
    return reference.ExportToWkt()


def assert_as_warped_directly(path: str, optical: str, parts=((slice(300, 700), slice(300, 700)),)) -> None:
    """The fetched reference at ``path`` holds the pixels of ``optical`` warped straight onto its grid
    (and CRS): no part of it moved by a twentieth of a pixel (as a tile drawn off its place would be)."""
    import cv2

    fetched = gdal.Open(path)
    left, step, _, top, _, step_y = fetched.GetGeoTransform()
    direct = gdal.Warp("", optical, format="MEM", dstSRS=fetched.GetProjection(), resampleAlg="bilinear",
                       outputBounds=(left, top + fetched.RasterYSize * step_y, left + fetched.RasterXSize * step, top),
                       width=fetched.RasterXSize, height=fetched.RasterYSize)
    got, expected = (data.GetRasterBand(1).ReadAsArray().astype(np.float32) for data in (fetched, direct))
    for rows, columns in parts:
        (dx, dy), response = cv2.phaseCorrelate(got[rows, columns], expected[rows, columns])
        assert abs(dx) < 0.05 and abs(dy) < 0.05 and response > 0.95, (dx, dy, response)


def metres_apart(result, sample) -> np.ndarray:
    """How far apart ``result`` and the registration against the sample's optical file put the SAR's
    corners and centre on the ground."""
    on_file = register(sample["optical"], sample["sar"], RegistrationOptions())
    return np.hypot(*(in_map(result, CORNERS, on_file.optical.crs_wkt) - in_map(on_file, CORNERS, on_file.optical.crs_wkt)).T)


def test_the_reference_grid_covers_the_sar_with_room_at_its_pixel_size(sample):
    grid = reference_grid(sample["sar"], web_mercator(), RegistrationOptions())
    sar = gdal.Open(sample["sar"])
    footprint = gdal.Warp("", sar, format="VRT", dstSRS="EPSG:3857")
    left, _, _, top = footprint.GetGeoTransform()[:4]
    right, bottom = left + footprint.RasterXSize * footprint.GetGeoTransform()[1], top + footprint.RasterYSize * footprint.GetGeoTransform()[5]
    x_min, y_min, x_max, y_max = grid.extent
    step_x, step_y = grid.pixel_size
    # the sample is in World Mercator, 10 units a pixel: web Mercator's units differ from those by 0.5% at most
    assert 9.9 < step_x < 10.1 and 9.9 < step_y < 10.1
    margin = RegistrationOptions().search_radius  # SAR pixels, at least: the search looks this far past the footprint
    assert x_min < left - margin * step_x and x_max > right + margin * step_x
    assert y_min < bottom - margin * step_y and y_max > top + margin * step_y
    assert grid.width < 800 + 2 * 200 and grid.height < 760 + 2 * 200  # not much more: it is downloaded


def test_a_tiled_web_maps_grid_is_its_nearest_zoom_levels_tile_pixels(sample):
    levels = [tile_resolution(zoom) for zoom in range(16)]
    grid = reference_grid(sample["sar"], web_mercator(), RegistrationOptions(), resolutions=levels)
    assert grid.pixel_size == pytest.approx((tile_resolution(14), tile_resolution(14)))  # 9.55 units: nearest the SAR's 10.0
    x_min, _, _, y_max = grid.extent
    assert (x_min + EARTH) / tile_resolution(14) == pytest.approx(round((x_min + EARTH) / tile_resolution(14)), abs=1e-6)
    assert (EARTH - y_max) / tile_resolution(14) == pytest.approx(round((EARTH - y_max) / tile_resolution(14)), abs=1e-6)


def test_a_web_map_needs_a_georeferenced_sar(tmp_path):
    sar = write_tif(tmp_path / "plain.tif", np.random.default_rng(0).uniform(0, 1, (300, 300)).astype(np.float32))
    with pytest.raises(RegistrationError, match="only for a georeferenced SAR raster.*Georeferencer"):
        reference_grid(sar, web_mercator(), RegistrationOptions(), "Satellite")


def test_a_web_map_is_not_fetched_over_a_sar_on_a_sites_local_grid(sample, tmp_path):
    """A local grid's coordinates say nothing of where on the web map the SAR lies (before: PROJ's
    refusal came out of the footprint's outline as 'lies (partly) outside' the web map's CRS)."""
    sar = str(tmp_path / "sar.tif")
    gdal.Translate(sar, sample["sar"], outputSRS='LOCAL_CS["site grid",UNIT["metre",1],AXIS["Easting",EAST],AXIS["Northing",NORTH]]')
    with pytest.raises(RegistrationError, match="cannot be fetched over the SAR raster .*from the CRS 'site grid'") as refused:
        reference_grid(sar, web_mercator(), RegistrationOptions(), "Satellite")
    assert "optical raster file" in refused.value.fix


def test_a_web_map_is_not_fetched_over_a_whole_scene(tmp_path):
    """A Sentinel-1 scene's size at 10 m: 250 x 170 km of basemap, tens of thousands of tiles."""
    scene = gdal.GetDriverByName("GTiff").Create(str(tmp_path / "scene.tif"), 25000, 17000, 1, gdal.GDT_Byte, ["SPARSE_OK=YES"])
    scene.SetGeoTransform((300000, 10, 0, 4000000, 0, -10))
    utm = osr.SpatialReference()
    utm.ImportFromEPSG(32611)
    scene.SetProjection(utm.ExportToWkt())
    scene = None
    with pytest.raises(RegistrationError, match=f"more than {MAX_REFERENCE_SIDE_PX} px across.*Clip the SAR raster"):
        reference_grid(str(tmp_path / "scene.tif"), web_mercator(), RegistrationOptions(), "Satellite")


def test_imagery_is_asked_for_over_the_sars_footprint_not_its_margin(sample, tmp_path):
    """A small SAR (a 256 px tile) gets a margin of about 170 px on every side: a web map that covers
    the SAR and little more holds imagery on under a fifth of the grid, and is fine."""
    grid = reference_grid(sample["sar"], web_mercator(), RegistrationOptions())
    column, row, columns, rows = grid.footprint
    margin = RegistrationOptions().search_radius
    assert margin < column < 300 and margin < row < 300 and 800 < columns < 860 and 760 < rows < 820  # the sample SAR is turned 2 degrees
    assert column + columns < grid.width - margin and row + rows < grid.height - margin
    rgba = np.zeros((4, 600, 600), np.uint8)
    rgba[:, 172:428, 172:428] = np.random.default_rng(0).integers(1, 255, (4, 256, 256))
    rgba[3, 172:428, 172:428] = 255
    small = write_tif(tmp_path / "small.tif", rgba, (0, 10, 0, 0, 0, -10), epsg=3857)
    dataset = gdal.Open(small, gdal.GA_Update)
    dataset.GetRasterBand(4).SetColorInterpretation(gdal.GCI_AlphaBand)
    dataset = None
    check_fetched(small, "Satellite", footprint=(172, 172, 256, 256))
    with pytest.raises(RegistrationError, match="18% of it covered"):
        check_fetched(small, "Satellite")


def test_a_reference_without_imagery_is_refused(tmp_path):
    empty = write_tif(tmp_path / "empty.tif", np.zeros((4, 64, 64), np.uint8), (0, 10, 0, 0, 0, -10), epsg=3857)
    dataset = gdal.Open(empty, gdal.GA_Update)
    dataset.GetRasterBand(4).SetColorInterpretation(gdal.GCI_AlphaBand)
    dataset = None
    with pytest.raises(RegistrationError, match="'Satellite' returned no imagery.*0% of it covered"):
        check_fetched(empty, "Satellite")
    blank = write_tif(tmp_path / "blank.tif", np.full((3, 64, 64), 200, np.uint8), (0, 10, 0, 0, 0, -10), epsg=3857)
    with pytest.raises(RegistrationError, match="all of one value"):
        check_fetched(blank, "Satellite")


def test_a_basemap_is_fetched_pixel_for_pixel_from_its_tiles(qgis_app, basemap, sample, tmp_path):
    """QGIS's XYZ provider draws tiles resampled to another resolution up to 1.8 px off (0.9-1.75 px in
    y measured here at 10 m); on a zoom level's own pixel grid they are copied as they are."""
    from plugin.web_layers import WebLayer, fetch_reference

    source, server = basemap
    heard = []
    path = fetch_reference(WebLayer("wms", source, "basemap"), sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"),
                           progress=lambda fraction: heard.append(fraction) or True)
    assert heard and heard[-1] == pytest.approx(1.0)
    fetched = gdal.Open(path)
    info = gdal.Info(fetched, format="json")
    assert info["coordinateSystem"]["wkt"].endswith('ID["EPSG",3857]]') and len(info["bands"]) == 4
    _, step, _, _, _, step_y = fetched.GetGeoTransform()
    assert step == pytest.approx(tile_resolution(14)) and step_y == pytest.approx(-tile_resolution(14))
    assert_as_warped_directly(path, sample["optical"], ((slice(300, 700), slice(300, 700)), (slice(200, 456), slice(500, 756))))
    assert all(request[1].startswith("/14/") for request in server.requests)


def test_a_basemap_registers_the_sar_where_the_optical_file_does(qgis_app, basemap, sample, tmp_path):
    from plugin.web_layers import WebLayer, fetch_reference

    source, _ = basemap
    reference = fetch_reference(WebLayer("wms", source, "basemap"), sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"))
    on_basemap = register(reference, sample["sar"], RegistrationOptions())
    assert int(on_basemap.tie_points.enabled.sum()) > 250 and on_basemap.fit.rmse < 1.0
    apart = metres_apart(on_basemap, sample)
    assert apart.max() < 5.0, apart  # the sample's pixels are 10 m


def registered_in_the_dock(controller, iface, qtbot, source: str, name: str, sar_path: str):
    """The dock's Run, on the CPU, with the web map layer of ``source`` (QGIS's "wms" provider) as the
    optical and ``sar_path`` as the SAR, both added to the project; the finished task, which succeeded."""
    from qgis.core import Qgis, QgsProject, QgsRasterLayer

    web, sar = QgsRasterLayer(source, name, "wms"), QgsRasterLayer(sar_path, "sar", "gdal")
    assert web.isValid() and sar.isValid()
    QgsProject.instance().addMapLayers([web, sar])
    task = run_in_dock(controller, qtbot, web, sar)
    assert task.succeeded, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
    return task


def test_the_dock_registers_the_sar_on_a_basemap_layer(basemap, sample, controller, iface, qtbot, tmp_path):
    """What a user does: add an XYZ basemap (Browser > XYZ Tiles), pick it as the optical layer, Run, Write."""
    from qgis.core import Qgis, QgsProject, QgsRasterLayer

    source, server = basemap
    web = QgsRasterLayer(source, "Satellite", "wms")
    sar = QgsRasterLayer(sample["sar"], "sar", "gdal")
    assert web.isValid() and sar.isValid()
    QgsProject.instance().addMapLayers([web, sar])
    def listed(combo):
        return any(combo.itemText(index).startswith("Satellite") for index in range(combo.count()))

    assert listed(controller.dock.optical_input.combo) and not listed(controller.dock.sar_input.combo)  # a web map is never the SAR
    controller.dock.optical_input.set_layer(web)
    assert controller.dock.optical_input.web_layer().source == source
    controller.dock.sar_input.set_layer(sar)
    controller.dock.device_combo.setCurrentIndex(controller.dock.device_combo.findData("cpu"))
    task = controller.run()
    stages = []
    task.progressChanged.connect(lambda _: stages.append(task.stage))
    with qtbot.waitSignal(task.done, timeout=180_000):
        pass
    assert task.succeeded, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
    assert "web map" in stages and stages.index("web map") < stages.index("search")
    assert controller.result.tie_points.enabled.sum() > 250 and controller.result.fit.rmse < 1.0
    controller.dock.warped_file.setFilePath(str(tmp_path / "sar_registered.tif"))
    controller.dock.report_file.setFilePath(str(tmp_path / "report.html"))
    write = controller.write_outputs()
    with qtbot.waitSignal(write.done, timeout=120_000):
        pass
    # the report names the basemap layer, not the file fetched from it (gone when QGIS closes)
    assert "Optical raster</th><td>web map layer &#x27;Satellite&#x27;</td>" in (tmp_path / "report.html").read_text(encoding="utf-8")
    controller.dock.report_file.setFilePath("")
    written = gdal.Info(str(tmp_path / "sar_registered.tif"), format="json")
    assert written["coordinateSystem"]["wkt"].endswith('ID["EPSG",3857]]')
    assert written["size"] == [gdal.Open(task.optical_path).RasterXSize, gdal.Open(task.optical_path).RasterYSize]
    # written again, on the SAR's own grid: in its CRS (World Mercator), not the web map's
    controller.dock.grid_combo.setCurrentIndex(controller.dock.grid_combo.findData("sar"))
    controller.dock.warped_file.setFilePath(str(tmp_path / "sar_registered_own_grid.tif"))
    write = controller.write_outputs()
    with qtbot.waitSignal(write.done, timeout=120_000):
        pass
    own = gdal.Open(str(tmp_path / "sar_registered_own_grid.tif"))
    assert osr.SpatialReference(wkt=own.GetProjection()).IsSame(osr.SpatialReference(wkt=gdal.Open(sample["sar"]).GetProjection()))
    assert own.GetGeoTransform()[2] == own.GetGeoTransform()[4] == 0.0  # north up


def test_tie_points_measured_on_a_basemap_open_again_in_the_dock(basemap, sample, controller, iface, qtbot, tmp_path):
    """Registered on a basemap, the GeoPackage written; the next session (the web map's file of
    that day gone with QGIS's temporary folder): Open tie points with the basemap chosen fetches it
    over the SAR again and shows the same tie points and fit, ready to write."""
    from qgis.core import Qgis, QgsProject

    task = registered_in_the_dock(controller, iface, qtbot, basemap[0], "Satellite", sample["sar"])
    saved = str(tmp_path / "tie.gpkg")
    controller.dock.warped_file.setFilePath("")  # the GeoPackage only (the suggested output lies beside the bundled sample)
    controller.dock.geopackage_file.setFilePath(saved)
    write = controller.write_outputs()
    with qtbot.waitSignal(write.done, timeout=120_000):
        pass
    before = controller.result
    os.remove(task.optical_path)  # QGIS's temporary folder is emptied when QGIS closes
    QgsProject.instance().removeMapLayers([layer.id() for layer in QgsProject.instance().mapLayers().values()
                                           if layer.name().startswith("Tie points")])
    controller.result = controller.layers = None

    assert controller.open_tie_points(saved)
    opening = controller.task
    stages = []
    opening.progressChanged.connect(lambda _: stages.append(opening.stage))
    with qtbot.waitSignal(opening.done, timeout=120_000):
        pass
    assert opening.succeeded, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
    assert "web map" in stages and opening.extractor is None  # fetched; no network loaded, nothing matched
    assert len(controller.result.tie_points) == len(before.tie_points)
    assert list(controller.result.tie_points.enabled) == list(before.tie_points.enabled)
    assert controller.layers.layer("optical").featureCount() == len(before.tie_points)
    # the same web map grid: the same optical pixels and fit
    np.testing.assert_allclose(controller.result.tie_points.optical_xy, before.tie_points.optical_xy, atol=1e-6)
    np.testing.assert_allclose(controller.result.fit.sar_to_optical, before.fit.sar_to_optical, atol=1e-6)
    assert any("Opened tie.gpkg" in message for message in messages(iface, Qgis.Success))
    assert not any("were written for" in message for message in messages(iface, Qgis.Warning))
    controller.dock.warped_file.setFilePath(str(tmp_path / "again.tif"))
    controller.dock.geopackage_file.setFilePath("")
    write = controller.write_outputs()
    with qtbot.waitSignal(write.done, timeout=120_000):
        pass
    assert write.succeeded and osr.SpatialReference(wkt=gdal.Open(str(tmp_path / "again.tif")).GetProjection()).GetAuthorityCode(None) == "3857"


def test_tie_points_measured_on_a_basemap_come_back_with_the_project(basemap, sample, controller, iface, qtbot, tmp_path):
    """The project saved with the basemap and the dock's layers; the next session (the web map's file
    of that day gone): read again, the dock fetches the basemap over the SAR and takes the tie
    points up, with the same fit."""
    from qgis.core import Qgis, QgsProject

    from plugin.gui.project_storage import ProjectStorage

    storage = ProjectStorage(QgsProject.instance())
    try:
        task = registered_in_the_dock(controller, iface, qtbot, basemap[0], "Satellite", sample["sar"])
        before = controller.result
        assert QgsProject.instance().write(str(tmp_path / "project.qgz"))
        os.remove(task.optical_path)  # QGIS's temporary folder is emptied when QGIS closes
        controller.result = controller.layers = None
        QgsProject.instance().clear()
        assert QgsProject.instance().read(str(tmp_path / "project.qgz"))
        fetching = controller.task
        assert fetching is not None and fetching.web is not None
        with qtbot.waitSignal(fetching.done, timeout=120_000):
            pass
        assert controller.result is not None, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
        assert len(controller.result.tie_points) == len(before.tie_points) and fetching.extractor is None
        np.testing.assert_allclose(controller.result.fit.sar_to_optical, before.fit.sar_to_optical, atol=1e-6)
        assert controller.dock.optical_input.web_layer() is not None and controller.dock.optical_input.web_layer().name == "Satellite"
        assert any("Tie points kept in the project" in message for message in messages(iface, Qgis.Info))
        assert controller._optical_name() == "web map layer 'Satellite'"  # as its report names it
    finally:
        storage.disconnect()


def test_tie_points_of_a_basemap_removed_from_the_project_wait_for_it_to_be_added_again(basemap, sample, controller, iface, qtbot, tmp_path):
    """The basemap layer removed before the project was saved: read again, the dock names the web
    map layer it misses; once a web map layer of that name is added, it fetches it and takes the
    tie points up with the same fit."""
    from qgis.core import Qgis, QgsProject, QgsRasterLayer

    from plugin.gui.project_storage import ProjectStorage

    storage = ProjectStorage(QgsProject.instance())
    try:
        task = registered_in_the_dock(controller, iface, qtbot, basemap[0], "Satellite", sample["sar"])
        before = controller.result
        QgsProject.instance().removeMapLayers([layer.id() for layer in QgsProject.instance().mapLayersByName("Satellite")])
        assert QgsProject.instance().write(str(tmp_path / "project.qgz"))
        os.remove(task.optical_path)  # QGIS's temporary folder is emptied when QGIS closes
        controller.result = controller.layers = None
        iface.messageBar().clearWidgets()
        QgsProject.instance().clear()
        assert QgsProject.instance().read(str(tmp_path / "project.qgz"))
        assert controller.task is None and controller.result is None
        warnings = messages(iface, Qgis.Warning)
        assert len(warnings) == 1 and "the web map layer 'Satellite' (optical)" in warnings[0], warnings

        QgsProject.instance().addMapLayer(QgsRasterLayer(basemap[0], "Satellite", "wms"))  # added again, a new layer id
        fetching = controller.task
        assert fetching is not None and fetching.web is not None and fetching.web.name == "Satellite"
        with qtbot.waitSignal(fetching.done, timeout=120_000):
            pass
        assert controller.result is not None, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
        assert len(controller.result.tie_points) == len(before.tie_points)
        np.testing.assert_allclose(controller.result.fit.sar_to_optical, before.fit.sar_to_optical, atol=1e-6)
    finally:
        storage.disconnect()


def test_a_basemap_whose_server_does_not_answer_is_explained(basemap, sample, controller, iface, qtbot):
    from qgis.core import Qgis, QgsProject, QgsRasterLayer

    source, server = basemap
    web = QgsRasterLayer(source, "Satellite", "wms")
    sar = QgsRasterLayer(sample["sar"], "sar", "gdal")
    QgsProject.instance().addMapLayers([web, sar])
    server.shutdown()
    server.server_close()
    # tiles an earlier test fetched from a server that got the same port would come from QGIS's network cache
    from qgis.core import QgsNetworkAccessManager

    QgsNetworkAccessManager.instance().cache().clear()
    controller.dock.optical_input.set_layer(web)
    controller.dock.sar_input.set_layer(sar)
    task = controller.run()
    with qtbot.waitSignal(task.done, timeout=120_000):
        pass
    assert isinstance(task.error, RegistrationError)
    shown = " ".join(messages(iface, Qgis.Warning))  # a user's error, with its fix: not a crash
    assert "'Satellite' returned no imagery" in shown and "server answers" in shown


def test_the_toolbox_registers_the_sar_on_a_basemap_layer_and_warps_it_again_from_its_tie_points(basemap, sample, processing, tmp_path):
    from qgis.core import QgsProject, QgsRasterLayer

    source, _ = basemap
    web = QgsRasterLayer(source, "Satellite", "wms")
    QgsProject.instance().addMapLayer(web)
    try:
        results = processing.run(REGISTER, {"OPTICAL": web, "SAR": sample["sar"], "OUTPUT": str(tmp_path / "sar_registered.tif"),
                                            "TIE_POINTS": str(tmp_path / "tie_points.gpkg")})
        again = processing.run(WARP, {"OPTICAL": web, "SAR": sample["sar"], "TIE_POINT_LAYER": results["TIE_POINTS"],
                                      "OUTPUT": str(tmp_path / "sar_warped_again.tif")})
    finally:
        QgsProject.instance().removeMapLayer(web.id())
    assert results["TIE_POINTS_USED"] > 250 and results["RMSE"] < 1.0
    first, second = (gdal.Open(found["OUTPUT"]) for found in (results, again))
    assert 'AUTHORITY["EPSG","3857"]' in first.GetProjection() and first.GetGeoTransform() == second.GetGeoTransform()
    assert again["TIE_POINTS_USED"] == results["TIE_POINTS_USED"] and again["RMSE"] == pytest.approx(results["RMSE"], abs=1e-3)
    difference = first.GetRasterBand(1).ReadAsArray().astype(float) - second.GetRasterBand(1).ReadAsArray().astype(float)
    assert np.nanmax(np.abs(difference)) < 1e-3


def test_fetching_a_basemap_stops_on_cancel_and_leaves_no_file(qgis_app, basemap, sample, tmp_path):
    from plugin.core import RegistrationCancelled
    from plugin.web_layers import WebLayer, fetch_reference

    source, _ = basemap
    with pytest.raises(RegistrationCancelled):
        fetch_reference(WebLayer("wms", source, "basemap"), sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"),
                        progress=lambda fraction: False)
    assert not os.path.exists(tmp_path / "ref.tif")


@pytest.mark.skipif(QGIS_PROCESS is None, reason="qgis_process is not installed")
def test_qgis_process_registers_on_a_basemap_of_a_project(qgis_app, basemap, sample, qgis_env, tmp_path):
    """qgis_process loads no web layer from a source string (QGIS refuses it as "not found"), but takes
    one by name from a project given with --PROJECT_PATH (the README says so)."""
    from qgis.core import QgsProject, QgsRasterLayer

    source, _ = basemap
    project = QgsProject()
    project.addMapLayer(QgsRasterLayer(source, "Satellite", "wms"))
    assert project.write(str(tmp_path / "basemap.qgz"))
    env = dict(qgis_env, NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    refused = qgis_process(env, "run", REGISTER, f"--OPTICAL={source}", f"--SAR={sample['sar']}", f"--OUTPUT={tmp_path / 'refused.tif'}")
    assert refused.returncode != 0 and "Could not load source layer for OPTICAL" in refused.stdout + refused.stderr
    results = json_results(qgis_process(env, "run", REGISTER, "--json", f"--PROJECT_PATH={tmp_path / 'basemap.qgz'}", "--OPTICAL=Satellite",
                                        f"--SAR={sample['sar']}", f"--OUTPUT={tmp_path / 'sar_registered.tif'}"))
    assert results["TIE_POINTS_USED"] > 250 and results["RMSE"] < 1.0
    assert gdal.Info(results["OUTPUT"], format="json")["coordinateSystem"]["wkt"].endswith('ID["EPSG",3857]]')


def as_written(output, sar_to_optical):
    """A command-line run's fit as ``in_map`` reads one: its matches JSON's transform, on the grid of
    the optical raster it registered against, ``output`` (a path or dataset: its warped output when that
    is on the optical reference's whole grid)."""
    grid = gdal.Open(output) if isinstance(output, str) else output
    fit = type("Fit", (), {"sar_to_optical": np.asarray(sar_to_optical)})
    optical = type("Info", (), {"geotransform": grid.GetGeoTransform(), "crs_wkt": grid.GetProjection()})
    return type("Written", (), {"fit": fit, "optical": optical})


def test_the_command_line_registers_the_sar_on_xyz_tiles_and_leaves_no_reference_behind(basemap, sample, tmp_path, monkeypatch):
    import json

    from tests.test_cli import run_cli

    _, server = basemap
    monkeypatch.setenv("TMPDIR", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    done = run_cli("register", server.url + "/{z}/{x}/{y}.png", sample["sar"], "-o", str(tmp_path / "sar_registered.tif"),
                   "--matches-json", str(tmp_path / "matches.json"), "--device", "cpu", "--report", str(tmp_path / "report.html"))
    assert done.returncode == 0, done.stderr
    assert all(request[1].startswith("/14/") for request in server.requests)
    # the report names the tiles' URL, not the file fetched from it for this run
    assert f"Optical raster</th><td>{server.url}/{{z}}/{{x}}/{{y}}.png</td>" in (tmp_path / "report.html").read_text()
    assert 'AUTHORITY["EPSG","3857"]' in gdal.Open(str(tmp_path / "sar_registered.tif")).GetProjection()
    transform = json.loads((tmp_path / "matches.json").read_text())["transform"]["sar_to_optical"]
    apart = metres_apart(as_written(str(tmp_path / "sar_registered.tif"), transform), sample)
    assert apart.max() < 5.0, apart
    assert os.listdir(tmp_path / "temporary") == []  # the fetched reference is gone


def test_tie_points_registered_on_xyz_tiles_are_warped_again_from_the_tiles_the_geopackage_names(basemap, sample, tmp_path, monkeypatch):
    """register records the tile URL it was given, not the file it fetched for that run, so that
    warp fetches the tiles again without being told."""
    from plugin.core.tie_point_files import recorded_rasters
    from tests.test_cli import run_cli

    _, server = basemap
    monkeypatch.setenv("TMPDIR", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    url = server.url + "/{z}/{x}/{y}.png"
    done = run_cli("register", url, sample["sar"], "-o", str(tmp_path / "first.tif"), "--gpkg", str(tmp_path / "tie.gpkg"), "--device", "cpu")
    assert done.returncode == 0, done.stderr
    assert recorded_rasters(str(tmp_path / "tie.gpkg")) == (url, os.path.abspath(sample["sar"]))
    fetched = len(server.requests)
    done = run_cli("warp", str(tmp_path / "tie.gpkg"), "-o", str(tmp_path / "again.tif"))
    assert done.returncode == 0, done.stderr
    assert len(server.requests) > fetched and os.listdir(tmp_path / "temporary") == []
    first, again = gdal.Open(str(tmp_path / "first.tif")), gdal.Open(str(tmp_path / "again.tif"))
    assert again.GetGeoTransform() == first.GetGeoTransform() and again.GetProjection() == first.GetProjection()
    np.testing.assert_array_equal(again.ReadAsArray(), first.ReadAsArray())  # the same tie points, fit and grid


def test_tie_points_registered_on_xyz_tiles_open_in_the_dock_on_a_web_map_layer_of_their_url(basemap, sample, controller, iface, qtbot,
                                                                                              tmp_path, monkeypatch):
    """A GeoPackage the command line wrote on a tile URL, opened in the dock with no optical layer
    chosen: the URL becomes the project's web map layer (once: opened again, that layer is used),
    fetched over the SAR, and the tie points show with the command line's fit on the ground."""
    import json

    from qgis.core import Qgis, QgsProject

    from tests.test_cli import run_cli

    _, server = basemap
    monkeypatch.setenv("TMPDIR", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    url = server.url + "/{z}/{x}/{y}.png"
    done = run_cli("register", url, sample["sar"], "-o", str(tmp_path / "first.tif"), "--gpkg", str(tmp_path / "tie.gpkg"),
                   "--matches-json", str(tmp_path / "matches.json"), "--device", "cpu")
    assert done.returncode == 0, done.stderr
    written = json.loads((tmp_path / "matches.json").read_text())
    first = as_written(str(tmp_path / "first.tif"), written["transform"]["sar_to_optical"])

    def opened():
        assert controller.open_tie_points(str(tmp_path / "tie.gpkg"))
        opening = controller.task
        with qtbot.waitSignal(opening.done, timeout=120_000):
            pass
        assert opening.succeeded, messages(iface, Qgis.Warning) + messages(iface, Qgis.Critical)
        return [layer for layer in QgsProject.instance().mapLayers().values() if layer.providerType() == "wms"]

    web_layers = opened()
    assert len(web_layers) == 1 and web_layers[0].name() == "127.0.0.1"
    assert controller.dock.optical_input.web_layer().layer_id == web_layers[0].id()
    assert any(url in message and "web map layer '127.0.0.1'" in message for message in messages(iface, Qgis.Info))
    assert len(controller.result.tie_points) == len(written["inlier"]) and controller.result.tie_points.enabled.sum() > 250
    apart = np.hypot(*(in_map(controller.result, CORNERS, web_mercator()) - in_map(first, CORNERS, web_mercator())).T)
    assert apart.max() < 0.5, apart  # the command line's fit, on the ground (its 10 m pixels)
    assert not any("were written for" in message for message in messages(iface, Qgis.Warning))

    controller.dock.optical_input.set_layer(None)
    assert opened() == web_layers  # the project's layer of that URL, not a second one


def test_the_toolbox_warps_again_from_the_tiles_a_geopackage_names(basemap, sample, processing, tmp_path, monkeypatch):
    """Warp SAR from tie points with only the GeoPackage that the command line wrote on XYZ tiles: the
    recorded URL is fetched again (it was refused as a file that "does not exist")."""
    from tests.test_cli import run_cli

    _, server = basemap
    url = server.url + "/{z}/{x}/{y}.png"
    done = run_cli("register", url, sample["sar"], "-o", str(tmp_path / "first.tif"), "--gpkg", str(tmp_path / "tie.gpkg"), "--device", "cpu")
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("TMPDIR", str(tmp_path / "temporary"))
    (tmp_path / "temporary").mkdir()
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again in this process
    results = processing.run(WARP, {"TIE_POINT_LAYER": str(tmp_path / "tie.gpkg"), "OUTPUT": str(tmp_path / "again.tif")})
    first, again = gdal.Open(str(tmp_path / "first.tif")), gdal.Open(results["OUTPUT"])
    assert again.GetGeoTransform() == first.GetGeoTransform() and again.GetProjection() == first.GetProjection()
    np.testing.assert_array_equal(again.ReadAsArray(), first.ReadAsArray())
    assert os.listdir(tmp_path / "temporary") == []  # the fetched reference is gone


def test_a_gdal_description_of_the_whole_world_as_the_optical_raster_writes_only_where_the_sar_lies(basemap, sample, tmp_path):
    """GDAL reads a tile server's XML description (its WMS driver) as one raster of the whole world: at zoom
    14, 4194304 px square. Registration reads only around the SAR; the output was planned on the whole
    raster and GDAL could not write it (its error even blamed the SAR). It is now cut to where the SAR lies,
    on the same pixels."""
    import json

    from plugin.core.web_reference import xyz_description
    from tests.test_cli import run_cli

    _, server = basemap
    (tmp_path / "world.xml").write_text(xyz_description(server.url + "/{z}/{x}/{y}.png", 14))
    world = gdal.Open(str(tmp_path / "world.xml"))
    assert world.RasterXSize == world.RasterYSize == 2**14 * 256
    done = run_cli("register", str(tmp_path / "world.xml"), sample["sar"], "-o", str(tmp_path / "sar_registered.tif"),
                   "--matches-json", str(tmp_path / "matches.json"), "--device", "cpu")
    assert done.returncode == 0, done.stderr
    written = gdal.Open(str(tmp_path / "sar_registered.tif"))
    assert written.RasterXSize < 1000 and written.RasterYSize < 1000  # the SAR's 800 x 760 px, on 9.55 m pixels
    left, step, _, top, _, _ = written.GetGeoTransform()
    assert step == world.GetGeoTransform()[1] and whole_pixels((left + EARTH) / step) and whole_pixels((EARTH - top) / step)
    fit = json.loads((tmp_path / "matches.json").read_text())["transform"]["sar_to_optical"]
    apart = metres_apart(as_written(world, fit), sample)  # the fit is in the world raster's pixels
    assert apart.max() < 5.0, apart


def test_gdal_fetches_xyz_tiles_pixel_for_pixel(basemap, sample, tmp_path):
    from plugin.core.web_reference import fetch_xyz

    _, server = basemap
    path = fetch_xyz(server.url + "/{z}/{x}/{y}.png", sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"))
    fetched = gdal.Open(path)
    assert fetched.GetRasterBand(4).GetColorInterpretation() == gdal.GCI_AlphaBand
    assert fetched.GetGeoTransform()[1] == pytest.approx(tile_resolution(14))
    assert_as_warped_directly(path, sample["optical"])


def test_a_batch_registers_sar_scenes_on_xyz_tiles_and_writes_them_in_their_own_crs(basemap, sample, tmp_path):
    from tests.test_batch import summary_rows
    from tests.test_cli import run_cli

    _, server = basemap
    (tmp_path / "pairs.csv").write_text(f"optical,sar\n{server.url}/{{z}}/{{x}}/{{y}}.png,{sample['sar']}\n")
    done = run_cli("batch", str(tmp_path / "pairs.csv"), str(tmp_path / "out"), "--device", "cpu", "--output-grid", "sar", "--gpkg")
    assert done.returncode == 0, done.stdout + done.stderr
    (row,) = summary_rows(str(tmp_path / "out"))
    assert row["status"] == "ok" and int(row["matches"]) > 250, row
    # on the SAR's own grid: in its CRS (World Mercator), not the tiles' web Mercator
    written = osr.SpatialReference(wkt=gdal.Open(row["output"]).GetProjection())
    assert written.IsSame(osr.SpatialReference(wkt=gdal.Open(sample["sar"]).GetProjection()))
    # the pair's GeoPackage names the tiles, for warp to fetch them again
    from plugin.core.tie_point_files import recorded_rasters

    assert recorded_rasters(os.path.splitext(row["output"])[0] + ".gpkg")[0] == f"{server.url}/{{z}}/{{x}}/{{y}}.png"


def test_xyz_tiles_the_server_does_not_have_or_a_server_that_is_down_are_explained(basemap, sample, tmp_path):
    from tests.test_cli import run_cli

    _, server = basemap
    missing = run_cli("register", server.url + "/nothing/{z}/{x}/{y}.png", sample["sar"], "-o", str(tmp_path / "a.tif"), "--device", "cpu")
    assert missing.returncode == 2 and "returned no imagery over the SAR raster's footprint at zoom levels 14 to 12 (0% of it covered)" in missing.stderr
    server.shutdown()
    server.server_close()
    down = run_cli("register", server.url + "/{z}/{x}/{y}.png", sample["sar"], "-o", str(tmp_path / "b.tif"), "--device", "cpu")
    assert down.returncode == 2 and "could not be fetched over the SAR raster" in down.stderr and "Traceback" not in down.stderr, down.stderr
    assert not os.path.exists(tmp_path / "a.tif") and not os.path.exists(tmp_path / "b.tif")


def test_a_sar_placed_by_gcps_gets_room_for_how_far_they_bend(sample, tmp_path):
    """A Sentinel-1 GRD is placed by GCPs alone; their one affine fit can miss them by tens of pixels,
    and the web map is fetched that much wider (as the optical raster's read window is)."""
    from plugin.core.raster_io import gcp_misfit_px

    sar = gdal.Open(sample["sar"])
    geotransform, wkt = sar.GetGeoTransform(), sar.GetProjection()

    def placed_by_gcps(name, bend_px):
        gcps = []
        for column in (0, 400, 800):
            for row in (0, 380, 760):
                x, y = pixel_to_map(geotransform, np.array([[column - 0.5, row - 0.5]]))[0]
                bend = bend_px if (column, row) == (400, 380) else 0.0  # the middle GCP off by bend_px pixels
                gcps.append(gdal.GCP(float(x + bend * geotransform[1]), float(y), 0.0, column, row))
        copy = gdal.Translate(str(tmp_path / name), sar, GCPs=gcps, outputSRS=wkt)
        assert copy.GetGeoTransform(can_return_null=True) is None and copy.GetGCPCount() == 9
        copy = None
        return str(tmp_path / name)

    straight, bent = placed_by_gcps("straight.tif", 0.0), placed_by_gcps("bent.tif", 60.0)
    assert gcp_misfit_px(straight) < 1 and gcp_misfit_px(bent) > 20
    widths = [reference_grid(path, web_mercator(), RegistrationOptions()).width for path in (straight, bent)]
    # the sample SAR is turned by 2 degrees against the map: its grown box is a few pixels wider than the margin
    assert 2 * gcp_misfit_px(bent) - 8 < widths[1] - widths[0] < 2 * gcp_misfit_px(bent) + 8, widths


def test_a_wms_layer_is_fetched_at_the_sars_pixel_size_and_registers_it(qgis_app, wms, sample, tmp_path):
    """A WMS renders any box at any size: the reference is asked for on the SAR's own pixel size, in one piece."""
    from plugin.web_layers import WebLayer, fetch_reference

    source, server = wms
    path = fetch_reference(WebLayer("wms", source, "ortho"), sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"))
    maps = [asked for asked in server.requests if asked.get("REQUEST") == "GetMap"]
    assert maps and all(asked["CRS"] == "EPSG:3857" for asked in maps)
    fetched = gdal.Open(path)
    _, step, _, _, _, step_y = fetched.GetGeoTransform()
    assert 9.9 < step < 10.1 and 9.9 < -step_y < 10.1  # the SAR's pixel, not a zoom level's
    assert_as_warped_directly(path, sample["optical"])
    on_wms = register(path, sample["sar"], RegistrationOptions())
    apart = metres_apart(on_wms, sample)
    assert int(on_wms.tie_points.enabled.sum()) > 250 and apart.max() < 5.0, apart


def test_a_wms_in_latitude_and_longitude_is_fetched_in_degrees_and_registers_the_sar(qgis_app, wms, sample, tmp_path):
    """A WMS asked for EPSG:4326 (latitude first in WMS 1.3.0): the reference is fetched in degrees, at the
    SAR's ground pixel along each axis (a degree of longitude is shorter than one of latitude here). The
    grid was planned half a degree off (its "pixels" started half a map unit from its map coordinates),
    so the map was fetched 55 km away and refused as without imagery."""
    from plugin.web_layers import WebLayer, fetch_reference

    source, server = wms
    path = fetch_reference(WebLayer("wms", source.replace("crs=EPSG:3857", "crs=EPSG:4326"), "ortho"), sample["sar"],
                           RegistrationOptions(), str(tmp_path / "ref.tif"))
    maps = [asked for asked in server.requests if asked.get("REQUEST") == "GetMap"]
    assert maps and all(asked["CRS"] == "EPSG:4326" for asked in maps)
    fetched = gdal.Open(path)
    assert osr.SpatialReference(wkt=fetched.GetProjection()).GetAuthorityCode(None) == "4326"
    _, step, _, top, _, step_y = fetched.GetGeoTransform()
    ground_m = 10 * np.cos(np.radians(top))  # the sample SAR's pixel: 10 World Mercator units, 8.3 m on the ground here
    assert step * 111320 * np.cos(np.radians(top)) == pytest.approx(ground_m, rel=0.02)  # metres per degree of longitude
    assert -step_y * 110900 == pytest.approx(ground_m, rel=0.02)  # ... and of latitude
    assert_as_warped_directly(path, sample["optical"])
    on_wms = register(path, sample["sar"], RegistrationOptions())
    apart = metres_apart(on_wms, sample)
    assert int(on_wms.tie_points.enabled.sum()) > 250 and apart.max() < 5.0, apart


def whole_pixels(pixels: float) -> bool:
    """Whether ``pixels`` is a whole number (a point on the tiles' pixel grid), to a millionth of a pixel."""
    return abs(pixels - round(pixels)) < 1e-6


@pytest.mark.parametrize("matrix_set, level, restful", [("utm", "2", False), ("world", "13", False), ("utm", "2", True),
                                                        ("patchwork", "2", False)])
def test_a_wmts_is_fetched_pixel_for_pixel_on_its_own_tile_grid(qgis_app, wmts, sample, tmp_path, matrix_set, level, restful):
    """A WMTS in a national grid: its tiles' corner (the tile matrix's TopLeftCorner) is no whole number of
    pixels from (0, 0). The reference is planned on the tiles' own pixel grid, read from the service's
    capabilities, so QGIS copies the tiles instead of resampling them (0.27 px off in x and 0.17 px in y here,
    when the grid was assumed to run through (0, 0)). And one in latitude and longitude (its corner given
    latitude first), at the level nearest the SAR's pixel. And a RESTful one, whose capabilities are a file
    (WMTSCapabilities.xml) and whose tiles come from a URL template. And one whose levels' corners differ."""
    from plugin.web_layers import WebLayer, fetch_reference

    source, server = wmts
    epsg, _, levels = WMTS_SETS[matrix_set]
    origin_x, origin_y = corner_of(matrix_set, level)
    source = source.replace("crs=EPSG:32611", f"crs=EPSG:{epsg}").replace("tileMatrixSet=utm", f"tileMatrixSet={matrix_set}")
    if restful:
        source = source.replace("?SERVICE%3DWMTS%26REQUEST%3DGetCapabilities", "/1.0.0/WMTSCapabilities.xml")
    path = fetch_reference(WebLayer("wms", source, "ortho"), sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"))
    assert {asked["TILEMATRIX"] for asked in server.requests if asked.get("REQUEST") == "GetTile"} == {level}  # nearest the SAR's pixel
    left, step, _, top, _, step_y = gdal.Open(path).GetGeoTransform()
    assert step == pytest.approx(levels[level], rel=1e-9) and step_y == pytest.approx(-levels[level], rel=1e-9)
    assert whole_pixels((left - origin_x) / step) and whole_pixels((origin_y - top) / step)
    assert_as_warped_directly(path, sample["optical"], parts=((slice(200, 500), slice(200, 500)), (slice(600, 900), slice(600, 900))))
    on_wmts = register(path, sample["sar"], RegistrationOptions())
    apart = metres_apart(on_wmts, sample)
    assert int(on_wmts.tie_points.enabled.sum()) > 250 and apart.max() < 5.0, apart


def test_a_cached_arcgis_mapserver_is_fetched_pixel_for_pixel_on_its_own_tile_grid(qgis_app, sample, tmp_path, monkeypatch):
    """The ArcGIS MapServer provider's tiles start at the service's tileInfo origin, here off (0, 0)'s grid, as WMTS_SETS['utm']."""
    from plugin.web_layers import WebLayer, fetch_reference

    with served(ArcGisHandler, sample["optical"], "/arcgis/rest/services/Orthophotos/MapServer", monkeypatch) as server:
        source = f"crs='EPSG:32611' format='PNG32' layer='' url='{server.url}'"
        path = fetch_reference(WebLayer("arcgismapserver", source, "Orthophotos"), sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"))
    left, step, _, top, _, _ = gdal.Open(path).GetGeoTransform()
    assert step == 10.0 and whole_pixels((left - WMTS_ORIGIN[0]) / step) and whole_pixels((WMTS_ORIGIN[1] - top) / step)
    assert_as_warped_directly(path, sample["optical"], parts=((slice(200, 500), slice(200, 500)), (slice(600, 900), slice(600, 900))))
    assert arcgis_tile_origins(b'{"tileInfo": {"origin": {"x": -5e6, "y": 1e7}, "lods": [{"resolution": 2.5}, {"resolution": 5}]}}') == {
        2.5: (-5e6, 1e7), 5.0: (-5e6, 1e7)}
    assert arcgis_tile_origins(b'{"mapName": "not cached"}') == {} and arcgis_tile_origins(b"<html>Bad gateway</html>") == {}


def test_the_dock_reads_a_wmts_tile_origin_in_its_background_task(wmts, sample, controller, iface, qtbot):
    """The dock fetches the web map in its task's worker thread: the capabilities are read there too."""
    source, _ = wmts
    task = registered_in_the_dock(controller, iface, qtbot, source, "National orthophotos", sample["sar"])
    left, step, _, top, _, _ = gdal.Open(task.optical_path).GetGeoTransform()
    assert whole_pixels((left - WMTS_ORIGIN[0]) / step) and whole_pixels((WMTS_ORIGIN[1] - top) / step)
    assert controller.result.tie_points.enabled.sum() > 250 and controller.result.fit.rmse < 1.0


def test_a_wmts_tile_origin_is_read_from_its_capabilities_or_not_at_all():
    capabilities = wmts_capabilities("http://127.0.0.1:9/wmts")
    utm = wmts_tile_origins(capabilities, "ortho", "utm")
    assert sorted(utm) == pytest.approx([5.0, 10.0, 20.0, 40.0]) and all(corner == pytest.approx(WMTS_ORIGIN) for corner in utm.values())
    world = wmts_tile_origins(capabilities, "ortho", "world")  # given latitude first
    assert sorted(world) == pytest.approx(sorted(WORLD_LEVELS.values())) and all(corner == pytest.approx((-180.0, 90.0)) for corner in world.values())
    patchwork = wmts_tile_origins(capabilities, "ortho", "patchwork")
    assert [corner for step, corner in patchwork.items() if abs(step - 10.0) < 1e-6] == [pytest.approx(PATCHWORK_CORNERS["2"])]
    assert [corner for step, corner in patchwork.items() if abs(step - 20.0) < 1e-6] == [pytest.approx(WMTS_ORIGIN)]
    assert wmts_tile_origins(capabilities, "ortho", "another") == {}
    assert wmts_tile_origins(b"<html>Service unavailable</html>", "ortho", "utm") == {}


def test_a_tile_url_with_placeholders_gdal_does_not_fill_in_is_explained(sample, tmp_path):
    from plugin.core.web_reference import fetch_xyz

    with pytest.raises(RegistrationError, match=r"holds \{r\}, \{s\}, which GDAL does not fill in.*one server name for \{s\}"):
        fetch_xyz("https://{s}.tiles.example.com/{z}/{x}/{y}{r}.png", sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif"))
    assert not os.path.exists(tmp_path / "ref.tif")


def refused_without_password(handler: http.server.BaseHTTPRequestHandler) -> bool:
    """Answers 401 (and counts it in ``server.refused``) unless the request carries the user 'analyst' with the
    password 'secret', as a commercial basemap's server does; True when it did."""
    if handler.headers.get("Authorization") == "Basic " + base64.b64encode(b"analyst:secret").decode():
        return False
    handler.server.refused += 1
    handler.send_response(401)
    handler.send_header("WWW-Authenticate", 'Basic realm="tiles"')
    handler.end_headers()
    return True


class LockedTiles(http.server.SimpleHTTPRequestHandler):
    """Tiles for the user 'analyst' only (``refused_without_password``)."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        return None if refused_without_password(self) else super().do_GET()


class LockedWmts(WmtsHandler):
    """The WMTS for the user 'analyst' only (``refused_without_password``)."""

    def do_GET(self):
        return None if refused_without_password(self) else super().do_GET()


@pytest.fixture
def analyst_password(qgis_app):
    """The id of a Basic authentication configuration of QGIS for the user 'analyst', password 'secret'."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig

    manager = QgsApplication.authManager()  # the test profile's (pytest-qgis's settings folder), not the user's
    if manager.masterPasswordHashInDatabase() and not manager.setMasterPassword("test master password", True):
        pytest.skip("the test profile's authentication database has another master password: delete .qgis-settings/*/qgis-auth.db")
    assert manager.setMasterPassword("test master password", True)
    config = QgsAuthMethodConfig("Basic")
    config.setName("locked tiles")
    config.setConfig("username", "analyst")
    config.setConfig("password", "secret")
    assert manager.storeAuthenticationConfig(config)[0]
    yield config.id()
    manager.removeAuthenticationConfig(config.id())


def test_a_wmts_behind_a_password_gives_its_tile_origin_to_the_layers_authentication(sample, analyst_password, monkeypatch):
    from plugin.web_layers import WebLayer, tile_origins

    with served(LockedWmts, sample["optical"], "/wmts", monkeypatch) as server:
        server.refused = 0
        source = f"crs=EPSG:32611&format=image/png&layers=ortho&styles=default&tileMatrixSet=utm&url={server.url}"
        assert tile_origins(WebLayer("wms", source, "National orthophotos")) == {} and server.refused == 1
        for credentials in (f"authcfg={analyst_password}&", "username=analyst&password=secret&"):
            origins = tile_origins(WebLayer("wms", credentials + source, "National orthophotos"))
            assert len(origins) == 4 and all(corner == pytest.approx(WMTS_ORIGIN) for corner in origins.values())
        assert server.refused == 1


def test_a_basemap_behind_a_password_registers_with_the_layers_qgis_authentication(tiles, sample, controller, iface, qtbot, monkeypatch,
                                                                                    analyst_password):
    """QGIS, not GDAL, fetches a web map layer: its authentication configuration (authcfg) is used in
    the dock's task as on the map canvas; without one the server's refusal is reported."""
    from qgis.core import Qgis, QgsProject, QgsRasterLayer

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(LockedTiles, directory=tiles))
    server.refused = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
    sar = QgsRasterLayer(sample["sar"], "sar", "gdal")
    try:
        for authentication in ("", f"authcfg={analyst_password}&"):
            web = QgsRasterLayer(f"{authentication}type=xyz&url={url}&zmax=15&zmin=0", "Satellite", "wms")
            QgsProject.instance().addMapLayers([web, sar])
            controller.dock.optical_input.set_layer(web)
            controller.dock.sar_input.set_layer(sar)
            refused_before = server.refused
            task = controller.run()
            with qtbot.waitSignal(task.done, timeout=180_000):
                pass
            if not authentication:
                assert server.refused > refused_before and isinstance(task.error, RegistrationError)
                assert "'Satellite' returned no imagery" in " ".join(messages(iface, Qgis.Warning))
            else:
                assert task.succeeded and server.refused == refused_before, task.error
                assert controller.result.tie_points.enabled.sum() > 250
            QgsProject.instance().removeMapLayer(web.id())
    finally:
        server.shutdown()
        server.server_close()


def fetched_by_gdal(sample, tmp_path, monkeypatch, zooms, url_path="/{z}/{x}/{y}.png", rows_from_south=False):
    """The sample's optical raster as tiles of ``zooms`` on a server of this machine, fetched over the
    SAR by the command line's route with the URL ``url_path``: (the fetched reference, the server's requests)."""
    from plugin.core.web_reference import fetch_xyz

    write_tiles(sample["optical"], str(tmp_path / "tiles"), zooms=zooms, rows_from_south=rows_from_south)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = serve(str(tmp_path / "tiles"))
    try:
        return fetch_xyz(server.url + url_path, sample["sar"], RegistrationOptions(), str(tmp_path / "ref.tif")), server.requests
    finally:
        server.shutdown()
        server.server_close()


def test_gdal_fetches_tiles_whose_rows_are_counted_from_the_south(sample, tmp_path, monkeypatch):
    """A TMS server's URL, {-y}: the same pixels as from an XYZ server."""
    path, _ = fetched_by_gdal(sample, tmp_path, monkeypatch, (14,), "/{z}/{x}/{-y}.png", rows_from_south=True)
    assert_as_warped_directly(path, sample["optical"])


def test_a_tile_server_that_stops_short_of_the_sars_level_is_asked_at_a_coarser_one(sample, tmp_path, monkeypatch):
    """The sample's 10 m pixels ask for zoom level 14; this server has 13 only (as one with 17 does for a 1 m SAR)."""
    path, requests = fetched_by_gdal(sample, tmp_path, monkeypatch, (13,))
    assert {request[1].split("/")[1] for request in requests} == {"14", "13"}
    assert gdal.Open(path).GetGeoTransform()[1] == pytest.approx(tile_resolution(13))
    assert_as_warped_directly(path, sample["optical"], ((slice(150, 350), slice(150, 350)),))
