"""Dense features for the fine template stage: the learned ones (``feature_network.py``) or CFOG.

Frontend of the dense feature network, in the way ``descriptor.py`` is the frontend of the
descriptor: weights by name from ``models/`` (checksum checked), CUDA or the CPU, numpy in and
out, and images processed in tiles so that memory stays bounded on large scenes. Both kinds
return what ``structural.match_templates`` compares: H x W x D float32, unit length per pixel,
0 where the image is not valid.
"""
from __future__ import annotations

import functools
import logging
import threading
from typing import Optional

import numpy as np
import torch

from .descriptor import resolve_device
from .feature_network import STRIDE, DenseFeatureNet
from .model_files import MODELS_DIR, build_network, load_checkpoint
from .structural import cfog

LOGGER = logging.getLogger(__name__)
FEATURES = ("learned", "cfog")  # RegistrationOptions.features
TILE_PX = 1024  # images are processed in tiles of this size (plus a halo), bounding memory
HALO_PX = 64  # context around each tile: more than the network's reach (standardisation window and receptive field)


def _pad_to(array: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return np.pad(array, ((0, rows - array.shape[0]), (0, cols - array.shape[1])), mode="reflect")


class DenseFeatureExtractor:
    """Dense features of optical or SAR images with a trained ``DenseFeatureNet``."""

    def __init__(self, model: Optional[str] = None, device: str = "auto", models_dir: str = MODELS_DIR, tile: int = TILE_PX):
        self.model_name, checkpoint = load_checkpoint(model, models_dir, kind="features")
        self.device = resolve_device(device)
        self.network = build_network(DenseFeatureNet, checkpoint).to(self.device)
        self.feature_dim = int(self.network.conf["feature_dim"])
        self.tile = int(np.ceil(tile / STRIDE) * STRIDE)
        self._runners = {}
        self._lock = threading.Lock()
        if self.device.type == "cpu":
            self.network = self.network.to(memory_format=torch.channels_last)

    def _runner(self, modality: str):
        """On the CPU, a traced and frozen channels-last graph per branch (about 1.5x faster);
        the graph does not depend on the input's size."""
        branch = self.network.branch(modality)
        if self.device.type != "cpu":
            return branch
        with self._lock:
            if modality not in self._runners:
                example = torch.zeros(1, 1, 64, 64).contiguous(memory_format=torch.channels_last)
                with torch.inference_mode():
                    self._runners[modality] = torch.jit.freeze(torch.jit.trace(branch, example, check_trace=False))
            return self._runners[modality]

    def warm_up(self) -> "DenseFeatureExtractor":
        """Builds both branches' graphs now rather than on the first image (for timing)."""
        for modality in ("optical", "sar"):
            self._runner(modality)
        return self

    def features(self, image: np.ndarray, valid: np.ndarray, modality: str) -> np.ndarray:
        """H x W x D float32 unit features of ``image`` (H x W, any linear intensity scale),
        0 where ``valid`` is False. When the GPU runs out of memory, carries on on the CPU."""
        try:
            return self._features(image, valid, modality)
        except torch.cuda.OutOfMemoryError:
            LOGGER.warning("the GPU ran out of memory: computing dense features on the CPU instead")
            torch.cuda.empty_cache()
            self.device = torch.device("cpu")
            self.network = self.network.to(self.device, memory_format=torch.channels_last)
            return self._features(image, valid, modality)

    def _features(self, image: np.ndarray, valid: np.ndarray, modality: str) -> np.ndarray:
        rows, cols = image.shape
        out = np.zeros((rows, cols, self.feature_dim), np.float32)
        if not valid.any():
            return out
        # Invalid pixels (outside a warped footprint, nodata) read as the valid pixels' mean, so that
        # the footprint's edge is not a structure the features would show.
        filled = np.where(valid, image, np.float32(image[valid].mean())).astype(np.float32)
        runner = self._runner(modality)
        for top in range(0, rows, self.tile):
            for left in range(0, cols, self.tile):
                bottom, right = min(rows, top + self.tile), min(cols, left + self.tile)
                if not valid[top:bottom, left:right].any():
                    continue
                out[top:bottom, left:right] = self._tile(runner, filled, top, left, bottom, right)
        out[~valid] = 0
        return out

    def _tile(self, runner, image: np.ndarray, top: int, left: int, bottom: int, right: int) -> np.ndarray:
        """Features of image[top:bottom, left:right], computed with a halo of context around it."""
        rows, cols = image.shape
        y0, x0 = max(0, top - HALO_PX), max(0, left - HALO_PX)
        y1, x1 = min(rows, bottom + HALO_PX), min(cols, right + HALO_PX)
        crop = image[y0:y1, x0:x1]
        padded_rows, padded_cols = (int(np.ceil(n / STRIDE) * STRIDE) for n in crop.shape)
        crop = _pad_to(crop, max(padded_rows, 32), max(padded_cols, 32))  # the standardisation reflects 15 px
        batch = torch.from_numpy(np.ascontiguousarray(crop))[None, None].to(self.device)
        if self.device.type == "cpu":
            batch = batch.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            features = runner(batch)[0].float().permute(1, 2, 0).cpu().numpy()
        return features[top - y0 : bottom - y0, left - x0 : right - x0]


@functools.lru_cache(maxsize=2)
def _cached_extractor(model: Optional[str], device: str) -> DenseFeatureExtractor:
    return DenseFeatureExtractor(model, device)


def feature_extractor(model: Optional[str] = None, device: str = "auto") -> DenseFeatureExtractor:
    """One loaded network per (model, device), shared by every registration of the process (a
    batch, the toolbox's batch mode, repeated runs from the dock)."""
    return _cached_extractor(model, str(resolve_device(device)))


def dense_features(kind: str, image: np.ndarray, valid: np.ndarray, modality: str,
                   extractor: Optional[DenseFeatureExtractor] = None) -> np.ndarray:
    """``kind`` "learned": ``extractor``'s features; "cfog": CFOG (the same for both modalities)."""
    if kind == "cfog":
        return cfog(image, valid)
    return extractor.features(image, valid, modality)
