"""Frontend of the descriptor network: weights by name, device, patches, batching.

The network (``network.py``) sees only tensors; everything else lives here: finding the weights
in ``models/`` through its manifest (with a sha256 check), choosing CUDA or the CPU, cutting
patches around keypoints, batching them, and returning numpy descriptors.
"""
from __future__ import annotations

import logging
from typing import Callable, Optional

import numpy as np
import torch

from .errors import RegistrationError
from .model_files import MODELS_DIR, build_network, load_checkpoint
from .network import DFFCANet

LOGGER = logging.getLogger(__name__)


def resolve_device(device: str = "auto") -> torch.device:
    """"auto" -> CUDA when present, else CPU. Asking for "cuda" without a GPU is a user error."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise RegistrationError("No CUDA GPU is available to PyTorch on this machine.", "Choose device 'cpu' or 'auto'.")
    if device not in ("cpu", "cuda"):
        raise RegistrationError("Unknown device '{device}'.", "Choose 'auto', 'cpu' or 'cuda'.", device=device)
    return torch.device(device)


def extract_patches(image: np.ndarray, xy: np.ndarray, patch_size: int) -> np.ndarray:
    """N x P x P float32 patches centred on the rounded keypoints; outside the image reads 0."""
    return _patches(_padded(image, patch_size), xy, patch_size)


def _padded(image: np.ndarray, patch_size: int) -> np.ndarray:
    return np.pad(image.astype(np.float32, copy=False), patch_size // 2)


def _patches(padded: np.ndarray, xy: np.ndarray, patch_size: int) -> np.ndarray:
    """``extract_patches`` from an image already ``_padded``."""
    half = patch_size // 2
    centre = np.rint(xy).astype(np.int64) + half
    offsets = np.arange(patch_size) - half
    rows = centre[:, 1, None] + offsets
    cols = centre[:, 0, None] + offsets
    return padded[rows[:, :, None], cols[:, None, :]]


# Patches per network run. The CPU's traced graph has a fixed batch; a GPU wants larger ones: on an
# H200, 2000 descriptors took 432 / 217 / 271 ms in batches of 64 and 229 / 143 / 162 ms in batches
# of 256 (three runs; 1024 gained no more: benchmarks/results/gpu-throughput-run{1,2,3}.txt).
CPU_BATCH = 64
GPU_BATCH = 256


class DescriptorExtractor:
    """Describes keypoints with a trained DFFCA network on the chosen device."""

    def __init__(self, model: Optional[str] = None, device: str = "auto", batch_size: Optional[int] = None, models_dir: str = MODELS_DIR,
                 checkpoint: Optional[dict] = None):
        """``model``: weights by name from ``models_dir``'s manifest (its default when None), or
        ``checkpoint``: a training checkpoint already loaded (training/train.py's best.pt or last.pt, not
        installed in ``models/``; for studies that compare trained runs in the engine), named ``model``."""
        if checkpoint is None:
            self.model_name, checkpoint = load_checkpoint(model, models_dir)
        else:
            self.model_name = model or "checkpoint"
        self.device = resolve_device(device)
        self.patch_size = int(checkpoint["config"]["network"]["patch_size"])
        self.batch_size = batch_size or (CPU_BATCH if self.device.type == "cpu" else GPU_BATCH)
        self.network = build_network(DFFCANet, checkpoint).to(self.device)
        self._compiled = None
        if self.device.type == "cpu":
            self.network = self.network.to(memory_format=torch.channels_last)

    def _runner(self) -> Callable[[torch.Tensor], torch.Tensor]:
        """On the CPU a traced, frozen, channels-last graph runs about twice as fast."""
        if self.device.type != "cpu":
            return self.network
        if self._compiled is None:
            example = torch.zeros(self.batch_size, 1, self.patch_size, self.patch_size).contiguous(memory_format=torch.channels_last)
            with torch.inference_mode():
                self._compiled = torch.jit.freeze(torch.jit.trace(self.network, example, check_trace=False))
        return self._compiled

    def describe(self, image: np.ndarray, xy: np.ndarray, progress: Optional[Callable[[float], None]] = None) -> np.ndarray:
        """N x D float32 unit descriptors of the patches around ``xy`` (N x 2) in ``image``.

        When the GPU runs out of memory the extractor moves to the CPU and carries on.
        """
        try:
            return self._describe(image, xy, progress)
        except torch.cuda.OutOfMemoryError:
            LOGGER.warning("the GPU ran out of memory: describing on the CPU instead")
            torch.cuda.empty_cache()
            self.device = torch.device("cpu")
            self.batch_size = min(self.batch_size, CPU_BATCH)
            self.network = self.network.to(self.device, memory_format=torch.channels_last)
            return self._describe(image, xy, progress)

    def _describe(self, image: np.ndarray, xy: np.ndarray, progress: Optional[Callable[[float], None]]) -> np.ndarray:
        if len(xy) == 0:
            return np.zeros((0, self.network.conf["descriptor_dim"]), np.float32)
        # Patches are cut a batch at a time: all at once they take 16 kB per point (28.6 GiB for
        # the SAR grid of a 10980 px scene).
        padded = _padded(image, self.patch_size)
        runner = self._runner()
        out = []
        with torch.inference_mode():
            for start in range(0, len(xy), self.batch_size):
                batch = torch.from_numpy(_patches(padded, xy[start : start + self.batch_size], self.patch_size)).unsqueeze(1)
                count = len(batch)
                # Every batch is full (the last padded with zeros): the traced CPU graph needs it, and
                # one batch shape keeps a point's descriptor from depending on how many others are
                # described with it. Unpadded on the H200, a point came out 2e-4 apart described with 36
                # others and with 4 (benchmarks/results/device-tests.log; most likely the GPU choosing
                # its convolution by the batch's size). Padded, the test passed on the H200
                # (benchmarks/results/device-tests-gpu-twins.log).
                if count < self.batch_size:
                    batch = torch.cat([batch, batch.new_zeros(self.batch_size - count, *batch.shape[1:])])
                batch = batch.to(self.device).contiguous(memory_format=torch.channels_last)
                out.append(runner(batch)[:count].float().cpu().numpy())
                if progress is not None:
                    progress(min(1.0, (start + count) / len(xy)))
        return np.concatenate(out)
