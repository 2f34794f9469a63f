"""Matching descriptors: nearest neighbour within a search radius, optional mutual check, the
method's adaptive threshold, then RANSAC. Every stage leaves its own mask so a user can see why
a match was dropped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional

import numpy as np
from scipy.spatial import cKDTree

from .transforms import fit_robust, refine_inliers

# Stage masks in the order they are applied; a match is kept when it passes all of them.
STAGES = ("mutual", "adaptive_threshold", "template", "ransac")
# Above this many optical x SAR pairs, only the pairs within the search radius are compared (a
# 1024 px pair's 1000 keypoints against its SAR grid: about 16 million, compared all at once).
DENSE_PAIRS = 50_000_000


@dataclass
class Matches:
    """Candidate matches: one per optical keypoint that has a SAR keypoint within the radius."""

    optical_index: np.ndarray  # N int, index into the optical keypoints
    sar_index: np.ndarray  # N int, index into the SAR keypoints
    optical_xy: np.ndarray  # N x 2, optical pixels
    sar_xy: np.ndarray  # N x 2, SAR pixels in the matching grid
    distance: np.ndarray  # N, descriptor distance to the nearest neighbour, sqrt(2 - 2 o.s)
    second_distance: np.ndarray  # N, distance to the second nearest (2.0 when there is none)
    stage_masks: Dict[str, np.ndarray] = field(default_factory=dict)  # stage -> N bool, True = passed

    def __len__(self) -> int:
        return len(self.optical_index)

    @property
    def kept(self) -> np.ndarray:
        kept = np.ones(len(self), bool)
        for mask in self.stage_masks.values():
            kept &= mask
        return kept

    def rejected_by(self) -> List[str]:
        """Per match, the first stage that rejected it, or "" when it was kept."""
        reasons = [""] * len(self)
        for stage in STAGES:
            mask = self.stage_masks.get(stage)
            if mask is None:
                continue
            for i in np.flatnonzero(~mask):
                if not reasons[i]:
                    reasons[i] = stage
        return reasons


def descriptor_distances(optical: np.ndarray, sar: np.ndarray) -> np.ndarray:
    """N x M distances sqrt(2 - 2 o.s) between unit descriptors (the HardNet distance)."""
    return np.sqrt(np.clip(2.0 - 2.0 * optical @ sar.T, 0.0, 4.0))


def match_nearest(
    optical_xy: np.ndarray,
    optical_descriptors: np.ndarray,
    sar_xy: np.ndarray,
    sar_descriptors: np.ndarray,
    search_radius: Optional[float] = None,
    mutual: bool = True,
    second_exclusion: float = 0.0,
) -> Matches:
    """Nearest SAR neighbour of each optical descriptor, among SAR points within
    ``search_radius`` pixels of the optical keypoint (None: anywhere), with the method's adaptive
    threshold (keep when d2 - d1 exceeds its mean over all keypoints) and an optional mutual check.

    ``second_exclusion``: the second-nearest neighbour d2 is looked for among SAR points farther
    than this from the nearest one. With SAR points on a dense grid the grid point next to the
    best one is nearly the same place, so it must not count as a rival.
    """
    if not len(sar_xy) or not len(optical_xy):
        return _no_matches()
    if search_radius is not None and len(optical_xy) * len(sar_xy) > DENSE_PAIRS:
        nearest, d1, d2, best_optical_for_sar = _nearest_within_radius(optical_xy, optical_descriptors, sar_xy, sar_descriptors,
                                                                       search_radius, second_exclusion)
    else:
        nearest, d1, d2, best_optical_for_sar = _nearest_dense(optical_xy, optical_descriptors, sar_xy, sar_descriptors,
                                                               search_radius, second_exclusion)
    has_candidate = np.isfinite(d1)
    rows = np.flatnonzero(has_candidate)
    cols = nearest[rows]
    matches = Matches(rows, cols, optical_xy[rows], sar_xy[cols], d1[rows], d2[rows])
    if len(rows) == 0:
        return matches
    matches.stage_masks["mutual"] = best_optical_for_sar[cols] == rows if mutual else np.ones(len(rows), bool)
    margin = matches.second_distance - matches.distance
    matches.stage_masks["adaptive_threshold"] = margin > margin.mean()
    return matches


def _nearest_dense(optical_xy, optical_descriptors, sar_xy, sar_descriptors, search_radius, second_exclusion):
    """(nearest SAR index, d1, d2 per optical point; best optical index per SAR point) from the
    whole optical x SAR distance matrix."""
    distances = descriptor_distances(optical_descriptors, sar_descriptors).astype(np.float32)
    if search_radius is not None and distances.size:
        gap = np.linalg.norm((optical_xy[:, None, :] - sar_xy[None, :, :]).astype(np.float32), axis=2)
        distances[gap > search_radius] = np.inf
    nearest = np.argmin(distances, axis=1)
    d1 = distances[np.arange(len(distances)), nearest]
    rivals = distances.copy()
    if second_exclusion > 0:
        rivals[np.linalg.norm((sar_xy[nearest][:, None, :] - sar_xy[None, :, :]).astype(np.float32), axis=2) <= second_exclusion] = np.inf
    else:
        rivals[np.arange(len(distances)), nearest] = np.inf
    d2 = np.minimum(rivals.min(axis=1), 2.0)
    return nearest, d1, d2, np.argmin(distances, axis=0)


def _nearest_within_radius(optical_xy, optical_descriptors, sar_xy, sar_descriptors, search_radius, second_exclusion):
    """``_nearest_dense`` comparing each optical point only with the SAR points within
    ``search_radius``, one optical point at a time: on a large scene the whole matrix (and the
    pixel gaps computed for it) would need tens of GiB. Ties go to the lowest index, as argmin's."""
    count = len(optical_xy)
    nearest, d1, d2 = np.zeros(count, np.int64), np.full(count, np.inf, np.float32), np.full(count, 2.0, np.float32)
    best_distance = np.full(len(sar_xy), np.inf, np.float32)
    best_optical = np.zeros(len(sar_xy), np.int64)
    neighbours = cKDTree(sar_xy).query_ball_point(optical_xy, search_radius, return_sorted=True)
    for index, candidates in enumerate(neighbours):
        if not candidates:
            continue
        candidates = np.asarray(candidates, np.int64)
        distances = np.sqrt(np.clip(2.0 - 2.0 * sar_descriptors[candidates] @ optical_descriptors[index], 0.0, 4.0)).astype(np.float32)
        best = int(np.argmin(distances))
        nearest[index], d1[index] = candidates[best], distances[best]
        if second_exclusion > 0:
            rivals = np.linalg.norm(sar_xy[candidates] - sar_xy[candidates[best]], axis=1) > second_exclusion
        else:
            rivals = np.arange(len(candidates)) != best
        if rivals.any():
            d2[index] = min(float(distances[rivals].min()), 2.0)
        closer = distances < best_distance[candidates]  # strictly: an earlier optical point keeps a tie
        best_distance[candidates[closer]] = distances[closer]
        best_optical[candidates[closer]] = index
    return nearest, d1, d2, best_optical


