"""Keypoints: FAST corners on the phase-congruency map, spread evenly over the image.

Detecting on phase congruency rather than intensity is what makes the same corners show up in
an optical image and a SAR image of the same place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import cv2
import numpy as np
from scipy import ndimage

from .phase_congruency import WHERE_MARGIN_PX, PhaseCongruencyParams, phase_congruency, tile_origins

KEYPOINT_TILES = 64  # a large image's keypoints come from at most this many tiles of SAMPLE_TILE_PX (``sample_tiles``)
SAMPLE_TILE_PX = 512


@dataclass
class Keypoints:
    xy: np.ndarray  # N x 2 float32, OpenCV pixel centres (x = column, y = row)
    response: np.ndarray  # N float32, FAST score on the phase-congruency map

    def __len__(self) -> int:
        return len(self.xy)


def congruency_to_uint8(congruency: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Scales a phase-congruency map to 0..255 by its 99.5th percentile, for FAST."""
    values = congruency[valid]
    top = np.percentile(values, 99.5) if values.size else 1.0
    scaled = np.clip(congruency * (255.0 / max(top, 1e-6)), 0, 255)
    return np.where(valid, scaled, 0).astype(np.uint8)


def spread_evenly(xy: np.ndarray, response: np.ndarray, image_shape, max_keypoints: int, cell_size: int) -> np.ndarray:
    """Indices of at most ``max_keypoints`` points taken round-robin over a grid of cells.

    Every cell gives its strongest point first, then its second strongest, and so on, so that a
    textured corner of the image cannot take all the keypoints. The order is kept even when all
    points are taken: any first n of them are spread too (fine matching's first pass uses that).
    """
    if not len(xy):
        return np.zeros(0, np.int64)
    columns = int(np.ceil(image_shape[1] / cell_size))
    cell = (xy[:, 1] // cell_size).astype(np.int64) * columns + (xy[:, 0] // cell_size).astype(np.int64)
    order = np.lexsort((-response, cell))  # by cell, strongest first within a cell
    sorted_cells = cell[order]
    first_of_cell = np.r_[0, np.flatnonzero(np.diff(sorted_cells)) + 1]
    starts = np.repeat(first_of_cell, np.diff(np.r_[first_of_cell, len(order)]))
    rank = np.arange(len(order)) - starts
    pick = np.lexsort((-response[order], rank))[:max_keypoints]
    return order[pick]


def sample_tiles(image: np.ndarray, where: np.ndarray, count: int = KEYPOINT_TILES, tile_px: int = SAMPLE_TILE_PX):
    """``where`` narrowed to at most ``count`` of the ``tile_px`` tiles it touches, spread over it,
    or None when it touches no more than that: the tiles are grouped in bands of rows and of
    columns (8 x 8 for 64), and each group gives the tile with the most structure (the sum over
    ``where`` of the image's gradient at 1/8 scale, so that open water or cloud is passed over
    for the fields or town beside it). Each chosen tile keeps ``WHERE_MARGIN_PX`` clear of its
    edges, so that phase congruency in tiles of ``tile_px`` computes only the chosen ones.

    Why: a few hundred keypoints are all that matching locates, yet the map of a 10980 px
    Sentinel-2 tile costs 121 tiles of 1024 px, a third of a second each. Small tiles keep the
    keypoints, and so the tie points, spread over the whole scene: with 16 tiles of 1024 px the
    tie points gathered in fewer places, and the fit followed those places' local offsets
    (``benchmarks/README.md``, large scenes)."""
    tiles = tile_origins(image.shape, where, tile_px)
    if len(tiles) <= count:
        return None
    side = max(1, int(np.sqrt(count)))
    band_of = []
    for axis in (0, 1):
        starts = sorted({tile[axis] for tile in tiles})
        band_of.append({start: band for band, group in enumerate(np.array_split(starts, min(side, len(starts)))) for start in group})
    small = cv2.resize(image.astype(np.float32), None, fx=1 / 8, fy=1 / 8, interpolation=cv2.INTER_AREA)
    small_where = cv2.resize(where.astype(np.uint8), (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST).astype(bool)
    gradient = np.hypot(cv2.Sobel(small, cv2.CV_32F, 1, 0), cv2.Sobel(small, cv2.CV_32F, 0, 1)) * small_where
    best = {}
    for top, left in tiles:
        structure = float(gradient[top // 8 : (top + tile_px) // 8, left // 8 : (left + tile_px) // 8].sum())
        group = (band_of[0][top], band_of[1][left])
        if group not in best or structure > best[group][0]:
            best[group] = (structure, top, left)
    chosen = np.zeros(where.shape, bool)
    for _, top, left in best.values():
        chosen[top + WHERE_MARGIN_PX : top + tile_px - WHERE_MARGIN_PX, left + WHERE_MARGIN_PX : left + tile_px - WHERE_MARGIN_PX] = True
    return where & chosen


def detect_keypoints(
    image: np.ndarray,
    valid: np.ndarray,
    max_keypoints: int = 1000,
    margin: int = 8,
    fast_threshold: int = 8,
    cell_size: int = 64,
    params: PhaseCongruencyParams = PhaseCongruencyParams(),
    max_tiles: Optional[int] = None,
) -> Keypoints:
    """FAST on the phase-congruency map of ``image`` (H x W float in [0, 1]), where ``valid``.

    Points closer than ``margin`` pixels to an invalid pixel or to the image edge are dropped.
    ``max_tiles``: on a large image, look in at most this many of its tiles (``sample_tiles``).
    """
    tile_px = None
    narrowed = sample_tiles(image, valid, max_tiles, SAMPLE_TILE_PX) if max_tiles is not None else None
    if narrowed is not None:
        valid, tile_px = narrowed, SAMPLE_TILE_PX
    congruency = phase_congruency(image, params, where=valid, tile_px=tile_px)
    detector = cv2.FastFeatureDetector_create(threshold=fast_threshold, nonmaxSuppression=True)
    found = detector.detect(congruency_to_uint8(congruency, valid), None)
    if not found:
        return Keypoints(np.zeros((0, 2), np.float32), np.zeros(0, np.float32))
    xy = np.array([k.pt for k in found], np.float32)
    response = np.array([k.response for k in found], np.float32)
    inner = valid.copy()
    inner[:margin], inner[-margin:], inner[:, :margin], inner[:, -margin:] = False, False, False, False
    inner = ndimage.binary_erosion(inner, iterations=margin) if margin > 0 else inner
    keep = inner[xy[:, 1].astype(int), xy[:, 0].astype(int)]
    xy, response = xy[keep], response[keep]
    chosen = spread_evenly(xy, response, image.shape, max_keypoints, cell_size)
    return Keypoints(xy[chosen], response[chosen])
