"""Tie points read back from a file or a point layer: the tie-point layer that registration writes
(dock, toolbox, command line or batch; edited in QGIS or not) or a Georeferencer .points file.

Shared by the toolbox's *Warp SAR from tie points* and the dock's *Open tie points*. The optical
position of a point is its geometry (so a point moved in QGIS counts), in whatever CRS the layer is
in; the SAR position is the fields ``sar_x``, ``sar_y`` (SAR pixels).
"""
from __future__ import annotations

import os
from typing import Callable, Optional, Tuple

import numpy as np
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsCoordinateTransformContext, QgsVectorLayer

from .core.errors import RegistrationCancelled, RegistrationError
from .core.outputs import TIE_POINT_LAYER, optical_geotransform, read_points_file, tie_point_rasters
from .core.pipeline import RasterInfo, TiePoints
from .core.raster_io import map_to_pixel, own_geotransform
from .gui.i18n import tr

DISABLED_TEXT = ("0", "false", "no", "off")


def _number(value, default=np.nan) -> float:
    try:
        return float(value) if value is not None and str(value) != "NULL" else default
    except (TypeError, ValueError):
        return default


def _enabled(value) -> bool:
    """1/0, true/false or yes/no; an empty (NULL) cell counts as enabled."""
    if value is None or str(value) == "NULL":
        return True
    return str(value).strip().lower() not in DISABLED_TEXT


def tie_points_from_source(source, optical: RasterInfo, transform_context: QgsCoordinateTransformContext,
                           cancelled: Callable[[], bool] = lambda: False,
                           progress: Optional[Callable[[float], None]] = None) -> TiePoints:
    """TiePoints from a point layer or Processing feature source with fields sar_x, sar_y and
    optionally enabled, rejected_by, distance and id (kept: ``own_ids``). A point without geometry
    is placed by its fields optical_x, optical_y (optical pixels). ``progress`` gets the share
    read (0-1); ``cancelled`` stops the reading with RegistrationCancelled."""
    names = set(source.fields().names())
    if not {"sar_x", "sar_y"} <= names:
        raise RegistrationError(
            tr("The tie-point layer has no fields 'sar_x' and 'sar_y'."),
            tr("Use the tie-point layer written by 'Register SAR to optical' (or the dock), or a Georeferencer .points file."))
    optical_crs = QgsCoordinateReferenceSystem.fromWkt(optical.crs_wkt) if optical.crs_wkt else QgsCoordinateReferenceSystem()
    transform = None
    if optical_crs.isValid() and source.sourceCrs().isValid() and source.sourceCrs() != optical_crs:
        transform = QgsCoordinateTransform(source.sourceCrs(), optical_crs, transform_context)
    geotransform = optical_geotransform(optical)
    total = max(1, source.featureCount())
    optical_xy, sar_xy, distance, enabled, rejected_by, ids = [], [], [], [], [], []
    for index, feature in enumerate(source.getFeatures()):
        if cancelled():
            raise RegistrationCancelled()
        geometry = feature.geometry()
        if not geometry.isEmpty():
            point = geometry.vertexAt(0)
            map_xy = transform.transform(point.x(), point.y()) if transform else point
            optical_xy.append(map_to_pixel(geotransform, np.array([[map_xy.x(), map_xy.y()]]))[0])
        elif {"optical_x", "optical_y"} <= names:
            optical_xy.append((_number(feature["optical_x"]), _number(feature["optical_y"])))
        else:
            raise RegistrationError(tr("Tie point {} has no geometry and the layer has no optical_x/optical_y fields.").format(feature.id()),
                                    tr("Give every point a position."))
        sar_xy.append((_number(feature["sar_x"]), _number(feature["sar_y"])))
        distance.append(_number(feature["distance"]) if "distance" in names else np.nan)
        kept = _enabled(feature["enabled"]) if "enabled" in names else True
        reason = str(feature["rejected_by"]) if "rejected_by" in names and feature["rejected_by"] not in (None, "") else ""
        enabled.append(kept)
        ids.append(_number(feature["id"]) if "id" in names else np.nan)
        rejected_by.append("" if kept else (reason if reason and reason != "NULL" else "user"))
        if progress is not None:
            progress((index + 1) / total)
    if not sar_xy:
        raise RegistrationError(tr("The tie-point layer holds no points."),
                                tr("Choose a layer with tie points (or clear 'selected features only')."))
    optical_xy, sar_xy = np.array(optical_xy, float), np.array(sar_xy, float)
    if not (np.isfinite(optical_xy).all() and np.isfinite(sar_xy).all()):
        raise RegistrationError(tr("Some tie points have empty coordinates (sar_x, sar_y or position)."),
                                tr("Fill them in or delete those points."))
    return TiePoints(optical_xy, sar_xy, np.array(distance, float), rejected_by, np.array(enabled, bool), own_ids(ids))


