"""Coarse alignment: resample the SAR into the optical grid using both rasters' georeferencing.

Matching then only has to recover what georeferencing got wrong (tens of pixels, a little
rotation), so it searches within a radius of where a point should be. When either raster is not
georeferenced, or their CRSs are not related (``unrelated_crs``: a site's local grid and any other
CRS), matching starts in the SAR's own pixel grid and searches everywhere. Once a coarse
transform is known, ``warped`` resamples the SAR by it for the fine template stage.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import cv2
from osgeo import gdal

from .errors import RegistrationError, template
from .raster_io import Raster, crs_transformation, map_to_pixel, pixel_to_map, spatial_reference
from .transforms import apply

LOGGER = logging.getLogger(__name__)
MINIMUM_OVERLAP_PIXELS = 128 * 128
# How the front ends name the option that turns the georeferencing off (``RegistrationOptions.use_georeferencing``), for the engine's advice
IGNORE_GEOREFERENCING = template("--ignore-georeferencing; in QGIS: Ignore the georeferencing")  # a value of errors' templates, translated too


@dataclass
class CoarseAlignment:
    """The SAR image as matching sees it, and how to get back to the SAR file's own pixels."""

    sar_image: np.ndarray  # H x W float32 in the matching grid (the optical grid when georeferenced)
    sar_valid: np.ndarray  # H x W bool
    from_georeferencing: bool  # True: the prior comes from both rasters' georeferencing
    grid_to_sar: Callable[[np.ndarray], np.ndarray]  # N x 2 matching-grid pixels -> SAR file pixels
    predicted: bool = False  # True: positions are predicted (by georeferencing or a coarse transform), so matching uses a search radius


def warped(aligned: CoarseAlignment, matrix: np.ndarray, shape) -> CoarseAlignment:
    """``aligned`` resampled by ``matrix`` (3 x 3, its matching grid -> the optical grid) into an
    optical grid of ``shape``: the coarse transform applied, so that templates are compared
    without rotation or scale between them."""
    rows, cols = shape
    image = cv2.warpAffine(aligned.sar_image, matrix[:2], (cols, rows), flags=cv2.INTER_LINEAR)
    valid = cv2.warpAffine(aligned.sar_valid.astype(np.uint8), matrix[:2], (cols, rows), flags=cv2.INTER_NEAREST) > 0
    inverse = np.linalg.inv(matrix)
    return CoarseAlignment(np.where(valid, image, 0).astype(np.float32), valid, aligned.from_georeferencing,
                           lambda xy: aligned.grid_to_sar(apply(inverse, np.asarray(xy, np.float64))), predicted=True)


def _memory_raster(array: np.ndarray, geotransform, wkt: str) -> gdal.Dataset:
    rows, cols = array.shape
    dataset = gdal.GetDriverByName("MEM").Create("", cols, rows, 1, gdal.GDT_Float32)
    dataset.SetGeoTransform(geotransform)
    dataset.SetProjection(wkt)
    band = dataset.GetRasterBand(1)
    band.SetNoDataValue(float("nan"))
    band.WriteArray(array)
    return dataset


def pixel_mapping(source, target) -> Callable[[np.ndarray], np.ndarray]:
    """Maps ``source``'s pixels to ``target``'s through map coordinates (any two CRSs); both need
    ``geotransform`` and ``crs_wkt`` (a Raster, or a RasterInfo read without pixels)."""
    transform = crs_transformation(spatial_reference(source.crs_wkt), spatial_reference(target.crs_wkt))

    def convert(xy: np.ndarray) -> np.ndarray:
        if len(xy) == 0:
            return np.zeros((0, 2))
        in_map = pixel_to_map(source.geotransform, np.asarray(xy, np.float64))
        target_map = in_map if transform is None else np.array(transform.TransformPoints(in_map.tolist()))[:, :2]
        return map_to_pixel(target.geotransform, target_map)

    return convert


def unrelated_crs(optical, sar) -> Optional[RegistrationError]:
    """Why the two rasters' georeferencing cannot place one on the other although both have it (their
    CRSs relate in no way PROJ knows: a site's local grid and any other CRS, or two local grids of
    different names): the refusal, whose message says it in words (a value for another error's
    template); None when it can, or when either has none. Both need ``geotransform`` and
    ``crs_wkt`` (a Raster, or a RasterInfo read without pixels)."""
    if None in (optical.geotransform, optical.crs_wkt, sar.geotransform, sar.crs_wkt):
        return None
    try:
        crs_transformation(spatial_reference(sar.crs_wkt), spatial_reference(optical.crs_wkt))
    except RegistrationError as error:
        return error
    return None


