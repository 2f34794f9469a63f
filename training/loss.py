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


def template_scores(optical: torch.Tensor, sar: torch.Tensor, template: int) -> torch.Tensor:
    """B x S x S mean correlation of the central ``template`` x ``template`` square of each
    optical feature map (B x D x C x C) with every placement inside the central
    (template + S - 1)^2 square of its SAR feature map (B x D x (C + S - 1)^2). For unit
    features this is 1 - SSD / 2 per pixel: what the engine's template matching minimises.
    Computed with FFTs (a direct convolution with 64 px kernels is ~15x slower on the CPU)."""
    crop, search = optical.shape[-1], sar.shape[-1] - optical.shape[-1] + 1
    margin = (crop - template) // 2
    kernel = optical[..., margin : margin + template, margin : margin + template].float()
    window = sar[..., margin : margin + template + search - 1, margin : margin + template + search - 1].float()
    size = window.shape[-2:]
    spectrum = torch.fft.rfft2(window) * torch.conj(torch.fft.rfft2(kernel, s=size))
    return torch.fft.irfft2(spectrum.sum(dim=1), s=size)[:, :search, :search] / (template * template)


def template_matching_loss(scores: torch.Tensor, labels: torch.Tensor, temperature: torch.Tensor) -> torch.Tensor:
    """Cross-entropy between softmax(temperature x scores) over the B x S x S placements and a
    Gaussian around each label (B x 3: x, y, sigma in score-map pixels): the true placement
    must score higher than every other one nearby, which is what makes a template match
    distinct."""
    count, size = scores.shape[0], scores.shape[-1]
    grid = torch.arange(size, dtype=scores.dtype, device=scores.device)
    dx = grid[None, None, :] - labels[:, 0, None, None]
    dy = grid[None, :, None] - labels[:, 1, None, None]
    target = torch.exp(-(dx * dx + dy * dy) / (2 * labels[:, 2, None, None] ** 2)).reshape(count, -1)
    target = target / target.sum(dim=1, keepdim=True)
    log_probability = torch.log_softmax(temperature * scores.reshape(count, -1), dim=1)
    return -(target * log_probability).sum(dim=1).mean()