def own_ids(ids) -> Optional[np.ndarray]:
    """The layer's ids, to keep in what is written: a point added without one gets the next free
    numbers; None (numbered 0..N-1 again) when two points share one or one is not a whole number."""
    ids = np.array(ids, float)
    given = ids[np.isfinite(ids)]
    if (given != np.round(given)).any() or len(np.unique(given)) != len(given):
        return None
    start = int(given.max()) + 1 if len(given) else 0
    ids[~np.isfinite(ids)] = np.arange(start, start + int((~np.isfinite(ids)).sum()))
    return ids.astype(int)


def tie_point_layer_name(path: str) -> Optional[str]:
    """The name of a vector file's tie-point layer: a GeoPackage's layer ``tie_points``
    (registration writes it there, beside a project's other layers), else the file's only layer
    with the fields sar_x and sar_y (None for a file of one unnamed layer)."""
    probe = QgsVectorLayer(path, "probe", "ogr")
    names = [entry.split("!!::!!")[1] for entry in probe.dataProvider().subLayers()] if probe.isValid() else []
    if TIE_POINT_LAYER in names:
        return TIE_POINT_LAYER
    chosen = [name for name in names or [None] if {"sar_x", "sar_y"} <= set(_open(path, name).fields().names())]
    if not probe.isValid() or not chosen:
        raise RegistrationError(tr("'{path}' holds no tie-point layer (a point layer with the fields 'sar_x' and 'sar_y').").format(path=path),
                                tr("Choose a GeoPackage of tie points written by the dock, the toolbox or the command line, "
                                   "or a Georeferencer .points file."))
    if len(chosen) > 1:
        raise RegistrationError(tr("'{path}' holds several tie-point layers ({names}).").format(path=path, names=", ".join(chosen)),
                                tr("Keep one of them in the file, or name the one to open 'tie_points'."))
    return chosen[0]


def recorded_rasters(path: str) -> Tuple[str, str]:
    """The optical and the SAR raster a tie-point file was written for, as registration records
    them in the GeoPackage ("" for each not recorded, and for a .points file)."""
    if path.lower().endswith(".points") or not os.path.isfile(path):
        return "", ""
    try:
        name = tie_point_layer_name(path)
    except RegistrationError:
        return "", ""
    return tie_point_rasters(path, name) if name else ("", "")


def _open(path: str, layer_name: Optional[str]) -> QgsVectorLayer:
    return QgsVectorLayer(path if layer_name is None else f"{path}|layername={layer_name}", "tie points", "ogr")


def read_tie_point_file(path: str, optical: RasterInfo, sar_path: str, transform_context: QgsCoordinateTransformContext) -> TiePoints:
    """The tie points of a Georeferencer .points file or of a vector file's tie-point layer
    (``tie_point_layer_name``), on the pixel grids of ``optical`` and of the SAR raster ``sar_path``."""
    if not os.path.isfile(path):
        raise RegistrationError(tr("The tie-point file '{path}' does not exist.").format(path=path), tr("Choose an existing file."))
    if path.lower().endswith(".points"):
        return read_points_file(path, optical.geotransform, optical.crs_wkt, own_geotransform(sar_path))
    return tie_points_from_source(_open(path, tie_point_layer_name(path)), optical, transform_context)
