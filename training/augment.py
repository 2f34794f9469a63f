"""Augmentations that model what differs between real optical/SAR pairs: small residual warps
and scale jitter (on the SAR side), speckle, nonlinear radiometry, and shared flips/rotations."""
from __future__ import annotations

import cv2
import numpy as np


def centre_crop(window: np.ndarray, size: int) -> np.ndarray:
    start = (window.shape[0] - size) // 2
    return window[start : start + size, start : start + size]


def random_warp(window: np.ndarray, size: int, rng: np.random.Generator, max_rotation_deg: float, max_scale: float, max_shift: float) -> np.ndarray:
    """Rotates/scales/shifts about the window centre, then crops ``size`` x ``size``."""
    centre = (window.shape[1] / 2 - 0.5, window.shape[0] / 2 - 0.5)
    angle = rng.uniform(-max_rotation_deg, max_rotation_deg)
    scale = np.exp(rng.uniform(-np.log(max_scale), np.log(max_scale)))
    matrix = cv2.getRotationMatrix2D(centre, angle, scale)
    matrix[:, 2] += rng.uniform(-max_shift, max_shift, 2) - (window.shape[0] - size) / 2
    return cv2.warpAffine(window, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def speckle(patch: np.ndarray, rng: np.random.Generator, looks: float) -> np.ndarray:
    """Multiplicative gamma speckle on a display-scaled (log-like) SAR patch in [0, 1].

    The patch is mapped to linear intensity over a 30 dB range, multiplied by Gamma(L, 1/L)
    noise, and mapped back.
    """
    linear = np.power(10.0, 3.0 * patch)
    noisy = linear * rng.gamma(looks, 1.0 / looks, patch.shape)
    return np.clip(np.log10(np.maximum(noisy, 1.0)) / 3.0, 0.0, 1.0).astype(np.float32)


def radiometry(patch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random gamma curve and contrast: a nonlinear, monotonic change of intensities."""
    gamma = np.exp(rng.uniform(np.log(0.5), np.log(2.0)))
    out = np.power(np.clip(patch, 0, 1), gamma) * rng.uniform(0.7, 1.3) + rng.uniform(-0.1, 0.1)
    return out.astype(np.float32)


# Strength presets. "strong" adds single-look speckle to most SAR patches on top of the real
# speckle; "mild" keeps the real data's own differences and adds only a little.
PRESETS = {
    "strong": {"sar_rotation": 6.0, "sar_scale": 1.08, "sar_shift": 1.5, "speckle_probability": 0.7, "looks": (1.0, 5.0)},
    "mild": {"sar_rotation": 3.0, "sar_scale": 1.04, "sar_shift": 1.0, "speckle_probability": 0.3, "looks": (4.0, 10.0)},
}


def augment_pair(optical_window: np.ndarray, sar_window: np.ndarray, size: int, rng: np.random.Generator, preset: str = "mild"):
    """One training pair of ``size`` x ``size`` float32 patches from two uint8 windows."""
    strength = PRESETS[preset]
    optical = random_warp(optical_window, size, rng, 2.0, 1.02, 0.5).astype(np.float32) / 255.0
    sar = random_warp(sar_window, size, rng, strength["sar_rotation"], strength["sar_scale"], strength["sar_shift"]).astype(np.float32) / 255.0
    if rng.random() < strength["speckle_probability"]:
        sar = speckle(sar, rng, looks=rng.uniform(*strength["looks"]))
    optical = radiometry(optical, rng)
    if rng.random() < 0.5:
        sar = radiometry(sar, rng)
    turns = int(rng.integers(4))
    if turns:
        optical, sar = np.rot90(optical, turns), np.rot90(sar, turns)
    if rng.random() < 0.5:
        optical, sar = optical[:, ::-1], sar[:, ::-1]
    return np.ascontiguousarray(optical), np.ascontiguousarray(sar)