def outline_in(source, target, grow: float = 0.0, per_side: int = 16) -> Optional[np.ndarray]:
    """Where ``source``'s outline, grown by ``grow`` of its pixels on every side, lies in
    ``target``'s pixels (N x 2, ``per_side`` points along each side, so that a reprojection's
    bend is followed), by both rasters' georeferencing, read without their pixels (both need
    ``width``, ``height``, ``geotransform`` and ``crs_wkt``). None when either is not
    georeferenced, their CRSs are not related (``unrelated_crs``) or a point does not transform
    (beyond a projection's edge)."""
    if None in (source.geotransform, source.crs_wkt, target.geotransform, target.crs_wkt):
        return None
    steps = np.linspace(0.0, 1.0, per_side)
    low_x, low_y, high_x, high_y = -0.5 - grow, -0.5 - grow, source.width - 0.5 + grow, source.height - 0.5 + grow
    xs, ys = low_x + steps * (high_x - low_x), low_y + steps * (high_y - low_y)
    outline = np.concatenate([np.stack([xs, np.full_like(xs, low_y)], 1), np.stack([xs, np.full_like(xs, high_y)], 1),
                              np.stack([np.full_like(ys, low_x), ys], 1), np.stack([np.full_like(ys, high_x), ys], 1)])
    try:
        in_target = pixel_mapping(source, target)(outline)
    except (RuntimeError, RegistrationError):  # PROJ refused a point, or relates the CRSs in no way (unrelated_crs)
        return None
    return in_target if np.isfinite(in_target).all() else None


def coarse_align(optical: Raster, sar: Raster, sar_image: np.ndarray, use_georeferencing: bool = True) -> CoarseAlignment:
    """Resamples ``sar_image`` (normalised SAR in the SAR file's grid) into the optical grid; with
    ``use_georeferencing`` False (the user's choice: it is wrong, or far off) it stays in its own,
    as for rasters without georeferencing."""
    unrelated = unrelated_crs(optical, sar)  # the pipeline warns of it once, before reading
    if not (use_georeferencing and optical.is_georeferenced and sar.is_georeferenced) or unrelated:
        which = "neither raster is" if not (optical.is_georeferenced or sar.is_georeferenced) else (
            "the optical raster is not" if not optical.is_georeferenced else "the SAR raster is not")
        why = "the georeferencing is ignored" if not use_georeferencing else (
            "the rasters' CRSs are not related" if unrelated else f"{which} georeferenced")
        LOGGER.info("%s: matching in pixel space with no search radius", why)
        return CoarseAlignment(sar_image, sar.valid, False, lambda xy: np.asarray(xy, np.float64))
    source = _memory_raster(np.where(sar.valid, sar_image, np.nan).astype(np.float32), sar.geotransform, sar.crs_wkt)
    rows, cols = optical.shape
    target = _memory_raster(np.full((rows, cols), np.nan, np.float32), optical.geotransform, optical.crs_wkt)
    try:
        # A multithreaded warp reports what failed in its worker threads by its return value alone.
        if not gdal.Warp(target, source, resampleAlg="bilinear", srcNodata=float("nan"), dstNodata=float("nan"), multithread=True):
            raise RuntimeError(gdal.GetLastErrorMsg() or "the warp failed")
    except RuntimeError as error:
        raise RegistrationError(
            "GDAL could not reproject the SAR raster into the optical raster's grid ({detail}).",
            "Check that both rasters have a valid coordinate reference system.", detail=error,
        ) from error
    resampled = target.GetRasterBand(1).ReadAsArray()
    valid = np.isfinite(resampled) & optical.valid
    common = int(valid.sum())
    if common == 0:
        raise RegistrationError(
            "The SAR raster '{sar}' and the optical raster '{optical}' do not overlap "
            "(by their georeferencing, no common valid pixel).",
            "Choose two rasters of the same area, or check their coordinate reference systems; if they do show the same "
            "area and the georeferencing is wrong, ignore it ({option}).", sar=sar.path, optical=optical.path, option=IGNORE_GEOREFERENCING,
        )
    if common < MINIMUM_OVERLAP_PIXELS:
        # Tiles this small were registered a few pixels to 21 px wrong (120 px BigEarthNet pairs, CLI
        # with the limit lowered): too few templates fit to tell a right alignment from a wrong one.
        raise RegistrationError(
            "The SAR raster '{sar}' and the optical raster '{optical}' share only {common} valid pixels "
            "(by their georeferencing, about {side} x {side}); registering needs at least {least} (128 x 128).",
            "Use larger rasters of the same area (a few hundred pixels across work best), or check their coordinate "
            "reference systems and nodata values; if the georeferencing is wrong, ignore it ({option}).",
            sar=sar.path, optical=optical.path, common=common, side=int(np.sqrt(common)), least=MINIMUM_OVERLAP_PIXELS,
            option=IGNORE_GEOREFERENCING,
        )
    return CoarseAlignment(np.where(valid, resampled, 0).astype(np.float32), valid, True, pixel_mapping(optical, sar), predicted=True)
