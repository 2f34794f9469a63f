"""Patch pairs for training and validation, cut from co-registered optical/SAR image pairs.

Windows are cut at the keypoints the registration engine itself would detect (FAST on phase
congruency, in both images), so the network trains on the kind of patches it will describe.
Windows are larger than the patch so that augmentation can rotate and scale without borders.

With ``refine=True`` the SAR window of each keypoint is cut where the pair's own structure puts
it, not at the same pixel: the pairs are co-registered only to a few pixels (shared/data/README.md
measures -8..+6 px in hilly S1/S2 terrain, 1-3 px per 3MOS sensor), which is label noise for a
descriptor that is asked to separate places a few pixels apart. The offset is measured by the
engine's CFOG template matching (``plugin.core.structural``), smoothed as the median of the
distinct measurements nearby, and keypoints where it cannot be measured are left out.

Split (as ``shared/data/README.md`` suggests): s1s2-california, the last 10 pairs in name order
are validation; 3MOS samples with k in 0..2 train, k in 3..4 validate. A training pair that shows
ground of a held-out pair is left out (``leave_out_shared_ground``).
"""
from __future__ import annotations

import functools
import glob
import json
import logging
import os
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np

from plugin.core.keypoints import MARGIN_RULE, detect_keypoints
from plugin.core.pipeline import MIN_DISTINCTNESS
from plugin.core.structural import cfog, match_templates

LOGGER = logging.getLogger(__name__)
S1S2_VALIDATION_COUNT = 10
REFINE_SEARCH_PX = 10  # the largest local misalignment looked for (the data: up to ~8 px)
REFINE_RADIUS_PX = 96  # offsets are the median of the measurements this close ...
REFINE_MIN_SUPPORT = 3  # ... when at least this many agree
REFINE_MAX_SPREAD_PX = 1.5  # (median absolute deviation from their median, px)
REFINE_TEMPLATE_RADIUS = 32  # px: 65 px CFOG templates, as the shipped models' labels were measured (the engine's default is now larger)


@dataclass
class ImagePair:
    name: str
    optical_path: str
    sar_path: str


def list_pairs(data_dir: str) -> Tuple[List[ImagePair], List[ImagePair]]:
    """(train, validation) pairs under ``data_dir`` (the layout of shared/data)."""
    train, validation = [], []
    s1s2 = sorted(glob.glob(os.path.join(data_dir, "s1s2-california", "opt", "*.png")))
    for index, optical in enumerate(s1s2):
        pair = ImagePair("s1s2/" + os.path.basename(optical), optical, optical.replace(os.sep + "opt" + os.sep, os.sep + "sar" + os.sep))
        (validation if index >= len(s1s2) - S1S2_VALIDATION_COUNT else train).append(pair)
    for optical in sorted(glob.glob(os.path.join(data_dir, "3mos-samples", "*_opt.png"))):
        stem = os.path.basename(optical)[: -len("_opt.png")]
        pair = ImagePair("3mos/" + stem, optical, optical.replace("_opt.png", "_sar.png"))
        (validation if int(stem.rsplit("_", 1)[1]) >= 3 else train).append(pair)
    return train, validation


# 3MOS tiles that show the same ground as another tile. The 3MOS samples carry no footprints;
# this was measured by comparing their pixels block by block: GF3_rural_4's rows 128-255 are
# GF3_rural_1's rows 0-127 (the optical identical, 99% of the SAR's pixels). No other tile shares ground.
SAME_GROUND_3MOS = (("3mos/GF3_rural_4", "3mos/GF3_rural_1"),)


@functools.lru_cache(maxsize=None)
def _s1s2_footprints(metadata_path: str) -> Dict[str, Tuple[float, float, float, float]]:
    """(xmin, ymin, xmax, ymax) in EPSG:3395 of every S1/S2 pair, from the data's metadata.json."""
    if not os.path.exists(metadata_path):
        return {}
    with open(metadata_path, encoding="utf-8") as handle:
        entries = json.load(handle)
    footprints = {}
    for entry in entries:
        xs, ys = zip(*entry["corners_EPSG:3395"])
        footprints["s1s2/" + entry["fragment_filename"]] = (min(xs), min(ys), max(xs), max(ys))
    return footprints


