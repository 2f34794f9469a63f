"""Processing algorithm "Warp SAR from tie points": re-fits the transform on existing (possibly
edited) tie points -- a tie-point layer written by "Register SAR to optical" or a Georeferencer
.points file -- and writes the warped SAR raster again. No network runs."""
from __future__ import annotations

from typing import Optional

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
)

from .common import RegistrationAlgorithmBase, load_core, tr, user_errors

DISABLED_TEXT = ("0", "false", "no", "off")


class TiePointsCancelled(Exception):
    """The user cancelled while the tie points were read."""


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


def tie_points_from_source(source, optical, context, feedback, pipeline, outputs):
    """TiePoints from a point layer with fields sar_x, sar_y (SAR pixels) and optionally enabled,
    rejected_by, distance and id (kept in the tie points written: ``_own_ids``). The optical
    position is the point geometry (so moving a point in QGIS counts), transformed to the optical
    raster's CRS; without geometry, the fields optical_x and optical_y (optical pixels)."""
    from ..core.raster_io import map_to_pixel

    names = set(source.fields().names())
    if not {"sar_x", "sar_y"} <= names:
        raise QgsProcessingException(tr(
            "The tie-point layer has no fields 'sar_x' and 'sar_y'. Use the tie-point layer written by 'Register SAR to optical', "
            "or a Georeferencer .points file."))
    optical_crs = QgsCoordinateReferenceSystem.fromWkt(optical.crs_wkt) if optical.crs_wkt else QgsCoordinateReferenceSystem()
    transform = None
    if optical_crs.isValid() and source.sourceCrs().isValid() and source.sourceCrs() != optical_crs:
        transform = QgsCoordinateTransform(source.sourceCrs(), optical_crs, context.transformContext())
    geotransform = outputs.optical_geotransform(optical)
    total = max(1, source.featureCount())
    optical_xy, sar_xy, distance, enabled, rejected_by, ids = [], [], [], [], [], []
    for index, feature in enumerate(source.getFeatures()):
        if feedback.isCanceled():
            raise TiePointsCancelled()
        geometry = feature.geometry()
        if not geometry.isEmpty():
            point = geometry.vertexAt(0)
            map_xy = transform.transform(point.x(), point.y()) if transform else point
            optical_xy.append(map_to_pixel(geotransform, np.array([[map_xy.x(), map_xy.y()]]))[0])
        elif {"optical_x", "optical_y"} <= names:
            optical_xy.append((_number(feature["optical_x"]), _number(feature["optical_y"])))
        else:
            raise QgsProcessingException(tr("Tie point {} has no geometry and the layer has no optical_x/optical_y fields. Give every point a position.").format(feature.id()))
        sar_xy.append((_number(feature["sar_x"]), _number(feature["sar_y"])))
        distance.append(_number(feature["distance"]) if "distance" in names else np.nan)
        kept = _enabled(feature["enabled"]) if "enabled" in names else True
        reason = str(feature["rejected_by"]) if "rejected_by" in names and feature["rejected_by"] not in (None, "") else ""
        enabled.append(kept)
        ids.append(_number(feature["id"]) if "id" in names else np.nan)
        rejected_by.append("" if kept else (reason if reason and reason != "NULL" else "user"))
        feedback.setProgress(20.0 * (index + 1) / total)
    if not sar_xy:
        raise QgsProcessingException(tr("The tie-point layer holds no points. Choose a layer with tie points (or clear 'selected features only')."))
    optical_xy, sar_xy = np.array(optical_xy, float), np.array(sar_xy, float)
    if not (np.isfinite(optical_xy).all() and np.isfinite(sar_xy).all()):
        raise QgsProcessingException(tr("Some tie points have empty coordinates (sar_x, sar_y or position). Fill them in or delete those points."))
    return pipeline.TiePoints(optical_xy, sar_xy, np.array(distance, float), rejected_by, np.array(enabled, bool), _own_ids(ids))


def _own_ids(ids) -> Optional[np.ndarray]:
    """The layer's ids, to keep in what is written: a point added without one gets the next free
    numbers; None (numbered 0..N-1 again) when two points share one or one is not a whole number."""
    ids = np.array(ids, float)
    given = ids[np.isfinite(ids)]
    if (given != np.round(given)).any() or len(np.unique(given)) != len(given):
        return None
    start = int(given.max()) + 1 if len(given) else 0
    ids[~np.isfinite(ids)] = np.arange(start, start + int((~np.isfinite(ids)).sum()))
    return ids.astype(int)


class WarpFromTiePointsAlgorithm(RegistrationAlgorithmBase):
    TIE_POINT_LAYER = "TIE_POINT_LAYER"
    POINTS_INPUT = "POINTS_INPUT"

    def name(self) -> str:
        return "warpfromtiepoints"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Warp SAR from tie points")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr(
            "Re-fits the transform on existing tie points and warps the SAR raster into the optical raster's grid and CRS. "
            "Give either the tie-point layer written by 'Register SAR to optical' (edit it first: set 'enabled' to 0 to drop a "
            "point, move points to correct their optical position) or a Georeferencer .points file. Only enabled points are used; "
            "residuals are computed for all of them. The optical raster may be the web map layer the SAR was registered on: "
            "it is fetched over the SAR again."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.add_raster_inputs()
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.TIE_POINT_LAYER, self.tr("Tie-point layer (fields sar_x, sar_y, enabled)"), [QgsProcessing.TypeVectorPoint], optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.POINTS_INPUT, self.tr("or a Georeferencer .points file"), QgsProcessingParameterFile.File, "points", optional=True))
        self.add_transform()
        self.add_outputs()

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        core, outputs, pipeline = load_core()
        web = self.web_layer(parameters, self.OPTICAL, context)  # a basemap: fetched over the SAR again, as registration did
        optical = None if web else self.raster_path(parameters, self.OPTICAL, context)
        sar = self.raster_path(parameters, self.SAR, context)
        source = self.parameterAsSource(parameters, self.TIE_POINT_LAYER, context)
        points_file = self.parameterAsFile(parameters, self.POINTS_INPUT, context)
        if (source is None) == (not points_file):
            raise QgsProcessingException(self.tr("Give either a tie-point layer or a .points file (exactly one of them)."))
        paths = self.output_paths(parameters, context, tuple(filter(None, (optical, sar))))
        model = self.parameterAsEnumString(parameters, self.TRANSFORM, context)
        with user_errors():
            if web:
                try:
                    optical = self.fetch_web_reference(web, sar, core.RegistrationOptions(), feedback)
                except core.RegistrationCancelled:
                    return {}
            optical_info = pipeline.raster_info(optical)
            feedback.setProgressText(self.tr("Reading tie points"))
            if source is not None:
                try:
                    tie_points = tie_points_from_source(source, optical_info, context, feedback, pipeline, outputs)
                except TiePointsCancelled:
                    return {}
            else:
                from ..core.raster_io import own_geotransform

                tie_points = outputs.read_points_file(points_file, optical_info.geotransform, optical_info.crs_wkt, own_geotransform(sar))
            feedback.pushInfo(self.tr("{} tie points read, {} enabled.").format(len(tie_points), int(tie_points.enabled.sum())))
            result = pipeline.result_from_tie_points(optical, sar, tie_points, model)
        feedback.setProgress(25.0)
        return self.write_outputs(result, paths, feedback, start=25.0, grid=self.parameterAsEnumString(parameters, self.OUTPUT_GRID, context))
