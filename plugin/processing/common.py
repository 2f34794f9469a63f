"""What both algorithms share: input rasters, the transform choice, the outputs (warped raster,
tie-point layer, .points file, HTML report, counts), progress and error handling.

The engine is imported inside ``processAlgorithm`` only (``load_core``): it needs PyTorch, and
the toolbox must list the algorithms even where PyTorch is missing.
"""
from __future__ import annotations

import contextlib
import functools
import os
import threading

from qgis.core import (
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorDestination,
)
from qgis.PyQt.QtCore import QCoreApplication


# The same list as plugin.core.transforms.WARP_MODELS (tests check it): importing the core here
# would import PyTorch when QGIS starts.
WARP_MODELS = ("affine", "homography", "poly1", "poly2", "poly3", "tps")
OUTPUT_GRIDS = ("optical", "sar")  # as plugin.core.outputs.OUTPUT_GRIDS (tested)
_EXTRACTOR_LOCK = threading.Lock()
_EXTRACTOR_CACHE = {}


def tr(text: str) -> str:
    return QCoreApplication.translate("SarOpticalRegistration", text)


def load_core():
    """The engine's modules, or a QgsProcessingException that says how to install what is missing."""
    try:
        from .. import core
        from ..core import outputs, pipeline
    except ImportError as error:
        raise QgsProcessingException(tr(
            "The registration engine cannot be loaded ({}). Install PyTorch, OpenCV, SciPy and phasepack for QGIS's "
            "Python and add them to PYTHONPATH (Settings > Options > System > Environment); see the plugin's README."
        ).format(error)) from error
    return core, outputs, pipeline


def engine_warnings_in_log(process):
    """``processAlgorithm`` with the engine's warnings (a raster's georeferencing not used, a fill
    value read as nodata, ...) pushed to the algorithm's log as they come: the dialog's log and
    qgis_process's output, where a toolbox or batch user reads, besides QGIS's log panel."""
    @functools.wraps(process)
    def with_warnings(self, parameters, context, feedback):
        try:
            from ..core.warnings_heard import warnings_heard
        except ImportError:  # the engine cannot load: processAlgorithm's load_core says what to install
            return process(self, parameters, context, feedback)
        with warnings_heard(feedback.pushWarning if feedback is not None else None, translate=tr):
            return process(self, parameters, context, feedback)

    return with_warnings


@contextlib.contextmanager
def user_errors():
    """Turns the engine's RegistrationError (message + fix) into a QgsProcessingException, in QGIS's language."""
    from ..core import RegistrationError

    try:
        yield
    except RegistrationError as error:
        raise QgsProcessingException(error.translated(tr)) from error


def shared_extractor(model, device):
    """One loaded descriptor network, reused by every run with the same model and device (the
    toolbox's batch mode runs the algorithm once per row)."""
    from ..core.descriptor import DescriptorExtractor
    from ..core.model_files import MANIFEST, MODELS_DIR

    manifest = os.path.join(MODELS_DIR, MANIFEST)
    key = (model, device, os.path.getmtime(manifest) if os.path.exists(manifest) else 0)
    with _EXTRACTOR_LOCK:
        if key not in _EXTRACTOR_CACHE:
            _EXTRACTOR_CACHE.clear()
            _EXTRACTOR_CACHE[key] = DescriptorExtractor(model, device)
        return _EXTRACTOR_CACHE[key]


class FeedbackProgress:
    """The engine's ``progress(stage, fraction) -> go on?`` callback on a QgsProcessingFeedback:
    overall fraction mapped onto [start, start + span] percent of the bar, stage names as
    progress text, and "go on?" answered by ``not feedback.isCanceled()``."""

    def __init__(self, feedback, start: float = 0.0, span: float = 100.0):
        self.feedback, self.start, self.span = feedback, start, span
        self.stage = None

    def __call__(self, stage: str, fraction: float) -> bool:
        if stage != self.stage:
            self.stage = stage
            self.feedback.setProgressText(tr("Registration: {}").format(stage))
        self.feedback.setProgress(self.start + self.span * max(0.0, min(1.0, fraction)))
        return not self.feedback.isCanceled()


