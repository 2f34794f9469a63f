"""The dense feature network, as pure modules: per-pixel features in which an optical image and a
SAR image of the same ground look alike, so that template matching on them finds the same place.

Why a second network: the method's DFFCA descriptor (``network.py``) gives one vector per 96 px
patch, at stride 32, which can say *which* patch matches but not *where* to the pixel; the fine
stage of the engine compares 97 px templates pixel by pixel within a few pixels of a coarse
position. CFOG (hand-made oriented gradients, ``structural.py``) does that job, but on heavily
speckled or blurred SAR too few of its template matches are distinct (measured on the
calibration pairs: ``benchmarks/results/features.md``). This network is trained for exactly that
job (``training/train_features.py``): its features are compared with the same template matching.

Pseudo-siamese: the optical and the SAR image have a branch each (same architecture, own
weights), because the two sensors' statistics differ too much to share the first layers. Each
branch is a small U-shape built of the method's MobileNetV2 inverted-residual blocks: one 3 x 3
convolution at full resolution, context at 1/2 and 1/4 resolution, fused back at full
resolution, so that the features stay sharp to the pixel and cost ~0.25 s per 1024 x 1024 image
on 2 CPU cores. No coordinate attention here: it pools over whole rows and columns, so a feature
would depend on how far the image extends, and tiles of a large image would disagree.

This module owns no I/O, no device choice and no numpy: see ``dense_features.py``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .network import InvertedResidual, conv_bn_relu6

STRIDE = 4  # inputs must have a height and width that are multiples of this (the frontend pads)
STANDARDISATION_WINDOW = 31  # px: intensities are standardised over this neighbourhood


class LocalStandardisation(nn.Module):
    """(x - local mean) / local standard deviation over a ``window`` x ``window`` box, with
    reflected borders: the same for a crop as for the whole image (unlike a per-image
    standardisation), unchanged by an added constant, and by a change of contrast wherever the
    local contrast is well above the floor ``FLOOR`` (intensities in [0, 1]) that keeps flat
    ground from being amplified into noise."""

    FLOOR = 1e-4  # variance: a local standard deviation of 0.01

    def __init__(self, window: int = STANDARDISATION_WINDOW):
        super().__init__()
        self.window = window

    def _box_mean(self, x: torch.Tensor) -> torch.Tensor:
        """Mean over the box, rows then columns, by differences of running sums: five times
        faster than ``avg_pool2d`` with a 31 px kernel on a 1024 px image."""
        half, window = self.window // 2, self.window
        sums = F.pad(x, (half + 1, half, 0, 0), mode="reflect").cumsum(dim=3)
        x = (sums[..., window:] - sums[..., :-window]) / window
        sums = F.pad(x, (0, 0, half + 1, half), mode="reflect").cumsum(dim=2)
        return (sums[..., window:, :] - sums[..., :-window, :]) / window

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = self._box_mean(x)
        variance = (self._box_mean(x * x) - mean * mean).clamp(min=0.0)
        return (x - mean) / torch.sqrt(variance + self.FLOOR)


class DenseFeatureBranch(nn.Module):
    """``B x 1 x H x W`` grey image -> ``B x D x H x W`` unit-length features (H, W multiples of 4)."""

    def __init__(self, feature_dim: int = 8, stem_channels: int = 8, width: int = 16, expansion: int = 4):
        super().__init__()
        self.standardise = LocalStandardisation()
        self.stem = conv_bn_relu6(1, stem_channels, 3, 1)
        self.at_half = nn.Sequential(conv_bn_relu6(stem_channels, width, 3, 2), InvertedResidual(width, width, 1, expansion))
        self.at_quarter = nn.Sequential(
            InvertedResidual(width, 2 * width, 2, expansion),
            InvertedResidual(2 * width, 2 * width, 1, expansion),
            InvertedResidual(2 * width, 2 * width, 1, expansion),
        )
        self.fuse = conv_bn_relu6(3 * width, width, 1, 1)
        self.head = nn.Conv2d(width + stem_channels, feature_dim, 3, padding=1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        full = self.stem(self.standardise(image))
        half = self.at_half(full)
        quarter = self.at_quarter(half)
        up = F.interpolate(quarter, scale_factor=2.0, mode="bilinear", align_corners=False)
        up = self.fuse(torch.cat([up, half], dim=1))
        up = F.interpolate(up, scale_factor=2.0, mode="bilinear", align_corners=False)
        return F.normalize(self.head(torch.cat([up, full], dim=1)), dim=1)


class DenseFeatureNet(nn.Module):
    """The two branches and the temperature the training loss scales template scores by.

    ``net.optical(image)`` and ``net.sar(image)`` give comparable features of the two sensors.
    """

    default_conf = {"feature_dim": 8, "stem_channels": 8, "width": 16, "expansion": 4}

    def __init__(self, **conf):
        super().__init__()
        self.conf = {**self.default_conf, **conf}
        self.optical = DenseFeatureBranch(**self.conf)
        self.sar = DenseFeatureBranch(**self.conf)
        self.log_temperature = nn.Parameter(torch.tensor(3.4))  # e^3.4 ~ 30: scores of unit features are in [-1, 1]

    def branch(self, modality: str) -> DenseFeatureBranch:
        if modality not in ("optical", "sar"):
            raise ValueError(f"modality must be 'optical' or 'sar', got {modality!r}")
        return self.optical if modality == "optical" else self.sar
