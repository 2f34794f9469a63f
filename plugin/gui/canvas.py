"""Map canvas helpers: zoom to one tie point and flash it; add or refresh an output raster."""
from __future__ import annotations

import os

from qgis.core import QgsCoordinateTransform, QgsProject, QgsRasterLayer, QgsRectangle

ZOOM_HALF_WIDTH_PX = 40  # pixels of the raster shown on each side of the point


def zoom_to_point(canvas, layer, feature_id: int, pixel_size: float, project=None) -> None:
    """Centres the canvas on one feature of ``layer``, about 80 raster pixels wide, selects it
    and flashes it."""
    project = project or QgsProject.instance()
    feature = layer.getFeature(feature_id)
    if not feature.hasGeometry():
        return
    point = feature.geometry().asPoint()
    half = ZOOM_HALF_WIDTH_PX * pixel_size
    rectangle = QgsRectangle(point.x() - half, point.y() - half, point.x() + half, point.y() + half)
    destination = canvas.mapSettings().destinationCrs()
    if layer.crs().isValid() and destination.isValid() and layer.crs() != destination:
        rectangle = QgsCoordinateTransform(layer.crs(), destination, project).transformBoundingBox(rectangle)
    canvas.setExtent(rectangle)
    canvas.refresh()
    layer.selectByIds([feature_id])
    canvas.flashFeatureIds(layer, [feature_id])


def add_or_reload_raster(path: str, project=None) -> QgsRasterLayer:
    """Adds the raster at ``path`` to the project; a layer already showing that file is reloaded."""
    project = project or QgsProject.instance()
    target = os.path.abspath(path)
    for layer in project.mapLayers().values():
        if isinstance(layer, QgsRasterLayer) and os.path.abspath(layer.source()) == target:
            layer.dataProvider().reloadData()
            layer.triggerRepaint()
            return layer
    layer = QgsRasterLayer(path, os.path.splitext(os.path.basename(path))[0], "gdal")
    project.addMapLayer(layer)
    return layer


def unique_path(path: str) -> str:
    """``path``, or ``stem_2.ext``, ``stem_3.ext``... when it exists."""
    stem, extension = os.path.splitext(path)
    candidate, number = path, 2
    while os.path.exists(candidate):
        candidate, number = f"{stem}_{number}{extension}", number + 1
    return candidate
