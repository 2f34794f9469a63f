"""Tie points as two editable point layers (optical side in map coordinates, SAR side in the SAR
raster's CRS or pixel space), and reading the user's edits back into ``TiePoints``.

Edits in either layer count: a point deleted in one is dropped, a point moved in the optical
layer changes its optical position, one moved in the SAR layer its SAR position, a position typed
into the fields optical_x, optical_y or sar_x, sar_y (each raster's pixels) of either layer changes
that position, and the ``enabled`` attribute changed in either layer enables or disables it. Two
changes of one position that disagree are refused. A point added in both layers under the same new
``id`` (each layer offers the next free id), or in one layer with the other side's position typed
into its fields, is a tie point the user measured; one added without the other position, or
without an id, is left where it is, unused, and reported.
"""
from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, NamedTuple, Optional, Tuple

import numpy as np
from qgis.core import (QgsCoordinateReferenceSystem, QgsDefaultValue, QgsFeature, QgsField, QgsGeometry, QgsPointXY,
                       QgsProject, QgsVectorLayer)
from qgis.PyQt.QtCore import QVariant

from ..core.errors import RegistrationError
from ..core.ground import residuals_m
from ..core.outputs import PIXEL_SPACE_GEOTRANSFORM, left_out_lengths
from ..core.pipeline import Fit, RasterInfo, TiePoints
from ..core.raster_io import map_to_pixel, pixel_to_map
from .i18n import tr
from .project_storage import FITTED_PROPERTY, RASTER_PROPERTIES, SIDE_PROPERTY, WEB_LAYER_NAME_PROPERTY, WEB_LAYER_PROPERTY
from .style import style_tie_point_layer

