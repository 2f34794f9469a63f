"""Tie points read from a QGIS point layer or Processing feature source: the tie-point layer that
registration writes, as the toolbox's *Warp SAR from tie points* gets it (a project layer, edits
in progress and 'selected features only' included). Files are read by the engine
(``core.tie_point_files``), which also decides what the fields mean (``tie_points_from_fields``).
"""
from __future__ import annotations

from typing import Callable, Optional

import numpy as np
from qgis.core import QgsCoordinateReferenceSystem, QgsCoordinateTransform, QgsCoordinateTransformContext

from .core.errors import RegistrationCancelled, RegistrationError
from .core.outputs import optical_geotransform
from .core.pipeline import RasterInfo, TiePoints
from .core.raster_io import map_to_pixel
from .core.tie_point_files import field_number, tie_points_from_fields
from .gui.i18n import tr


def tie_points_from_source(source, optical: RasterInfo, transform_context: QgsCoordinateTransformContext,
                           cancelled: Callable[[], bool] = lambda: False,
                           progress: Optional[Callable[[float], None]] = None) -> TiePoints:
    """TiePoints from a point layer or feature source with fields sar_x, sar_y and optionally
    enabled, rejected_by, distance and id. The optical position is the point's geometry, in the
    layer's CRS; a point without geometry is placed by its fields optical_x, optical_y. ``progress``
    gets the share read (0-1); ``cancelled`` stops the reading with RegistrationCancelled."""
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

    def value(feature, name):
        return feature[name] if name in names else None

    for index, feature in enumerate(source.getFeatures()):
        if cancelled():
            raise RegistrationCancelled()
        geometry = feature.geometry()
        if not geometry.isEmpty():
            point = geometry.vertexAt(0)
            map_xy = transform.transform(point.x(), point.y()) if transform else point
            optical_xy.append(map_to_pixel(geotransform, np.array([[map_xy.x(), map_xy.y()]]))[0])
        elif {"optical_x", "optical_y"} <= names:
            optical_xy.append((field_number(feature["optical_x"]), field_number(feature["optical_y"])))
        else:
            raise RegistrationError(tr("Tie point {} has no geometry and the layer has no optical_x/optical_y fields.").format(feature.id()),
                                    tr("Give every point a position."))
        sar_xy.append((field_number(feature["sar_x"]), field_number(feature["sar_y"])))
        distance.append(value(feature, "distance"))
        enabled.append(value(feature, "enabled"))
        rejected_by.append(value(feature, "rejected_by"))
        ids.append(value(feature, "id"))
        if progress is not None:
            progress((index + 1) / total)
    return tie_points_from_fields(optical_xy, sar_xy, distance, enabled, rejected_by, ids)
