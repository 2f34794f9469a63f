"""Tie points read back from a file: the tie-point layer registration writes (``outputs.write_geopackage``;
edited in QGIS or not, in any vector format GDAL reads) or a Georeferencer .points file
(``outputs.read_points_file``), on the pixel grids of the rasters they are used with.

What a tie-point layer's fields mean is decided here once (``tie_points_from_fields``), for this
reader and for the one that reads a QGIS layer (``plugin/tie_point_source.py``): the optical
position is the point's geometry (so a point moved in QGIS counts), else the fields optical_x,
optical_y (optical pixels); the SAR position is the fields sar_x, sar_y (SAR pixels); an empty
``enabled`` counts as enabled; the ids are kept.
"""
from __future__ import annotations

import os
from typing import List, Optional, Sequence, Tuple

import numpy as np
from osgeo import gdal, osr

from .errors import RegistrationError
from .outputs import RASTER_KEYS, TIE_POINT_LAYER, optical_geotransform, read_points_file
from .pipeline import RasterInfo, TiePoints
from .raster_io import crs_transformation, map_to_pixel, own_geotransform, spatial_reference

DISABLED_TEXT = ("0", "false", "no", "off")
POSITION_FIELDS = ("sar_x", "sar_y")


def field_number(value, default=np.nan) -> float:
    """A field's value as a number (``default`` when empty or not a number)."""
    try:
        return float(value) if value is not None and str(value) != "NULL" else default
    except (TypeError, ValueError):
        return default


def field_enabled(value) -> bool:
    """1/0, true/false or yes/no; an empty (NULL) cell counts as enabled."""
    if value is None or str(value) == "NULL":
        return True
    return str(value).strip().lower() not in DISABLED_TEXT


def own_ids(ids) -> Optional[np.ndarray]:
    """The layer's ids, to keep in what is written: a point added without one gets the next free
    numbers; None (numbered 0..N-1 again) when two points share one or one is not a whole number."""
    ids = np.array(ids, float)
    given = ids[np.isfinite(ids)]
    if (given != np.round(given)).any() or len(np.unique(given)) != len(given):
        return None
    start = int(given.max()) + 1 if len(given) else 0
    ids[~np.isfinite(ids)] = np.arange(start, start + int((~np.isfinite(ids)).sum()))
    return ids.astype(int)


def tie_points_from_fields(optical_xy: Sequence, sar_xy: Sequence, distance: Sequence, enabled: Sequence, rejected_by: Sequence,
                           ids: Sequence) -> TiePoints:
    """TiePoints from a tie-point layer's values, one per point: optical and SAR pixel positions,
    and the raw fields distance, enabled, rejected_by and id (None where the layer has no such
    field or the cell is empty). A disabled point keeps its rejecting stage, or is "user"'s."""
    if not len(sar_xy):
        raise RegistrationError("The tie-point layer holds no points.", "Choose a layer with tie points (or clear 'selected features only').")
    kept = [field_enabled(value) for value in enabled]
    reasons = ["" if keep else (str(reason) if reason is not None and str(reason) not in ("", "NULL") else "user")
               for keep, reason in zip(kept, rejected_by)]
    optical_xy, sar_xy = np.array(optical_xy, float).reshape(-1, 2), np.array(sar_xy, float).reshape(-1, 2)
    if not (np.isfinite(optical_xy).all() and np.isfinite(sar_xy).all()):
        raise RegistrationError("Some tie points have empty coordinates (sar_x, sar_y or position).", "Fill them in or delete those points.")
    return TiePoints(optical_xy, sar_xy, np.array([field_number(value) for value in distance], float), reasons, np.array(kept, bool),
                     own_ids([field_number(value) for value in ids]))


def no_tie_point_layer(path: str) -> RegistrationError:
    return RegistrationError("'{path}' holds no tie-point layer (a point layer with the fields 'sar_x' and 'sar_y').",
                             "Choose a GeoPackage of tie points written by the dock, the toolbox or the command line, "
                             "or a Georeferencer .points file.", path=path)


def _open_vector(path: str):
    try:
        dataset = gdal.OpenEx(path, gdal.OF_VECTOR)
    except RuntimeError:
        dataset = None
    if dataset is None:
        raise no_tie_point_layer(path)
    return dataset


