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
from typing import Callable, Optional

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
ON_DEMAND_PX = 30_000_000  # images with more pixels get their features where they are read (``FeaturesOnDemand``)


def _pad_to(array: np.ndarray, rows: int, cols: int) -> np.ndarray:
    return np.pad(array, ((0, rows - array.shape[0]), (0, cols - array.shape[1])), mode="reflect")


class FeaturesOnDemand:
    """The H x W x D features of a large image, computed where they are read, block by block.

    Fine matching reads only the templates (97 px) and windows (117 px) around its 500
    keypoints: with the blocks they touch, 7.7 (optical) and 10.3 (SAR) of a Sentinel-2 tile's
    120.6 megapixels (measured on the 10980 px benchmark scene), where the whole image's
    features took most of a minute and held 3.9 GB per image. Read it as an array, ``features[rows, cols]``
    with two plain slices (what ``structural.match_templates`` does); ``shape`` is the array's.
    Each block is computed once, together with the other missing blocks of the same read, from a
    crop with ``HALO_PX`` of context that starts on the network's stride, so the values are the
    ones the whole image's tiles give. Reads may come from several threads.
    """

    BLOCK_PX = 32  # a multiple of the network's stride

    def __init__(self, compute: Callable[[int, int, int, int], np.ndarray], valid: np.ndarray, feature_dim: int):
        self._compute = compute  # (top, left, bottom, right) -> that region's features, 0 where not valid
        self._valid = valid
        self.shape = valid.shape + (feature_dim,)
        self._blocks = {}  # (block row, block column) -> its features
        self._lock = threading.Lock()

    @property
    def computed_pixels(self) -> int:
        """How many pixels' features have been computed (blocks kept), for logs and tests."""
        return sum(block.shape[0] * block.shape[1] for block in self._blocks.values())

    def empty_mask(self) -> np.ndarray:
        """H x W bool: where the features are all zero, the image's invalid pixels (valid pixels'
        features have unit length), without computing any."""
        return ~self._valid

    def __getitem__(self, key) -> np.ndarray:
        rows, cols = key
        if not (isinstance(rows, slice) and isinstance(cols, slice)) or rows.step not in (None, 1) or cols.step not in (None, 1):
            raise TypeError("FeaturesOnDemand is read with two plain slices: features[top:bottom, left:right]")
        (top, bottom, _), (left, right, _) = rows.indices(self.shape[0]), cols.indices(self.shape[1])
        out = np.zeros((max(0, bottom - top), max(0, right - left), self.shape[2]), np.float32)
        if out.size == 0:
            return out
        size = self.BLOCK_PX
        wanted = [(r, c) for r in range(top // size, (bottom - 1) // size + 1) for c in range(left // size, (right - 1) // size + 1)]
        missing = [block for block in wanted if block not in self._blocks]
        if missing:
            self._fill(missing)
        for r, c in wanted:
            block, y0, x0 = self._blocks[(r, c)], r * size, c * size
            ys, xs = slice(max(top, y0), min(bottom, y0 + size)), slice(max(left, x0), min(right, x0 + size))
            out[ys.start - top : ys.stop - top, xs.start - left : xs.stop - left] = block[ys.start - y0 : ys.stop - y0, xs.start - x0 : xs.stop - x0]
        return out

    def _fill(self, missing) -> None:
        """Computes the region that spans the ``missing`` blocks in one piece and keeps its blocks."""
        with self._lock:
            missing = [block for block in missing if block not in self._blocks]  # another thread may have done them
            if not missing:
                return
            size, (rows, cols) = self.BLOCK_PX, self.shape[:2]
            first_row, last_row = min(r for r, _ in missing), max(r for r, _ in missing)
            first_col, last_col = min(c for _, c in missing), max(c for _, c in missing)
            top, left = first_row * size, first_col * size
            region = self._compute(top, left, min(rows, (last_row + 1) * size), min(cols, (last_col + 1) * size))
            for r in range(first_row, last_row + 1):
                for c in range(first_col, last_col + 1):
                    if (r, c) not in self._blocks:
                        y0, x0 = r * size - top, c * size - left
                        self._blocks[(r, c)] = region[y0 : y0 + size, x0 : x0 + size].copy()


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
        self._device_lock = threading.Lock()
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
        0 where ``valid`` is False: an array, or for an image of more than ``ON_DEMAND_PX`` pixels
        a ``FeaturesOnDemand`` read like one. When the GPU runs out of memory, carries on on the CPU
        from the tile it was on (``_tile``; for a ``FeaturesOnDemand``, at whichever read it happens)."""
        rows, cols = image.shape
        if not valid.any():
            return np.zeros((rows, cols, self.feature_dim), np.float32)
        # Invalid pixels (outside a warped footprint, nodata) read as the valid pixels' mean, so that
        # the footprint's edge is not a structure the features would show.
        filled = np.where(valid, image, np.float32(image[valid].mean())).astype(np.float32)
        if rows * cols > ON_DEMAND_PX:
            def region(top: int, left: int, bottom: int, right: int) -> np.ndarray:
                features = self._tile(modality, filled, top, left, bottom, right)
                features[~valid[top:bottom, left:right]] = 0
                return features

            return FeaturesOnDemand(region, valid, self.feature_dim)
        if rows <= self.tile and cols <= self.tile:  # one tile: its features are the output (no 32 MB copy per 1024 px image)
            out = np.ascontiguousarray(self._tile(modality, filled, 0, 0, rows, cols))
            out[~valid] = 0
            return out
        out = np.zeros((rows, cols, self.feature_dim), np.float32)
        for top in range(0, rows, self.tile):
            for left in range(0, cols, self.tile):
                bottom, right = min(rows, top + self.tile), min(cols, left + self.tile)
                if not valid[top:bottom, left:right].any():
                    continue
                out[top:bottom, left:right] = self._tile(modality, filled, top, left, bottom, right)
        out[~valid] = 0
        return out

    def _on_the_cpu(self) -> None:
        """After the GPU ran out of memory: the network moves to the CPU, where it carries on."""
        with self._device_lock:
            if self.device.type == "cpu":
                return  # another read has moved it already
            LOGGER.warning("the GPU ran out of memory: computing dense features on the CPU instead")
            torch.cuda.empty_cache()
            self.device = torch.device("cpu")
            self.network = self.network.to(self.device, memory_format=torch.channels_last)

    def _tile(self, modality: str, image: np.ndarray, top: int, left: int, bottom: int, right: int) -> np.ndarray:
        """Features of image[top:bottom, left:right], computed with a halo of context around it.
        Every run of the network comes through here, whole images' tiles and on-demand reads
        alike, so this is where a GPU that runs out of memory hands over to the CPU."""
        rows, cols = image.shape
        y0, x0 = max(0, top - HALO_PX), max(0, left - HALO_PX)
        y1, x1 = min(rows, bottom + HALO_PX), min(cols, right + HALO_PX)
        crop = image[y0:y1, x0:x1]
        padded_rows, padded_cols = (int(np.ceil(n / STRIDE) * STRIDE) for n in crop.shape)
        crop = _pad_to(crop, max(padded_rows, 32), max(padded_cols, 32))  # the standardisation reflects 15 px
        try:
            features = self._run(modality, crop)
        except torch.cuda.OutOfMemoryError:
            self._on_the_cpu()
            features = self._run(modality, crop)
        return features[top - y0 : bottom - y0, left - x0 : right - x0]

    def _run(self, modality: str, crop: np.ndarray) -> np.ndarray:
        """The network's branch for ``modality`` on ``crop`` (H x W), on the current device: H x W x D."""
        batch = torch.from_numpy(np.ascontiguousarray(crop))[None, None].to(self.device)
        if self.device.type == "cpu":
            batch = batch.contiguous(memory_format=torch.channels_last)
        with torch.inference_mode():
            return self._runner(modality)(batch)[0].float().permute(1, 2, 0).contiguous().cpu().numpy()  # H x W x D made on the device


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
