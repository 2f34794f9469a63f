"""Gives the dock its behaviour: runs the registration task, turns the result into tie-point
layers, re-fits after edits, writes the outputs, and keeps the settings."""
from __future__ import annotations

import dataclasses
import logging
import os
from typing import Optional

import numpy as np
from qgis.core import QgsApplication, QgsProject, QgsRasterLayer
from qgis.PyQt.QtCore import QObject, Qt
from qgis.PyQt.QtWidgets import QFileDialog

from ..core import RegistrationError, fit_tie_points
from ..core.ground import left_out_rmse_m, metres_text, rms_of_enabled
from ..core.outputs import one_file_twice
from ..core.raster_io import raster_stem, same_image, source_files
from ..core.web_reference import is_xyz_template
from ..web_layers import web_layer_of, xyz_layer
from .canvas import add_or_reload_raster, unique_path, zoom_to_point
from .dock import PREFERRED_WIDTH, RegistrationDock, transform_choices
from .feedback import show_error, show_info, show_success, show_warning
from .i18n import tr
from .layers import TiePointLayers
from .points_table import ID_ROLE
from .project_storage import RASTER_PROPERTIES, WEB_LAYER_NAME_PROPERTY, WEB_LAYER_PROPERTY, kept_pair, read_tie_points
from .raster_input import layer_path
from .settings import SETTINGS_GROUP, load_settings, save_settings
from .task import KeptOnWebMapTask, OpenTiePointsTask, OutputRequest, RegistrationTask, WriteOutputsTask, output_labels

LOGGER = logging.getLogger(__name__)


def stage_label(stage: str) -> str:
    labels = {"read": tr("Reading the rasters"), "coarse alignment": tr("Coarse alignment"), "keypoints": tr("Finding keypoints"),
              "search": tr("Searching rotation, scale and shift"), "descriptors": tr("Describing keypoints (network)"), "matching": tr("Matching"),
              "self-check": tr("Self-check: registering again with the SAR moved slightly"), "done": tr("Done"),
              "web map": tr("Fetching the web map over the SAR raster")}
    return labels.get(stage, stage)


def unpaired_message(unpaired) -> str:
    """Names the points added in one layer only, or without an id, which the fit leaves out."""
    names = {("optical", True): tr("id {id} in the optical layer"), ("sar", True): tr("id {id} in the SAR layer"),
             ("optical", False): tr("one without an id in the optical layer"), ("sar", False): tr("one without an id in the SAR layer")}
    named = [names[side, point_id is not None].format(id=point_id) for side, point_id in unpaired]
    listed = ", ".join(named[:5]) + (", ..." if len(named) > 5 else "")
    return tr("{count} added point(s) not used ({points}): a tie point needs a point with the same id in the optical "
              "and in the SAR tie-point layer, or the other raster's position typed into its fields (sar_x, sar_y or "
              "optical_x, optical_y). Add the missing partner or position, then re-fit.").format(
        count=len(unpaired), points=listed)


def same_fit(fit, other) -> bool:
    """The same transform: a Re-fit without edits gives back the matched fit."""
    return fit.model == other.model and np.allclose(fit.sar_to_optical, other.sar_to_optical, rtol=0, atol=1e-6)


def same_raster(recorded: str, chosen: str) -> bool:
    """Whether the raster a tie-point file records is the one chosen: the same file, or, where the
    recorded one no longer exists (moved), one of the same name."""
    if os.path.exists(recorded) and os.path.exists(chosen):
        return os.path.samefile(recorded, chosen)
    return os.path.basename(recorded) == os.path.basename(chosen)


def found_raster(recorded: str) -> str:
    """The raster file a tie-point record names: itself where it exists, else the project's only
    raster layer of a file of that name (the project and its data moved to another folder or
    machine: QGIS finds its layers relative to the project, the record keeps the old path); "" when
    neither."""
    if not recorded or os.path.exists(recorded):
        return recorded
    named = {os.path.abspath(layer_path(layer)) for layer in QgsProject.instance().mapLayers().values()
             if isinstance(layer, QgsRasterLayer) and os.path.basename(layer_path(layer)) == os.path.basename(recorded)
             and os.path.exists(layer_path(layer))}
    return named.pop() if len(named) == 1 else ""