def within_reach(optical_xy: np.ndarray, sar_xy: np.ndarray, search_radius: float) -> np.ndarray:
    """Per SAR point, whether any optical point lies within ``search_radius`` of it (the others
    are never compared)."""
    if not len(optical_xy):
        return np.zeros(len(sar_xy), bool)
    gap, _ = cKDTree(optical_xy).query(sar_xy, distance_upper_bound=search_radius * (1 + 1e-9))
    return np.isfinite(gap)


def filter_ransac(matches: Matches, model: str, threshold: float = 3.0, seed: int = 0, refine: bool = False) -> Optional[np.ndarray]:
    """RANSAC on the matches that passed the earlier stages; records the "ransac" mask and
    returns the 3 x 3 SAR -> optical model (matching grid), or None when there is no consensus.
    ``refine``: the result locally optimised (``transforms.refine_inliers``; affine or homography)."""
    candidates = matches.kept
    mask = np.zeros(len(matches), bool)
    sar_xy, optical_xy = matches.sar_xy[candidates], matches.optical_xy[candidates]
    matrix, inliers = fit_robust(sar_xy, optical_xy, model, threshold, seed)
    if matrix is not None and refine:
        matrix, inliers = refine_inliers(sar_xy, optical_xy, model, inliers, threshold)
    mask[np.flatnonzero(candidates)[inliers]] = True
    matches.stage_masks["ransac"] = mask
    return matrix


def _no_matches() -> Matches:
    empty = np.zeros(0, np.int64)
    return Matches(empty, empty, np.zeros((0, 2)), np.zeros((0, 2)), np.zeros(0), np.zeros(0))
