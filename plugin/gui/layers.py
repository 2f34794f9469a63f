"""Tie points as two editable point layers (optical side in map coordinates, SAR side in the SAR
raster's CRS or pixel space), and reading the user's edits back into ``TiePoints``.

Edits in either layer count: a point deleted in one is dropped, a point moved in the optical
layer changes its optical position, one moved in the SAR layer its SAR position, and the
``enabled`` attribute changed in either layer enables or disables it. A point added in both layers
under the same new ``id`` (each layer offers the next free id) is a tie point the user measured;
one added in a single layer, or without an id, is left where it is, unused, and reported.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
from qgis.core import (QgsCoordinateReferenceSystem, QgsDefaultValue, QgsFeature, QgsField, QgsGeometry, QgsPointXY,
                       QgsProject, QgsVectorLayer)
from qgis.PyQt.QtCore import QVariant

from ..core.errors import RegistrationError
from ..core.outputs import PIXEL_SPACE_GEOTRANSFORM
from ..core.pipeline import Fit, RasterInfo, TiePoints
from ..core.raster_io import map_to_pixel, pixel_to_map
from .i18n import tr
from .style import style_tie_point_layer

FIELDS = (
    ("id", QVariant.Int), ("optical_x", QVariant.Double), ("optical_y", QVariant.Double), ("sar_x", QVariant.Double),
    ("sar_y", QVariant.Double), ("distance", QVariant.Double), ("enabled", QVariant.Int), ("rejected_by", QVariant.String),
    ("dx", QVariant.Double), ("dy", QVariant.Double), ("residual", QVariant.Double),
)
MOVE_TOLERANCE_PX = 1e-3
# What QGIS fills in for a point the user adds: the next id of that layer (so a point added in each
# layer gets the same id) and used in the fit.
DEFAULT_VALUES = {"id": 'coalesce(maximum("id"), -1) + 1', "enabled": "1"}


def raster_frame(info: RasterInfo) -> Tuple[Tuple[float, ...], QgsCoordinateReferenceSystem]:
    """Geotransform and CRS that put a raster's pixels where QGIS draws them (pixel space when
    the raster has no georeferencing)."""
    if info.geotransform is None:
        return PIXEL_SPACE_GEOTRANSFORM, QgsCoordinateReferenceSystem()
    return tuple(info.geotransform), QgsCoordinateReferenceSystem.fromWkt(info.crs_wkt) if info.crs_wkt else QgsCoordinateReferenceSystem()


@dataclass
class TiePointState:
    """The tie points as last written to the layers, with their stable ids."""

    ids: np.ndarray
    tie_points: TiePoints
    fit: Fit


@dataclass
class Edits:
    """The tie points as the user left the layers, and the points added that cannot be used: each
    (side, id), the id None for a point added without one."""

    ids: np.ndarray
    tie_points: TiePoints
    unpaired: List[Tuple[str, Optional[int]]]


def _attributes(state: TiePointState, index: int) -> list:
    tie, fit = state.tie_points, state.fit
    dx, dy = (float(v) for v in fit.residuals[index])
    distance = float(tie.distance[index])
    return [int(state.ids[index]), *(float(v) for v in tie.optical_xy[index]), *(float(v) for v in tie.sar_xy[index]),
            distance if np.isfinite(distance) else None, int(bool(tie.enabled[index])), tie.rejected_by[index] or "",
            dx, dy, float(np.hypot(dx, dy))]


class TiePointLayers:
    """The pair of layers for one registration result, found by layer id in the project."""

    def __init__(self, optical: RasterInfo, sar: RasterInfo, project: Optional[QgsProject] = None):
        self.project = project or QgsProject.instance()
        self.optical_frame = raster_frame(optical)
        self.sar_frame = raster_frame(sar)
        self.name = os.path.basename(sar.path)
        self.layer_ids: Dict[str, str] = {}
        self.state: Optional[TiePointState] = None

    # --- creation -------------------------------------------------------------------------------
    def create(self, tie_points: TiePoints, fit: Fit) -> Tuple[QgsVectorLayer, QgsVectorLayer]:
        """Builds both layers, styles them and adds them to the project in a group of their own
        (the SAR-side layer starts hidden)."""
        self.state = TiePointState(np.arange(len(tie_points)), tie_points, fit)
        group = self.project.layerTreeRoot().insertGroup(0, tr("Registration of {name}").format(name=self.name))
        made = []
        for side, title in (("optical", tr("Tie points (optical) - {name}")), ("sar", tr("Tie points (SAR) - {name}"))):
            geotransform, crs = self.frame(side)
            layer = QgsVectorLayer("Point", title.format(name=self.name), "memory")
            layer.setCrs(crs)
            layer.dataProvider().addAttributes([QgsField(name, kind) for name, kind in FIELDS])
            layer.updateFields()
            for name, expression in DEFAULT_VALUES.items():
                layer.setDefaultValueDefinition(layer.fields().indexOf(name), QgsDefaultValue(expression))
            features = []
            for index, (x, y) in enumerate(pixel_to_map(geotransform, self._pixels(side, self.state.tie_points))):
                feature = QgsFeature(layer.fields())
                feature.setAttributes(_attributes(self.state, index))
                feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(x), float(y))))
                features.append(feature)
            layer.dataProvider().addFeatures(features)
            layer.updateExtents()
            style_tie_point_layer(layer)
            self.project.addMapLayer(layer, False)
            node = group.addLayer(layer)
            node.setItemVisibilityChecked(side == "optical")  # one set of points on the map at a time
            self.layer_ids[side] = layer.id()
            made.append(layer)
        return made[0], made[1]

    def frame(self, side: str):
        return self.optical_frame if side == "optical" else self.sar_frame

    @staticmethod
    def _pixels(side: str, tie_points: TiePoints) -> np.ndarray:
        return tie_points.optical_xy if side == "optical" else tie_points.sar_xy

    def layer(self, side: str) -> Optional[QgsVectorLayer]:
        layer_id = self.layer_ids.get(side)
        return self.project.mapLayer(layer_id) if layer_id else None

    def exist(self) -> bool:
        """True while at least one of the two layers is in the project: edits are read from the
        ones that are (a user who removes the SAR-side layer still edits the optical one)."""
        return self.state is not None and any(self.layer(side) is not None for side in ("optical", "sar"))

    # --- reading edits --------------------------------------------------------------------------
    def _features(self, side: str) -> Optional[List[Tuple[Optional[int], np.ndarray, Optional[int], int]]]:
        """(id or None, pixel position, enabled or None, feature id) of every point in the layer,
        edits in progress included; None when the layer is no longer in the project."""
        layer = self.layer(side)
        if layer is None:
            return None
        geotransform = self.frame(side)[0]
        found = []
        for feature in layer.getFeatures():
            point_id, geometry = _value(feature["id"]), feature.geometry()
            if geometry is None or geometry.isEmpty():
                continue
            point = geometry.asPoint()
            xy = map_to_pixel(geotransform, np.array([[point.x(), point.y()]]))[0]
            enabled = _value(feature["enabled"])
            found.append((None if point_id is None else int(point_id), xy, None if enabled is None else int(bool(enabled)), feature.id()))
        return found

    def _read_side(self, side: str) -> Optional[Dict[int, Tuple[np.ndarray, Optional[int], int]]]:
        """id -> (pixel position, enabled or None, feature id) of the points that have an id; None
        when the layer is no longer in the project."""
        found = self._features(side)
        return None if found is None else {point_id: rest for point_id, *rest in found if point_id is not None}

    def read_edits(self) -> Edits:
        """The ids and tie points after the user's edits in both layers, and the points added
        that cannot be used. Two points of one layer with the same id are refused."""
        old = self.state.tie_points
        known = {int(point_id) for point_id in self.state.ids}
        unpaired = []

        def read(side: str, last_xy: np.ndarray):  # a layer no longer in the project reads as unedited
            found = self._features(side)
            if found is None:
                return {int(point_id): (xy, None, None) for point_id, xy in zip(self.state.ids, last_xy)}
            numbered = [point_id for point_id, *_ in found if point_id is not None]
            twice = sorted({point_id for point_id in numbered if numbered.count(point_id) > 1})
            if twice:
                said = (tr("Several points in the optical tie-point layer have the same id ({ids}).") if side == "optical"
                        else tr("Several points in the SAR tie-point layer have the same id ({ids})."))
                raise RegistrationError(
                    said.format(ids=", ".join(str(point_id) for point_id in twice)),
                    tr("Give each point you added an id of its own (the same id as its partner in the other layer), then re-fit."))
            unpaired.extend((side, None) for point_id, *_ in found if point_id is None)
            return {point_id: rest for point_id, *rest in found if point_id is not None}

        optical, sar = read("optical", old.optical_xy), read("sar", old.sar_xy)
        ids, optical_xy, sar_xy, distance, rejected_by, enabled = [], [], [], [], [], []
        for index, point_id in enumerate(self.state.ids):
            point_id = int(point_id)
            if point_id not in optical or point_id not in sar:
                continue  # deleted in one of the layers
            was_enabled = int(bool(old.enabled[index]))
            now_enabled = was_enabled
            for _, flag, _ in (optical[point_id], sar[point_id]):
                if flag is not None and flag != was_enabled:
                    now_enabled = flag
                    break
            ids.append(point_id)
            optical_xy.append(optical[point_id][0] if _moved(optical[point_id][0], old.optical_xy[index]) else old.optical_xy[index])
            sar_xy.append(sar[point_id][0] if _moved(sar[point_id][0], old.sar_xy[index]) else old.sar_xy[index])
            distance.append(old.distance[index])
            rejected_by.append("" if now_enabled else ("user" if was_enabled else old.rejected_by[index] or "user"))
            enabled.append(bool(now_enabled))
        added = {side: {point_id for point_id in found if point_id not in known} for side, found in (("optical", optical), ("sar", sar))}
        for point_id in sorted(added["optical"] & added["sar"]):  # measured by the user: no descriptor distance
            flags = [flag for _, flag, _ in (optical[point_id], sar[point_id]) if flag is not None]
            now_enabled = min(flags) if flags else 1  # set to 0 in either layer: not used
            ids.append(point_id)
            optical_xy.append(optical[point_id][0])
            sar_xy.append(sar[point_id][0])
            distance.append(np.nan)
            rejected_by.append("" if now_enabled else "user")
            enabled.append(bool(now_enabled))
        unpaired.extend((side, point_id) for side, other in (("optical", "sar"), ("sar", "optical"))
                        for point_id in sorted(added[side] - added[other]))
        unpaired.sort(key=lambda item: (item[0] != "optical", item[1] is None))
        shape = (len(ids), 2)
        tie_points = TiePoints(np.array(optical_xy, float).reshape(shape), np.array(sar_xy, float).reshape(shape),
                               np.array(distance, float), rejected_by, np.array(enabled, bool))
        return Edits(np.array(ids, int), tie_points, unpaired)

    # --- writing back ---------------------------------------------------------------------------
    def update(self, ids: np.ndarray, tie_points: TiePoints, fit: Fit) -> None:
        """Writes positions, flags and residuals to both layers; drops the points no longer present
        (deleted in the other layer) and leaves the added points that are not used as they are."""
        known_before = set() if self.state is None else {int(point_id) for point_id in self.state.ids}
        self.state = TiePointState(np.asarray(ids, int), tie_points, fit)
        index_of = {int(point_id): index for index, point_id in enumerate(self.state.ids)}
        for side in ("optical", "sar"):
            layer = self.layer(side)
            if layer is None:  # removed from the project by the user
                continue
            was_editing = layer.isEditable()
            if was_editing:
                layer.commitChanges(False)
            geotransform = self.frame(side)[0]
            positions = pixel_to_map(geotransform, self._pixels(side, tie_points))
            provider = layer.dataProvider()
            field_indexes = [layer.fields().indexOf(name) for name, _ in FIELDS]
            attribute_changes, geometry_changes, deleted = {}, {}, []
            for point_id, (_, _, feature_id) in self._read_side(side).items():
                index = index_of.get(point_id)
                if index is None:
                    if point_id in known_before:
                        deleted.append(feature_id)
                    continue
                attribute_changes[feature_id] = {
                    field: value for field, value in zip(field_indexes, _attributes(self.state, index)) if field >= 0}
                geometry_changes[feature_id] = QgsGeometry.fromPointXY(QgsPointXY(*(float(v) for v in positions[index])))
            provider.deleteFeatures(deleted)
            provider.changeAttributeValues(attribute_changes)
            provider.changeGeometryValues(geometry_changes)
            layer.updateExtents()
            layer.triggerRepaint()

    def feature_id(self, side: str, point_id: int) -> Optional[int]:
        found = (self._read_side(side) or {}).get(int(point_id))
        return None if found is None else found[2]

    def remove(self) -> None:
        for side in ("optical", "sar"):
            if self.layer(side) is not None:
                self.project.removeMapLayer(self.layer_ids[side])
        self.layer_ids.clear()


def _value(value):
    """A feature attribute as a Python value, with QGIS's NULL as None."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    return value


def _moved(new_xy: np.ndarray, old_xy: np.ndarray) -> bool:
    return float(np.hypot(*(np.asarray(new_xy) - np.asarray(old_xy)))) > MOVE_TOLERANCE_PX