def kept_web_layer(kept_layer):
    """The project's web map layer that a kept tie-point layer was measured on (``WebLayer``): the
    layer it records, else, when that one was removed and added again, the project's only web map
    layer of its recorded name; None when neither is there."""
    project = QgsProject.instance()
    web = web_layer_of(project.mapLayer(kept_layer.customProperty(WEB_LAYER_PROPERTY) or ""))
    name = kept_layer.customProperty(WEB_LAYER_NAME_PROPERTY) or ""
    if web is not None or not name:
        return web
    named = [found for found in map(web_layer_of, project.mapLayersByName(name)) if found is not None]
    return named[0] if len(named) == 1 else None


def choose_raster(raster_input, path: str) -> None:
    """Chooses the raster file ``path`` in a raster input: its layer where the project has one."""
    for layer in QgsProject.instance().mapLayers().values():
        if isinstance(layer, QgsRasterLayer) and os.path.exists(layer_path(layer)) and os.path.samefile(layer_path(layer), path):
            raster_input.set_layer(layer)
            return
    raster_input.set_path(path)


def _disconnect(signal, slot) -> None:
    """Disconnects ``slot`` from ``signal`` where it is connected."""
    try:
        signal.disconnect(slot)
    except TypeError:  # not connected (PyQt's word for it)
        pass


def gpu_name() -> Optional[str]:
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else None


