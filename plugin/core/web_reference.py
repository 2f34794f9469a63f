"""An optical reference from a web map (a basemap: XYZ tiles, WMS, WMTS): the grid to fetch it on,
and the check of what was fetched. In QGIS, QGIS fetches a web map layer (``plugin/web_layers.py``:
it knows every web provider and the user's authentication); the command line and the batch fetch an
XYZ tile URL (``https://server/{z}/{x}/{y}.png``) with GDAL (``fetch_xyz``, ``optical_reference``). No Qt here.

The grid covers the georeferenced SAR raster's footprint, grown by as far as registration looks
past it (the search radius, a template and its fine search), at about the SAR's ground pixel size,
in the web map's CRS. Registration then runs on that GeoTIFF as on any optical raster file, and the
warped SAR is written on its grid.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import numpy as np
from osgeo import gdal, osr

from .errors import RegistrationCancelled, RegistrationError, template
from .georef import outline_in, pixel_mapping, unrelated_crs
from .pipeline import RasterInfo, RegistrationOptions, fine_margin, raster_info
from .raster_io import gcp_misfit_px, gdal_progress, network_settings, open_raster

LOGGER = logging.getLogger(__name__)
# The largest reference fetched, per side: 8192 px of 10 m pixels is 82 km, about 1000 web tiles of 256 px.
MAX_REFERENCE_SIDE_PX = 8192
# Less of the reference than this holding imagery: the web map has (almost) nothing there.
MIN_COVERED_SHARE = 0.2
# XYZ tiles: 256 px in web Mercator (EPSG:3857), zoom 0 one tile over the world; levels a basemap serves.
WEB_MERCATOR_HALF_WIDTH = 20037508.342789244
XYZ_ZOOMS = range(0, 20)
XYZ_COARSER_LEVELS = 2  # a server without the nearest level is asked at up to this many coarser ones (up to 4x the SAR's pixel)
XYZ_TEMPLATE = re.compile(r"^https?://.*\{z\}.*", re.IGNORECASE)


@dataclass(frozen=True)
class ReferenceGrid:
    """Where to fetch the reference: ``extent`` (x_min, y_min, x_max, y_max) in the web map's CRS
    (``crs_wkt``), ``width`` x ``height`` pixels."""

    extent: Tuple[float, float, float, float]
    width: int
    height: int
    crs_wkt: str
    footprint: Tuple[int, int, int, int] = (0, 0, 0, 0)  # the SAR's own footprint's box in the grid's pixels: column, row, columns, rows

    @property
    def pixel_size(self) -> Tuple[float, float]:
        x_min, y_min, x_max, y_max = self.extent
        return (x_max - x_min) / self.width, (y_max - y_min) / self.height


def reference_grid(sar_path: str, crs_wkt: str, options: RegistrationOptions, layer_name: str = "",
                   resolutions: Sequence[float] = (), tile_origins: Optional[TileOrigins] = None) -> ReferenceGrid:
    """The grid on which to fetch a web map ``layer_name`` (CRS ``crs_wkt``) as the optical reference
    for the SAR raster ``sar_path``: its footprint grown by ``options.search_radius``, fine
    matching's margin and, for a SAR placed by GCPs, their misfit (SAR pixels), at the SAR's ground
    pixel size along each axis of that CRS. A tiled web map's ``resolutions`` (map units per pixel of
    its zoom levels): the one nearest the SAR's pixel, on its tiles' pixel grid, so that its tiles
    are copied pixel for pixel (QGIS placed resampled tiles up to 1.75 px off). That grid runs through
    the level's tile corner in ``tile_origins``, or else through (0, 0), which does for XYZ tiles and
    WMTS's GoogleMapsCompatible, whose corner lies a whole number of pixels from it at every level; a
    national grid's tiles have their own (``wmts_tile_origins``, ``arcgis_tile_origins``). RegistrationError
    when the SAR has no georeferencing to place it by, or the grid would be too large."""
    sar = raster_info(sar_path)
    if sar.geotransform is None or not sar.crs_wkt:
        raise RegistrationError(
            "The web map '{layer}' can be the optical reference only for a georeferenced SAR raster: it is fetched "
            "over the SAR's footprint, and '{path}' has no georeferencing (no CRS, geotransform or GCPs).",
            "Georeference the SAR roughly first (QGIS's Georeferencer), or choose an optical raster file as the reference.",
            layer=layer_name, path=sar_path)
    # its "pixels" are its map coordinates: pixel centres are at +0.5 (raster_io.pixel_to_map), so the grid starts at -0.5;
    # starting at 0 put the grid half a map unit off, 0.5 m in web Mercator and half a degree (55 km) in EPSG:4326
    target = RasterInfo("", 1, 1, (-0.5, 1.0, 0.0, -0.5, 0.0, 1.0), crs_wkt, (1,))
    # a SAR placed by GCPs alone (a Sentinel-1 GRD) can lie as far from their one affine fit as they do
    margin = options.search_radius + fine_margin(options) + gcp_misfit_px(sar_path)
    unrelated = unrelated_crs(target, sar)
    if unrelated:  # a site's local grid: nothing says where on the web map it lies
        raise RegistrationError("The web map '{layer}' cannot be fetched over the SAR raster '{path}': {reason}",
                                "Georeference the SAR in a map CRS first (QGIS's Georeferencer), or choose an optical raster file as the reference.",
                                layer=layer_name, path=sar_path, reason=unrelated)
    corners, inner = outline_in(sar, target, margin, per_side=33), outline_in(sar, target, 0.0, per_side=33)  # inner: the footprint itself
    if corners is None or inner is None:  # PROJ refused a point, or gave none: a footprint beyond the web map's projection
        raise RegistrationError("The SAR raster's footprint cannot be expressed in the web map '{layer}''s CRS: it lies (partly) outside it.",
                                "Use a web map in another CRS, or an optical raster file.", layer=layer_name)
    origin, along_x, along_y = pixel_mapping(sar, target)(np.array([[sar.width / 2, sar.height / 2], [sar.width / 2 + 1, sar.height / 2],
                                                                    [sar.width / 2, sar.height / 2 + 1]]))
    jacobian = np.stack([along_x - origin, along_y - origin], axis=1)  # map units per SAR pixel, per SAR axis
    pixel = np.linalg.norm(jacobian, axis=1)  # the SAR's ground pixel along the map's x and y axes
    (x_min, y_min), (x_max, y_max) = corners.min(axis=0), corners.max(axis=0)
    if len(resolutions):
        levels = np.asarray(resolutions, np.float64)
        chosen = levels[np.argmin(np.abs(np.log(levels / np.sqrt(pixel[0] * pixel[1]))))]
        pixel = np.array([chosen, chosen])
        origin_x, origin_y = next((corner for step, corner in (tile_origins or {}).items() if abs(step - chosen) <= 1e-6 * chosen), (0.0, 0.0))
        x_min = origin_x + np.floor((x_min - origin_x) / chosen) * chosen
        y_max = origin_y - np.floor((origin_y - y_max) / chosen) * chosen
    width, height = int(np.ceil((x_max - x_min) / pixel[0])), int(np.ceil((y_max - y_min) / pixel[1]))
    if max(width, height) > MAX_REFERENCE_SIDE_PX:
        raise RegistrationError(
            "The web map '{layer}' would be fetched as a {width} x {height} px reference over the SAR raster's footprint, "
            "more than {most} px across: too much to download from a web map.",
            "Clip the SAR raster to the area you need (Raster > Extraction > Clip Raster by Extent), or save the web map "
            "over it as a GeoTIFF yourself and choose that file.", layer=layer_name, width=width, height=height, most=MAX_REFERENCE_SIDE_PX)
    left, top = np.floor([(inner[:, 0].min() - x_min) / pixel[0], (y_max - inner[:, 1].max()) / pixel[1]]).astype(int).clip(0)
    right = min(width, int(np.ceil((inner[:, 0].max() - x_min) / pixel[0])))
    bottom = min(height, int(np.ceil((y_max - inner[:, 1].min()) / pixel[1])))
    return ReferenceGrid((float(x_min), float(y_max - height * pixel[1]), float(x_min + width * pixel[0]), float(y_max)),
                         width, height, crs_wkt, (int(left), int(top), int(right - left), int(bottom - top)))


WMTS_NAMESPACES = {"wmts": "http://www.opengis.net/wmts/1.0", "ows": "http://www.opengis.net/ows/1.1"}
TileOrigins = Dict[float, Tuple[float, float]]  # map units per pixel of a level: its tiles' top-left corner (x, y)


def wmts_tile_origins(capabilities: bytes, layer: str, tile_matrix_set: str) -> TileOrigins:
    """Each level's tile corner (``TileOrigins``, in the tile matrix set's CRS, GIS axis order) of ``layer``
    in ``tile_matrix_set``, from a WMTS's GetCapabilities document: GDAL's WMTS driver reads each tile
    matrix in turn (it knows each CRS's axis order; the corners may differ from level to level). {} when
    the document holds no such set, or GDAL cannot read it."""
    try:
        root = ElementTree.fromstring(capabilities)
    except ElementTree.ParseError as error:
        LOGGER.info("the WMTS capabilities could not be read: %s", error)
        return {}
    levels = [matrix.findtext("ows:Identifier", "", WMTS_NAMESPACES) for matrix_set in root.iterfind("wmts:Contents/wmts:TileMatrixSet", WMTS_NAMESPACES)
              if matrix_set.findtext("ows:Identifier", "", WMTS_NAMESPACES) == tile_matrix_set
              for matrix in matrix_set.iterfind("wmts:TileMatrix", WMTS_NAMESPACES)]
    name = f"/vsimem/wmts-capabilities-{os.getpid()}-{id(capabilities)}.xml"
    gdal.FileFromMemBuffer(name, capabilities)
    origins = {}
    try:
        for level in levels:
            dataset = gdal.OpenEx(f"WMTS:{name},layer={layer},tilematrixset={tile_matrix_set},tilematrix={level}", gdal.OF_RASTER,
                                  open_options=["EXTENT_METHOD=MOST_PRECISE_TILE_MATRIX"])
            left, step, _, top, _, _ = dataset.GetGeoTransform()
            origins[float(step)] = (float(left), float(top))
    except RuntimeError as error:
        LOGGER.info("the tile matrices of the WMTS layer '%s' (%s) could not be read: %s", layer, tile_matrix_set, error)
        return {}
    finally:
        gdal.Unlink(name)
    return origins


def arcgis_tile_origins(service: bytes) -> TileOrigins:
    """Each level's tile corner (``TileOrigins``) of a cached ArcGIS MapServer, from its service
    description (``<url>?f=json``: ``tileInfo``, one origin for every level of detail); {} where it has none."""
    try:
        tiles = json.loads(service)["tileInfo"]
        origin = (float(tiles["origin"]["x"]), float(tiles["origin"]["y"]))
        return {float(level["resolution"]): origin for level in tiles["lods"]}
    except (ValueError, KeyError, TypeError) as error:
        LOGGER.info("no tile origin in the ArcGIS service description: %r", error)
        return {}


NO_IMAGERY = {  # (at which zoom levels, all of one value): check_fetched's words
    ("", False): template("The web map '{layer}' returned no imagery over the SAR raster's footprint ({covered} of it covered)."),
    ("", True): template("The web map '{layer}' returned no imagery over the SAR raster's footprint ({covered} of it covered, all of one "
                         "value)."),
    ("level", False): template("The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom level {first} "
                               "({covered} of it covered)."),
    ("level", True): template("The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom level {first} "
                              "({covered} of it covered, all of one value)."),
    ("levels", False): template("The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom levels {first} to "
                                "{last} ({covered} of it covered)."),
    ("levels", True): template("The web map '{layer}' returned no imagery over the SAR raster's footprint at zoom levels {first} to "
                               "{last} ({covered} of it covered, all of one value)."),
}


def check_fetched(path: str, layer_name: str, zooms: Optional[Tuple[int, int]] = None, footprint: Optional[Tuple[int, int, int, int]] = None) -> None:
    """RegistrationError when the fetched reference at ``path`` holds (almost) no imagery over the
    SAR's ``footprint`` (``ReferenceGrid.footprint``; None: all of it): the web map has none there,
    or its server did not answer (QGIS leaves such tiles transparent), or it gave one value
    everywhere (a blank "no data here" tile). The margin around the footprint is not counted: a
    small SAR's margin is most of the grid, and a map that ends near the SAR's edge is fine."""
    dataset = open_raster(path)
    band = dataset.GetRasterBand(1)
    window = footprint if footprint and footprint[2] > 0 and footprint[3] > 0 else (0, 0, dataset.RasterXSize, dataset.RasterYSize)
    values, valid = band.ReadAsArray(*window), band.GetMaskBand().ReadAsArray(*window) > 0  # the mask: the alpha band QGIS writes
    covered = float(valid.mean()) if valid.size else 0.0
    blank = covered > 0 and values[valid].min() == values[valid].max()
    if covered < MIN_COVERED_SHARE or blank:
        place = "" if zooms is None else "level" if zooms[0] == zooms[1] else "levels"
        raise RegistrationError(
            NO_IMAGERY[place, bool(blank)],
            "Check that the layer shows imagery there in QGIS at that scale and that its server answers (View > Panels > "
            "Log Messages, tab WMS), or choose an optical raster file.",
            layer=layer_name, covered=f"{covered:.0%}", first=zooms and zooms[0], last=zooms and zooms[1])


def is_xyz_template(name: str) -> bool:
    """Whether ``name`` is an XYZ tile URL: http(s), with {z}, {x} and {y} (or {-y}, rows counted from the south)."""
    return bool(XYZ_TEMPLATE.match(name)) and "{x}" in name and ("{y}" in name or "{-y}" in name)


def xyz_resolution(zoom: int) -> float:
    """Web Mercator metres per pixel of XYZ zoom level ``zoom``."""
    return 2 * WEB_MERCATOR_HALF_WIDTH / 256 / 2**zoom


def xyz_description(template: str, zoom: int) -> str:
    """GDAL's description of the XYZ tile URL ``template`` at ``zoom`` (its WMS driver, TMS mode):
    a raster of the whole world at that level. Missing tiles (HTTP 404) are read as empty."""
    url = re.sub(r"\{(z|x|-?y)\}", lambda found: "${" + found.group(1)[-1] + "}", template)  # one pass: {-y}'s ${y} is not read again
    edge = WEB_MERCATOR_HALF_WIDTH
    return (f"<GDAL_WMS><Service name=\"TMS\"><ServerUrl>{escape(url)}</ServerUrl></Service>"
            f"<DataWindow><UpperLeftX>{-edge!r}</UpperLeftX><UpperLeftY>{edge!r}</UpperLeftY><LowerRightX>{edge!r}</LowerRightX>"
            f"<LowerRightY>{-edge!r}</LowerRightY><TileLevel>{zoom}</TileLevel><TileCountX>1</TileCountX><TileCountY>1</TileCountY>"
            f"<YOrigin>{'bottom' if '{-y}' in template else 'top'}</YOrigin></DataWindow><Projection>EPSG:3857</Projection>"
            "<BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY><BandsCount>4</BandsCount>"
            "<ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes></GDAL_WMS>")


def web_mercator_wkt() -> str:
    """The CRS of XYZ tiles, EPSG:3857, as WKT."""
    web_mercator = osr.SpatialReference()
    web_mercator.ImportFromEPSG(3857)
    return web_mercator.ExportToWkt()


def nearest_xyz_zoom(sar_path: str, options: RegistrationOptions, template: str = "") -> int:
    """The XYZ zoom level (``XYZ_ZOOMS``) whose pixel is nearest the SAR raster's, as ``reference_grid`` chooses it."""
    levels = [xyz_resolution(zoom) for zoom in XYZ_ZOOMS]
    chosen = reference_grid(sar_path, web_mercator_wkt(), options, template, levels).pixel_size[0]
    return XYZ_ZOOMS[int(np.argmin(np.abs(np.array(levels) - chosen)))]


def fetch_xyz(template: str, sar_path: str, options: RegistrationOptions, path: str,
              progress: Optional[Callable[[float], bool]] = None) -> str:
    """Writes the XYZ tiles of ``template`` over the SAR raster's footprint as a GeoTIFF at ``path``
    (``reference_grid`` at the zoom level nearest the SAR's pixel, its tiles copied pixel for pixel)
    and returns ``path``. A server with no imagery at that level (many stop at 17 or 18, where a
    metre-class SAR asks for 18 or 19) is asked at up to ``XYZ_COARSER_LEVELS`` coarser ones.
    ``progress`` hears the share fetched and answers "go on?"."""
    unknown = sorted(set(re.findall(r"\{[^}]*\}", template)) - {"{z}", "{x}", "{y}", "{-y}"})
    if unknown:  # {s} (servers a, b, c), {r} (@2x tiles), {q} (quadkeys): web map libraries' own placeholders
        raise RegistrationError("The XYZ tile URL '{url}' holds {unknown}, which GDAL does not fill in: it fills in {{z}}, {{x}} and {{y}} only.",
                                "Write the URL out: one server name for {{s}} (e.g. 'a'), nothing for {{r}}; a quadkey ({{q}}) service "
                                "needs QGIS (add it as a layer and use the dock or the toolbox).", url=template, unknown=", ".join(unknown))
    wkt = web_mercator_wkt()
    first = nearest_xyz_zoom(sar_path, options, template)
    last = max(first - XYZ_COARSER_LEVELS, XYZ_ZOOMS[0])
    for zoom in range(first, last, -1):  # a server may stop short of the level the SAR's pixel asks for
        grid = reference_grid(sar_path, wkt, options, template, [xyz_resolution(zoom)])
        _fetch_level(template, zoom, grid, path, progress)
        try:
            check_fetched(path, template, footprint=grid.footprint)
            return path
        except RegistrationError:
            LOGGER.info("the web map has no imagery over the SAR at zoom level %d: trying %d", zoom, zoom - 1)
    grid = reference_grid(sar_path, wkt, options, template, [xyz_resolution(last)])
    _fetch_level(template, last, grid, path, progress)
    check_fetched(path, template, (first, last), grid.footprint)
    return path


def _fetch_level(template: str, zoom: int, grid: ReferenceGrid, path: str, progress: Optional[Callable[[float], bool]]) -> None:
    """Writes the tiles of ``template`` at ``zoom`` on ``grid`` (that level's pixels) as a GeoTIFF at ``path``."""
    resolution = xyz_resolution(zoom)
    column = int(round((grid.extent[0] + WEB_MERCATOR_HALF_WIDTH) / resolution))
    row = int(round((WEB_MERCATOR_HALF_WIDTH - grid.extent[3]) / resolution))
    heard, stopped = gdal_progress(progress)
    with network_settings():
        try:
            fetched = gdal.Translate(path, xyz_description(template, zoom), srcWin=[column, row, grid.width, grid.height], format="GTiff",
                                     creationOptions=["COMPRESS=DEFLATE", "TILED=YES"], callback=heard)
        except RuntimeError as error:
            fetched, detail = None, str(error)
        else:
            detail = gdal.GetLastErrorMsg()
    if fetched is None or stopped:
        if os.path.exists(path):
            os.remove(path)
        if stopped and stopped[0] is not None:
            raise stopped[0]
        if stopped:
            raise RegistrationCancelled("cancelled while fetching the web map")
        raise RegistrationError("The web map '{layer}' could not be fetched over the SAR raster ({detail}).",
                                "Check the address (it needs {{z}}, {{x}} and {{y}}), the connection, and that the server "
                                "answers; or choose an optical raster file.", layer=template, detail=detail)
    fetched = None


@contextlib.contextmanager
def optical_reference(optical: str, sar_path: str, options: RegistrationOptions,
                      progress: Optional[Callable[[float], bool]] = None) -> Iterator[str]:
    """The optical raster a registration reads: ``optical`` itself, or for an XYZ tile URL the web map
    fetched over the SAR raster into a temporary folder, removed when the block ends (write the
    outputs inside it: the warped SAR is written on the reference's grid)."""
    if not is_xyz_template(optical):
        yield optical
        return
    folder = tempfile.mkdtemp(prefix="web-reference-")
    try:
        yield fetch_xyz(optical, sar_path, options, os.path.join(folder, "reference.tif"), progress)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