def tie_point_layer_name(dataset, path: str) -> str:
    """The name of a vector file's tie-point layer: a GeoPackage's layer ``tie_points``
    (registration writes it there, beside a project's other layers), else the file's only layer
    with the fields sar_x and sar_y."""
    layers = [dataset.GetLayer(index) for index in range(dataset.GetLayerCount())]
    names = [layer.GetName() for layer in layers]
    if TIE_POINT_LAYER in names:
        return TIE_POINT_LAYER
    chosen = [layer.GetName() for layer in layers if set(POSITION_FIELDS) <= set(_field_names(layer))]
    if not chosen:
        raise no_tie_point_layer(path)
    if len(chosen) > 1:
        raise RegistrationError("'{path}' holds several tie-point layers ({names}).",
                                "Keep one of them in the file, or name the one to open 'tie_points'.", path=path, names=", ".join(chosen))
    return chosen[0]


def _field_names(layer) -> List[str]:
    definition = layer.GetLayerDefn()
    return [definition.GetFieldDefn(index).GetName() for index in range(definition.GetFieldCount())]


def read_tie_point_layer(path: str, optical: RasterInfo) -> TiePoints:
    """The tie points of a vector file's tie-point layer (``tie_point_layer_name``), their optical
    positions on the pixel grid of ``optical`` (transformed from the layer's CRS where it differs)."""
    dataset = _open_vector(path)
    layer = dataset.GetLayerByName(tie_point_layer_name(dataset, path))
    names = set(_field_names(layer))
    if not set(POSITION_FIELDS) <= names:
        raise RegistrationError("The tie-point layer of '{path}' has no fields 'sar_x' and 'sar_y'.",
                                "Use the tie-point layer written by 'Register SAR to optical' (or the dock), or a Georeferencer .points file.",
                                path=path)
    transform = _to_optical(layer.GetSpatialRef(), optical.crs_wkt)
    geotransform = optical_geotransform(optical)
    optical_xy, sar_xy, distance, enabled, rejected_by, ids = [], [], [], [], [], []

    def value(feature, name):
        return feature.GetField(name) if name in names and feature.IsFieldSetAndNotNull(name) else None

    for feature in layer:
        geometry = feature.GetGeometryRef()
        if geometry is not None and not geometry.IsEmpty():
            x, y = geometry.GetX(0), geometry.GetY(0)
            if transform is not None:
                x, y = transform.TransformPoint(x, y)[:2]
            optical_xy.append(map_to_pixel(geotransform, np.array([[x, y]]))[0])
        elif {"optical_x", "optical_y"} <= names:
            optical_xy.append((field_number(value(feature, "optical_x")), field_number(value(feature, "optical_y"))))
        else:
            raise RegistrationError("Tie point {point} of '{path}' has no geometry and the layer has no optical_x/optical_y fields.",
                                    "Give every point a position.", point=feature.GetFID(), path=path)
        sar_xy.append((field_number(value(feature, "sar_x")), field_number(value(feature, "sar_y"))))
        distance.append(value(feature, "distance"))
        enabled.append(value(feature, "enabled"))
        rejected_by.append(value(feature, "rejected_by"))
        ids.append(value(feature, "id"))
    return tie_points_from_fields(optical_xy, sar_xy, distance, enabled, rejected_by, ids)


def _to_optical(layer_srs: Optional[osr.SpatialReference], optical_crs_wkt: Optional[str]) -> Optional[osr.CoordinateTransformation]:
    """The transformation from a layer's CRS to the optical raster's (None when one of them has
    none, or they are the same)."""
    if layer_srs is None or not optical_crs_wkt:
        return None
    source = layer_srs.Clone()
    source.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    return crs_transformation(source, spatial_reference(optical_crs_wkt))


def read_tie_point_file(path: str, optical: RasterInfo, sar_path: str) -> TiePoints:
    """The tie points of a Georeferencer .points file or of a vector file's tie-point layer, on the
    pixel grids of ``optical`` and of the SAR raster ``sar_path``."""
    if not os.path.isfile(path):
        raise RegistrationError("The tie-point file '{path}' does not exist.", "Choose an existing file.", path=path)
    if path.lower().endswith(".points"):
        return read_points_file(path, optical.geotransform, optical.crs_wkt, own_geotransform(sar_path))
    return read_tie_point_layer(path, optical)


def recorded_rasters(path: str, layer_name: Optional[str] = None) -> Tuple[str, str]:
    """The optical and the SAR raster that ``outputs.write_geopackage`` recorded for a tie-point
    file's layer ``layer_name`` (default: ``tie_point_layer_name``'s); "" for each not recorded: a
    .points file, a file from an older version, or not written by the engine."""
    if path.lower().endswith(".points") or not os.path.isfile(path):
        return "", ""
    try:
        dataset = _open_vector(path)
        layer = dataset.GetLayerByName(layer_name or tie_point_layer_name(dataset, path))
        recorded = (layer.GetMetadata() or {}) if layer is not None else {}
    except RegistrationError:
        return "", ""
    return recorded.get(RASTER_KEYS[0], ""), recorded.get(RASTER_KEYS[1], "")
