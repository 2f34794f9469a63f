"""Patch pairs for training and validation, cut from co-registered optical/SAR image pairs.

Windows are cut at the keypoints the registration engine itself would detect (FAST on phase
congruency, in both images), so the network trains on the kind of patches it will describe.
Windows are larger than the patch so that augmentation can rotate and scale without borders.

Split (as ``shared/data/README.md`` suggests): s1s2-california, the last 10 pairs in name order
are validation; 3MOS samples with k in 0..2 train, k in 3..4 validate.
"""
from __future__ import annotations

import glob
import logging
import os
from dataclasses import dataclass
from typing import List, Tuple

import cv2
import numpy as np

from plugin.core.keypoints import detect_keypoints

LOGGER = logging.getLogger(__name__)
S1S2_VALIDATION_COUNT = 10


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


def load_grey(path: str) -> np.ndarray:
    """8-bit image as float32 in [0, 1]; colour -> luminance (same weights as the engine)."""
    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise FileNotFoundError(path)
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    return grey.astype(np.float32) / 255.0


def cut_windows(image: np.ndarray, xy: np.ndarray, window: int) -> np.ndarray:
    half = window // 2
    return np.stack([image[y - half : y + half, x - half : x + half] for x, y in xy.astype(int)])


def pair_windows(pair: ImagePair, window: int, per_image: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(optical windows, SAR windows, keypoint xy) at keypoints of both images, as uint8."""
    optical, sar = load_grey(pair.optical_path), load_grey(pair.sar_path)
    if optical.shape != sar.shape:
        sar = cv2.resize(sar, optical.shape[::-1], interpolation=cv2.INTER_LINEAR)
    valid = np.ones(optical.shape, bool)
    margin = window // 2 + 1
    points = [detect_keypoints(img, valid, per_image, margin=margin, cell_size=64).xy for img in (optical, sar)]
    xy = np.unique(np.rint(np.concatenate(points)).astype(int), axis=0)
    to_uint8 = lambda a: (np.clip(a, 0, 1) * 255).astype(np.uint8)  # noqa: E731
    return to_uint8(cut_windows(optical, xy, window)), to_uint8(cut_windows(sar, xy, window)), xy


def build_patch_set(pairs: List[ImagePair], window: int, per_image: int, cache_path: str) -> dict:
    """All windows of ``pairs``, cached in an .npz (rebuilt when the pair list or sizes change)."""
    key = f"{window}-{per_image}-" + ",".join(p.name for p in pairs)
    if os.path.exists(cache_path):
        cached = dict(np.load(cache_path, allow_pickle=False))
        if str(cached["key"]) == key:
            return cached
    optical, sar, xy, image_id = [], [], [], []
    for index, pair in enumerate(pairs):
        o, s, p = pair_windows(pair, window, per_image)
        optical.append(o), sar.append(s), xy.append(p), image_id.append(np.full(len(p), index))
        LOGGER.info("windows: %s -> %d", pair.name, len(p))
    result = {
        "key": np.array(key),
        "optical": np.concatenate(optical),
        "sar": np.concatenate(sar),
        "xy": np.concatenate(xy),
        "image_id": np.concatenate(image_id),
    }
    os.makedirs(os.path.dirname(cache_path) or ".", exist_ok=True)
    np.savez(cache_path, **result)
    return result
