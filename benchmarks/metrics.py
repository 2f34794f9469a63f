"""Per-case figures, as the method and 3MOS papers define them (3 px correctness)."""
from __future__ import annotations

from typing import Optional

import numpy as np

from plugin.core import transforms

CORRECT_PX = 3.0


def corners_error(estimated: Optional[np.ndarray], truth: np.ndarray, width: int, height: int) -> float:
    return float("inf") if estimated is None else transforms.corner_error(estimated, truth, width, height)


def consistency_px(estimated: Optional[np.ndarray], reference: Optional[np.ndarray], warped_to_original: np.ndarray, width: int,
                   height: int) -> Optional[float]:
    """Self-consistency, which needs no truth: the largest distance, at the corners of the width x
    height warped SAR image, between the estimate E for the warped pair and the estimate D for the
    pair as it is composed with the known warp (``D @ warped_to_original``; the cases store that
    matrix as ``sar_to_optical``, the pairs being co-registered). None when either was refused."""
    if estimated is None or reference is None:
        return None
    return transforms.corner_error(estimated, reference @ warped_to_original, width, height)


def match_errors(optical_xy, sar_xy, sar_to_optical: np.ndarray) -> np.ndarray:
    """Per match: px between its SAR point and where ``sar_to_optical`` (SAR px -> optical px) puts
    its optical point."""
    if not len(optical_xy):
        return np.zeros(0)
    expected = transforms.apply(np.linalg.inv(sar_to_optical), np.asarray(optical_xy, float))
    return np.linalg.norm(expected - np.asarray(sar_xy, float), axis=1)


def correct_rmse(error: np.ndarray) -> Optional[float]:
    """RMSE over the matches within 3 px (None when there is none)."""
    correct = error <= CORRECT_PX
    return round(float(np.sqrt(np.mean(error[correct] ** 2))), 3) if correct.any() else None


def own_reference_rmse(optical_xy, sar_xy, reference: Optional[np.ndarray], warped_to_original: np.ndarray) -> Optional[float]:
    """RMSE of the correct matches judged, instead of by the truth, by the same method's estimate D
    for the pair as it is composed with the known warp (as ``consistency_px``): needs no truth, so
    it is not capped by the data's own misalignment. It measures how closely the matches of one
    run follow the fit of another (localisation noise, and ground that is not one affine
    transform apart), not where the ground truly is. None when either run was refused, or when no
    match lies within 3 px."""
    if reference is None or not len(optical_xy):
        return None
    return correct_rmse(match_errors(optical_xy, sar_xy, reference @ warped_to_original))


def case_figures(optical_xy, sar_xy, estimated, truth, width, height, candidates: int, seconds: float, tolerance: float) -> dict:
    """NCM: returned matches whose SAR point lies within 3 px of the truth; CMR = NCM / returned;
    RMSE over correct matches; success: all four corners within 3 px (and within the data's
    tolerance); precision/recall/F as in the method: precision = CMR, recall = NCM / every
    tie-point candidate before filtering (``candidates``, when known), as the README states it."""
    returned = len(optical_xy)
    error = match_errors(optical_xy, sar_xy, truth)
    ncm = int((error <= CORRECT_PX).sum())
    cmr = ncm / returned if returned else 0.0
    recall = ncm / candidates if candidates else float("nan")
    f_measure = 2 * cmr * recall / (cmr + recall) if candidates and (cmr + recall) > 0 else float("nan")
    corner = corners_error(estimated, truth, width, height)
    return {
        "returned": returned, "ncm": ncm, "cmr": round(cmr, 4),
        "rmse_px": correct_rmse(error),
        "corner_error_px": round(corner, 2) if np.isfinite(corner) else None,
        "success_3px": bool(corner <= CORRECT_PX), "success_tolerance": bool(corner <= tolerance), "tolerance_px": tolerance,
        "f_measure": None if np.isnan(f_measure) else round(f_measure, 4), "seconds": round(seconds, 3),
    }
