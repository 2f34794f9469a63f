"""Background work as QgsTasks: registration, and writing the outputs.

Following qgis_plugin_tools' BaseTask: ``run`` (worker thread) stores any exception and returns
False; ``finished`` (main thread) hands the task to whoever listens on ``done``, which shows the
error. A task gets file paths and plain data only, never a QGIS layer object.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple, Union

from qgis.core import QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core import RegistrationCancelled, RegistrationOptions, register
from ..core import outputs
from ..core.warnings_heard import warnings_heard
from ..web_layers import WebLayer, fetch_reference, reference_path
from .i18n import tr

LOGGER = logging.getLogger(__name__)
WEB_MAP_SHARE = 0.1  # of the progress bar, for fetching a web map reference


class BaseTask(QgsTask):
    """A cancellable task whose outcome is ``result`` or ``error``, announced by ``done``."""

    done = pyqtSignal(object)  # this task; emitted in the main thread once it has finished

    def __init__(self, description: str):
        super().__init__(description, QgsTask.CanCancel)
        self.result = None
        self.error: Optional[BaseException] = None
        self.warnings: List[str] = []  # what the engine warned of while it worked (``warnings_heard``)

    def work(self):
        raise NotImplementedError

    def run(self) -> bool:  # worker thread
        try:
            with warnings_heard(translate=tr) as self.warnings:  # in QGIS's language
                self.result = self.work()
        except Exception as error:  # noqa: BLE001 -- stored, shown in the main thread by the listener
            self.error = error
            return False
        return True

    def finished(self, ok: bool) -> None:  # main thread
        if not ok and self.error is None:  # cancelled before it started, or terminated
            self.error = RegistrationCancelled("cancelled")
        self.done.emit(self)

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.result is not None


class RegistrationTask(BaseTask):
    """Runs ``core.register`` on two raster files; progress per stage, cancel at every check. The
    optical reference may be a web map (``WebLayer``): it is fetched over the SAR's footprint first,
    into QGIS's temporary folder, and ``optical_path`` is then that file."""

    def __init__(self, optical: Union[str, WebLayer], sar_path: str, options: RegistrationOptions, extractor=None,
                 register_function: Optional[Callable] = None, description: str = ""):
        super().__init__(description or tr("Registering SAR to optical"))
        self.web = optical if isinstance(optical, WebLayer) else None
        self.optical_path = "" if self.web else optical
        self.sar_path, self.options = sar_path, options
        self.extractor = extractor
        self.stage = ""
        self._register = register_function or register  # the tests give a stand-in

    def report(self, stage: str, fraction: float) -> bool:
        """The core's progress callback: records the stage, moves the bar, answers "go on?"."""
        self.stage = stage
        self.setProgress(100.0 * fraction)
        return not self.isCanceled()

    def work(self):
        if self.isCanceled():
            raise RegistrationCancelled("cancelled before reading")
        progress = self.report
        if self.web is not None:  # the first tenth of the bar: fetching it (seconds to minutes, by the server)
            self.optical_path = fetch_reference(self.web, self.sar_path, self.options, reference_path(),
                                                lambda fraction: self.report("web map", WEB_MAP_SHARE * fraction))
            LOGGER.info("fetched the web map '%s' over the SAR raster as %s", self.web.name, self.optical_path)
            progress = lambda stage, fraction: self.report(stage, WEB_MAP_SHARE + (1 - WEB_MAP_SHARE) * fraction)  # noqa: E731
        return self.compute(progress)

    def compute(self, progress):
        """What the task makes of the two rasters (the web map's file once fetched): a registration."""
        if self.extractor is None:
            from ..core.descriptor import DescriptorExtractor

            self.extractor = DescriptorExtractor(self.options.model, self.options.device)
        return self._register(self.optical_path, self.sar_path, self.options, progress=progress, extractor=self.extractor)


