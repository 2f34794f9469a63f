"""The HardNet loss (Mishchuk et al. 2017) as the method uses it."""
from __future__ import annotations

import torch


def pair_distances(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """B x B distances sqrt(2 - 2 a.b) between unit descriptors."""
    return torch.sqrt(torch.clamp(2.0 - 2.0 * a @ b.t(), min=1e-8))


def hardnet_loss(optical: torch.Tensor, sar: torch.Tensor, margin: float = 1.0, excluded: torch.Tensor = None) -> torch.Tensor:
    """Triplet margin loss with the hardest in-batch negative, looked for in both directions.

    ``optical[i]`` and ``sar[i]`` describe the same place. For each i the negative is the closest
    non-matching descriptor, either a SAR descriptor to ``optical[i]`` or an optical one to
    ``sar[i]``. ``excluded`` (B x B bool) marks pairs that must not serve as negatives (e.g.
    overlapping patches of one image).
    """
    distances = pair_distances(optical, sar)
    positive = distances.diagonal()
    blocked = torch.eye(len(distances), dtype=torch.bool, device=distances.device)
    if excluded is not None:
        blocked = blocked | excluded
    masked = distances.masked_fill(blocked, 10.0)
    hardest = torch.minimum(masked.min(dim=1).values, masked.min(dim=0).values)
    return torch.clamp(margin + positive - hardest, min=0.0).mean()
