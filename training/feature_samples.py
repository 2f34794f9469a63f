"""Training samples for the dense feature network: an optical crop, a larger SAR crop around the
same ground, and where in the SAR crop's score map the optical crop's centre template belongs.

Labels. The pairs are co-registered only to a few pixels (shared/data/README.md), so samples are
centred on the optical image's keypoints (FAST on phase congruency, where the engine will match)
and labelled with the offset the pair's own CFOG template matches measure there
(``patch_pairs.measured_offsets``); where no consistent offset can be measured (speckled or
featureless ground, a quarter of the samples taken anywhere), the label is the identity with a
wider tolerance (``UNKNOWN_SIGMA_PX``).

Augmentation models what differs between real pairs and between scenes: one shared rotation
(mostly small, sometimes any), scale, flips and 90-degree turns (so the label stays exact), and
apart from that gamma speckle, a nonlinear radiometry change and blur on either side.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Dict, List, Tuple

import cv2
import numpy as np

from plugin.core.keypoints import MARGIN_RULE, detect_keypoints
from .augment import radiometry, speckle
from .patch_pairs import REFINE_MAX_SPREAD_PX, REFINE_MIN_SUPPORT, REFINE_RADIUS_PX, ImagePair, load_pair_grey, measured_offsets

LOGGER = logging.getLogger(__name__)
CROP_PX = 96  # optical crop; its central TEMPLATE_PX square is the template (the rest is context)
TEMPLATE_PX = 64  # px; the engine compares larger ones (97 px), which the network's features serve as well (benchmarks/results/template-radius-*.md)
SEARCH_PX = 12  # the SAR crop reaches this much farther on every side: scores for shifts of +-12 px
KNOWN_SIGMA_PX = 1.0  # label tolerance where the offset was measured
UNKNOWN_SIGMA_PX = 2.5  # and where it was not (identity)
KEYPOINTS_PER_IMAGE = 600
LABEL_MARGIN_PX = 48


@dataclass
class LabelledPair:
    name: str
    optical: np.ndarray  # H x W float32 in [0, 1]
    sar: np.ndarray  # same grid
    xy: np.ndarray  # N x 2 optical keypoints
    offset: np.ndarray  # N x 2 measured SAR - optical offsets, NaN where unknown


def load_labelled_pairs(pairs: List[ImagePair], cache_dir: str) -> List[LabelledPair]:
    """The pairs with their keypoints' measured offsets (cached per pair and label settings)."""
    settings = f"{KEYPOINTS_PER_IMAGE}-{LABEL_MARGIN_PX}-{REFINE_RADIUS_PX}-{REFINE_MIN_SUPPORT}-{REFINE_MAX_SPREAD_PX}-{MARGIN_RULE}"
    labelled = []
    for pair in pairs:
        optical, sar = load_pair_grey(pair)
        path = os.path.join(cache_dir, pair.name.replace("/", "_") + f"-{settings}.npz")
        if os.path.exists(path):
            cached = np.load(path)
            xy, offset = cached["xy"], cached["offset"]
        else:
            xy = detect_keypoints(optical, np.ones(optical.shape, bool), KEYPOINTS_PER_IMAGE, margin=LABEL_MARGIN_PX).xy.astype(np.float64)
            offset = measured_offsets(optical, sar, xy)
            os.makedirs(cache_dir, exist_ok=True)
            np.savez(path, xy=xy, offset=offset)
        LOGGER.info("labels: %s: %d keypoints, %.0f%% with a measured offset", pair.name, len(xy),
                    100 * np.isfinite(offset[:, 0]).mean() if len(xy) else 0)
        labelled.append(LabelledPair(pair.name, optical, sar, xy, offset))
    return labelled


def _turn(vector: np.ndarray, turns: int, flip: bool) -> np.ndarray:
    """How a displacement changes under ``np.rot90(a, turns)`` and then a left-right flip."""
    for _ in range(turns):
        vector = np.array([vector[1], -vector[0]])
    return np.array([-vector[0], vector[1]]) if flip else vector


