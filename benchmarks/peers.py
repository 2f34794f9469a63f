"""Peers run in the same benchmark: what a user would try first.

- OpenCV SIFT + Lowe's ratio test (0.8) + RANSAC (3 px).
- OpenCV AKAZE + ratio test + RANSAC.
Both on the same normalised images the engine sees (percentile stretch, SAR band 1).
"""
from __future__ import annotations

import time

import cv2
import numpy as np

from plugin.core import transforms


def _to_uint8(image: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    lo, hi = np.percentile(grey, [1, 99])
    return np.clip((grey.astype(np.float32) - lo) * 255.0 / max(hi - lo, 1), 0, 255).astype(np.uint8)


def match_with(detector_name: str, optical: np.ndarray, sar: np.ndarray, sar_valid: np.ndarray, model: str = "affine"):
    """Returns (optical_xy, sar_xy, sar_to_optical or None, seconds)."""
    started = time.perf_counter()
    detector = cv2.SIFT_create(nfeatures=4000) if detector_name == "sift" else cv2.AKAZE_create()
    norm = cv2.NORM_L2 if detector_name == "sift" else cv2.NORM_HAMMING
    k1, d1 = detector.detectAndCompute(_to_uint8(optical), None)
    k2, d2 = detector.detectAndCompute(_to_uint8(sar), sar_valid.astype(np.uint8) * 255)
    empty = (np.zeros((0, 2)), np.zeros((0, 2)), None)
    if d1 is None or d2 is None or len(k1) < 2 or len(k2) < 2:
        return (*empty, time.perf_counter() - started)
    pairs = cv2.BFMatcher(norm).knnMatch(d1, d2, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.8 * p[1].distance]
    optical_xy = np.array([k1[m.queryIdx].pt for m in good]).reshape(-1, 2)
    sar_xy = np.array([k2[m.trainIdx].pt for m in good]).reshape(-1, 2)
    matrix, inliers = transforms.fit_robust(sar_xy, optical_xy, model, 3.0)
    seconds = time.perf_counter() - started
    if matrix is None:
        return optical_xy[:0], sar_xy[:0], None, seconds
    return optical_xy[inliers], sar_xy[inliers], matrix, seconds
