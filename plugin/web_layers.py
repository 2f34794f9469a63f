"""A web map layer of the QGIS project (XYZ tiles, WMS, WMTS, ArcGIS MapServer) as the optical
reference: QGIS fetches it over the SAR raster's footprint into a GeoTIFF (``fetch_reference``), and
registration runs on that file. QGIS, not GDAL, fetches it, so every web provider QGIS knows and the
user's authentication configurations work as they do on the map canvas.

Used by the dock's task and the Processing algorithm, in their worker threads: the provider is made
there from the layer's provider key and source (``WebLayer``), as QGIS's own map renderers do.
"""
from __future__ import annotations

import base64
import logging
import os
import uuid
from dataclasses import dataclass
from typing import Callable, Optional, Tuple
from urllib.parse import urlsplit

from qgis.core import (QgsBlockingNetworkRequest, QgsCoordinateTransformContext, QgsDataProvider, QgsDataSourceUri, QgsProcessingUtils,
                       QgsProviderRegistry, QgsRasterBlockFeedback, QgsRasterFileWriter, QgsRasterLayer, QgsRasterPipe, QgsRectangle)
from qgis.PyQt.QtCore import QUrl
from qgis.PyQt.QtNetwork import QNetworkRequest

from .core.errors import RegistrationCancelled, RegistrationError
from .core.pipeline import RegistrationOptions
from .core.web_reference import XYZ_ZOOMS, TileOrigins, arcgis_tile_origins, check_fetched, reference_grid, wmts_tile_origins

LOGGER = logging.getLogger(__name__)

# XYZ, WMS and WMTS layers are all QGIS's "wms" provider.
WEB_PROVIDERS = ("wms", "arcgismapserver")


@dataclass(frozen=True)
class WebLayer:
    """What the worker thread needs to fetch a web map layer: no QGIS object, which belongs to the main thread."""

    provider: str
    source: str
    name: str
    layer_id: str = ""  # the project's layer it was made from (tie-point layers record it, to fetch it again)


def web_layer_of(layer) -> Optional[WebLayer]:
    """The WebLayer of a QGIS raster layer served from the web; None for any other layer."""
    if layer is None or layer.providerType() not in WEB_PROVIDERS:
        return None
    return WebLayer(layer.providerType(), layer.source(), layer.name(), layer.id())


def xyz_layer(template: str, project) -> Tuple[QgsRasterLayer, bool]:
    """(the web map layer of ``project`` that serves the XYZ tile URL ``template``, False), or where
    it has none, (a new one, named after the URL's server and added to ``project``, True): how tie
    points that the command line measured on a tile URL find their optical reference in QGIS."""
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsRasterLayer) and layer.providerType() == "wms":
            uri = _encoded_uri(layer.source())
            if uri.param("type") == "xyz" and uri.param("url") == template:
                return layer, False
    uri = QgsDataSourceUri()
    for key, value in (("type", "xyz"), ("url", template), ("zmin", "0"), ("zmax", str(max(XYZ_ZOOMS)))):
        uri.setParam(key, value)
    layer = QgsRasterLayer(bytes(uri.encodedUri()).decode(), urlsplit(template).hostname or template, "wms")
    if not layer.isValid():
        raise RegistrationError("The tile URL '{url}' that the tie points record cannot be added as a web map layer ({detail}).",
                                "Add the web map to the project yourself, choose it as the optical layer, and open the tie points again.",
                                url=template, detail=layer.error().summary())
    project.addMapLayer(layer)
    return layer, True


def reference_path() -> str:
    """A new file in QGIS's temporary folder (emptied when QGIS closes) for a fetched reference."""
    return os.path.join(QgsProcessingUtils.tempFolder(), f"web-reference-{uuid.uuid4().hex[:12]}.tif")


