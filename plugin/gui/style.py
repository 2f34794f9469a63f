"""How tie points look: kept matches as filled green dots, rejected ones as crosses coloured by
the stage that rejected them, points the user disabled as hollow blue circles, and points the user
added that no fit has used yet (no residual) as yellow diamonds. On the optical side a kept point
also shows its residual as a line, as QGIS's Georeferencer does: from the point to where the fit
puts it, drawn ``RESIDUAL_EXAGGERATION`` times longer, so that the points that pull the fit stand out."""
from __future__ import annotations

from typing import Optional, Sequence

from qgis.core import (QgsCategorizedSymbolRenderer, QgsGeometryGeneratorSymbolLayer, QgsLineSymbol, QgsMarkerSymbol,
                       QgsRendererCategory, QgsSymbol)

from .i18n import tr

# One expression, so that editing "enabled" or "rejected_by" restyles a point at once.
STATUS_EXPRESSION = (
    "CASE WHEN \"residual\" IS NULL THEN 'added' "
    "WHEN \"enabled\" = 1 THEN 'kept' "
    "WHEN \"rejected_by\" IS NULL OR \"rejected_by\" IN ('', 'user') THEN 'user' "
    "WHEN \"rejected_by\" IN ('mutual', 'adaptive_threshold', 'template', 'ransac') THEN \"rejected_by\" "
    "ELSE 'other' END"
)


def _categories():
    """(value, label, symbol properties, opacity), drawn in this order (kept last = on top)."""
    cross = {"name": "cross2", "outline_width": "0.5"}
    return [
        ("mutual", tr("Rejected: not mutual nearest neighbours"), {**cross, "color": "#fb9a99", "outline_color": "#fb9a99", "size": "1.6"}, 0.6),
        ("adaptive_threshold", tr("Rejected: descriptor distance too large"), {**cross, "color": "#ff7f00", "outline_color": "#ff7f00", "size": "1.8"}, 0.6),
        ("template", tr("Rejected: no clear template match"), {**cross, "color": "#cab2d6", "outline_color": "#cab2d6", "size": "1.6"}, 0.6),
        ("ransac", tr("Rejected: outlier (RANSAC)"), {**cross, "color": "#e31a1c", "outline_color": "#e31a1c", "size": "2.0"}, 0.8),
        ("user", tr("Disabled by you"), {"name": "circle", "color": "0,0,0,0", "outline_color": "#1f78b4", "outline_width": "0.6", "size": "3.0"}, 1.0),
        ("kept", tr("Kept: used in the fit"), {"name": "circle", "color": "#33e02c", "outline_color": "#0b3d0a", "outline_width": "0.4", "size": "3.2"}, 1.0),
        ("added", tr("Added by you: not used until Re-fit"), {"name": "diamond", "color": "#ffff33", "outline_color": "#000000", "outline_width": "0.4", "size": "3.6"}, 1.0),
    ]


RESIDUAL_EXAGGERATION = 20
RESIDUAL_COLOUR = "#b2182b"


def _symbol(properties, opacity):
    symbol = QgsMarkerSymbol.createSimple(properties)
    symbol.setOpacity(opacity)
    return symbol


def residual_expression(geotransform: Sequence[float]) -> str:
    """The line from a point to where the fit puts it, ``RESIDUAL_EXAGGERATION`` times longer: the
    fields dx, dy (predicted - measured, optical pixels) through the optical raster's geotransform."""
    a, b, d, e = (float(v) * RESIDUAL_EXAGGERATION for v in (geotransform[1], geotransform[2], geotransform[4], geotransform[5]))
    return (f'make_line($geometry, make_point($x + {a!r} * "dx" + {b!r} * "dy", $y + {d!r} * "dx" + {e!r} * "dy"))')


def _with_residual_line(symbol: QgsMarkerSymbol, geotransform: Sequence[float]) -> QgsMarkerSymbol:
    """``symbol`` with its point's residual line drawn under it."""
    line = QgsGeometryGeneratorSymbolLayer.create({"geometryModifier": residual_expression(geotransform)})
    line.setSymbolType(QgsSymbol.Line)
    line.setSubSymbol(QgsLineSymbol.createSimple({"line_color": RESIDUAL_COLOUR, "line_width": "0.5", "capstyle": "round"}))
    symbol.insertSymbolLayer(0, line)
    return symbol


def tie_point_renderer(geotransform: Optional[Sequence[float]] = None) -> QgsCategorizedSymbolRenderer:
    """The renderer of a tie-point layer; with the optical raster's ``geotransform``, the kept
    points show their residual lines."""
    categories = []
    for value, label, properties, opacity in _categories():
        symbol = _symbol(properties, opacity)
        if value == "kept" and geotransform is not None:
            symbol = _with_residual_line(symbol, geotransform)
            label = tr("Kept: used in the fit (line: residual x{times})").format(times=RESIDUAL_EXAGGERATION)
        categories.append(QgsRendererCategory(value, symbol, label))
    renderer = QgsCategorizedSymbolRenderer(STATUS_EXPRESSION, categories)
    fallback = _symbol({"name": "cross2", "color": "#999999", "outline_color": "#999999", "size": "1.6"}, 0.6)
    renderer.addCategory(QgsRendererCategory("other", fallback, tr("Rejected: other")))
    return renderer


def style_tie_point_layer(layer, geotransform: Optional[Sequence[float]] = None) -> None:
    layer.setRenderer(tie_point_renderer(geotransform))
    layer.triggerRepaint()
