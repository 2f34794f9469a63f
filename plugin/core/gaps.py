"""Small nodata gaps inside a raster's footprint, filled for matching only.

Why: an 8-bit SAR export often uses 0 as its nodata value while its darkest pixels (calm water,
radar shadow, speckle minima) are also 0. GDAL then reads them as nodata: in some TerraSAR-X
tiles 5-50% of the image, scattered in hundreds of small holes. Every feature the engine
computes is zero at invalid pixels, and a template or window with much invalid area is skipped,
so such holes cost most of the tie points. Gaps of at most ``MAX_GAP_PX`` pixels that do not
touch the image's edge are therefore filled with the mean of the valid pixels around them and
count as valid *for matching*; larger ones (water, the footprint's outside) stay invalid. The
written outputs read the input file again, so its nodata stays nodata there.
"""
from __future__ import annotations

import dataclasses
import logging

import cv2
import numpy as np

from .raster_io import Raster

LOGGER = logging.getLogger(__name__)
MAX_GAP_PX = 256  # area of the largest gap filled (a 16 x 16 px hole)
FILL_SIGMAS_PX = (2.0, 8.0)  # Gaussian-weighted means of the valid neighbours, the narrowest that reaches


def small_gaps(valid: np.ndarray, max_area: int = MAX_GAP_PX) -> np.ndarray:
    """Mask of the invalid 8-connected regions of at most ``max_area`` pixels that do not touch
    the image's edge."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~valid).astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros(valid.shape, bool)
    rows, cols = valid.shape
    left, top = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    right, bottom = left + stats[:, cv2.CC_STAT_WIDTH], top + stats[:, cv2.CC_STAT_HEIGHT]
    small = (stats[:, cv2.CC_STAT_AREA] <= max_area) & (left > 0) & (top > 0) & (right < cols) & (bottom < rows)
    small[0] = False  # label 0: the valid pixels
    return small[labels]


def fill_small_gaps(raster: Raster, max_area: int = MAX_GAP_PX) -> Raster:
    """``raster`` with its small gaps (``small_gaps``) filled and valid; the same object when it has none."""
    gaps = small_gaps(raster.valid, max_area)
    if not gaps.any():
        return raster
    filled = raster.data.copy()  # float32, 0 where invalid (Raster)
    todo = gaps.copy()
    weights = raster.valid.astype(np.float32)
    for sigma in FILL_SIGMAS_PX:
        total = cv2.GaussianBlur(raster.data * weights, (0, 0), sigma)
        weight = cv2.GaussianBlur(weights, (0, 0), sigma)
        reached = todo & (weight > 1e-3)
        filled[reached] = total[reached] / weight[reached]
        todo &= ~reached
    gaps &= ~todo  # none left in practice: a gap of 256 px lies within 8 px of valid pixels
    LOGGER.info("%s: %d nodata pixels in small gaps inside the image filled for matching (the outputs keep them as nodata)",
                raster.path, int(gaps.sum()))
    return dataclasses.replace(raster, data=filled, valid=raster.valid | gaps)