class OpenTiePointsTask(RegistrationTask):
    """The dock's Open tie points on a web map: the web map fetched over the SAR as a registration
    fetches it, then the tie points of ``tie_point_file`` read on it instead of matched (their
    optical positions are map coordinates, so the fetched grid need not be the first one)."""

    def __init__(self, web: WebLayer, sar_path: str, options: RegistrationOptions, tie_point_file: str):
        super().__init__(web, sar_path, options, description=tr("Opening tie points"))
        self.tie_point_file = tie_point_file

    def compute(self, progress):
        from ..core.pipeline import raster_info, result_from_tie_points
        from ..core.tie_point_files import read_tie_point_file

        tie_points = read_tie_point_file(self.tie_point_file, raster_info(self.optical_path), self.sar_path)
        progress("done", 1.0)
        return result_from_tie_points(self.optical_path, self.sar_path, tie_points, self.options.warp_model)


@dataclass
class OutputRequest:
    """Which files to write; an empty path means "not this one"."""

    warped_path: str = ""
    points_path: str = ""
    geopackage_path: str = ""
    overwrite: bool = False
    grid: str = "optical"  # of the registered SAR: outputs.OUTPUT_GRIDS
    report_path: str = ""  # the HTML report (core/report.py), written last: it names the files written before it
    optical_name: str = ""  # how the report names the optical raster: a web map layer rather than the file fetched from it

    def is_empty(self) -> bool:
        return not (self.warped_path or self.points_path or self.geopackage_path or self.report_path)


def output_labels() -> dict:
    """What each kind of output is called in the dock (and in its report)."""
    return {"warped": tr("Registered SAR"), "points": tr(".points file"), "geopackage": tr("GeoPackage"), "report": tr("Report")}


def write_report(result, path: str, overwrite: bool = False, written=(), optical_name: str = "") -> str:
    """The dock's HTML report (``core.report``) at ``path``, naming the files ``written`` ((kind, path)
    each) before it, and the optical raster as ``optical_name`` where given."""
    from ..core.report import write_report as write

    labels = output_labels()
    return write(result, path, overwrite, [(labels[kind], written_path) for kind, written_path in written], tr,
                 named=(optical_name, ""))


class WriteOutputsTask(BaseTask):
    """Writes the warped SAR GeoTIFF and the tie-point files; ``result`` lists (kind, path)."""

    def __init__(self, registration_result, request: OutputRequest):
        super().__init__(tr("Writing registered SAR"))
        self.registration_result = registration_result
        self.request = request
        self.stopped_early = False  # cancelled after some files were written (what is written stays)

    def work(self) -> List[Tuple[str, str]]:
        written = []
        jobs = (
            ("warped", self.request.warped_path, outputs.write_warped_sar),
            ("points", self.request.points_path, outputs.write_points_file),
            ("geopackage", self.request.geopackage_path, outputs.write_geopackage),
            ("report", self.request.report_path, write_report),
        )
        for step, (kind, path, writer) in enumerate(jobs):
            if self.isCanceled():
                if not written:
                    raise RegistrationCancelled("cancelled while writing")
                self.stopped_early = True  # what is written stays, and the user is told which
                break
            if path:
                # The warp (seconds on a Sentinel-2 tile) moves the bar and stops on Cancel, writing nothing.
                heard = {"progress": self._share_of(step, len(jobs)), "grid": self.request.grid} if kind == "warped" else {}
                if kind == "report":
                    heard = {"written": list(written), "optical_name": self.request.optical_name}
                writer(self.registration_result, path, overwrite=self.request.overwrite, **heard)
                written.append((kind, path))
                LOGGER.info("wrote %s", path)
            self.setProgress(100.0 * (step + 1) / len(jobs))
        return written

    def _share_of(self, step: int, steps: int):
        """A progress callback for job ``step`` of ``steps``: moves the bar through its share, answers "go on?"."""
        def heard(fraction: float) -> bool:
            self.setProgress(100.0 * (step + fraction) / steps)
            return not self.isCanceled()
        return heard


class KeptOnWebMapTask(RegistrationTask):
    """Tie-point layers kept in a project (``project_storage``) that were measured on a web map
    layer of it: the web map fetched over the SAR again (the file of that session was temporary);
    ``result`` is the fetched file, which the dock then takes the layers up on."""

    def __init__(self, web: WebLayer, sar_path: str, options: RegistrationOptions, layer_ids: dict):
        super().__init__(web, sar_path, options, description=tr("Fetching the web map of the tie points kept in the project"))
        self.layer_ids = dict(layer_ids)

    def compute(self, progress):
        progress("done", 1.0)
        return self.optical_path