def fetch_reference(web: WebLayer, sar_path: str, options: RegistrationOptions, path: str,
                    progress: Optional[Callable[[float], bool]] = None) -> str:
    """Writes the web map over the SAR raster's footprint (``core.web_reference.reference_grid``) as a
    GeoTIFF at ``path`` (red, green, blue and alpha bands, in the web map's CRS) and returns ``path``.
    ``progress`` hears the share fetched and answers "go on?" (False: RegistrationCancelled).
    RegistrationError when the layer cannot be opened, the SAR cannot place it, or it holds no imagery there."""
    provider = QgsProviderRegistry.instance().createProvider(web.provider, web.source, QgsDataProvider.ProviderOptions())
    if provider is None or not provider.isValid():
        detail = provider.error().summary() if provider is not None else f"no '{web.provider}' provider"
        raise RegistrationError("The web map '{layer}' cannot be opened ({detail}).",
                                "Check that the layer shows in QGIS and that its server answers, or choose an optical raster file.",
                                layer=web.name, detail=detail)
    resolutions = provider.nativeResolutions()
    grid = reference_grid(sar_path, provider.crs().toWkt(), options, web.name, resolutions, tile_origins(web) if resolutions else None)
    crs = provider.crs()
    pipe = QgsRasterPipe()
    pipe.set(provider)  # the pipe owns the provider from here on
    feedback = QgsRasterBlockFeedback()
    if progress is not None:
        feedback.progressChanged.connect(lambda percent: progress(percent / 100.0) or feedback.cancel())
    writer = QgsRasterFileWriter(path)
    writer.setCreateOptions(["COMPRESS=DEFLATE", "TILED=YES"])
    status = writer.writeRaster(pipe, grid.width, grid.height, QgsRectangle(*grid.extent), crs, QgsCoordinateTransformContext(), feedback)
    if feedback.isCanceled():
        _remove(path)
        raise RegistrationCancelled("cancelled while fetching the web map")
    if status != QgsRasterFileWriter.NoError:
        _remove(path)
        raise RegistrationError("The web map '{layer}' could not be saved as the reference '{path}' (QGIS's writer error {status}).",
                                "Check that QGIS's temporary folder can be written (Settings > Options > System), or save the "
                                "web map as a GeoTIFF yourself and choose that file.", layer=web.name, path=path, status=status)
    check_fetched(path, web.name, footprint=grid.footprint)
    return path


def tile_origins(web: WebLayer) -> TileOrigins:
    """The corners of a tiled web map's tiles, level by level: a WMTS's from its GetCapabilities
    document (``core.web_reference.wmts_tile_origins``), a cached ArcGIS MapServer's from its service
    description (``arcgis_tile_origins``), both fetched as QGIS fetches the layer (its authentication
    configuration, or user name and password, and referer). {} for XYZ tiles (their corner is on (0, 0)'s
    grid) or when they cannot be read, logged: the reference is then planned as for XYZ tiles, and a map
    whose tiles start elsewhere is resampled by QGIS, up to a pixel or two off."""
    uri = QgsDataSourceUri(web.source) if web.provider == "arcgismapserver" else _encoded_uri(web.source)
    url, matrix_set = uri.param("url"), uri.param("tileMatrixSet")
    if not url or (web.provider == "wms" and not matrix_set):  # an XYZ or WMS layer of the wms provider
        return {}
    if web.provider == "arcgismapserver":
        url = f"{url}{'&' if '?' in url else '?'}f=json"
    elif "service=wmts" not in url.lower() and not url.lower().split("?")[0].endswith(".xml"):
        url += ("&" if "?" in url else "?") + "SERVICE=WMTS&REQUEST=GetCapabilities"
    document, failure = _fetched(url, uri)
    if document is None:
        origins = {}
    elif web.provider == "arcgismapserver":
        origins = arcgis_tile_origins(document)
    else:
        origins = wmts_tile_origins(document, uri.param("layers"), matrix_set)
    if not origins:
        LOGGER.warning("the tile grid of the web map '%s' could not be read from %s (%s): its tiles are assumed to start on the "
                       "pixel grid of (0, 0), and QGIS resamples them where they do not", web.name, url, failure or "not in the document")
    return origins


def _encoded_uri(source: str) -> QgsDataSourceUri:
    uri = QgsDataSourceUri()
    uri.setEncodedUri(source)
    return uri


def _fetched(url: str, uri: QgsDataSourceUri) -> Tuple[Optional[bytes], str]:
    """(the document at ``url``, asked for with ``uri``'s authentication and referer, or None; why not)."""
    request = QNetworkRequest(QUrl(url))
    if uri.username() and not uri.authConfigId():
        request.setRawHeader(b"Authorization", b"Basic " + base64.b64encode(f"{uri.username()}:{uri.password()}".encode()))
    if uri.param("referer"):
        request.setRawHeader(b"Referer", uri.param("referer").encode())
    fetch = QgsBlockingNetworkRequest()
    fetch.setAuthCfg(uri.authConfigId())
    if fetch.get(request) != QgsBlockingNetworkRequest.NoError:
        return None, fetch.errorMessage()
    return bytes(fetch.reply().content()), ""


def _remove(path: str) -> None:
    if os.path.exists(path):
        os.remove(path)
