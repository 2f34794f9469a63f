"""SAR-to-optical registration: a QGIS plugin over a Qt-free engine (``plugin.core``)."""