class RegistrationAlgorithmBase(QgsProcessingAlgorithm):
    """Shared parameters and outputs; subclasses define ``name``, ``displayName``,
    ``initAlgorithm`` and ``processAlgorithm``."""

    OPTICAL = "OPTICAL"
    SAR = "SAR"
    TRANSFORM = "TRANSFORM"
    OUTPUT = "OUTPUT"
    TIE_POINTS = "TIE_POINTS"
    POINTS_FILE = "POINTS_FILE"
    REPORT = "REPORT"
    CANDIDATES = "CANDIDATES"
    TIE_POINTS_USED = "TIE_POINTS_USED"
    RMSE = "RMSE"
    RMSE_M = "RMSE_M"
    LEFT_OUT_RMSE = "LEFT_OUT_RMSE"
    LEFT_OUT_RMSE_M = "LEFT_OUT_RMSE_M"
    OUTPUT_GRID = "OUTPUT_GRID"

    def tr(self, text: str) -> str:
        return tr(text)

    def createInstance(self):  # noqa: N802 (QGIS's name)
        return type(self)()

    def add_raster_inputs(self, optional: bool = False) -> None:
        self.addParameter(QgsProcessingParameterRasterLayer(self.OPTICAL, self.tr("Optical raster (reference)"), optional=optional))
        self.addParameter(QgsProcessingParameterRasterLayer(self.SAR, self.tr("SAR raster (to register)"), optional=optional))

    def add_transform(self) -> None:
        parameter = QgsProcessingParameterEnum(self.TRANSFORM, self.tr("Transform model"), options=list(WARP_MODELS), defaultValue=WARP_MODELS[0])
        parameter.setUsesStaticStrings(True)
        self.addParameter(parameter)

    def add_outputs(self) -> None:
        grid = QgsProcessingParameterEnum(self.OUTPUT_GRID, self.tr("Grid of the registered SAR (optical: the optical raster's; sar: "
                                                                    "north up in the SAR's own CRS and pixel size)"),
                                          options=list(OUTPUT_GRIDS), defaultValue=OUTPUT_GRIDS[0])
        grid.setUsesStaticStrings(True)
        self.addParameter(grid)
        self.addParameter(QgsProcessingParameterRasterDestination(self.OUTPUT, self.tr("Registered SAR raster")))
        self.addParameter(QgsProcessingParameterVectorDestination(
            self.TIE_POINTS, self.tr("Tie points"), QgsProcessing.TypeVectorPoint, optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.POINTS_FILE, self.tr("Tie points for the Georeferencer (.points)"), self.tr("Georeferencer GCP files (*.points)"),
            optional=True, createByDefault=False))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.REPORT, self.tr("Registration report"), self.tr("HTML files (*.html)"), optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.CANDIDATES, self.tr("Candidate matches")))
        self.addOutput(QgsProcessingOutputNumber(self.TIE_POINTS_USED, self.tr("Tie points used for the fit")))
        self.addOutput(QgsProcessingOutputNumber(self.RMSE, self.tr("Fit RMSE (optical pixels)")))
        self.addOutput(QgsProcessingOutputNumber(self.RMSE_M, self.tr("Fit RMSE (metres on the ground; none for an optical raster without a CRS)")))
        self.addOutput(QgsProcessingOutputNumber(self.LEFT_OUT_RMSE, self.tr(
            "Left-out RMSE: each tie point against the fit without it and its neighbours (optical pixels; none with too few points)")))
        self.addOutput(QgsProcessingOutputNumber(self.LEFT_OUT_RMSE_M, self.tr(
            "Left-out RMSE (metres on the ground; none for an optical raster without a CRS)")))

    def web_layer(self, parameters, key: str, context):
        """The layer given as ``key`` when it is a web map (XYZ, WMS, WMTS: ``plugin.web_layers``), else None."""
        from ..web_layers import web_layer_of

        layer = self.parameterAsRasterLayer(parameters, key, context)
        return web_layer_of(layer) if layer is not None and layer.isValid() else None

    def fetch_web_reference(self, web, sar: str, options, feedback, span: float = 10.0) -> str:
        """The web map ``web`` fetched over the SAR raster into QGIS's temporary folder, moving the
        bar through its first ``span`` percent; the file's path. Call it inside ``user_errors``."""
        from ..web_layers import fetch_reference, reference_path

        feedback.setProgressText(self.tr("Fetching the web map '{}' over the SAR raster").format(web.name))
        path = fetch_reference(web, sar, options, reference_path(),
                               lambda fraction: feedback.setProgress(span * fraction) or not feedback.isCanceled())
        feedback.pushInfo(self.tr("The web map '{}' over the SAR raster, as registered against: {}").format(web.name, path))
        return path

    def raster_path(self, parameters, key: str, context) -> str:
        layer = self.parameterAsRasterLayer(parameters, key, context)
        if layer is None or not layer.isValid():
            raise QgsProcessingException(self.tr("The raster given as {} cannot be opened. Choose a raster file (e.g. a GeoTIFF).").format(key))
        if layer.providerType() != "gdal":
            raise QgsProcessingException(self.tr(
                "The {} layer '{}' is not a file GDAL can read (provider '{}'). Save it as a GeoTIFF first (Export > Save As)."
            ).format(key, layer.name(), layer.providerType()))
        load_core()
        from ..core.raster_io import gdal_name

        return gdal_name(layer.source())

    def output_paths(self, parameters, context, inputs=()) -> dict:
        """Plain file paths for each output asked for (None for the optional ones left out),
        checked before any work: GeoTIFF and GeoPackage names, never one of the ``inputs``."""
        raster = self.parameterAsOutputLayer(parameters, self.OUTPUT, context)
        if os.path.splitext(raster)[1].lower() not in (".tif", ".tiff"):
            raise QgsProcessingException(self.tr("The registered SAR raster is written as GeoTIFF: '{}' is not a .tif file name. Choose a name ending in .tif.").format(raster))
        paths = {
            self.OUTPUT: raster,
            self.TIE_POINTS: self.parameterAsOutputLayer(parameters, self.TIE_POINTS, context) or None,
            self.POINTS_FILE: self.parameterAsFileOutput(parameters, self.POINTS_FILE, context) or None,
            self.REPORT: self.parameterAsFileOutput(parameters, self.REPORT, context) or None,
        }
        if paths[self.TIE_POINTS] and not paths[self.TIE_POINTS].lower().endswith(".gpkg"):
            raise QgsProcessingException(self.tr(
                "Tie points are written as a layer of a GeoPackage, not to '{}'. Choose a file name ending in .gpkg (a GeoPackage that exists keeps its other layers).").format(paths[self.TIE_POINTS]))
        _, outputs, _ = load_core()
        twice = outputs.one_file_twice([(self.parameterDefinition(key).description(), path) for key, path in paths.items() if path])
        if twice:
            raise QgsProcessingException(self.tr(
                "The outputs '{}' and '{}' are both '{}': the one written second would replace the other. Give each output its own file name.").format(*twice))
        for path in filter(None, paths.values()):
            if outputs.is_an_input(path, inputs):
                raise QgsProcessingException(self.tr("The output '{}' is one of the input rasters. Choose another output file name.").format(path))
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return paths

    def write_outputs(self, result, paths: dict, feedback, start: float = 90.0, grid: str = "optical") -> dict:
        """Writes every output asked for (replacing old files, never an input; the warped SAR on
        ``grid``) and returns the algorithm's results; {} when cancelled, between outputs or during
        the warp, which then writes nothing (naming in the log any file already written)."""
        core, outputs, _ = load_core()
        writers = ((self.OUTPUT, outputs.write_warped_sar), (self.TIE_POINTS, outputs.write_geopackage), (self.POINTS_FILE, outputs.write_points_file))
        wanted = [(key, writer) for key, writer in writers if paths[key]]
        share = (100.0 - start) / max(1, len(wanted))
        written = []
        for step, (key, writer) in enumerate(wanted):
            def heard(fraction: float, step=step) -> bool:  # the warp: seconds on a Sentinel-2 tile, stopped by Cancel
                feedback.setProgress(start + share * (step + fraction))
                return not feedback.isCanceled()

            try:
                if feedback.isCanceled():
                    raise core.RegistrationCancelled("cancelled between outputs")
                feedback.setProgressText(self.tr("Writing {}").format(os.path.basename(paths[key])))
                with user_errors():
                    writer(result, paths[key], overwrite=True, **({"progress": heard, "grid": grid} if key == self.OUTPUT else {}))
            except core.RegistrationCancelled:  # between outputs, or during the warp, which then wrote nothing
                if written:
                    feedback.pushWarning(self.tr("Cancelled after writing {}; the other files were not written.").format(", ".join(written)))
                return {}
            written.append(paths[key])
            feedback.setProgress(start + share * (step + 1))
        used = int(result.tie_points.enabled.sum())
        results = dict(paths)
        if paths[self.TIE_POINTS]:  # its layer by name: a GeoPackage that held other layers keeps them, and QGIS would open the first
            results[self.TIE_POINTS] = f"{paths[self.TIE_POINTS]}|layername={outputs.TIE_POINT_LAYER}"
        from ..core.ground import left_out_rmse_m, metres_text, rmse_m
        from ..core.warp_residuals import LEFT_OUT_RADIUS_PX
        from ..core.report import write_report

        metres, left_out_m = rmse_m(result), left_out_rmse_m(result)
        results.update({self.CANDIDATES: len(result.tie_points), self.TIE_POINTS_USED: used, self.RMSE: float(result.fit.rmse),
                        self.RMSE_M: metres, self.LEFT_OUT_RMSE: result.fit.left_out_rmse, self.LEFT_OUT_RMSE_M: left_out_m})
        if paths[self.REPORT]:
            labels = {definition.name(): definition.description() for definition in self.destinationParameterDefinitions()}
            written = [(labels.get(key, key), value) for key, value in results.items() if key != self.REPORT and isinstance(value, str) and value]
            # Processing asked before replacing an existing file; an input is still never replaced
            write_report(result, paths[self.REPORT], overwrite=True, written=written, tr=self.tr, title=self.displayName())
        feedback.pushInfo(self.tr("{} tie points used of {} candidates; {} fit RMSE {:.2f} optical pixels.").format(
            used, len(result.tie_points), result.fit.model, result.fit.rmse))
        if metres is not None:
            feedback.pushInfo(self.tr("Fit RMSE on the ground: {}.").format(metres_text(metres)))
        if result.fit.left_out_rmse is not None:
            feedback.pushInfo(self.tr("Left-out RMSE, each tie point against the fit without it and the points within {} px: "
                                      "{:.2f} optical pixels{}.").format(f"{LEFT_OUT_RADIUS_PX:g}", result.fit.left_out_rmse,
                                                                        "" if left_out_m is None else f", {metres_text(left_out_m)}"))
        return results