class DockController(QObject):
    def __init__(self, iface, settings_group: str = SETTINGS_GROUP, parent=None):
        super().__init__(parent)
        self.iface = iface
        self.settings_group = settings_group
        self.dock = RegistrationDock(gpu_name(), iface.mainWindow())
        self.dock.apply_settings(load_settings(settings_group))
        self.task: Optional[RegistrationTask] = None
        self.write_task: Optional[WriteOutputsTask] = None
        self.result = None
        self.matched_fit = None
        self.georeferencing_ignored = False  # the result was matched with Advanced > Ignore the georeferencing ticked
        self.layers: Optional[TiePointLayers] = None
        self._extractor = None
        self._unloaded = False
        self._watched_layers: set = set()  # ids of the tie-point layers whose selection picks the table's row
        self._connect()
        iface.addDockWidget(Qt.RightDockWidgetArea, self.dock)
        if hasattr(iface.mainWindow(), "resizeDocks"):
            iface.mainWindow().resizeDocks([self.dock], [PREFERRED_WIDTH], Qt.Horizontal)
        self.kept_waiting = False  # kept tie points wait for their rasters to be added to the project
        QgsProject.instance().readProject.connect(self.take_kept_tie_points)
        QgsProject.instance().layersAdded.connect(self._layers_added)
        QgsProject.instance().cleared.connect(self._forget_kept)
        self.take_kept_tie_points()  # a project read before the dock was first opened

    def _connect(self) -> None:
        dock = self.dock
        dock.run_button.clicked.connect(self.run)
        dock.cancel_button.clicked.connect(self.cancel)
        dock.refit_button.clicked.connect(self.refit)
        dock.open_points_button.clicked.connect(self.choose_tie_points)
        dock.write_button.clicked.connect(self.write_outputs)
        dock.zoom_button.clicked.connect(self.zoom_to_selected)
        dock.table.doubleClicked.connect(self.zoom_to_selected)
        dock.table_model.used_changed.connect(self.set_used)
        for combo in (dock.transform_combo, dock.device_combo, dock.matcher_combo, dock.features_combo, dock.sar_scale_combo, dock.grid_combo):
            combo.currentIndexChanged.connect(self.save_settings)
        dock.transform_combo.currentIndexChanged.connect(self._transform_chosen)
        for spin in (dock.max_keypoints_spin, dock.grid_step_spin, dock.search_radius_spin, dock.ransac_spin, dock.min_inliers_spin):
            spin.valueChanged.connect(self.save_settings)
        for check in (dock.mutual_check, dock.self_check_check, dock.ignore_georeferencing_check):
            check.toggled.connect(self.save_settings)
        for box in (dock.advanced_box, dock.outputs_box):
            box.collapsedStateChanged.connect(self.save_settings)
        dock.warped_file.fileChanged.connect(self._remember_folder)

    def save_settings(self, *_) -> None:
        save_settings(self.dock.settings(), self.settings_group)

    def _remember_folder(self, path: str) -> None:
        if path and os.path.isdir(os.path.dirname(path)):
            self.dock.output_folder = os.path.dirname(path)
            self.save_settings()

    # --- registration ---------------------------------------------------------------------------
    def run(self) -> Optional[RegistrationTask]:
        """Starts the registration task; returns it (None when the inputs are not usable)."""
        try:
            task = self._make_task()
        except Exception as error:  # noqa: BLE001 -- every error reaches the user, none crashes QGIS
            show_error(self.iface, error, "starting the registration")
            return None
        return self._start(task)

    def _start(self, task: RegistrationTask) -> RegistrationTask:
        self.task = task
        task.progressChanged.connect(self._show_progress)
        task.done.connect(self._registration_done)
        self.dock.set_running(True)
        self.dock.progress_bar.setValue(0)
        self.dock.stage_label.setText(tr("Waiting to start..."))
        QgsApplication.taskManager().addTask(task)
        return task

    def _make_task(self) -> RegistrationTask:
        optical_path, sar_path = self.dock.optical_input.path(), self.dock.sar_input.path()
        web = self.dock.optical_input.web_layer()  # a basemap, fetched over the SAR's footprint by the task
        if not (optical_path or web) or not sar_path:
            raise RegistrationError(tr("Choose an optical and a SAR raster first."),
                                    tr("Pick layers from the project in the two lists, or browse for files with '…'."))
        optical_bands, sar_bands = self.dock.optical_input.bands_choice(), self.dock.sar_input.bands_choice()
        if not web and same_image(optical_path, sar_path, optical_bands, sar_bands):  # the engine refuses it too, untranslated
            raise RegistrationError(tr("The optical and the SAR raster are the same file."), tr("Choose two different rasters."))
        settings = self.dock.settings()
        save_settings(settings, self.settings_group)
        options = settings.to_options(optical_bands, sar_bands)
        options.check()
        key = (options.model, options.device)
        extractor = self._extractor[1] if self._extractor and self._extractor[0] == key else None
        return RegistrationTask(web or optical_path, sar_path, options, extractor)

    def cancel(self) -> None:
        """The dock's Cancel: stops the registration, or the writing of the outputs."""
        for task in (self.task, self.write_task):
            if task is not None:
                self.dock.stage_label.setText(tr("Cancelling..."))
                task.cancel()

    def _show_progress(self, value: float) -> None:
        self.dock.progress_bar.setValue(int(round(value)))
        if self.task is not None and self.task.stage:
            self.dock.stage_label.setText(stage_label(self.task.stage))

    def _registration_done(self, task: RegistrationTask) -> None:
        if task is not self.task:
            return
        self.task = None
        self.dock.set_running(False)
        if task.extractor is not None:
            self._extractor = ((task.options.model, task.options.device), task.extractor)
        if task.error is not None:
            self.dock.progress_bar.setValue(0)
            self.dock.set_has_result(self.result is not None)
            show_error(self.iface, task.error, "the registration")
            self._show_warnings(task)
            return
        if isinstance(task, KeptOnWebMapTask):
            if self._take_kept(task.layer_ids, task.optical_path, task.sar_path, task.web.layer_id) and self.dock.optical_input.combo.currentLayer() is None:
                self.dock.optical_input.set_layer(QgsProject.instance().mapLayer(task.web.layer_id))
            self.dock.set_has_result(self.result is not None)
            self._show_warnings(task)
            return
        try:
            opened = isinstance(task, OpenTiePointsTask)
            self._show_result(task.result, opened_from=os.path.basename(task.tie_point_file) if opened else "",
                              web_layer_id=task.web.layer_id if task.web else "",
                              georeferencing_ignored=not (opened or task.options.use_georeferencing))
        except Exception as error:  # noqa: BLE001
            show_error(self.iface, error, "adding the tie point layers")
        self.dock.set_has_result(self.result is not None)
        self._show_warnings(task)

    def _show_warnings(self, task) -> None:
        """What the engine warned of while ``task`` worked (a raster's georeferencing not used, a fill
        value read as nodata, the CPU used for want of GPU memory): in the message bar, where the user
        looks, not only in the log panel."""
        if task.warnings:  # each once, in order (warnings_heard)
            sentences = [text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".") for text in task.warnings]
            show_warning(self.iface, tr("Note: {warnings}").format(warnings=" ".join(sentences)))

    def _show_result(self, result, opened_from: str = "", web_layer_id: str = "", georeferencing_ignored: bool = False) -> None:
        layers = TiePointLayers(result.optical, result.sar, web_layer_id=web_layer_id)
        layers.create(result.tie_points, result.fit)
        self._take_result(result, layers, georeferencing_ignored)
        if opened_from:
            show_success(self.iface, tr("Opened {path}: {summary}").format(path=opened_from, summary=self.summary()))
        else:
            (show_warning if result.self_check_failed else show_success)(self.iface, self.summary())

    def _take_result(self, result, layers: TiePointLayers, georeferencing_ignored: bool = False) -> None:
        """``result`` and its tie-point ``layers`` become the dock's (a run's, tie points opened, or
        kept in the project): the summary and the table show them, the Tie points tab comes to the
        front, and an output name is suggested."""
        self.result, self.layers = result, layers
        self.matched_fit = result.fit  # what the self-check, if run, checked
        self.georeferencing_ignored = georeferencing_ignored
        self._update_views()
        self.dock.set_has_result(True)
        self.dock.show_tie_points()
        self._suggest_output(result.sar.path)

    # --- tie points saved earlier ---------------------------------------------------------------
    def _layers_added(self, layers) -> None:
        """Kept tie points waiting for their rasters: taken up once a raster layer added brings them."""
        if self.kept_waiting and any(isinstance(layer, QgsRasterLayer) for layer in layers):
            self.take_kept_tie_points(quietly=True)

    def _forget_kept(self) -> None:
        self.kept_waiting = False

    def take_kept_tie_points(self, document=None, quietly: bool = False) -> bool:
        """After a project is read: the topmost tie-point layers the dock kept in it
        (``project_storage``) become the dock's result again, as Open tie points would show them,
        where the dock's own layers are gone (a project read replaces them) and their rasters are
        found; measured on a web map layer of the project, a background task fetches it over the SAR
        first (``KeptOnWebMapTask``). True when it took them, or started that task. With the
        project's ``document`` (QGIS's readProject), its points are put back first, whichever of
        this and the plugin's ``ProjectStorage`` QGIS calls first (putting them back twice does nothing)."""
        self.kept_waiting = False
        if document is not None:
            read_tie_points(QgsProject.instance(), document)
        if self.task is not None or (self.layers is not None and self.layers.exist()):
            return False
        found = kept_pair(QgsProject.instance())
        if found is None:
            return False
        layer_ids = {side: layer.id() for side, layer in zip(("optical", "sar"), found) if layer is not None}
        recorded = [found[0].customProperty(key) or "" for key in RASTER_PROPERTIES]
        optical_path, sar_path = (found_raster(path) for path in recorded)
        on_web = bool(found[0].customProperty(WEB_LAYER_PROPERTY))
        web = kept_web_layer(found[0]) if on_web else None
        if sar_path and not optical_path and web is not None:  # the web map's file of that session is gone: fetched again
            for layer in found:
                if layer is not None:  # the layer found by its name, from now on
                    layer.setCustomProperty(WEB_LAYER_PROPERTY, web.layer_id)
            self._start(KeptOnWebMapTask(web, sar_path, self.dock.settings().to_options(None, None), layer_ids))
            return True
        if not (optical_path and sar_path):  # moved out of the project's sight, or a web map no longer in the project
            self.kept_waiting = True
            if not quietly:
                show_warning(self.iface, self._kept_not_found(found[0], recorded, optical_path, sar_path, on_web))
            return False
        return self._take_kept(layer_ids, optical_path, sar_path)

    def _kept_not_found(self, layer, recorded, optical_path: str, sar_path: str, on_web: bool) -> str:
        """What the user reads when kept tie points' rasters are not found, and how to bring them."""
        missing = []
        if not optical_path:
            name = layer.customProperty(WEB_LAYER_NAME_PROPERTY) or ""
            missing.append(tr("the web map layer '{name}' (optical)").format(name=name) if on_web and name
                           else tr("a web map layer no longer in the project (optical)") if on_web
                           else tr("'{path}' (optical)").format(path=recorded[0]))
        if not sar_path:
            missing.append(tr("'{path}' (SAR)").format(path=recorded[1]))
        return tr("The tie points kept in the project ('{layer}') were measured on rasters not found: {missing}. Add what is missing to "
                  "the project (a raster of the same file name will do; a web map layer of the same name) and the dock takes "
                  "the tie points up; or open a GeoPackage written from them with Open tie points.").format(
                      layer=layer.name(), missing=", ".join(missing))

    def _take_kept(self, layer_ids, optical_path: str, sar_path: str, web_layer_id: str = "") -> bool:
        from ..core.pipeline import raster_info, result_from_tie_points

        try:
            layers = TiePointLayers(raster_info(optical_path), raster_info(sar_path), web_layer_id=web_layer_id)
            edits = layers.adopt(layer_ids)
            result = result_from_tie_points(optical_path, sar_path, edits.tie_points, self.dock.transform_combo.currentData())
            layers.update(edits.tie_points, result.fit)  # as Re-fit leaves them
        except Exception as error:  # noqa: BLE001 -- every error reaches the user, none crashes QGIS
            show_error(self.iface, error, "taking the tie points kept in the project")
            return False
        for raster_input, path in zip((self.dock.optical_input, self.dock.sar_input), (optical_path, sar_path)):
            if not raster_input.path() and os.path.exists(path):
                choose_raster(raster_input, path)
        self._take_result(result, layers)
        show_info(self.iface, tr("Tie points kept in the project: {summary}").format(summary=self.summary()))
        return True

    def choose_tie_points(self) -> bool:
        """The dock's Open tie points: asks for the file, then ``open_tie_points``."""
        path, _ = QFileDialog.getOpenFileName(
            self.dock, tr("Open tie points"), self.dock.output_folder or os.path.expanduser("~"),
            ";;".join((tr("Tie points (*.gpkg *.points)"), tr("GeoPackage (*.gpkg)"), tr("Georeferencer points (*.points)"),
                       tr("All files (*)"))))
        return bool(path) and self.open_tie_points(path)

    def open_tie_points(self, path: str) -> bool:
        """Shows the tie points of ``path`` (see ``core.tie_point_files.read_tie_point_file``) as if a
        registration had found them on the rasters chosen in the dock, fitted with the chosen
        transform: the layers, the table and the outputs work as after Run. A raster not chosen is
        taken from the file's record of the rasters it was written for, where that file exists;
        a chosen one that differs from the record is named in a warning. On a web map as the
        optical, a background task fetches it over the SAR first (``OpenTiePointsTask``); a recorded XYZ
        tile URL (the command line's) with no optical chosen becomes that web map (``xyz_layer``). True when
        the tie points are shown, or that task started."""
        from ..core.pipeline import raster_info, result_from_tie_points
        from ..core.tie_point_files import read_tie_point_file, recorded_rasters

        web = self.dock.optical_input.web_layer()
        try:
            if not os.path.isfile(path):  # said before a web map is fetched for it
                raise RegistrationError(tr("The tie-point file '{path}' does not exist.").format(path=path), tr("Choose an existing file."))
            recorded = recorded_rasters(path)
            if web is None and not self.dock.optical_input.path() and is_xyz_template(recorded[0]):  # measured by the command line on tiles
                layer, added = xyz_layer(recorded[0], QgsProject.instance())
                self.dock.optical_input.set_layer(layer)
                web = self.dock.optical_input.web_layer()
                if added:
                    show_info(self.iface, tr("The tie points were measured on the tile URL '{url}': it is added to the project as the "
                                             "web map layer '{name}', the optical reference.").format(url=recorded[0], name=layer.name()))
            if web is not None:  # what it records for the optical is the web map's file of that day
                recorded = ("", recorded[1])
            inputs = (self.dock.optical_input, self.dock.sar_input)
            for raster_input, raster in zip(inputs, map(found_raster, recorded)):
                if not raster_input.path() and raster:
                    choose_raster(raster_input, raster)
            optical_path, sar_path = (raster_input.path() for raster_input in inputs)
            if not (optical_path or web) or not sar_path:
                self.dock.show_registration()  # where the two lists are
                raise RegistrationError(tr("Choose the optical and the SAR raster the tie points were measured on first."),
                                        tr("Pick them on the Registration tab (or browse for the files), then open the tie points."))
            if web is not None:
                self._start(OpenTiePointsTask(web, sar_path, self.dock.settings().to_options(None, None), path))
            else:
                tie_points = read_tie_point_file(path, raster_info(optical_path), sar_path)
                result = result_from_tie_points(optical_path, sar_path, tie_points, self.dock.transform_combo.currentData())
                self._show_result(result, opened_from=os.path.basename(path))
        except Exception as error:  # noqa: BLE001 -- every error reaches the user, none crashes QGIS
            show_error(self.iface, error, "opening the tie points")
            return False
        others = [(written, chosen) for written, chosen in zip(recorded, (optical_path, sar_path)) if written and not same_raster(written, chosen)]
        if others:
            show_warning(self.iface, " ".join(tr("The tie points were written for '{written}' and are shown on '{chosen}'.").format(
                written=written, chosen=chosen) for written, chosen in others) + " " + tr(
                "If that is not the raster they were measured on, choose it in the dock and open the tie points again."))
        return True

    def _suggest_output(self, sar_path: str) -> None:
        """Proposes <SAR name>_registered.tif (never an existing file) unless the user chose a
        path that can be written."""
        current = self.dock.warped_file.filePath()
        if current and (self.dock.overwrite_check.isChecked() or not os.path.exists(current)):
            return
        if current:
            folder = os.path.dirname(current)
        else:  # beside the SAR's file (a GeoPackage's for its table); home for a SAR read from a URL
            files = source_files(sar_path)
            folder = self.dock.output_folder or (os.path.dirname(os.path.abspath(files[0])) if files else os.path.expanduser("~"))
        self.dock.warped_file.setFilePath(unique_path(os.path.join(folder, f"{raster_stem(sar_path)}_registered.tif")))

    def summary(self) -> str:
        tie, fit = self.result.tie_points, self.result.fit
        model = dict(transform_choices()).get(fit.model, fit.model)
        state = self.layers.state  # the result's tie points and fit, their residuals on the ground worked out with it
        metres = rms_of_enabled(state.metres, state.tie_points.enabled)
        if metres is None:  # an optical raster without a CRS
            text = tr("{used} of {total} matches used; RMSE {rmse} px ({model}).").format(
                used=int(np.count_nonzero(tie.enabled)), total=len(tie), rmse=f"{fit.rmse:.2f}", model=model)
        else:
            text = tr("{used} of {total} matches used; RMSE {rmse} px, {metres} on the ground ({model}).").format(
                used=int(np.count_nonzero(tie.enabled)), total=len(tie), rmse=f"{fit.rmse:.2f}", metres=metres_text(metres), model=model)
        left_out = fit.left_out_rmse  # each point against the fit without it and its neighbours: a thin-plate spline's RMSE above is 0
        if left_out is not None:
            left_out_m = left_out_rmse_m(self.result)
            text += " " + (tr("Left-out RMSE: {rmse} px.").format(rmse=f"{left_out:.2f}") if left_out_m is None else
                           tr("Left-out RMSE: {rmse} px, {metres} on the ground.").format(rmse=f"{left_out:.2f}", metres=metres_text(left_out_m)))
        if self.result.features:
            text += " " + tr("Features: {features}.").format(features=self.result.features)
        check = self.result.self_check_px
        if check is not None and not self.result.self_check_failed:
            text += " " + tr("Self-check passed: with the SAR moved slightly, the fit moved by {moved} px.").format(moved=f"{check:.1f}")
        elif check is not None and check == float("inf"):
            text += " " + tr("Self-check FAILED: with the SAR moved slightly, the images could not be registered again. "
                             "Inspect the tie points before using this result.")
        elif check is not None:
            text += " " + tr("Self-check FAILED: with the SAR moved slightly, the fit moved by {moved} px. "
                             "Inspect the tie points before using this result.").format(moved=f"{check:.1f}")
        if check is not None and not same_fit(self.result.fit, self.matched_fit):
            text += " " + tr("That check was made on the matched tie points: your edits since are not checked.")
        if self.georeferencing_ignored:  # a choice kept from an earlier session: said with every result it shapes
            text += " " + tr("The georeferencing was ignored (Advanced): the whole image was searched.")
        if self.result.model_name:
            seconds = sum(self.result.timing_s.values())
            text += " " + tr("Network {name} on {device}, {seconds} s.").format(
                name=self.result.model_name, device=self.result.device, seconds=f"{seconds:.1f}")
        return text

    def _update_views(self) -> None:
        self.dock.summary_label.setText(self.summary())
        state = self.layers.state if self.layers else None
        selected = self.selected_point_id()
        self.dock.table_model.set_state(state)
        self.dock.table.resizeColumnsToContents()
        if selected is not None:  # the row selected before a Re-fit stays selected and in view
            self._select_row(selected)
        self._watch_selection()

    def _watch_selection(self) -> None:
        """A tie point selected on the map (the select tool, the attribute table, Zoom to point) selects
        its row in the dock's table, so that its residual is in view."""
        for side in ("optical", "sar"):
            layer = self.layers.layer(side) if self.layers else None
            if layer is not None:  # once each (a project read again brings new layers under the same ids)
                _disconnect(layer.selectionChanged, self._show_selected_row)
                layer.selectionChanged.connect(self._show_selected_row)
                self._watched_layers.add(layer.id())

    def _show_selected_row(self, selected, *_) -> None:
        layer = self.sender()
        if not selected or layer is None or self.layers is None or layer.id() not in self.layers.layer_ids.values():
            return  # nothing selected, or the layers of an earlier result
        self._select_row(layer.getFeature(selected[-1]).attribute("id"))

    def _select_row(self, point_id) -> None:
        """Selects the table's row of tie point ``point_id`` and scrolls it into view."""
        proxy = self.dock.table_proxy
        for row in range(proxy.rowCount()):
            index = proxy.index(row, 0)
            if proxy.data(index, ID_ROLE) == point_id:
                self.dock.table.selectRow(row)
                self.dock.table.scrollTo(index)
                return

    # --- editing --------------------------------------------------------------------------------
    def _require_layers(self) -> TiePointLayers:
        if self.layers is None or not self.layers.exist():
            raise RegistrationError(tr("The tie point layers are no longer in the project."), tr("Run the registration again."))
        return self.layers

    def refit(self, announce: bool = True) -> bool:
        """Fits the chosen transform again from the edited layers; True when it worked."""
        try:
            layers = self._require_layers()
            edits = layers.read_edits()
            fit = fit_tie_points(edits.tie_points, self.dock.transform_combo.currentData())
            layers.update(edits.tie_points, fit)
        except Exception as error:  # noqa: BLE001
            show_error(self.iface, error, "re-fitting")
            return False
        self.result = dataclasses.replace(self.result, tie_points=edits.tie_points, fit=fit)
        self._update_views()
        if announce:
            show_success(self.iface, tr("Re-fitted: {summary}").format(summary=self.summary()))
        if edits.unpaired:  # also when writing: what is written leaves them out
            show_warning(self.iface, unpaired_message(edits.unpaired))
        return True

    def _transform_chosen(self, *_) -> None:
        """Another transform chosen with a result shown: fitted again at once (as Re-fit), so that the
        summary and every residual compare the models, the left-out RMSE above all. Not while a
        task runs: a run's result comes with the transform it was started with."""
        if self.result is not None and self.layers is not None and self.layers.exist() and self.task is None and self.write_task is None:
            self.refit()

    def set_used(self, point_id: int, used: bool) -> bool:
        """The table's Used box: sets the point's ``enabled`` in its layer (the optical one, or the SAR one
        where the optical one was removed), as an edit there would, and fits again at once. A fit that
        fails (too few points left) puts the value back. True when the fit was redone."""
        layers = self.layers
        side = next((side for side in ("optical", "sar") if layers is not None and layers.layer(side) is not None), None)
        feature_id = None if side is None else layers.feature_id(side, point_id)
        if feature_id is None:
            return self.refit()  # says what is missing
        layer = layers.layer(side)
        was_editing, field = layer.isEditable(), layer.fields().indexOf("enabled")
        before = layer.getFeature(feature_id).attribute(field)
        if not was_editing:
            layer.startEditing()
        layer.changeAttributeValue(feature_id, field, 1 if used else 0)
        refitted = self.refit()
        if not refitted:
            layer.changeAttributeValue(feature_id, field, before)
        if not was_editing:  # left as it was found: not in edit mode
            layer.commitChanges() if refitted else layer.rollBack()
        return refitted

    def selected_point_id(self) -> Optional[int]:
        rows = self.dock.table.selectionModel().selectedRows() if self.dock.table.selectionModel() else []
        return None if not rows else int(self.dock.table_proxy.data(rows[0], ID_ROLE))

    def zoom_to_selected(self, *_) -> None:
        point_id = self.selected_point_id()
        if point_id is None or self.layers is None or not self.layers.exist():
            return
        layer = self.layers.layer("optical")
        feature_id = self.layers.feature_id("optical", point_id)
        if layer is not None and feature_id is not None:
            geotransform = self.layers.frame("optical")[0]
            zoom_to_point(self.iface.mapCanvas(), layer, feature_id, abs(geotransform[1]) or 1.0)

    # --- outputs --------------------------------------------------------------------------------
    def write_outputs(self) -> Optional[WriteOutputsTask]:
        request = OutputRequest(self.dock.warped_file.filePath(), self.dock.points_file.filePath(),
                                self.dock.geopackage_file.filePath(), self.dock.overwrite_check.isChecked(), self.dock.grid_combo.currentData(),
                                self.dock.report_file.filePath(), self._optical_name())
        try:
            if self.result is None:
                raise RegistrationError(tr("There is no registration result to write."), tr("Run the registration first."))
            if request.is_empty():
                raise RegistrationError(tr("No output file is chosen."), tr("Choose where to write the registered SAR or the tie points."))
            labels = output_labels()
            twice = one_file_twice([(labels[kind], path) for kind, path in (
                ("warped", request.warped_path), ("points", request.points_path), ("geopackage", request.geopackage_path),
                ("report", request.report_path))])
            if twice:
                raise RegistrationError(tr("The outputs '{first}' and '{second}' are both '{path}': the one written second would replace the other.").format(
                    first=twice[0], second=twice[1], path=twice[2]), tr("Give each output its own file name."))
        except RegistrationError as error:
            show_error(self.iface, error)
            return None
        # What is written is what the layers show: their edits and the chosen transform.
        if self.layers is not None and self.layers.exist() and not self.refit(announce=False):
            return None
        task = WriteOutputsTask(self.result, request)
        task.done.connect(self._outputs_done)
        task.progressChanged.connect(self._show_progress)  # the warp takes seconds on a large scene
        self.write_task = task
        self.dock.write_button.setEnabled(False)
        self.dock.cancel_button.setEnabled(True)
        self.dock.progress_bar.setValue(0)
        self.dock.stage_label.setText(tr("Writing the outputs..."))
        QgsApplication.taskManager().addTask(task)
        return task

    def _optical_name(self) -> str:
        """How the report names the optical raster: the web map layer it was fetched from, where it was."""
        web_layer_id = self.layers.web_layer_id if self.layers is not None else ""
        layer = QgsProject.instance().mapLayer(web_layer_id) if web_layer_id else None
        return tr("web map layer '{name}'").format(name=layer.name()) if layer is not None else ""

    def _outputs_done(self, task: WriteOutputsTask) -> None:
        task.progressChanged.disconnect(self._show_progress)
        self.write_task = None
        self.dock.write_button.setEnabled(self.result is not None)
        self.dock.cancel_button.setEnabled(self.task is not None)
        self.dock.stage_label.setText("")
        if task.error is not None:
            show_error(self.iface, task.error, "writing the outputs")
        else:
            for kind, path in task.result:
                if kind == "warped":
                    add_or_reload_raster(path)
            files = ", ".join(path for _, path in task.result)
            if task.stopped_early:
                show_info(self.iface, tr("Cancelled after writing {files}; the other files were not written.").format(files=files))
            else:
                show_success(self.iface, tr("Wrote {files}.").format(files=files))
        self._show_warnings(task)

    # --- teardown -------------------------------------------------------------------------------
    def unload(self) -> None:
        if self._unloaded:
            return
        self._unloaded = True
        for task in (self.task, self.write_task):
            if task is not None:
                task.done.disconnect()
                task.progressChanged.disconnect(self._show_progress)  # its last progress would reach a dock that is gone
                task.cancel()
        self.task = self.write_task = None
        QgsProject.instance().readProject.disconnect(self.take_kept_tie_points)
        QgsProject.instance().layersAdded.disconnect(self._layers_added)
        QgsProject.instance().cleared.disconnect(self._forget_kept)
        for layer_id in self._watched_layers:  # the layers stay in the project; the dock goes
            layer = QgsProject.instance().mapLayer(layer_id)
            if layer is not None:
                _disconnect(layer.selectionChanged, self._show_selected_row)
        self.save_settings()
        self.iface.removeDockWidget(self.dock)
        self.dock.deleteLater()