def sample(pair: LabelledPair, rng: np.random.Generator, augment: bool = True) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(optical CROP_PX^2, SAR (CROP_PX + 2 SEARCH_PX)^2, label (x, y, sigma)): the optical
    crop's central template belongs at score-map position (x, y), i.e. at shift (x - SEARCH_PX,
    y - SEARCH_PX) in the SAR crop."""
    rows, cols = pair.optical.shape
    if len(pair.xy) and rng.random() < 0.75:
        index = rng.integers(len(pair.xy))
        centre, offset = pair.xy[index], pair.offset[index]
    else:
        centre, offset = np.array([rng.uniform(0.25, 0.75) * cols, rng.uniform(0.25, 0.75) * rows]), np.full(2, np.nan)
    known = bool(np.isfinite(offset).all())
    offset = offset if known else np.zeros(2)
    if augment:
        angle = rng.uniform(-10, 10) if rng.random() < 0.8 else rng.uniform(-180, 180)
        scale = np.exp(rng.uniform(np.log(0.8), np.log(1.25)))
    else:
        angle, scale = 0.0, 1.0
    size = CROP_PX + 2 * SEARCH_PX + 40  # room for the shift below
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0 / scale)
    matrix[:, 2] += size / 2 - centre
    warp = lambda image: cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)  # noqa: E731
    optical, sar = warp(pair.optical), warp(pair.sar)
    offset = matrix[:, :2] @ offset
    if augment:
        if rng.random() < 0.5:
            sar = speckle(sar, rng, rng.uniform(1.0, 6.0))
        if rng.random() < 0.5:
            sar = radiometry(sar, rng)
        optical = radiometry(optical, rng)
        if rng.random() < 0.2:
            optical = cv2.GaussianBlur(optical, (0, 0), rng.uniform(0.5, 2.0))
        if rng.random() < 0.2:
            sar = cv2.GaussianBlur(sar, (0, 0), rng.uniform(0.5, 2.0))
        turns, flip = int(rng.integers(4)), bool(rng.random() < 0.5)
        optical, sar = (np.rot90(a, turns)[:, ::-1] if flip else np.rot90(a, turns) for a in (optical, sar))
        offset = _turn(offset, turns, flip)
    shift = rng.integers(-SEARCH_PX + 3, SEARCH_PX - 2, 2)  # also without augmentation: the label must not sit in one place
    middle, half = size // 2, CROP_PX // 2
    optical_crop = optical[middle - half : middle + half, middle - half : middle + half]
    sx, sy = middle - shift[0], middle - shift[1]
    sar_crop = sar[sy - half - SEARCH_PX : sy + half + SEARCH_PX, sx - half - SEARCH_PX : sx + half + SEARCH_PX]
    label = np.array([SEARCH_PX + shift[0] + offset[0], SEARCH_PX + shift[1] + offset[1], KNOWN_SIGMA_PX if known else UNKNOWN_SIGMA_PX])
    return np.ascontiguousarray(optical_crop, np.float32), np.ascontiguousarray(sar_crop, np.float32), label


def sample_batch(pairs: Dict[str, List[LabelledPair]], weights: Dict[str, float], size: int, rng: np.random.Generator, augment: bool = True):
    """``size`` samples, each from a group of pairs (e.g. "3mos", "s1s2") drawn with ``weights``."""
    groups = list(pairs)
    chance = np.array([weights[g] for g in groups], float)
    samples = []
    for _ in range(size):
        group = pairs[groups[rng.choice(len(groups), p=chance / chance.sum())]]
        samples.append(sample(group[rng.integers(len(group))], rng, augment))
    return (np.stack([s[0] for s in samples]), np.stack([s[1] for s in samples]), np.stack([s[2] for s in samples]))
