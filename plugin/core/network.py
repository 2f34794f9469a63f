"""The descriptor network of the method (He et al., ISPRS Archives XLVIII-1-2024), as pure modules.

A MobileNetV2 inverted-residual backbone (Table 1 of the paper), coordinate attention on its last
feature map, then a convolution + batch norm to a 256-d, L2-normalised descriptor ("DFFCA").

The paper feeds 224 px patches, so the backbone ends on a 7x7 map and the final conv is 7x7 with
no padding. Here the patch size is a parameter: the final conv's kernel equals the size of the
last feature map (``patch_size // 32``), which is the paper's conv7x7 at 224 px and the same
"one descriptor from the whole map" operation at any other size.

This module owns no I/O, no device choice and no numpy: see ``descriptor.py`` for the frontend.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# (expansion t, output channels c, repeats n, first stride s) -- Table 1 of the paper.
INVERTED_RESIDUAL_SETTINGS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
TOTAL_STRIDE = 32


def conv_bn_relu6(in_channels: int, out_channels: int, kernel: int, stride: int, groups: int = 1):
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    """MobileNetV2 block: 1x1 expand, 3x3 depthwise, 1x1 linear projection, skip when shapes match."""

    def __init__(self, in_channels: int, out_channels: int, stride: int, expansion: int):
        super().__init__()
        hidden = in_channels * expansion
        layers = [] if expansion == 1 else [conv_bn_relu6(in_channels, hidden, 1, 1)]
        layers += [
            conv_bn_relu6(hidden, hidden, 3, stride, groups=hidden),
            nn.Conv2d(hidden, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
        ]
        self.block = nn.Sequential(*layers)
        self.use_skip = stride == 1 and in_channels == out_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x) if self.use_skip else self.block(x)


class CoordinateAttention(nn.Module):
    """Coordinate attention (Hou et al., CVPR 2021): pool along H and along W, a shared 1x1
    bottleneck, then one sigmoid gate per direction that reweights the input."""

    def __init__(self, channels: int, reduction: int = 32):
        super().__init__()
        mid = max(8, channels // reduction)
        self.squeeze = nn.Sequential(
            nn.Conv2d(channels, mid, 1, bias=False), nn.BatchNorm2d(mid), nn.Hardswish(inplace=True)
        )
        self.gate_h = nn.Conv2d(mid, channels, 1)
        self.gate_w = nn.Conv2d(mid, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        height, width = x.shape[2], x.shape[3]
        pooled_h = x.mean(dim=3, keepdim=True)  # B x C x H x 1
        pooled_w = x.mean(dim=2, keepdim=True).transpose(2, 3)  # B x C x W x 1
        joint = self.squeeze(torch.cat([pooled_h, pooled_w], dim=2))
        part_h, part_w = torch.split(joint, [height, width], dim=2)
        attention_h = torch.sigmoid(self.gate_h(part_h))  # B x C x H x 1
        attention_w = torch.sigmoid(self.gate_w(part_w.transpose(2, 3)))  # B x C x 1 x W
        return x * attention_h * attention_w


class DFFCANet(nn.Module):
    """Patch descriptor: ``B x 1 x P x P`` grey patches -> ``B x 256`` unit descriptors.

    Each patch is standardised (zero mean, unit variance) inside the network, so callers pass
    intensities in any linear scale.
    """

    default_conf = {"patch_size": 64, "descriptor_dim": 256, "coordinate_attention": True}

    def __init__(self, **conf):
        super().__init__()
        self.conf = {**self.default_conf, **conf}
        patch_size = int(self.conf["patch_size"])
        if patch_size % TOTAL_STRIDE or patch_size < TOTAL_STRIDE:
            raise ValueError(f"patch_size must be a multiple of {TOTAL_STRIDE}, got {patch_size}")
        layers = [conv_bn_relu6(1, 32, 3, 2)]
        channels = 32
        for expansion, out_channels, repeats, first_stride in INVERTED_RESIDUAL_SETTINGS:
            for index in range(repeats):
                stride = first_stride if index == 0 else 1
                layers.append(InvertedResidual(channels, out_channels, stride, expansion))
                channels = out_channels
        self.backbone = nn.Sequential(*layers)
        self.attention = CoordinateAttention(channels) if self.conf["coordinate_attention"] else nn.Identity()
        final_map = patch_size // TOTAL_STRIDE
        self.head = nn.Sequential(
            nn.Conv2d(channels, self.conf["descriptor_dim"], final_map, bias=False),
            nn.BatchNorm2d(self.conf["descriptor_dim"]),
        )

    @staticmethod
    def standardise(patches: torch.Tensor) -> torch.Tensor:
        flat = patches.flatten(1)
        mean = flat.mean(dim=1).view(-1, 1, 1, 1)
        std = flat.std(dim=1).view(-1, 1, 1, 1)
        return (patches - mean) / (std + 1e-6)

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        """patches: ``B x 1 x P x P`` float. Returns ``B x D`` descriptors of unit length."""
        features = self.attention(self.backbone(self.standardise(patches)))
        return F.normalize(self.head(features).flatten(1), dim=1)
