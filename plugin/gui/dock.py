"""The dock's widgets and layout only; ``controller.py`` gives them behaviour."""
from __future__ import annotations

from typing import Optional

from qgis.gui import QgsCollapsibleGroupBox, QgsDockWidget, QgsFileWidget
from qgis.PyQt.QtCore import Qt
from qgis.PyQt.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QGroupBox,
                                 QHBoxLayout, QLabel, QLayout, QProgressBar, QPushButton, QScrollArea, QSpinBox,
                                 QTabWidget, QVBoxLayout, QWidget)

from ..core.pipeline import AUTO_GRID_STEPS, AUTO_GRID_TILE, DESCRIPTOR_QUERIES
from .i18n import tr
from .points_table import USED, TiePointTableModel, TiePointTableView, sortable
from .raster_input import RasterInput
from .settings import DockSettings

DOCK_OBJECT_NAME = "SarOpticalRegistrationDock"
PREFERRED_WIDTH = 430
REGISTRATION_TAB, TIE_POINTS_TAB = range(2)


def transform_choices():
    return [("affine", tr("Affine")), ("homography", tr("Projective (homography)")), ("poly1", tr("Polynomial, order 1")),
            ("poly2", tr("Polynomial, order 2")), ("poly3", tr("Polynomial, order 3")), ("tps", tr("Thin plate spline"))]


def matcher_choices():
    return [("auto", tr("Automatic: structural search, then the network")), ("structural", tr("Structural search only")),
            ("guided", tr("Network on a dense SAR grid")), ("method", tr("Keypoints in both images (published method)"))]


def feature_choices():
    return [("learned", tr("Learned optical-SAR features")), ("cfog", tr("Oriented gradients (CFOG)"))]


def sar_scale_choices():
    return [("auto", tr("Guess from the data")), ("linear", tr("Linear backscatter")), ("db", tr("Decibels (dB)")),
            ("display", tr("Display values (8/16 bit)"))]


def compressible(combo: QComboBox) -> QComboBox:
    """A combo box that may be narrower than its longest item, so the dock can be narrow."""
    combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(12)
    return combo


def _combo(choices) -> QComboBox:
    combo = compressible(QComboBox())
    for value, label in choices:
        combo.addItem(label, value)
    return combo


def _select(combo: QComboBox, value) -> None:
    index = combo.findData(value)
    if index >= 0 and combo.model().item(index).isEnabled():
        combo.setCurrentIndex(index)


def _file_widget(title: str, file_filter: str) -> QgsFileWidget:
    widget = QgsFileWidget()
    widget.setStorageMode(QgsFileWidget.SaveFile)
    widget.setConfirmOverwrite(False)  # the "overwrite" box decides, also for typed paths
    widget.setDialogTitle(title)
    widget.setFilter(file_filter)
    return widget


def _scrolled(parts, stretch: Optional[int] = None) -> QScrollArea:
    """``parts`` (widgets and layouts) one below the other in a scroll area; the one at ``stretch``
    takes the height left, else the parts keep theirs at the top."""
    body = QWidget()
    layout = QVBoxLayout(body)
    for index, part in enumerate(parts):
        factor = 1 if index == stretch else 0
        layout.addLayout(part, factor) if isinstance(part, QLayout) else layout.addWidget(part, factor)
    if stretch is None:
        layout.addStretch(1)
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)  # no frame inside the tab: the dock keeps its width for the fields
    scroll.setWidget(body)
    return scroll


