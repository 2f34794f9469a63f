"""Processing algorithm "Warp SAR from tie points": re-fits the transform on existing (possibly
edited) tie points -- a tie-point layer written by "Register SAR to optical" or a Georeferencer
.points file -- and writes the warped SAR raster again. No network runs."""
from __future__ import annotations

import contextlib
import os

from qgis.core import QgsProcessing, QgsProcessingException, QgsProcessingParameterFeatureSource, QgsProcessingParameterFile

from .common import RegistrationAlgorithmBase, engine_warnings_in_log, load_core, user_errors


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
            "it is fetched over the SAR again. Without the optical or the SAR raster, the one the tie-point GeoPackage records "
            "(the raster its points were measured on) is used.\n\n"
            "Residuals are those of the chosen transform (a thin-plate spline passes through every point it uses: its RMSE is 0); "
            "the left-out RMSE judges it: each tie point against the transform fitted without it and the points within 96 px."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.add_raster_inputs(optional=True)  # the tie-point GeoPackage records them
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.TIE_POINT_LAYER, self.tr("Tie-point layer (fields sar_x, sar_y, enabled)"), [QgsProcessing.TypeVectorPoint], optional=True))
        self.addParameter(QgsProcessingParameterFile(
            self.POINTS_INPUT, self.tr("or a Georeferencer .points file"), QgsProcessingParameterFile.File, "points", optional=True))
        self.add_transform()
        self.add_outputs()

    def recorded_rasters(self, parameters, context):
        """The optical and the SAR raster the tie-point layer's GeoPackage records ("" for each it
        does not: a .points file, a layer held in memory, a file written by an older version)."""
        from qgis.core import QgsProviderRegistry

        from ..core.tie_point_files import recorded_rasters

        layer = self.parameterAsVectorLayer(parameters, self.TIE_POINT_LAYER, context)
        if layer is None or layer.providerType() != "ogr":
            return "", ""
        parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
        return recorded_rasters(parts.get("path", ""), parts.get("layerName") or None)

    def given_or_recorded(self, parameters, key: str, context, recorded: str) -> str:
        """The raster given as ``key``, else the one the tie points record, where that file exists (or
        is the XYZ tile URL the command line registered on: fetched again in ``processAlgorithm``)."""
        from ..core.web_reference import is_xyz_template

        if self.parameterAsRasterLayer(parameters, key, context) is not None:
            return self.raster_path(parameters, key, context)
        if recorded and (os.path.exists(recorded) or (key == self.OPTICAL and is_xyz_template(recorded))):
            return recorded
        if recorded:
            raise QgsProcessingException(self.tr(
                "No {} raster is given, and the one the tie points record, '{}', does not exist (moved or removed). Give it.").format(key, recorded))
        raise QgsProcessingException(self.tr(
            "No {} raster is given, and the tie points do not record one (a .points file, or a layer not written by this plugin). Give it.").format(key))

    @engine_warnings_in_log
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        core, outputs, pipeline = load_core()
        from ..core.tie_point_files import read_tie_point_file  # the engine: imported here, as load_core does
        from ..core.web_reference import optical_reference
        from ..tie_point_source import tie_points_from_source

        source = self.parameterAsSource(parameters, self.TIE_POINT_LAYER, context)
        points_file = self.parameterAsFile(parameters, self.POINTS_INPUT, context)
        if (source is None) == (not points_file):
            raise QgsProcessingException(self.tr("Give either a tie-point layer or a .points file (exactly one of them)."))
        recorded = self.recorded_rasters(parameters, context)
        web = self.web_layer(parameters, self.OPTICAL, context)  # a basemap: fetched over the SAR again, as registration did
        optical = None if web else self.given_or_recorded(parameters, self.OPTICAL, context, recorded[0])
        sar = self.given_or_recorded(parameters, self.SAR, context, recorded[1])
        paths = self.output_paths(parameters, context, tuple(filter(None, (optical, sar))))
        model = self.parameterAsEnumString(parameters, self.TRANSFORM, context)
        with user_errors(), contextlib.ExitStack() as fetched:
            if web:
                try:
                    optical = self.fetch_web_reference(web, sar, core.RegistrationOptions(), feedback)
                except core.RegistrationCancelled:
                    return {}
            # the tile URL the tie points record: fetched over the SAR again into a temporary file, on the same grid,
            # removed once the outputs are written
            optical = fetched.enter_context(optical_reference(optical, sar, core.RegistrationOptions()))
            optical_info = pipeline.raster_info(optical)
            feedback.setProgressText(self.tr("Reading tie points"))
            if source is not None:
                try:
                    tie_points = tie_points_from_source(source, optical_info, context.transformContext(), feedback.isCanceled,
                                                        lambda share: feedback.setProgress(20.0 * share))
                except core.RegistrationCancelled:
                    return {}
            else:
                tie_points = read_tie_point_file(points_file, optical_info, sar)
            feedback.pushInfo(self.tr("{} tie points read, {} enabled.").format(len(tie_points), int(tie_points.enabled.sum())))
            result = pipeline.result_from_tie_points(optical, sar, tie_points, model)
            feedback.setProgress(25.0)
            return self.write_outputs(result, paths, feedback, start=25.0, grid=self.parameterAsEnumString(parameters, self.OUTPUT_GRID, context))