def _footprint(pair: ImagePair) -> Optional[Tuple[float, float, float, float]]:
    if not pair.name.startswith("s1s2/"):
        return None
    return _s1s2_footprints(os.path.join(os.path.dirname(os.path.dirname(pair.optical_path)), "metadata.json")).get(pair.name)


def share_ground(a: ImagePair, b: ImagePair) -> bool:
    """True when the two pairs show some of the same ground (S1/S2: their footprints overlap;
    3MOS: ``SAME_GROUND_3MOS``)."""
    if {a.name, b.name} in [set(same) for same in SAME_GROUND_3MOS]:
        return True
    first, second = _footprint(a), _footprint(b)
    if first is None or second is None:
        return False
    return min(first[2], second[2]) > max(first[0], second[0]) and min(first[3], second[3]) > max(first[1], second[1])


def leave_out_shared_ground(pairs: List[ImagePair], held_out: List[ImagePair]) -> Tuple[List[ImagePair], List[str]]:
    """(kept, left out): ``pairs`` less those that show ground of a ``held_out`` pair, and the
    names of those left out (a checkpoint records them), so that nothing a network
    trains on is seen again when it is validated or calibrated. The split by name alone let
    validation tile GF3_rural_4 be half training tile GF3_rural_1, and S1/S2 validation pair 199
    share 3% of its ground with training pair 102 (calibration pairs 139 and 175: 14% with fit
    pairs 050 and 089, 3% with 076)."""
    kept = [pair for pair in pairs if not any(share_ground(pair, other) for other in held_out)]
    left_out = [pair.name for pair in pairs if pair not in kept]
    if left_out:
        LOGGER.info("left out, as they show ground of a held-out pair: %s", ", ".join(left_out))
    return kept, left_out


CALIBRATION_S1S2_EVERY = 6  # calibration pairs: every 6th S1/S2 training pair ...
CALIBRATION_3MOS_K = 2  # ... and the 3MOS tiles with this k


def split_calibration(train: List[ImagePair]) -> Tuple[List[ImagePair], List[ImagePair]]:
    """(fit, calibration): training pairs the dense feature network is trained on, and those it
    never sees, on which the engine's thresholds and options for it are set (so that they are
    not set on pairs the network has learnt). The validation pairs stay apart from both."""
    s1s2 = [p for p in train if p.name.startswith("s1s2/")]
    calibration = [p for p in train if p.name.startswith("3mos/") and int(p.name.rsplit("_", 1)[1]) == CALIBRATION_3MOS_K]
    calibration += s1s2[::CALIBRATION_S1S2_EVERY]
    chosen = {p.name for p in calibration}
    return [p for p in train if p.name not in chosen], calibration


def load_grey(path: str) -> np.ndarray:
    """8-bit image as float32 in [0, 1]; colour -> luminance (same weights as the engine)."""
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(path)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return grey.astype(np.float32) / 255.0


def load_pair_grey(pair: ImagePair) -> Tuple[np.ndarray, np.ndarray]:
    """(optical, SAR) as ``load_grey`` reads them, the SAR resized to the optical grid when the
    data stores it at another size (TerraSAR-X tiles of 3MOS)."""
    optical, sar = load_grey(pair.optical_path), load_grey(pair.sar_path)
    if optical.shape != sar.shape:
        sar = cv2.resize(sar, optical.shape[::-1], interpolation=cv2.INTER_LINEAR)
    return optical, sar


def cut_windows(image: np.ndarray, xy: np.ndarray, window: int) -> np.ndarray:
    """``window`` x ``window`` windows centred on ``xy``; zeros past the image's edge, as the
    engine pads an image before it cuts patches (``plugin.core.descriptor``)."""
    half = window // 2
    padded = np.pad(image, half)
    return np.stack([padded[y : y + window, x : x + window] for x, y in xy.astype(int)])


