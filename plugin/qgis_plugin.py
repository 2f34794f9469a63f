"""The QGIS plugin object: only initGui / unload. The dock and the Processing provider are
added by their own modules (see the open issues for the QGIS dock and Processing provider)."""
from __future__ import annotations


class SarOpticalRegistrationPlugin:
    def __init__(self, iface):
        self.iface = iface

    def initGui(self):  # noqa: N802 (QGIS's name)
        pass

    def unload(self):
        pass
