"""The QGIS plugin object: only initGui / initProcessing / unload. The work lives elsewhere:
the dock in ``plugin/gui``, the Processing provider in ``plugin/processing``, the engine in
``plugin/core`` (Qt-free)."""
from __future__ import annotations

from qgis.core import QgsApplication


class SarOpticalRegistrationPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None
        self.dock_controller = None
        from .gui.i18n import install_translator

        self.translator = install_translator()  # the QGIS interface language, when i18n/ has it

    # --- Processing (plugin/processing) -------------------------------------------------------
    def initProcessing(self):  # noqa: N802 (QGIS's name)
        from .processing.provider import RegistrationProvider

        self.provider = RegistrationProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def _unload_processing(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None

    # --- Dock (plugin/gui) ----------------------------------------------------------------------
    def _init_dock(self):
        from .gui.launcher import DockLauncher

        self.dock_controller = DockLauncher(self.iface)
        self.dock_controller.init_gui()

    def _unload_dock(self):
        from .gui.i18n import remove_translator

        if self.dock_controller is not None:
            self.dock_controller.unload()
            self.dock_controller = None
        remove_translator(self.translator)
        self.translator = None

    # --- QGIS hooks -----------------------------------------------------------------------------
    def initGui(self):  # noqa: N802 (QGIS's name)
        self.initProcessing()
        self._init_dock()

    def unload(self):
        self._unload_dock()
        self._unload_processing()
