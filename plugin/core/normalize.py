"""Radiometric normalisation before matching: SAR to decibels when linear, robust stretch.

Both images end up as float32 in [0, 1] over their valid pixels (0 elsewhere), so that the
detector's thresholds and the network's input do not depend on the sensor's units.
"""
from __future__ import annotations

import cv2
import numpy as np

from .errors import RegistrationError
from .raster_io import Raster

SAR_SCALES = ("auto", "linear", "db", "display")

# Speckle smoothing of the normalised SAR image, for studies (benchmarks/options_study.py sets it):
# None, ("gaussian", sigma px), ("median", 3 or 5), ("wiener", window px: a local adaptive filter,
# Lee's in the log domain), ("nlmeans", strength 0-255). See benchmarks/README.md, *Speckle smoothing*.
SAR_SMOOTHING = None


def sar_scale_of(raster: Raster) -> str:
    """Guesses how SAR values are scaled.

    - "db": signed data (float, or integers such as dB x 100 in Int16) with negative values
      (backscatter already in decibels);
    - "display": 8-bit data (already a stretched, display-ready image, as in most PNG/JPEG);
    - "linear": anything else (amplitude or intensity: integer DN, float sigma0, complex).
    """
    values = raster.data[raster.valid]
    if raster.source_dtype == "Byte":
        return "display"
    if raster.source_dtype.startswith(("Float", "Int")) and values.size and values.min() < 0:
        return "db"
    return "linear"


def to_decibels(values: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """10 log10 of positive values; zero or negative pixels get the smallest positive value's dB."""
    positive = valid & (values > 0)
    floor = values[positive].min() if positive.any() else 1.0
    return (10.0 * np.log10(np.maximum(values, floor))).astype(np.float32)


def percentile_stretch(values: np.ndarray, valid: np.ndarray, low: float = 1.0, high: float = 99.0) -> np.ndarray:
    """Maps the [low, high] percentiles of the valid pixels to [0, 1], clipping; invalid -> 0."""
    sample = values[valid]
    if sample.size > 2_000_000:  # percentiles of a regular subsample are as good and faster
        sample = sample[:: sample.size // 1_000_000]
    lo, hi = np.percentile(sample, [low, high]) if sample.size else (0.0, 1.0)
    scale = 1.0 / (hi - lo) if hi > lo else 1.0
    stretched = np.clip((values - lo) * scale, 0.0, 1.0)
    return np.where(valid, stretched, 0.0).astype(np.float32)


def normalize_optical(raster: Raster) -> np.ndarray:
    return percentile_stretch(raster.data, raster.valid)


def normalize_sar(raster: Raster, scale: str = "auto") -> np.ndarray:
    if scale not in SAR_SCALES:
        raise ValueError(f"sar scale must be one of {SAR_SCALES}, got {scale!r}")
    scale = sar_scale_of(raster) if scale == "auto" else scale
    if scale == "linear" and not (raster.valid & (raster.data > 0)).any():
        # 10 log10 of nothing positive would flatten the image, and no match could be found
        raise RegistrationError("The SAR raster '{path}' has no positive values, so it is not linear backscatter.",
                                "If it holds decibels, set the SAR scale to dB (--sar-scale db; 'SAR values' in the dock).", path=raster.path)
    values = to_decibels(raster.data, raster.valid) if scale == "linear" else raster.data
    image = percentile_stretch(values, raster.valid)
    return image if SAR_SMOOTHING is None else np.where(raster.valid, smoothed(image, *SAR_SMOOTHING), 0).astype(np.float32)


def smoothed(image: np.ndarray, kind: str, amount) -> np.ndarray:
    """``image`` (float32 in [0, 1]) with its speckle smoothed by ``kind`` (see ``SAR_SMOOTHING``)."""
    if kind == "gaussian":
        return cv2.GaussianBlur(image, (0, 0), float(amount))
    if kind == "median":
        return cv2.medianBlur(image, int(amount))
    if kind == "wiener":
        from scipy.signal import wiener
        return np.clip(wiener(image.astype(np.float64), int(amount)), 0, 1).astype(np.float32)
    if kind == "nlmeans":
        grey = np.round(image * 255).astype(np.uint8)
        return cv2.fastNlMeansDenoising(grey, None, float(amount), 7, 21).astype(np.float32) / 255
    raise ValueError(f"unknown smoothing {kind!r}")