FIELDS = (
    ("id", QVariant.Int), ("optical_x", QVariant.Double), ("optical_y", QVariant.Double), ("sar_x", QVariant.Double),
    ("sar_y", QVariant.Double), ("distance", QVariant.Double), ("enabled", QVariant.Int), ("rejected_by", QVariant.String),
    ("dx", QVariant.Double), ("dy", QVariant.Double), ("residual", QVariant.Double), ("residual_m", QVariant.Double),
    ("left_out", QVariant.Double),
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
    """The tie points as last written to the layers."""

    tie_points: TiePoints
    fit: Fit
    metres: Optional[np.ndarray] = None  # each residual in metres on the ground (core.ground.residuals_m); None where it cannot say
    ids: np.ndarray = field(init=False)  # the points' stable ids: the tie points' own (after a Re-fit), else 0..N-1
    left_out: np.ndarray = field(init=False)  # each residual against the fit without it and its neighbours, optical pixels (NaN: none)

    def __post_init__(self):
        self.ids = self.tie_points.ids if self.tie_points.ids is not None else np.arange(len(self.tie_points))
        # (no fit yet: tie points taken up from a project, fitted next)
        self.left_out = left_out_lengths(self.fit) if self.fit is not None else np.full(len(self.tie_points), np.nan)


class PointFeature(NamedTuple):
    """One point of a tie-point layer as the user left it."""

    point_id: Optional[int]
    xy: np.ndarray  # where the point lies, in its own side's pixels
    enabled: Optional[int]
    feature_id: Optional[int]
    optical_xy: Optional[np.ndarray]  # the fields optical_x, optical_y (optical pixels); None when empty
    sar_xy: Optional[np.ndarray]  # the fields sar_x, sar_y (SAR pixels)
    side: str  # the layer it is in: "optical" or "sar"


@dataclass
class Edits:
    """The tie points as the user left the layers (with their ids), and the points added that
    cannot be used: each (side, id), the id None for a point added without one."""

    tie_points: TiePoints
    unpaired: List[Tuple[str, Optional[int]]]


def _attributes(state: TiePointState, index: int) -> list:
    tie, fit = state.tie_points, state.fit
    dx, dy = (float(v) for v in fit.residuals[index])
    distance = float(tie.distance[index])
    return [int(state.ids[index]), *(float(v) for v in tie.optical_xy[index]), *(float(v) for v in tie.sar_xy[index]),
            distance if np.isfinite(distance) else None, int(bool(tie.enabled[index])), tie.rejected_by[index] or "",
            dx, dy, float(np.hypot(dx, dy)), None if state.metres is None else float(state.metres[index]),
            float(state.left_out[index]) if np.isfinite(state.left_out[index]) else None]


def _point_feature(layer: QgsVectorLayer, state: TiePointState, index: int, map_xy) -> QgsFeature:
    """A new feature of ``layer`` for tie point ``index``, at ``map_xy`` in the layer's CRS."""
    feature = QgsFeature(layer.fields())
    for (name, _), value in zip(FIELDS, _attributes(state, index)):
        if layer.fields().indexOf(name) >= 0:
            feature[name] = value
    feature.setGeometry(QgsGeometry.fromPointXY(QgsPointXY(float(map_xy[0]), float(map_xy[1]))))
    return feature


def _add_missing_fields(layer: QgsVectorLayer) -> None:
    """Gives layers made by an earlier version of the plugin (kept in a project) the fields it did not
    write (``residual_m``, ``left_out``): the next fit fills them, as for layers made now."""
    missing = [QgsField(name, kind) for name, kind in FIELDS if layer.fields().indexOf(name) < 0]
    if missing and layer.dataProvider().addAttributes(missing):
        layer.updateFields()


class TiePointLayers:
    """The pair of layers for one registration result, found by layer id in the project."""

    def __init__(self, optical: RasterInfo, sar: RasterInfo, project: Optional[QgsProject] = None, web_layer_id: str = ""):
        self.project = project or QgsProject.instance()
        self.web_layer_id = web_layer_id  # the optical is this web map layer of the project, fetched into optical.path
        self.optical = optical
        self.optical_frame = raster_frame(optical)
        self.sar_frame = raster_frame(sar)
        self.rasters = (optical.path, sar.path)
        self.name = os.path.basename(sar.path)
        self.layer_ids: Dict[str, str] = {}
        self.state: Optional[TiePointState] = None

    # --- creation -------------------------------------------------------------------------------
    def create(self, tie_points: TiePoints, fit: Fit) -> Tuple[QgsVectorLayer, QgsVectorLayer]:
        """Builds both layers, styles them and adds them to the project in a group of their own
        (the SAR-side layer starts hidden)."""
        self.state = self._state(tie_points, fit)
        remove_empty_shells(self.project)
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
            positions = pixel_to_map(geotransform, self._pixels(side, self.state.tie_points))
            layer.dataProvider().addFeatures([_point_feature(layer, self.state, index, xy) for index, xy in enumerate(positions)])
            layer.updateExtents()
            style_tie_point_layer(layer, geotransform if side == "optical" else None)  # residuals are in optical pixels
            layer.setCustomProperty(SIDE_PROPERTY, side)  # kept with the project (project_storage.py), and how it is found again
            for key, raster in zip(RASTER_PROPERTIES, self.rasters):
                layer.setCustomProperty(key, raster)
            if self.web_layer_id:  # its fetched file is temporary: the layer is fetched again when the project is read
                layer.setCustomProperty(WEB_LAYER_PROPERTY, self.web_layer_id)
                web_layer = self.project.mapLayer(self.web_layer_id)
                if web_layer is not None:  # found by its name when it was removed and added again
                    layer.setCustomProperty(WEB_LAYER_NAME_PROPERTY, web_layer.name())
            self.project.addMapLayer(layer, False)
            node = group.addLayer(layer)
            node.setItemVisibilityChecked(side == "optical")  # one set of points on the map at a time
            self.layer_ids[side] = layer.id()
            made.append(layer)
        self._remember_fit()
        return made[0], made[1]

    def adopt(self, layer_ids: Dict[str, str]) -> Edits:
        """Takes over layers made earlier (read back from a project) as the last fit left them
        (``FITTED_PROPERTY``), and returns their edits since (``read_edits``: what the next fit uses)."""
        self.layer_ids = dict(layer_ids)
        kept = next((layer.customProperty(FITTED_PROPERTY) for layer in map(self.layer, ("optical", "sar"))
                     if layer is not None and layer.customProperty(FITTED_PROPERTY)), None)
        if not kept:
            raise RegistrationError(tr("The tie-point layers do not say how the last fit left them."),
                                    tr("Write them as a GeoPackage and open that, or run the registration again."))
        for layer in filter(None, map(self.layer, ("optical", "sar"))):
            _add_missing_fields(layer)
        fitted = json.loads(kept)
        shape = (len(fitted["ids"]), 2)
        self.state = TiePointState(TiePoints(np.array(fitted["optical_xy"], float).reshape(shape), np.array(fitted["sar_xy"], float).reshape(shape),
                                             np.array([np.nan if d is None else d for d in fitted["distance"]], float), list(fitted["rejected_by"]),
                                             np.array(fitted["enabled"], bool), np.array(fitted["ids"], int)), None)
        return self.read_edits()

    def _remember_fit(self) -> None:
        """Keeps the tie points as this fit wrote them on the layers (saved with a project), so that
        the layers read back later are edited against them as now."""
        tie = self.state.tie_points
        kept = json.dumps({"ids": [int(v) for v in self.state.ids], "optical_xy": tie.optical_xy.tolist(), "sar_xy": tie.sar_xy.tolist(),
                           "distance": [None if not np.isfinite(d) else float(d) for d in tie.distance],
                           "rejected_by": list(tie.rejected_by), "enabled": [bool(e) for e in tie.enabled]})
        for side in ("optical", "sar"):
            if self.layer(side) is not None:
                self.layer(side).setCustomProperty(FITTED_PROPERTY, kept)

    def _state(self, tie_points: TiePoints, fit: Fit) -> TiePointState:
        return TiePointState(tie_points, fit, residuals_m(self.optical, tie_points, fit))

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
    def _features(self, side: str) -> Optional[List[PointFeature]]:
        """Every point of the layer, edits in progress included; None when the layer is no longer
        in the project."""
        layer = self.layer(side)
        if layer is None:
            return None
        if layer.fields().indexOf("id") < 0:
            said = (tr("The optical tie-point layer has no field 'id' any more.") if side == "optical"
                    else tr("The SAR tie-point layer has no field 'id' any more."))
            raise RegistrationError(said, tr("Undo the deletion of the field (Edit > Undo, or stop editing without saving), "
                                             "or run the registration again."))
        has_enabled = layer.fields().indexOf("enabled") >= 0
        geotransform = self.frame(side)[0]
        found = []
        for feature in layer.getFeatures():
            point_id, geometry = _value(feature["id"]), feature.geometry()
            if geometry is None or geometry.isEmpty():
                continue
            point = geometry.asPoint()
            xy = map_to_pixel(geotransform, np.array([[point.x(), point.y()]]))[0]
            enabled = _value(feature["enabled"]) if has_enabled else None
            found.append(PointFeature(None if point_id is None else int(point_id), xy, None if enabled is None else int(bool(enabled)),
                                      feature.id(), _typed(feature, "optical"), _typed(feature, "sar"), side))
        return found

    def _read_side(self, side: str) -> Optional[Dict[int, PointFeature]]:
        """id -> point, of the points that have an id; None when the layer is no longer in the project."""
        found = self._features(side)
        return None if found is None else _by_id(found)

    def read_edits(self) -> Edits:
        """The ids and tie points after the user's edits in both layers, and the points added
        that cannot be used. Two points of one layer with the same id are refused, and so is a
        position changed in two places that disagree."""
        old = self.state.tie_points
        known = {int(point_id) for point_id in self.state.ids}
        unpaired = []

        def read(side: str) -> Dict[int, PointFeature]:  # a layer no longer in the project reads as unedited
            found = self._features(side)
            if found is None:
                return {int(point_id): PointFeature(int(point_id), xy, None, None, None, None, side)
                        for point_id, xy in zip(self.state.ids, self._pixels(side, old))}
            counts = Counter(point.point_id for point in found if point.point_id is not None)
            twice = sorted(point_id for point_id, count in counts.items() if count > 1)
            if twice:
                said = (tr("Several points in the optical tie-point layer have the same id ({ids}).") if side == "optical"
                        else tr("Several points in the SAR tie-point layer have the same id ({ids})."))
                raise RegistrationError(
                    said.format(ids=", ".join(str(point_id) for point_id in twice)),
                    tr("Give each point you added an id of its own (the same id as its partner in the other layer), then re-fit."))
            unpaired.extend((side, None) for point in found if point.point_id is None)
            return _by_id(found)

        layers = {"optical": read("optical"), "sar": read("sar")}
        ids, optical_xy, sar_xy, distance, rejected_by, enabled = [], [], [], [], [], []
        for index, point_id in enumerate(self.state.ids):
            point_id = int(point_id)
            if point_id not in layers["optical"] or point_id not in layers["sar"]:
                continue  # deleted in one of the layers
            points = (layers["optical"][point_id], layers["sar"][point_id])
            was_enabled = int(bool(old.enabled[index]))
            now_enabled = was_enabled
            for point in points:
                if point.enabled is not None and point.enabled != was_enabled:
                    now_enabled = point.enabled
                    break
            ids.append(point_id)
            optical_xy.append(_edited_position(point_id, "optical", old.optical_xy[index], points))
            sar_xy.append(_edited_position(point_id, "sar", old.sar_xy[index], points))
            distance.append(old.distance[index])
            rejected_by.append("" if now_enabled else ("user" if was_enabled else old.rejected_by[index] or "user"))
            enabled.append(bool(now_enabled))
        added = sorted({point_id for found in layers.values() for point_id in found if point_id not in known})
        for point_id in added:  # measured by the user: no descriptor distance
            points = tuple(found[point_id] for found in layers.values() if point_id in found)
            optical, sar = (_edited_position(point_id, side, None, points) for side in ("optical", "sar"))
            if optical is None or sar is None:
                unpaired.extend((side, point_id) for side, found in layers.items() if point_id in found)
                continue
            flags = [point.enabled for point in points if point.enabled is not None]
            now_enabled = min(flags) if flags else 1  # set to 0 in either layer: not used
            ids.append(point_id)
            optical_xy.append(optical)
            sar_xy.append(sar)
            distance.append(np.nan)
            rejected_by.append("" if now_enabled else "user")
            enabled.append(bool(now_enabled))
        unpaired.sort(key=lambda item: (item[0] != "optical", item[1] is None))
        shape = (len(ids), 2)
        tie_points = TiePoints(np.array(optical_xy, float).reshape(shape), np.array(sar_xy, float).reshape(shape),
                               np.array(distance, float), rejected_by, np.array(enabled, bool), np.array(ids, int))
        return Edits(tie_points, unpaired)

    # --- writing back ---------------------------------------------------------------------------
    def update(self, tie_points: TiePoints, fit: Fit) -> None:
        """Writes positions, flags and residuals to both layers (``tie_points`` as ``read_edits``
        gives them, with their ids); drops the points no longer present (deleted in the other
        layer) and leaves the added points that are not used as they are."""
        known_before = set() if self.state is None else {int(point_id) for point_id in self.state.ids}
        self.state = self._state(tie_points, fit)
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
            present = self._read_side(side)
            for point_id, point in present.items():
                feature_id = point.feature_id
                index = index_of.get(point_id)
                if index is None:
                    if point_id in known_before:
                        deleted.append(feature_id)
                    continue
                attribute_changes[feature_id] = {
                    column: value for column, value in zip(field_indexes, _attributes(self.state, index)) if column >= 0}
                geometry_changes[feature_id] = QgsGeometry.fromPointXY(QgsPointXY(*(float(v) for v in positions[index])))
            # a point added in the other layer with this side's position typed into its fields
            provider.addFeatures([_point_feature(layer, self.state, index, positions[index])
                                  for index, point_id in enumerate(self.state.ids) if int(point_id) not in present])
            provider.deleteFeatures(deleted)
            provider.changeAttributeValues(attribute_changes)
            provider.changeGeometryValues(geometry_changes)
            layer.updateExtents()
            layer.triggerRepaint()
        self._remember_fit()

    def feature_id(self, side: str, point_id: int) -> Optional[int]:
        found = (self._read_side(side) or {}).get(int(point_id))
        return None if found is None else found.feature_id

    def remove(self) -> None:
        for side in ("optical", "sar"):
            if self.layer(side) is not None:
                self.project.removeMapLayer(self.layer_ids[side])
        self.layer_ids.clear()


def remove_empty_shells(project: QgsProject) -> None:
    """Removes the dock's tie-point layers that a project read back without their points (QGIS
    keeps no memory layer's features: a project saved before ``project_storage`` kept them, or
    without the plugin), and the groups they leave empty: they hold nothing, and next to the layers
    made now they would look like a second copy of them."""
    for layer in list(project.mapLayers().values()):
        if (layer.customProperty(SIDE_PROPERTY) and layer.providerType() == "memory" and isinstance(layer, QgsVectorLayer)
                and layer.featureCount() == 0 and not layer.isEditable()):
            node = project.layerTreeRoot().findLayer(layer.id())
            group = node.parent() if node is not None else None
            project.removeMapLayer(layer.id())
            if group is not None and group is not project.layerTreeRoot() and not group.children() and group.parent() is not None:
                group.parent().removeChildNode(group)


def _value(value):
    """A feature attribute as a Python value, with QGIS's NULL as None."""
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    return value


def _by_id(found: List[PointFeature]) -> Dict[int, PointFeature]:
    """id -> point, of the points that have an id."""
    return {point.point_id: point for point in found if point.point_id is not None}


def _typed(feature: QgsFeature, which: str) -> Optional[np.ndarray]:
    """The fields ``which``_x, ``which``_y of a point (pixels of that raster); None when empty or gone."""
    try:
        x, y = _value(feature[f"{which}_x"]), _value(feature[f"{which}_y"])
    except KeyError:  # a field the user deleted
        return None
    return None if x is None or y is None else np.array([float(x), float(y)])


def _edited_position(point_id: int, which: str, old_xy: Optional[np.ndarray], points) -> Optional[np.ndarray]:
    """Where the user put a tie point's ``which`` ("optical" or "sar") position: its point in that
    side's layer, or what was typed into the fields ``which``_x, ``which``_y of either layer,
    whichever differs from ``old_xy``; ``old_xy`` when none does (None for a point the user added
    that has no such position). Two changes that disagree are refused."""
    given = [((point.side, False), point.xy) for point in points if point.side == which]
    for point in points:
        typed = point.optical_xy if which == "optical" else point.sar_xy
        if typed is not None:
            given.append(((point.side, True), typed))
    changed = [(place, xy) for place, xy in given if old_xy is None or _moved(xy, old_xy)]
    if not changed:
        return old_xy
    (first_place, first_xy), *others = changed
    for place, xy in others:
        if _moved(xy, first_xy):
            said = (tr("Tie point {id}: its optical position was set in two places that disagree ({places}).") if which == "optical"
                    else tr("Tie point {id}: its SAR position was set in two places that disagree ({places})."))
            raise RegistrationError(said.format(id=point_id, places=f"{_place(*first_place, which)}; {_place(*place, which)}"),
                                    tr("Keep one of the two changes (undo the other, or make them agree), then re-fit."))
    return np.asarray(first_xy, float)


def _place(side: str, typed: bool, which: str) -> str:
    """Where a ``which`` position was set, in the user's words: the point in the layer of ``side``,
    or the fields ``which``_x, ``which``_y typed there (named only when two settings disagree)."""
    if not typed:
        return tr("the point in the optical layer") if side == "optical" else tr("the point in the SAR layer")
    fields = f"{which}_x, {which}_y"
    return (tr("the fields {fields} in the optical layer") if side == "optical"
            else tr("the fields {fields} in the SAR layer")).format(fields=fields)


def _moved(new_xy: np.ndarray, old_xy: np.ndarray) -> bool:
    return float(np.hypot(*(np.asarray(new_xy) - np.asarray(old_xy)))) > MOVE_TOLERANCE_PX
