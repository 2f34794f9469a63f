"""Keypoints: FAST corners on the phase-congruency map, spread evenly over the image.

Detecting on phase congruency rather than intensity is what makes the same corners show up in
an optical image and a SAR image of the same place.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import cv2
import numpy as np

from .phase_congruency import PhaseCongruencyParams, phase_congruency


@dataclass
class Keypoints:
    xy: np.ndarray  # N x 2 float32, OpenCV pixel centres (x = column, y = row)
    response: np.ndarray  # N float32, FAST score on the phase-congruency map

    def __len__(self) -> int:
        return len(self.xy)


def congruency_to_uint8(congruency: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Scales a phase-congruency map to 0..255 by its 99.5th percentile, for FAST."""
    values = congruency[valid]  # a copy, which the percentile may reorder
    top = np.percentile(values, 99.5, overwrite_input=True) if values.size else 1.0
    scaled = congruency * np.float32(255.0 / max(top, 1e-6))
    np.clip(scaled, 0, 255, out=scaled)
    scaled[~valid] = 0
    return scaled.astype(np.uint8)


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


# The engine's keypoints keep this far from the image's edge (and ``margin``, 8 px, from invalid
# pixels): all of its benchmarks were measured so. With 8 px at the edge too, the validation
# benchmark lost 8% of its correct matches and 1-2 pairs within 3 px while gaining 1-2 within the
# data's tolerance (benchmarks/results/edge-margin-8.md): points that close to the edge are never
# tried by template matching and take the place of points that would be.
ENGINE_EDGE_MARGIN_PX = 16
# Named in the cache keys of training data cut at keypoints, so data cut while the edge margin was
# applied twice (a 59 px margin kept a 256 px tile's keypoints in its central 20 px) is rebuilt.
MARGIN_RULE = "margin-once"


def detect_keypoints(
    image: np.ndarray,
    valid: np.ndarray,
    max_keypoints: int = 1000,
    margin: int = 8,
    fast_threshold: int = 8,
    cell_size: int = 64,
    params: PhaseCongruencyParams = PhaseCongruencyParams(),
    progress: Optional[Callable[[float], None]] = None,
    edge_margin: int = ENGINE_EDGE_MARGIN_PX,
    device=None,
) -> Keypoints:
    """FAST on the phase-congruency map of ``image`` (H x W float in [0, 1]), where ``valid``.

    Points closer than ``margin`` pixels to an invalid pixel, or than the larger of ``margin`` and
    ``edge_margin`` to the image's edge, are dropped.
    ``progress``: told how far the map is, tile by tile on a large image (``phase_congruency``).
    ``device``: the torch device to compute the map on (None: the CPU, with scipy; ``phase_congruency``).
    """
    congruency = phase_congruency(image, params, where=valid, progress=progress, device=device)
    return fast_keypoints(congruency_to_uint8(congruency, valid), valid, max_keypoints, margin, fast_threshold, cell_size, edge_margin)


def keypoint_mask(valid: np.ndarray, margin: int, edge_margin: int = ENGINE_EDGE_MARGIN_PX) -> np.ndarray:
    """Where keypoints may lie: ``margin`` px inside ``valid`` and ``max(margin, edge_margin)`` px
    from the image's edge."""
    # beyond the edge counts as invalid (border value 0), so the erosion keeps ``margin`` px from it too
    inner = cv2.erode(valid.astype(np.uint8), _diamond(margin), borderType=cv2.BORDER_CONSTANT, borderValue=0) > 0 if margin > 0 else valid.copy()
    if edge_margin > margin:
        inner[:edge_margin], inner[inner.shape[0] - edge_margin :] = False, False
        inner[:, :edge_margin], inner[:, inner.shape[1] - edge_margin :] = False, False
    return inner


def _diamond(radius: int) -> np.ndarray:
    """The erosion kernel of all pixels within ``radius`` steps (4-connected): one OpenCV erosion by it
    is scipy's ``binary_erosion`` iterated ``radius`` times, 9x faster (18 -> 2 ms on 1024 px)."""
    offsets = np.arange(-radius, radius + 1)
    return (np.abs(offsets)[:, None] + np.abs(offsets)[None, :] <= radius).astype(np.uint8)


def fast_keypoints(picture: np.ndarray, valid: np.ndarray, max_keypoints: int = 1000, margin: int = 8, fast_threshold: int = 8,
                   cell_size: int = 64, edge_margin: int = ENGINE_EDGE_MARGIN_PX) -> Keypoints:
    """FAST corners of the 8-bit ``picture`` (the phase-congruency map in ``detect_keypoints``),
    at least ``margin`` px inside ``valid`` and ``max(margin, edge_margin)`` px from the edge,
    spread evenly (``spread_evenly``)."""
    detector = cv2.FastFeatureDetector_create(threshold=fast_threshold, nonmaxSuppression=True)
    found = detector.detect(picture, None)
    if not found:
        return Keypoints(np.zeros((0, 2), np.float32), np.zeros(0, np.float32))
    xy = cv2.KeyPoint_convert(found).reshape(-1, 2).astype(np.float32, copy=False)  # in C++: millions of points on a large scene
    response = np.fromiter((k.response for k in found), np.float32, len(found))
    keep = keypoint_mask(valid, margin, edge_margin)[xy[:, 1].astype(int), xy[:, 0].astype(int)]
    xy, response = xy[keep], response[keep]
    chosen = spread_evenly(xy, response, picture.shape, max_keypoints, cell_size)
    return Keypoints(xy[chosen], response[chosen])
