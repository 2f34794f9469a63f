"""Processing algorithm "Register SAR to optical": finds tie points with the DFFCA network, fits
the chosen transform and writes the warped SAR raster, tie points and a report."""
from __future__ import annotations

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from .common import FeedbackProgress, RegistrationAlgorithmBase, engine_warnings_in_log, load_core, shared_extractor, user_errors

DEVICES = ("auto", "cpu", "cuda")
SAR_SCALES = ("auto", "linear", "db", "display")
MATCHERS = ("auto", "structural", "guided", "method")  # as plugin.core.pipeline.MATCHERS (tested)
FEATURES = ("learned", "cfog")  # as plugin.core.dense_features.FEATURES (tested)


class RegisterSarToOpticalAlgorithm(RegistrationAlgorithmBase):
    OPTICAL_BANDS = "OPTICAL_BANDS"
    SAR_BAND = "SAR_BAND"
    DEVICE = "DEVICE"
    MODEL = "MODEL"
    MAX_KEYPOINTS = "MAX_KEYPOINTS"
    SEARCH_RADIUS = "SEARCH_RADIUS"
    IGNORE_GEOREFERENCING = "IGNORE_GEOREFERENCING"
    MUTUAL = "MUTUAL"
    RANSAC_THRESHOLD = "RANSAC_THRESHOLD"
    MIN_INLIERS = "MIN_INLIERS"
    SAR_SCALE = "SAR_SCALE"
    MATCHER = "MATCHER"
    GRID_STEP = "GRID_STEP"
    MAX_ROTATION = "MAX_ROTATION"
    MAX_SCALE = "MAX_SCALE"
    FEATURES = "FEATURES"
    FEATURE_MODEL = "FEATURE_MODEL"
    SELF_CHECK = "SELF_CHECK"
    SELF_CHECK_PX = "SELF_CHECK_PX"

    def name(self) -> str:
        return "registersartooptical"

    def displayName(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr("Register SAR to optical")

    def shortHelpString(self) -> str:  # noqa: N802 (QGIS's name)
        return self.tr(
            "Registers a SAR raster to an optical raster: finds keypoints in the optical raster, finds the rotation, scale and "
            "shift at which the oriented-gradient structures of both rasters correlate best (within the search radius around the "
            "position given by the georeferencing, when both rasters have one), locates each keypoint precisely by template "
            "matching on dense features learnt for optical-SAR matching (or on hand-made CFOG features), rejects outliers with RANSAC and fits the chosen transform. When that search is refused, matcher 'auto' "
            "matches the keypoints with the DFFCA network instead ('guided' does only that); matcher 'method' runs the "
            "published pipeline (keypoints in both rasters, nearest neighbours, adaptive threshold, RANSAC).\n\n"
            "Outputs: the SAR raster warped into the optical raster's grid and CRS (GeoTIFF, with overviews for drawing it zoomed "
            "out; only the part of the grid where the SAR lies when it covers less than a quarter of the optical raster), every "
            "candidate tie point with "
            "why it was kept or rejected (GeoPackage; edit it and re-run 'Warp SAR from tie points'), a .points file for QGIS's "
            "Georeferencer, and a report with counts, the fit RMSE and the left-out RMSE (each tie point against the transform "
            "fitted without it and the points within 96 px: a thin-plate spline's own RMSE is 0).\n\n"
            "Self-check (up to twice the time): registers again with the SAR moved by a known small rotation and shift and "
            "warns when the two fits put the image's corners more than 3 pixels apart; a result that fails it should be "
            "inspected before use.\n\n"
            "The optical reference may be a web map layer of the project (XYZ tiles, WMS, WMTS) when the SAR raster is "
            "georeferenced: it is fetched over the SAR's footprint at about the SAR's pixel size, and the registered SAR is "
            "written on that grid, in the web map's CRS.\n\n"
            "Optical bands: none = luminance of R, G, B (or band 1). Device 'auto' uses a CUDA GPU when PyTorch sees one."
        )

    def initAlgorithm(self, config=None):  # noqa: N802 (QGIS's name)
        self.add_raster_inputs()
        self.addParameter(QgsProcessingParameterBand(
            self.OPTICAL_BANDS, self.tr("Optical band(s) (none: luminance of R, G, B, or band 1)"), None, self.OPTICAL, optional=True, allowMultiple=True))
        self.addParameter(QgsProcessingParameterBand(self.SAR_BAND, self.tr("SAR band (none: band 1)"), None, self.SAR, optional=True))
        self.add_transform()
        self.addParameter(self._choice(self.DEVICE, self.tr("Device"), DEVICES))
        self.addParameter(QgsProcessingParameterBoolean(
            self.SELF_CHECK, self.tr("Self-check: register again with the SAR moved slightly (up to twice the time)"), False))
        advanced = [
            self._choice(self.SAR_SCALE, self.tr("SAR value scale"), SAR_SCALES),
            self._choice(self.MATCHER, self.tr("Matcher"), MATCHERS),
            self._choice(self.FEATURES, self.tr("Features compared by template matching"), FEATURES),
            QgsProcessingParameterNumber(self.GRID_STEP, self.tr("Grid step of the network's SAR candidates (pixels; 0 = automatic)"),
                                         QgsProcessingParameterNumber.Integer, 0, minValue=0, maxValue=64),
            QgsProcessingParameterNumber(self.MAX_ROTATION, self.tr("Rotation searched without georeferencing (degrees, +-)"),
                                         QgsProcessingParameterNumber.Double, 20.0, minValue=0.0, maxValue=180.0),
            QgsProcessingParameterNumber(self.MAX_SCALE, self.tr("Scale searched without georeferencing (1/x to x)"),
                                         QgsProcessingParameterNumber.Double, 1.35, minValue=1.0, maxValue=4.0),
            QgsProcessingParameterNumber(self.MAX_KEYPOINTS, self.tr("Keypoints per image"), QgsProcessingParameterNumber.Integer, 500, minValue=100),
            QgsProcessingParameterNumber(self.SEARCH_RADIUS, self.tr("Search radius (pixels; how far off the georeferencing may be)"),
                                         QgsProcessingParameterNumber.Double, 100.0, minValue=1.0),
            QgsProcessingParameterBoolean(self.IGNORE_GEOREFERENCING, self.tr(
                "Ignore the georeferencing: search the whole image (for georeferencing that is wrong or far off)"), False),
            QgsProcessingParameterBoolean(self.MUTUAL, self.tr("Keep only mutual nearest neighbours"), True),
            QgsProcessingParameterNumber(self.RANSAC_THRESHOLD, self.tr("RANSAC threshold (pixels)"), QgsProcessingParameterNumber.Double, 3.0, minValue=0.1),
            QgsProcessingParameterNumber(self.MIN_INLIERS, self.tr("Minimum tie points"), QgsProcessingParameterNumber.Integer, 8, minValue=3),
            QgsProcessingParameterString(self.MODEL, self.tr("Descriptor model (name in models/manifest.json; empty: default)"), optional=True),
            QgsProcessingParameterString(self.FEATURE_MODEL, self.tr("Dense feature model (name in models/manifest.json; empty: default)"),
                                         optional=True),
        ]
        for parameter in advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(parameter)
        self.add_outputs()
        self.addOutput(QgsProcessingOutputNumber(
            self.SELF_CHECK_PX, self.tr("Self-check: how far the fit moved with the SAR moved slightly (optical pixels)")))
        self.addOutput(QgsProcessingOutputString(self.SELF_CHECK, self.tr("Self-check: passed, FAILED or not run")))

    @staticmethod
    def _choice(key, description, choices):
        parameter = QgsProcessingParameterEnum(key, description, options=list(choices), defaultValue=choices[0])
        parameter.setUsesStaticStrings(True)
        return parameter

    def options_from(self, parameters, context, core):
        optical_bands = tuple(self.parameterAsInts(parameters, self.OPTICAL_BANDS, context)) or None
        sar_band = self.parameterAsInt(parameters, self.SAR_BAND, context)
        return core.RegistrationOptions(
            warp_model=self.parameterAsEnumString(parameters, self.TRANSFORM, context),
            device=self.parameterAsEnumString(parameters, self.DEVICE, context),
            model=self.parameterAsString(parameters, self.MODEL, context).strip() or None,
            max_keypoints=self.parameterAsInt(parameters, self.MAX_KEYPOINTS, context),
            matcher=self.parameterAsEnumString(parameters, self.MATCHER, context),
            features=self.parameterAsEnumString(parameters, self.FEATURES, context),
            feature_model=self.parameterAsString(parameters, self.FEATURE_MODEL, context).strip() or None,
            grid_step=self.parameterAsInt(parameters, self.GRID_STEP, context),
            max_rotation=self.parameterAsDouble(parameters, self.MAX_ROTATION, context),
            max_scale=self.parameterAsDouble(parameters, self.MAX_SCALE, context),
            search_radius=self.parameterAsDouble(parameters, self.SEARCH_RADIUS, context),
            use_georeferencing=not self.parameterAsBoolean(parameters, self.IGNORE_GEOREFERENCING, context),
            mutual=self.parameterAsBoolean(parameters, self.MUTUAL, context),
            ransac_threshold=self.parameterAsDouble(parameters, self.RANSAC_THRESHOLD, context),
            min_inliers=self.parameterAsInt(parameters, self.MIN_INLIERS, context),
            optical_bands=optical_bands,
            sar_bands=(sar_band,) if sar_band > 0 else None,
            sar_scale=self.parameterAsEnumString(parameters, self.SAR_SCALE, context),
            self_check=self.parameterAsBoolean(parameters, self.SELF_CHECK, context),
        )

    @engine_warnings_in_log
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802 (QGIS's name)
        core, _, _ = load_core()
        web = self.web_layer(parameters, self.OPTICAL, context)  # a basemap: fetched over the SAR first
        optical = None if web else self.raster_path(parameters, self.OPTICAL, context)
        sar = self.raster_path(parameters, self.SAR, context)
        paths = self.output_paths(parameters, context, tuple(filter(None, (optical, sar))))
        options = self.options_from(parameters, context, core)
        with user_errors():
            options.check()
            try:
                start = 10.0 if web else 0.0
                if web:
                    optical = self.fetch_web_reference(web, sar, options, feedback, start)
                feedback.setProgressText(self.tr("Loading the descriptor network"))
                extractor = shared_extractor(options.model, options.device)
                result = core.register(optical, sar, options, FeedbackProgress(feedback, start, 90.0 - start), extractor)
            except core.RegistrationCancelled:
                return {}
        feedback.pushInfo(self.tr("Fine matching on {} features; descriptor model {} on {}; keypoints: {} optical, {} SAR.").format(
            result.features, result.model_name or "-", result.device, result.keypoint_counts.get("optical"), result.keypoint_counts.get("sar")))
        results = self.write_outputs(result, paths, feedback, grid=self.parameterAsEnumString(parameters, self.OUTPUT_GRID, context))
        if results and result.self_check_px is not None:
            finite = result.self_check_px != float("inf")
            results[self.SELF_CHECK_PX] = float(result.self_check_px) if finite else None
            results[self.SELF_CHECK] = "FAILED" if result.self_check_failed else "passed"
            if not finite:
                feedback.reportError(self.tr("Self-check FAILED: with the SAR moved slightly the images could not be registered again. "
                                             "Inspect the tie points and the registered raster before using this result."))
            elif result.self_check_failed:
                feedback.reportError(self.tr("Self-check FAILED: with the SAR moved slightly the fit moved by {:.1f} pixels at the corners. "
                                             "Inspect the tie points and the registered raster before using this result.").format(result.self_check_px))
            else:
                feedback.pushInfo(self.tr("Self-check passed: with the SAR moved slightly the fit moved by {:.1f} pixels at the corners.").format(
                    result.self_check_px))
        elif results:
            results[self.SELF_CHECK] = "not run"
        return results
