"""The plugin's toolbar button and Raster-menu entry, and the dock they open.

Nothing heavy is imported until the user opens the dock the first time: QGIS starts as fast as
without the plugin, and missing Python packages (PyTorch, OpenCV...) become a message, not a
failed plugin load.
"""
from __future__ import annotations

import logging
import os
from typing import Optional

from qgis.core import Qgis
from qgis.PyQt.QtGui import QIcon
from qgis.PyQt.QtWidgets import QAction

from .feedback import show_error, title
from .i18n import tr
from .log import install_log_handler, remove_log_handler
from .project_storage import ProjectStorage

LOGGER = logging.getLogger(__name__)
ICON = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "resources", "icon.svg")


def menu_name() -> str:
    return tr("&SAR-Optical Registration")


class DockLauncher:
    def __init__(self, iface):
        self.iface = iface
        self.action: Optional[QAction] = None
        self.controller = None
        self.log_handler = None
        self.storage = None

    def init_gui(self) -> None:
        self.log_handler = install_log_handler()
        self.storage = ProjectStorage()  # the dock's tie points kept in the project, whether the dock is open or not
        self.action = QAction(QIcon(ICON), tr("SAR-Optical Registration"), self.iface.mainWindow())
        self.action.setObjectName("SarOpticalRegistrationAction")
        self.action.setToolTip(tr("Register a SAR raster to an optical raster"))
        self.action.setCheckable(True)
        self.action.triggered.connect(self.toggle_dock)
        self.iface.addRasterToolBarIcon(self.action)
        self.iface.addPluginToRasterMenu(menu_name(), self.action)

    def toggle_dock(self, checked: bool = True) -> None:
        if self.controller is None:
            if not checked or not self._create_controller():
                self.action.setChecked(False)
                return
        self.controller.dock.setUserVisible(checked)

    def _create_controller(self) -> bool:
        try:
            from .controller import DockController
        except ImportError as error:
            self.iface.messageBar().pushMessage(
                title(),
                tr("QGIS's Python cannot import '{module}', which the plugin needs. Install the packages from "
                   "requirements.txt in a virtual environment and add its site-packages folder to PYTHONPATH in "
                   "Settings > Options > System > Environment (see the plugin's README), then restart QGIS.").format(
                    module=getattr(error, "name", None) or str(error)),
                level=Qgis.Critical, duration=0)
            LOGGER.error("missing dependency: %s", error)
            return False
        try:
            self.controller = DockController(self.iface)
        except Exception as error:  # noqa: BLE001 -- never let the plugin take QGIS down
            show_error(self.iface, error, "opening the dock")
            return False
        self.controller.dock.closed.connect(lambda: self.action.setChecked(False))
        self.controller.dock.opened.connect(lambda: self.action.setChecked(True))
        return True

    def unload(self) -> None:
        if self.controller is not None:
            self.controller.unload()
            self.controller = None
        if self.action is not None:
            self.iface.removeRasterToolBarIcon(self.action)
            self.iface.removePluginRasterMenu(menu_name(), self.action)
            self.action.deleteLater()
            self.action = None
        if self.storage is not None:
            self.storage.disconnect()
            self.storage = None
        if self.log_handler is not None:
            remove_log_handler(self.log_handler)
            self.log_handler = None