def measured_offsets(optical: np.ndarray, sar: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """N x 2 SAR - optical offsets (px) of a co-registered pair at the optical points ``xy``:
    CFOG template matches within ``REFINE_SEARCH_PX`` (distinct minima only), then per point the
    median of the matches within ``REFINE_RADIUS_PX``; NaN where fewer than
    ``REFINE_MIN_SUPPORT`` lie there or they disagree by more than ``REFINE_MAX_SPREAD_PX``."""
    valid = np.ones(optical.shape, bool)
    points = xy.astype(np.float64)
    matches = match_templates(cfog(optical, valid), cfog(sar, valid), points, points, REFINE_TEMPLATE_RADIUS,
                              REFINE_SEARCH_PX, MIN_DISTINCTNESS)
    measured = matches.positions[matches.found] - points[matches.found]
    where = points[matches.found]
    offsets = np.full(points.shape, np.nan)
    for i, point in enumerate(points):
        near = measured[np.hypot(*(where - point).T) <= REFINE_RADIUS_PX]
        if len(near) < REFINE_MIN_SUPPORT:
            continue
        median = np.median(near, axis=0)
        if np.median(np.abs(near - median), axis=0).max() <= REFINE_MAX_SPREAD_PX:
            offsets[i] = median
    return offsets


def pair_windows(pair: ImagePair, window: int, per_image: int, refine: bool = False,
                 keypoint_window: Optional[int] = None) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(optical windows, SAR windows, optical keypoint xy, SAR - optical offset) at keypoints of
    both images, windows as uint8; with ``refine``, SAR windows at the measured offsets
    (``measured_offsets``), else at offset 0. Keypoints are taken where a ``keypoint_window``
    (default ``window``) fits inside the image, so sets of different window sizes can share
    their keypoints; a larger window is zero beyond the edge."""
    optical, sar = load_pair_grey(pair)
    valid = np.ones(optical.shape, bool)
    margin = (keypoint_window or window) // 2 + 1 + (REFINE_SEARCH_PX if refine else 0)
    points = [detect_keypoints(img, valid, per_image, margin=margin, cell_size=64).xy for img in (optical, sar)]
    xy = np.unique(np.rint(np.concatenate(points)).astype(int), axis=0)
    sar_xy = xy
    num_points = len(xy)
    if refine:
        offsets = measured_offsets(optical, sar, xy)
        kept = np.isfinite(offsets).all(axis=1)
        xy, sar_xy = xy[kept], np.rint(xy[kept] + offsets[kept]).astype(int)
        LOGGER.info("labels: %s: %d of %d keypoints measured", pair.name, kept.sum(), num_points)
    to_uint8 = lambda a: (np.clip(a, 0, 1) * 255).astype(np.uint8)  # noqa: E731
    if not len(xy):
        empty = np.zeros((0, window, window), np.uint8)
        return empty, empty, np.zeros((0, 2), int), np.zeros((0, 2), np.float32)
    return to_uint8(cut_windows(optical, xy, window)), to_uint8(cut_windows(sar, sar_xy, window)), xy, (sar_xy - xy).astype(np.float32)


def build_patch_set(pairs: List[ImagePair], window: int, per_image: int, cache_path: str, refine: bool = False,
                    keypoint_window: Optional[int] = None) -> dict:
    """All windows of ``pairs`` (keypoints as ``pair_windows`` takes them), cached in an .npz
    (rebuilt when the pair list, sizes or labels change)."""
    labels = (f"refined{REFINE_SEARCH_PX},{REFINE_RADIUS_PX},{REFINE_MIN_SUPPORT},{REFINE_MAX_SPREAD_PX},{MIN_DISTINCTNESS},"
              f"{REFINE_TEMPLATE_RADIUS}") if refine else "identity"
    shared = f"k{keypoint_window}-" if keypoint_window and keypoint_window != window else ""
    key = f"{window}-{shared}{per_image}-{labels}-{MARGIN_RULE}-" + ",".join(p.name for p in pairs)
    if os.path.exists(cache_path):
        cached = dict(np.load(cache_path, allow_pickle=False))
        if str(cached["key"]) == key:
            return cached
    optical, sar, xy, offset, image_id = [], [], [], [], []
    for index, pair in enumerate(pairs):
        o, s, p, d = pair_windows(pair, window, per_image, refine, keypoint_window)
        optical.append(o), sar.append(s), xy.append(p), offset.append(d), image_id.append(np.full(len(p), index))
        LOGGER.info("windows: %s -> %d", pair.name, len(p))
    result = {
        "key": np.array(key),
        "optical": np.concatenate(optical),
        "sar": np.concatenate(sar),
        "xy": np.concatenate(xy),
        "offset": np.concatenate(offset),  # SAR window centre - optical window centre, px
        "image_id": np.concatenate(image_id),
    }
    os.makedirs(os.path.dirname(cache_path) or ".", exist_ok=True)
    np.savez(cache_path, **result)
    return result
