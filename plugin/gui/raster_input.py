"""One raster input of the dock: a project layer (rasters GDAL can read; for the optical reference
also a web map: XYZ, WMS, WMTS) or a file, and its band."""
from __future__ import annotations

import os
from typing import Optional, Tuple

from osgeo import gdal
from qgis.core import QgsMapLayerProxyModel, QgsProviderRegistry, QgsRasterLayer
from qgis.gui import QgsMapLayerComboBox
from qgis.PyQt.QtCore import pyqtSignal
from qgis.PyQt.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from ..core.raster_io import gdal_name
from ..web_layers import WEB_PROVIDERS, WebLayer, web_layer_of
from .i18n import tr

# The engine reads rasters with GDAL: hide web services and other providers it cannot read. A web
# map can be the optical reference: QGIS fetches it over the SAR's footprint (plugin/web_layers.py).
NON_FILE_PROVIDERS = ["wms", "wcs", "arcgismapserver", "postgresraster", "virtualraster", "mdal", "ept"]


def layer_path(layer: QgsRasterLayer) -> str:
    """The name GDAL opens for a raster layer (a file path, or a GeoPackage table, a file in a zip...)."""
    return gdal_name(layer.source())


def band_labels(path: str) -> list:
    """("Band i: description") for each band of ``path``; empty when GDAL cannot open it."""
    try:
        dataset = gdal.Open(path)
    except RuntimeError:
        return []
    if dataset is None:
        return []
    labels = []
    for index in range(1, dataset.RasterCount + 1):
        band = dataset.GetRasterBand(index)
        name = band.GetDescription() or gdal.GetColorInterpretationName(band.GetColorInterpretation())
        labels.append(tr("Band {index}").format(index=index) + (f": {name}" if name and name != "Undefined" else ""))
    return labels


class RasterInput(QWidget):
    """Layer combo box (with browsed files as extra items), a browse button and a band choice."""

    changed = pyqtSignal()

    def __init__(self, role: str, parent=None):
        super().__init__(parent)
        self.role = role
        self.combo = QgsMapLayerComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(12)
        self.combo.setFilters(QgsMapLayerProxyModel.RasterLayer)
        self.combo.setExcludedProviders([key for key in NON_FILE_PROVIDERS if role != "optical" or key not in WEB_PROVIDERS])
        self.combo.setAllowEmptyLayer(True)
        self.combo.setShowCrs(True)
        self.browse_button = QToolButton(self)
        self.browse_button.setText("…")
        self.browse_button.setToolTip(tr("Choose a raster file"))
        self.bands = QComboBox(self)
        self.bands.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.bands.setMinimumContentsLength(12)
        self.bands.setToolTip(tr("Band used for matching"))
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.combo, 1)
        row.addWidget(self.browse_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(row)
        column.addWidget(self.bands)
        self.combo.currentIndexChanged.connect(self._source_changed)
        self.browse_button.clicked.connect(self.browse)
        self._source_changed()

    def path(self) -> str:
        """The chosen raster's path; "" when nothing is chosen, or a web map (``web_layer``)."""
        layer = self.combo.currentLayer()
        if layer is not None:
            return "" if web_layer_of(layer) else layer_path(layer)
        text = self.combo.currentText()
        return text if text in self.combo.additionalItems() else ""

    def web_layer(self) -> Optional[WebLayer]:
        """The chosen web map layer, fetched over the SAR's footprint when registration runs; else None."""
        return web_layer_of(self.combo.currentLayer())

    def set_path(self, path: str) -> None:
        items = list(self.combo.additionalItems())
        if path not in items:
            self.combo.setAdditionalItems(items + [path])
        self.combo.setCurrentIndex(self.combo.findText(path))

    def set_layer(self, layer: QgsRasterLayer) -> None:
        self.combo.setLayer(layer)

    def bands_choice(self) -> Optional[Tuple[int, ...]]:
        """None for the engine's default, else the one band chosen."""
        index = self.bands.currentIndex()
        return None if index <= 0 else (index,)

    def browse(self) -> None:
        start = os.path.dirname(self.path()) if self.path() else ""
        filters = QgsProviderRegistry.instance().fileRasterFilters()
        path, _ = QFileDialog.getOpenFileName(self, tr("Choose a raster"), start, filters)
        if path:
            self.set_path(path)

    def _source_changed(self, *_) -> None:
        default = tr("Default band (RGB luminance, else band 1)") if self.role == "optical" else tr("Default band (band 1)")
        self.bands.clear()
        self.bands.addItem(tr("Web map: RGB luminance, fetched over the SAR raster") if self.web_layer() else default)
        path = self.path()
        if path:
            self.bands.addItems(band_labels(path))
        self.changed.emit()
