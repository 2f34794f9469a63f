"""QGIS entry point. Imports nothing heavy until QGIS loads the plugin."""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin.qgis_plugin import SarOpticalRegistrationPlugin

    return SarOpticalRegistrationPlugin(iface)
