"""Geometric models between SAR and optical pixels: robust fits, least-squares fits, residuals.

Every matrix here is 3 x 3 and maps SAR pixel coordinates to optical pixel coordinates (OpenCV
convention). An affine model has last row (0, 0, 1).
"""
from __future__ import annotations

from typing import Tuple

import cv2
import numpy as np

from .errors import RegistrationError

# Models the user can pick for the output warp; RANSAC always runs with affine or homography.
WARP_MODELS = ("affine", "homography", "poly1", "poly2", "poly3", "tps")
MINIMUM_POINTS = {"similarity": 2, "affine": 3, "homography": 4, "poly1": 3, "poly2": 6, "poly3": 10, "tps": 3}


def ransac_model_for(warp_model: str) -> str:
    return "homography" if warp_model == "homography" else "affine"


def fit_robust(sar_xy: np.ndarray, optical_xy: np.ndarray, model: str, threshold: float = 3.0, seed: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """RANSAC fit (OpenCV) of ``model`` ("similarity", "affine" or "homography"). Returns (3x3, inlier mask).

    Fewer points than the model needs, or no consensus, gives (None, all False) rather than raising.
    """
    count = len(sar_xy)
    none = (None, np.zeros(count, bool))
    if count < MINIMUM_POINTS[model]:
        return none
    cv2.setRNGSeed(seed)
    src, dst = sar_xy.astype(np.float64), optical_xy.astype(np.float64)
    if model in ("affine", "similarity"):
        estimate = cv2.estimateAffine2D if model == "affine" else cv2.estimateAffinePartial2D
        matrix, inliers = estimate(src, dst, method=cv2.RANSAC, ransacReprojThreshold=threshold, maxIters=20000, confidence=0.999, refineIters=10)
        matrix = None if matrix is None else np.vstack([matrix, [0.0, 0.0, 1.0]])
    elif model == "homography":
        matrix, inliers = cv2.findHomography(src, dst, cv2.RANSAC, threshold, maxIters=10000, confidence=0.999)
    else:
        raise ValueError(f"RANSAC model must be similarity, affine or homography, got {model!r}")
    if matrix is None or inliers is None:
        return none
    return matrix, inliers.ravel().astype(bool)


def refine_inliers(sar_xy: np.ndarray, optical_xy: np.ndarray, model: str, inliers: np.ndarray, threshold: float,
                   max_rounds: int = 20) -> Tuple[np.ndarray, np.ndarray]:
    """Local optimisation of a RANSAC result ("affine" or "homography"): least squares on the
    inliers, then the inliers re-chosen as every point within ``threshold`` of that fit, until the
    set stops changing. Returns (3x3, inlier mask).

    Why: RANSAC's inliers are those of its best *minimal-sample* hypothesis, so with a 3 px
    threshold on matches good to a pixel or two, which borderline points it keeps depends on the
    luck of the sample, and so does the fit. Re-choosing them around the least-squares fit
    converges on one set: on the calibration pairs, the engine's fit for a warped pair and for the
    pair as it is agreed within 3 px at the corners on 4 more of 33 georeferenced pairs
    (``benchmarks/results/final-fit.md``)."""
    matrix = fit_least_squares(sar_xy[inliers], optical_xy[inliers], model)
    for _ in range(max_rounds):
        chosen = np.linalg.norm(residuals(matrix, sar_xy, optical_xy), axis=1) <= threshold
        if chosen.sum() < MINIMUM_POINTS[model] or np.array_equal(chosen, inliers):
            break
        inliers = chosen
        matrix = fit_least_squares(sar_xy[inliers], optical_xy[inliers], model)
    return matrix, inliers


def fit_least_squares(sar_xy: np.ndarray, optical_xy: np.ndarray, model: str) -> np.ndarray:
    """Least-squares 3x3 fit on all given points (similarity, affine or homography)."""
    if len(sar_xy) < MINIMUM_POINTS[model]:
        raise RegistrationError(
            "{count} tie point(s) are too few to fit the {model} transform (at least {needed} are needed).",
            "Enable more tie points, or choose a simpler transform.", count=len(sar_xy), model=model, needed=MINIMUM_POINTS[model],
        )
    src, dst = sar_xy.astype(np.float64), optical_xy.astype(np.float64)
    if model == "homography":
        matrix, _ = cv2.findHomography(src, dst, 0)
        if matrix is None:
            raise RegistrationError("The tie points do not determine a homography (they may lie on a line).", "Add tie points spread over the image.")
        return matrix
    count = len(src)
    if model == "similarity":  # x' = a x - b y + tx, y' = b x + a y + ty
        design = np.zeros((2 * count, 4))
        design[0::2] = np.column_stack([src[:, 0], -src[:, 1], np.ones(count), np.zeros(count)])
        design[1::2] = np.column_stack([src[:, 1], src[:, 0], np.zeros(count), np.ones(count)])
        (a, b, tx, ty), *_ = np.linalg.lstsq(design, dst.reshape(-1), rcond=None)
        return np.array([[a, -b, tx], [b, a, ty], [0.0, 0.0, 1.0]])
    design = np.hstack([src, np.ones((count, 1))])
    solution, *_ = np.linalg.lstsq(design, dst, rcond=None)
    return np.vstack([solution.T, [0.0, 0.0, 1.0]])


def apply(matrix: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """Applies a 3x3 transform to N x 2 points."""
    homogeneous = np.hstack([xy, np.ones((len(xy), 1))]) @ np.asarray(matrix, np.float64).T
    return homogeneous[:, :2] / homogeneous[:, 2:3]


def residuals(matrix: np.ndarray, sar_xy: np.ndarray, optical_xy: np.ndarray) -> np.ndarray:
    """N x 2 residuals (predicted optical - measured optical), in optical pixels."""
    return apply(matrix, sar_xy) - optical_xy


def rms(residuals_xy: np.ndarray) -> float:
    """Root mean square length of N x 2 residuals, px (a fit's RMSE over the points given)."""
    return float(np.sqrt(np.mean(np.sum(residuals_xy ** 2, axis=1))))


def corner_error(estimated: np.ndarray, truth: np.ndarray, width: int, height: int) -> float:
    """Largest distance between where two transforms put the four corners of a width x height image."""
    corners = image_corners(width, height)
    return float(np.linalg.norm(apply(estimated, corners) - apply(truth, corners), axis=1).max())


def image_corners(width: int, height: int) -> np.ndarray:
    """The four corner pixels of a width x height image, clockwise from the top left (4 x 2)."""
    return np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float64)