class RegistrationDock(QgsDockWidget):
    def __init__(self, gpu_name: Optional[str] = None, parent=None):
        super().__init__(tr("SAR-Optical Registration"), parent)
        self.setObjectName(DOCK_OBJECT_NAME)
        self.output_folder = ""
        # Two tabs: what to register and how, then the tie points with the outputs written from them. On one page
        # the settings left the table four or five rows on a laptop's screen; on its own tab it has the dock's height.
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)  # no frame around the page: the dock keeps its width for the fields
        self.tabs.addTab(_scrolled([self._inputs(), self._options(gpu_name), self._advanced(), self._run_row()]), tr("Registration"))
        self.tabs.addTab(_scrolled([self._results(), self._outputs()], stretch=0), tr("Tie points"))
        self.setWidget(self.tabs)
        self.set_running(False)
        self.set_has_result(False)

    # --- sections -------------------------------------------------------------------------------
    def _inputs(self) -> QGroupBox:
        box = QGroupBox(tr("Inputs"))
        form = QFormLayout(box)
        self.optical_input = RasterInput("optical")
        self.sar_input = RasterInput("sar")
        form.addRow(tr("Optical (reference)"), self.optical_input)
        form.addRow(tr("SAR (to register)"), self.sar_input)
        return box

    def _options(self, gpu_name: Optional[str]) -> QGroupBox:
        box = QGroupBox(tr("Transform and device"))
        form = QFormLayout(box)
        self.transform_combo = _combo(transform_choices())
        self.transform_combo.setToolTip(tr("The transform the registered SAR is written with. Chosen with tie points shown, they are "
                                           "fitted again at once: compare the transforms by the left-out RMSE in the summary "
                                           "(a thin-plate spline passes through every point, so its own RMSE is 0)."))
        found = tr("GPU found: {name}").format(name=gpu_name) if gpu_name else tr("no GPU found, uses the CPU")
        self.device_combo = _combo([("auto", tr("Auto ({found})").format(found=found)), ("cpu", tr("CPU")),
                                    ("cuda", tr("GPU (CUDA)") if gpu_name else tr("GPU (CUDA): not available"))])
        self.device_combo.model().item(2).setEnabled(bool(gpu_name))
        self.self_check_check = QCheckBox(tr("Self-check (up to twice the time)"))
        self.self_check_check.setToolTip(tr("Registers again with the SAR moved by a known small rotation and shift, and warns when the "
                                            "two fits put the image's corners more than 3 px apart: such a result should be inspected "
                                            "before use."))
        form.addRow(tr("Transform"), self.transform_combo)
        form.addRow(tr("Device"), self.device_combo)
        form.addRow("", self.self_check_check)
        return box

    def _advanced(self) -> QgsCollapsibleGroupBox:
        self.advanced_box = QgsCollapsibleGroupBox(tr("Advanced"))
        form = QFormLayout(self.advanced_box)
        self.max_keypoints_spin = QSpinBox()
        self.max_keypoints_spin.setRange(100, 50000)
        self.max_keypoints_spin.setSingleStep(500)
        self.max_keypoints_spin.setToolTip(tr("The tie points looked for: template matching locates this many keypoints, spread over the "
                                              "image. More give a slightly tighter fit and take longer. The network's matchers query at "
                                              "least {queries} keypoints whatever this says.").format(queries=DESCRIPTOR_QUERIES))
        self.matcher_combo = _combo(matcher_choices())
        self.matcher_combo.setToolTip(tr("Automatic finds the rotation, scale and shift at which both images' structures correlate best and "
                                         "uses the network only when that is refused; all but the published method then locate each "
                                         "keypoint precisely by template matching."))
        self.features_combo = _combo(feature_choices())
        self.features_combo.setToolTip(tr("What template matching compares to place each keypoint precisely: features a network "
                                          "learnt for optical-SAR matching, or hand-made oriented-gradient channels."))
        self.grid_step_spin = QSpinBox()
        self.grid_step_spin.setRange(0, 64)
        self.grid_step_spin.setSuffix(" px")
        self.grid_step_spin.setSpecialValueText(tr("automatic"))  # 0: the engine chooses (pipeline.grid_step_for)
        self.grid_step_spin.setToolTip(tr("Distance between the network's SAR candidates (the guided matcher, and the automatic "
                                          "matcher when it falls back on the network); automatic: {fine} px, or {coarse} px where the "
                                          "automatic matcher falls back on the network on an image larger than {tile} x {tile} px")
                                       .format(fine=AUTO_GRID_STEPS[0], coarse=AUTO_GRID_STEPS[1], tile=AUTO_GRID_TILE))
        self.search_radius_spin = QDoubleSpinBox()
        self.search_radius_spin.setRange(1.0, 5000.0)
        self.search_radius_spin.setSuffix(" px")
        self.search_radius_spin.setToolTip(tr("How far the georeferencing of the SAR raster may be off (used when both rasters are georeferenced)"))
        self.ignore_georeferencing_check = QCheckBox(tr("Ignore the georeferencing (search the whole image)"))
        self.ignore_georeferencing_check.setToolTip(tr("For a raster whose georeferencing is wrong, or further off than any search "
                                                       "radius: the images are matched as if neither had any (slower; a mirrored "
                                                       "image is not found). The outputs are still on the optical raster's grid."))
        self.mutual_check = QCheckBox(tr("Keep only mutual nearest neighbours"))
        self.ransac_spin = QDoubleSpinBox()
        self.ransac_spin.setRange(0.5, 50.0)
        self.ransac_spin.setSingleStep(0.5)
        self.ransac_spin.setSuffix(" px")
        self.ransac_spin.setToolTip(tr("How far, in optical pixels, a match may lie from the fitted transform and still agree with it "
                                       "(the first check's tolerance too)"))
        self.min_inliers_spin = QSpinBox()
        self.min_inliers_spin.setRange(3, 1000)
        self.min_inliers_spin.setToolTip(tr("Matches that must agree on one transform, or the registration is refused: the first check "
                                            "counts them once per template-sized cell of the image, the last counts the tie points kept. "
                                            "Raise it to refuse weak results rather than show them."))
        self.sar_scale_combo = _combo(sar_scale_choices())
        form.addRow(tr("Keypoints per image"), self.max_keypoints_spin)
        form.addRow(tr("Matcher"), self.matcher_combo)
        form.addRow(tr("Features"), self.features_combo)
        form.addRow(tr("Grid step"), self.grid_step_spin)
        form.addRow(tr("Search radius"), self.search_radius_spin)
        form.addRow("", self.ignore_georeferencing_check)
        form.addRow("", self.mutual_check)
        form.addRow(tr("RANSAC threshold"), self.ransac_spin)
        form.addRow(tr("Minimum matches"), self.min_inliers_spin)
        form.addRow(tr("SAR values"), self.sar_scale_combo)
        self.advanced_box.setCollapsed(True)
        return self.advanced_box

    def _run_row(self) -> QVBoxLayout:
        column = QVBoxLayout()
        row = QHBoxLayout()
        self.run_button = QPushButton(tr("Run"))
        self.cancel_button = QPushButton(tr("Cancel"))
        row.addWidget(self.run_button, 1)
        row.addWidget(self.cancel_button)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 100)
        self.stage_label = QLabel()
        column.addLayout(row)
        column.addWidget(self.progress_bar)
        column.addWidget(self.stage_label)
        return column

    def _results(self) -> QWidget:
        box = QWidget()  # the tab names it
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        self.summary_label = QLabel(tr("No result yet."))
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.table_model = TiePointTableModel(self)
        self.table_proxy = sortable(self.table_model)
        self.table = TiePointTableView()
        self.table.setModel(self.table_proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(140)
        self.table.sortByColumn(USED, Qt.DescendingOrder)  # the points in use first, then by id
        self.zoom_button = QPushButton(tr("Zoom to point"))
        self.refit_button = QPushButton(tr("Re-fit"))
        self.refit_button.setToolTip(tr("Fit the transform again from the tie point layers after you deleted, moved or "
                                        "disabled points (set 'enabled' to 0), or added a point in both layers under the "
                                        "same id; the network does not run again."))
        self.open_points_button = QPushButton(tr("Open tie points..."))
        self.open_points_button.setToolTip(tr("Open tie points saved earlier (a GeoPackage written by the dock, the toolbox or the "
                                              "command line, or a Georeferencer .points file) on the optical and SAR raster chosen "
                                              "on the Registration tab (a GeoPackage chooses the rasters it was written for when none are), to "
                                              "inspect, edit, re-fit and write them; nothing is matched."))
        row = QHBoxLayout()
        row.addWidget(self.zoom_button)
        row.addWidget(self.refit_button)
        row.addWidget(self.open_points_button)
        column.addWidget(self.summary_label)
        column.addWidget(self.table, 1)
        column.addLayout(row)
        return box

    def _outputs(self) -> QgsCollapsibleGroupBox:
        """Foldable: a surveyor working down the table above folds it away, and the table takes its room."""
        self.outputs_box = box = QgsCollapsibleGroupBox(tr("Outputs"))
        form = QFormLayout(box)
        self.warped_file = _file_widget(tr("Registered SAR GeoTIFF"), tr("GeoTIFF (*.tif *.tiff)"))
        self.points_file = _file_widget(tr("Tie points for the Georeferencer"), tr("Georeferencer points (*.points)"))
        self.geopackage_file = _file_widget(tr("Tie points as GeoPackage"), tr("GeoPackage (*.gpkg)"))
        self.report_file = _file_widget(tr("Registration report"), tr("HTML files (*.html)"))
        self.report_file.setToolTip(tr("The fit's RMSE (optical pixels and metres on the ground), the counts, and every tie point "
                                       "with its residual, as an HTML page"))
        self.overwrite_check = QCheckBox(tr("Overwrite existing files"))
        self.grid_combo = _combo([("optical", tr("The optical raster's grid and CRS")),
                                  ("sar", tr("North up in the SAR raster's own CRS and pixel size"))])
        self.grid_combo.setToolTip(tr("Where the registered SAR's pixels lie. The SAR's own CRS suits a web map reference, "
                                      "which is in web Mercator; the tie points stay in the optical raster's CRS."))
        self.write_button = QPushButton(tr("Write outputs"))
        form.addRow(tr("Registered SAR"), self.warped_file)
        form.addRow(tr("Written on"), self.grid_combo)
        form.addRow(tr(".points file"), self.points_file)
        form.addRow(tr("GeoPackage"), self.geopackage_file)
        form.addRow(tr("Report"), self.report_file)
        form.addRow("", self.overwrite_check)
        form.addRow(self.write_button)
        return box

    # --- state ----------------------------------------------------------------------------------
    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for widget in (self.optical_input, self.sar_input, self.zoom_button, self.refit_button, self.write_button, self.open_points_button):
            widget.setEnabled(not running)
        self.table_model.checkable = not running  # its Used boxes re-fit
        if not running:
            self.stage_label.setText("")

    def set_has_result(self, has_result: bool) -> None:
        for widget in (self.zoom_button, self.refit_button, self.write_button):
            widget.setEnabled(has_result)

    def show_registration(self) -> None:
        """The Registration tab brought to the front: the inputs and settings are there."""
        self.tabs.setCurrentIndex(REGISTRATION_TAB)

    def show_tie_points(self) -> None:
        """The Tie points tab brought to the front: a new result (a run, tie points opened or kept in
        the project) is there. A run that fails leaves the tab where it was."""
        self.tabs.setCurrentIndex(TIE_POINTS_TAB)

    def settings(self) -> DockSettings:
        return DockSettings(
            warp_model=self.transform_combo.currentData(), device=self.device_combo.currentData(),
            max_keypoints=self.max_keypoints_spin.value(), matcher=self.matcher_combo.currentData(),
            features=self.features_combo.currentData(),
            grid_step=self.grid_step_spin.value(), search_radius=self.search_radius_spin.value(),
            ignore_georeferencing=self.ignore_georeferencing_check.isChecked(),
            mutual=self.mutual_check.isChecked(), ransac_threshold=self.ransac_spin.value(),
            min_inliers=self.min_inliers_spin.value(), sar_scale=self.sar_scale_combo.currentData(),
            advanced_open=not self.advanced_box.isCollapsed(), outputs_open=not self.outputs_box.isCollapsed(),
            output_folder=self.output_folder,
            self_check=self.self_check_check.isChecked(), output_grid=self.grid_combo.currentData(),
        )

    def apply_settings(self, settings: DockSettings) -> None:
        _select(self.transform_combo, settings.warp_model)
        _select(self.device_combo, settings.device)
        self.max_keypoints_spin.setValue(settings.max_keypoints)
        _select(self.matcher_combo, settings.matcher)
        _select(self.features_combo, settings.features)
        self.grid_step_spin.setValue(settings.grid_step)
        self.search_radius_spin.setValue(settings.search_radius)
        self.ignore_georeferencing_check.setChecked(settings.ignore_georeferencing)
        self.mutual_check.setChecked(settings.mutual)
        self.ransac_spin.setValue(settings.ransac_threshold)
        self.min_inliers_spin.setValue(settings.min_inliers)
        _select(self.sar_scale_combo, settings.sar_scale)
        self.advanced_box.setCollapsed(not settings.advanced_open)
        self.outputs_box.setCollapsed(not settings.outputs_open)
        self.output_folder = settings.output_folder
        self.self_check_check.setChecked(settings.self_check)
        _select(self.grid_combo, settings.output_grid)
