"""The QGIS dock of the plugin: widgets, the background task, tie-point layers and outputs.

Everything here is a thin adapter over the Qt-free engine in ``..core``: the dock collects
options, a ``QgsTask`` runs ``core.register`` with file paths, and the result becomes editable
point layers that ``core.fit_tie_points`` re-fits without the network.
"""
