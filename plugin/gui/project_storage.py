"""The dock's tie-point layers kept in the QGIS project file.

They are memory layers, and QGIS writes a memory layer to a project without its features: a project
saved and read again brought them back empty, with a surveyor's edits lost. ``ProjectStorage``
writes the points of every layer the dock made (``SIDE_PROPERTY``) into the project document when
QGIS writes it, and puts them back when QGIS reads it. Edits in progress are written as they are
shown. Nothing heavy is imported here: it is connected when the plugin loads.
"""
from __future__ import annotations

import json
import logging
from typing import Optional

from qgis.core import QgsFeature, QgsGeometry, QgsPointXY, QgsProject, QgsVectorLayer
from qgis.PyQt.QtCore import QVariant

LOGGER = logging.getLogger(__name__)

# Marks the layers the dock makes ("optical" or "sar"), and the rasters their points were measured on.
SIDE_PROPERTY = "sar_optical_registration/tie_point_side"
RASTER_PROPERTIES = ("sar_optical_registration/optical_raster", "sar_optical_registration/sar_raster")
FITTED_PROPERTY = "sar_optical_registration/fitted"  # the tie points as the last fit wrote them (layers.TiePointLayers)
WEB_LAYER_PROPERTY = "sar_optical_registration/optical_web_layer"  # the id of the project's web map layer the optical was fetched from
WEB_LAYER_NAME_PROPERTY = "sar_optical_registration/optical_web_layer_name"  # and its name (never its source: it may hold credentials)
# QGIS does not warn on closing that a memory layer with this property set will lose its points
QGIS_SKIP_MEMORY_CHECK = "skipMemoryLayersCheck"
TAG = "SarOpticalRegistrationTiePoints"
FORMAT = "1"


def dock_layers(project: QgsProject):
    """The memory layers the dock made that are in ``project``."""
    return [layer for layer in project.mapLayers().values()
            if isinstance(layer, QgsVectorLayer) and layer.providerType() == "memory" and layer.customProperty(SIDE_PROPERTY)]


def _plain(value):
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    return value


def write_tie_points(project: QgsProject, document) -> int:
    """Adds the points of the dock's layers to the project ``document``; how many layers."""
    element = document.createElement(TAG)
    element.setAttribute("format", FORMAT)
    written = 0
    for layer in dock_layers(project):
        names = layer.fields().names()
        rows = []
        for feature in layer.getFeatures():  # edits in progress included, as they are shown
            geometry = feature.geometry()
            point = None if geometry is None or geometry.isEmpty() else geometry.asPoint()
            rows.append([None if point is None else [point.x(), point.y()], [_plain(feature[name]) for name in names]])
        child = document.createElement("layer")
        child.setAttribute("id", layer.id())
        child.appendChild(document.createTextNode(json.dumps({"fields": names, "features": rows}, default=str)))
        element.appendChild(child)
        written += 1
    document.documentElement().appendChild(element)
    return written


def read_tie_points(project: QgsProject, document) -> int:
    """Puts the points ``write_tie_points`` kept back into the dock's layers that QGIS read back
    empty; how many layers."""
    found = document.documentElement().elementsByTagName(TAG)
    if not found.count():
        return 0
    restored = 0
    children = found.item(0).toElement().elementsByTagName("layer")
    for index in range(children.count()):
        child = children.item(index).toElement()
        layer = project.mapLayer(child.attribute("id"))
        if layer is None or layer.id() not in {made.id() for made in dock_layers(project)} or layer.featureCount():
            continue  # not the dock's, or not read back empty: left as it is
        kept = json.loads(child.text())
        columns = [layer.fields().indexOf(name) for name in kept["fields"]]
        features = []
        for point, values in kept["features"]:
            feature = QgsFeature(layer.fields())
            for column, value in zip(columns, values):
                if column >= 0:
                    feature.setAttribute(column, value)
            if point is not None:
                feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(*point)))
            features.append(feature)
        layer.dataProvider().addFeatures(features)
        layer.updateExtents()
        layer.triggerRepaint()
        restored += 1
    return restored


def kept_pair(project: QgsProject):
    """The topmost of the dock's optical-side layers that holds points, and the SAR-side layer of
    its group (None when it has none left); None when there is no such layer."""
    layers = {layer.id(): layer for layer in dock_layers(project) if layer.featureCount()}
    for node in project.layerTreeRoot().findLayers():  # in the order of the layer tree: the topmost first
        layer = layers.get(node.layerId())
        if layer is None or layer.customProperty(SIDE_PROPERTY) != "optical":
            continue
        partners = [layers[other.layerId()] for other in node.parent().findLayers()
                    if other.layerId() in layers and layers[other.layerId()].customProperty(SIDE_PROPERTY) == "sar"]
        return layer, (partners[0] if partners else None)
    return None


class ProjectStorage:
    """Keeps the dock's tie points in every project QGIS writes, and puts them back when it reads one."""

    # the signals of a layer's points changed for good (committed), one way or another
    COMMITTED = ("committedFeaturesAdded", "committedFeaturesRemoved", "committedAttributeValuesChanges", "committedGeometriesChanges")

    def __init__(self, project: Optional[QgsProject] = None):
        self.project = project or QgsProject.instance()
        self.watched = {}  # layer id -> the layer, whose points this storage keeps
        self.project.writeProject.connect(self._write)
        self.project.readProject.connect(self._read)
        self.project.layersAdded.connect(self._added)
        self._watch(dock_layers(self.project))

    def _write(self, document) -> None:
        try:
            write_tie_points(self.project, document)
        except Exception:  # noqa: BLE001 -- never stop QGIS from saving the project
            LOGGER.exception("the tie points could not be kept in the project")

    def _read(self, document) -> None:
        try:
            read_tie_points(self.project, document)
        except Exception:  # noqa: BLE001 -- never stop QGIS from reading the project
            LOGGER.exception("the tie points kept in the project could not be read back")

    def _added(self, layers) -> None:
        added = {layer.id() for layer in layers}
        made = [layer for layer in dock_layers(self.project) if layer.id() in added]
        if made and self._watch(made):
            self.project.setDirty(True)  # new tie points: the project has changed (QGIS resets this after reading one)

    def _watch(self, layers) -> int:
        """Keeps the points of ``layers`` in the project from now on; how many were not kept yet."""
        new = [layer for layer in layers if layer.id() not in self.watched]
        for layer in new:
            self.watched[layer.id()] = layer
            layer.setCustomProperty(QGIS_SKIP_MEMORY_CHECK, 1)
            for name in self.COMMITTED:
                getattr(layer, name).connect(self._changed)
            layer.willBeDeleted.connect(lambda layer_id=layer.id(): self.watched.pop(layer_id, None))
        return len(new)

    def _changed(self, *_) -> None:
        self.project.setDirty(True)

    def disconnect(self) -> None:
        """Stops keeping the tie points (the plugin is unloaded): QGIS warns again that they will be lost."""
        if self.project is None:
            return
        self.project.writeProject.disconnect(self._write)
        self.project.readProject.disconnect(self._read)
        self.project.layersAdded.disconnect(self._added)
        for layer in self.watched.values():
            layer.removeCustomProperty(QGIS_SKIP_MEMORY_CHECK)
            for name in self.COMMITTED:
                getattr(layer, name).disconnect(self._changed)
        self.watched, self.project = {}, None
