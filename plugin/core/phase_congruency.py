"""Phase congruency (Kovesi 1999/2003) with log-Gabor filters: the map keypoints are detected on.

This is the computation of ``phasepack.phasecong`` (same filters, same noise model, same
maximum-moment output ``M``), rearranged for speed: single precision, ``scipy.fft`` on all
cores (one thread per orientation), one batched inverse FFT per orientation and a filter bank cached per image shape.
``tests/test_phase_congruency.py`` checks that its maps agree with phasepack's.

On a GPU (``device``) the same computation runs in PyTorch (``_whole_on_gpu``): on an H200 the
CPU's map of a 1024 px image took most of the keypoint stage's 0.27 s. On a CPU, PyTorch's FFTs
took 2.8x as long as scipy's on 2 cores, so the CPU keeps scipy. The two agree to 1e-6
(``tests/test_phase_congruency.py`` runs the PyTorch one on the CPU).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch
from scipy import fft

from .parallel import thread_map, workers

MEMORY_BUDGET = 1 << 30  # bytes the orientations computed at once may hold
WHOLE_IMAGE_PX = 2048  # images up to this on both sides in one piece; larger ones in tiles (``phase_congruency``)
TILE_PX = 1024  # tile size for larger images
HALO_PX = 64  # context on every side of a tile (reflected at the image's edge)
WHERE_MARGIN_PX = 8  # a tile is computed when the part of the map asked for comes this close (FAST's circle and more)
EPSILON = 1e-4  # phasepack's guard against division by zero
NOISE_TILES = 25  # at most this many tiles, spread over the image, estimate its noise level


@dataclass(frozen=True)
class PhaseCongruencyParams:
    scales: int = 4
    orientations: int = 6
    min_wavelength: float = 3.0
    scale_factor: float = 2.1  # phasepack's ``mult``
    sigma_on_f: float = 0.55
    noise_k: float = 2.0
    cut_off: float = 0.5
    sharpness: float = 10.0  # phasepack's ``g``


def _centred_frequencies(n: int) -> np.ndarray:
    if n % 2:
        return np.arange(-(n - 1) / 2.0, (n - 1) / 2.0 + 1) / float(n - 1)
    return np.arange(-n / 2.0, n / 2.0) / float(n)


@functools.lru_cache(maxsize=4)
def _filter_bank(rows: int, cols: int, params: PhaseCongruencyParams) -> np.ndarray:
    """``orientations x scales x rows x cols`` float32 transfer functions, origin at the corner."""
    x, y = np.meshgrid(_centred_frequencies(cols), _centred_frequencies(rows), sparse=True)
    radius = fft.ifftshift(np.sqrt(x * x + y * y))
    theta = fft.ifftshift(np.arctan2(-y, x))
    lowpass = 1.0 / (1.0 + (radius / 0.45) ** 30)  # Butterworth, cutoff .45, order 15
    radius[0, 0] = 1.0
    denominator = 2.0 * np.log(params.sigma_on_f) ** 2
    radial = []
    for scale in range(params.scales):
        centre = 1.0 / (params.min_wavelength * params.scale_factor**scale)
        log_ratio = np.log(radius / centre)
        band = np.exp(-(log_ratio * log_ratio) / denominator) * lowpass
        band[0, 0] = 0.0
        radial.append(band)
    bank = np.empty((params.orientations, params.scales, rows, cols), np.float32)
    sin_t, cos_t = np.sin(theta), np.cos(theta)
    for orient in range(params.orientations):
        angle = orient * np.pi / params.orientations
        ds = sin_t * np.cos(angle) - cos_t * np.sin(angle)
        dc = cos_t * np.cos(angle) + sin_t * np.sin(angle)
        dtheta = np.clip(np.abs(np.arctan2(ds, dc)) * params.orientations / 2.0, 0, np.pi)
        spread = (np.cos(dtheta) + 1.0) / 2.0
        for scale in range(params.scales):
            bank[orient, scale] = radial[scale] * spread
    return bank


def phase_congruency(image: np.ndarray, params: PhaseCongruencyParams = PhaseCongruencyParams(), where=None,
                     progress: Optional[Callable[[float], None]] = None, device: Optional[torch.device] = None) -> np.ndarray:
    """Maximum moment of phase-congruency covariance (phasepack's ``M``): ``H x W`` float32, >= 0.

    High on edges and corners whatever their contrast, which is why it suits optical/SAR pairs
    whose intensities are unrelated.

    An image larger than ``WHOLE_IMAGE_PX`` on a side is computed in tiles of ``TILE_PX`` with
    ``HALO_PX`` of context, all of one shape (so one filter bank), because the whole-image
    computation needs a filter bank and FFTs of the whole image: 4 GB and 37 s for 4096 x 4096
    px on 2 cores, and more memory than most machines have for a full Sentinel-2 tile. The noise
    level, which phasepack estimates over the whole image, is then the median of the tiles' own
    estimates (of at most ``NOISE_TILES`` tiles). Tiled and whole maps agree but for the image's
    outer border, where the whole-image FFT wraps around and tiles reflect
    (``tests/test_phase_congruency.py``).

    ``where`` (H x W bool): only this part of the map is needed. Tiles with none of it (nor
    within ``WHERE_MARGIN_PX`` of it) are left at 0 and do not count for the noise level, which
    is then the needed part's: the optical raster's nodata, or what the SAR cannot cover.

    ``progress``: called with the share of the tiles done after each tile (a Sentinel-2 tile's
    map takes most of a minute); it may raise to stop the computation (a cancelled registration).

    ``device``: a torch device to compute the map on in PyTorch (``_whole_on_gpu``; with scipy
    again when a GPU runs out of memory), which pays on a GPU only (``pipeline.gpu_for``); None:
    scipy on all CPU cores.
    """
    if image.ndim != 2:
        raise ValueError(f"phase_congruency expects a 2-D image, got shape {image.shape}")
    if max(image.shape) > WHOLE_IMAGE_PX:
        return _tiled(image, params, where, progress, device)
    return _whole(image, params, device=device)


def _needed(where, top: int, left: int) -> bool:
    """Whether the tile at (top, left), grown by ``WHERE_MARGIN_PX``, holds any pixel of ``where``."""
    if where is None:
        return True
    return bool(where[max(0, top - WHERE_MARGIN_PX) : top + TILE_PX + WHERE_MARGIN_PX,
                      max(0, left - WHERE_MARGIN_PX) : left + TILE_PX + WHERE_MARGIN_PX].any())


def _tiled(image: np.ndarray, params: PhaseCongruencyParams, where=None, progress=None, device=None) -> np.ndarray:
    rows, cols = image.shape
    tiles = [(top, left) for top in range(0, rows, TILE_PX) for left in range(0, cols, TILE_PX) if _needed(where, top, left)]
    out = np.zeros((rows, cols), np.float32)
    if not tiles:
        return out

    def crop(top: int, left: int) -> np.ndarray:
        """The tile with its halo, reflected where it passes the image's edge: every tile one shape."""
        y0, x0 = max(0, top - HALO_PX), max(0, left - HALO_PX)
        y1, x1 = min(rows, top + TILE_PX + HALO_PX), min(cols, left + TILE_PX + HALO_PX)
        pad = ((HALO_PX - (top - y0), top + TILE_PX + HALO_PX - y1), (HALO_PX - (left - x0), left + TILE_PX + HALO_PX - x1))
        return np.pad(image[y0:y1, x0:x1].astype(np.float32), pad, mode="symmetric")

    # One noise level per orientation for the whole image, as phasepack has: the median over the
    # tiles of each tile's own estimate (per-tile levels would change the map from tile to tile),
    # from at most NOISE_TILES of them, spread over the image: each costs a third of a tile's map,
    # 20 of the 62 s on a Sentinel-2 tile's 121 when all were used, and 25 give levels within 5%
    # of all 121's (measured on the 10980 px benchmark scene).
    sample = np.unique(np.linspace(0, len(tiles) - 1, min(len(tiles), NOISE_TILES)).round().astype(int))
    noise = np.median([_noise_levels(crop(*tiles[index]), params, device) for index in sample], axis=0)
    for done, (top, left) in enumerate(tiles, start=1):
        congruency = _whole(crop(top, left), params, noise, device)
        bottom, right = min(rows, top + TILE_PX), min(cols, left + TILE_PX)
        out[top:bottom, left:right] = congruency[HALO_PX : HALO_PX + bottom - top, HALO_PX : HALO_PX + right - left]
        if progress:
            progress(done / len(tiles))
    return out


def _noise_level(smallest_scale_amplitude: np.ndarray) -> float:
    """The noise level phasepack's noiseMethod -1 estimates: the median amplitude at the smallest
    scale over the median of a Rayleigh distribution of unit scale."""
    return float(np.median(smallest_scale_amplitude) / np.sqrt(np.log(4)))


def _noise_levels(image: np.ndarray, params: PhaseCongruencyParams, device=None) -> np.ndarray:
    """Per orientation, the noise level of ``image`` (on ``device`` when given, ``_noise_levels_on_gpu``)."""
    if device is not None:
        levels = _on_gpu(_noise_levels_on_gpu, image, params, device)
        if levels is not None:
            return levels
    spectrum = fft.fft2(image, workers=workers())
    bank = _filter_bank(*image.shape, params)
    return np.array([_noise_level(np.abs(fft.ifft2(spectrum * bank[orient, 0], workers=workers()))) for orient in range(params.orientations)])


def _whole(image: np.ndarray, params: PhaseCongruencyParams, noise=None, device=None) -> np.ndarray:
    """The map of ``image`` in one piece; ``noise``: per orientation, the noise level to use
    instead of the image's own (``_noise_levels``). ``device``: computed there in PyTorch (``_whole_on_gpu``)."""
    if device is not None:
        congruency = _on_gpu(_whole_on_gpu, image, params, noise, device)
        if congruency is not None:
            return congruency
    rows, cols = image.shape
    spectrum = fft.fft2(image.astype(np.float32), workers=workers())
    bank = _filter_bank(rows, cols, params)

    def orientation_congruency(orient: int) -> np.ndarray:
        # scales x rows x cols, even + i odd; the product's memory is reused for the result
        responses = fft.ifft2(spectrum[None] * bank[orient], axes=(-2, -1), workers=1, overwrite_x=True)
        # Amplitudes scale by scale (one image's worth of memory at a time): their sum and maximum,
        # and the noise: median amplitude of the smallest scale, Rayleigh model (phasepack noiseMethod -1).
        sum_amplitude = np.zeros((rows, cols), np.float32)
        max_amplitude = np.zeros((rows, cols), np.float32)
        for scale, response in enumerate(responses):
            amplitude = np.abs(response)
            if scale == 0:
                tau = _noise_level(amplitude) if noise is None else noise[orient]
            sum_amplitude += amplitude
            np.maximum(max_amplitude, amplitude, out=max_amplitude)
        # Energy: sum over scales of (even, odd) . unit mean - |(even, odd) x unit mean|, which is
        # Re(r conj(m)) - |Im(r conj(m))| for the response r and the unit mean m of the scales' sum:
        # one complex product per scale instead of four real ones, accumulated scale by scale.
        total = responses.sum(axis=0)
        unit_mean_conj = np.conj(total) / (np.abs(total) + EPSILON)
        energy = np.zeros((rows, cols), np.float32)
        for response in responses:
            product = response * unit_mean_conj
            energy += product.real
            energy -= np.abs(product.imag)
        total_tau = tau * (1.0 - (1.0 / params.scale_factor) ** params.scales) / (1.0 - 1.0 / params.scale_factor)
        noise_mean = total_tau * np.sqrt(np.pi / 2.0)
        noise_sigma = total_tau * np.sqrt((4 - np.pi) / 2.0)
        threshold = max(noise_mean + params.noise_k * noise_sigma, EPSILON)
        energy = np.maximum(energy - np.float32(threshold), 0)
        width = (sum_amplitude / (max_amplitude + EPSILON) - 1.0) / (params.scales - 1)
        weight = 1.0 / (1.0 + np.exp(params.sharpness * (params.cut_off - width)))
        return weight * energy / sum_amplitude

    # Orientations are independent: one thread each (numpy and the FFT release the GIL), as many
    # at once as keep their working arrays (about 3 complex copies of every scale) within 1 GB.
    per_orientation = 3 * params.scales * rows * cols * 8
    congruencies = thread_map(orientation_congruency, range(params.orientations), max(1, MEMORY_BUDGET // per_orientation))
    cov_x2 = np.zeros((rows, cols), np.float32)
    cov_y2 = np.zeros_like(cov_x2)
    cov_xy = np.zeros_like(cov_x2)
    for orient, congruency in enumerate(congruencies):
        _add_covariance(cov_x2, cov_y2, cov_xy, congruency, orient, params, np.float32)
    return _maximum_moment(cov_x2, cov_y2, cov_xy, params).astype(np.float32)


def _add_covariance(cov_x2, cov_y2, cov_xy, congruency, orient: int, params: PhaseCongruencyParams, scalar=float) -> None:
    """Adds one orientation's phase congruency to the sums of its covariance, in place (numpy
    arrays or torch tensors alike; ``scalar``: the type its cosine and sine are cast to)."""
    angle = orient * np.pi / params.orientations
    cov_x, cov_y = congruency * scalar(np.cos(angle)), congruency * scalar(np.sin(angle))
    cov_x2 += cov_x * cov_x
    cov_y2 += cov_y * cov_y
    cov_xy += cov_x * cov_y


def _maximum_moment(cov_x2, cov_y2, cov_xy, params: PhaseCongruencyParams):
    """phasepack's maximum moment ``M`` from the covariance sums of every orientation (numpy
    arrays or torch tensors alike; ``** 0.5`` is numpy's square root, bit for bit)."""
    cov_x2 = cov_x2 / (params.orientations / 2.0)
    cov_y2 = cov_y2 / (params.orientations / 2.0)
    cov_xy = cov_xy * (4.0 / params.orientations)
    denominator = (cov_xy * cov_xy + (cov_x2 - cov_y2) ** 2) ** 0.5 + EPSILON
    return (cov_x2 + cov_y2 + denominator) / 2.0


@functools.lru_cache(maxsize=2)
def _filter_bank_on(rows: int, cols: int, params: PhaseCongruencyParams, device: str) -> torch.Tensor:
    """``_filter_bank`` held on ``device`` (96 MB for a 1024 px image: uploaded once per shape)."""
    return torch.from_numpy(_filter_bank(rows, cols, params)).to(device)


def _torch_median(values: torch.Tensor) -> torch.Tensor:
    """numpy's median (the mean of the two middle values of an even count) of all of ``values``."""
    flat = values.reshape(-1)
    count = flat.numel()
    low = torch.kthvalue(flat, (count + 1) // 2).values
    return low if count % 2 else (low + torch.kthvalue(flat, count // 2 + 1).values) / 2


def _on_gpu(compute: Callable[..., np.ndarray], *args) -> Optional[np.ndarray]:
    """``compute(*args)``, or None when the GPU runs out of memory (the CPU's code then runs)."""
    try:
        return compute(*args)
    except torch.cuda.OutOfMemoryError:
        torch.cuda.empty_cache()
        return None


def _spectrum_on(image: np.ndarray, device) -> torch.Tensor:
    return torch.fft.fft2(torch.from_numpy(np.ascontiguousarray(image, np.float32)).to(device))


def _noise_level_on_gpu(smallest_scale_amplitude: torch.Tensor) -> torch.Tensor:
    """``_noise_level`` in PyTorch."""
    return _torch_median(smallest_scale_amplitude) / np.sqrt(np.log(4))


@torch.no_grad()
def _noise_levels_on_gpu(image: np.ndarray, params: PhaseCongruencyParams, device) -> np.ndarray:
    """``_noise_levels`` in PyTorch on ``device``: the smallest scale's responses only."""
    spectrum = _spectrum_on(image, device)
    bank = _filter_bank_on(*image.shape, params, str(device))
    return np.array([float(_noise_level_on_gpu(torch.fft.ifft2(spectrum * bank[orient, 0]).abs())) for orient in range(params.orientations)])


@torch.no_grad()
def _whole_on_gpu(image: np.ndarray, params: PhaseCongruencyParams, noise, device) -> np.ndarray:
    """``_whole`` in PyTorch on ``device``, one orientation at a time (its responses at every scale: 32 MB
    for a 1024 px image). The same steps and formulas as ``_whole``; read that one for the why."""
    rows, cols = image.shape
    bank = _filter_bank_on(rows, cols, params, str(device))
    spectrum = _spectrum_on(image, device)
    cov_x2 = torch.zeros((rows, cols), device=device)
    cov_y2, cov_xy = torch.zeros_like(cov_x2), torch.zeros_like(cov_x2)
    for orient in range(params.orientations):
        responses = torch.fft.ifft2(spectrum[None] * bank[orient])  # scales x rows x cols
        amplitude = responses.abs()
        tau = _noise_level_on_gpu(amplitude[0]) if noise is None else torch.tensor(float(noise[orient]), device=device)
        sum_amplitude, max_amplitude = amplitude.sum(0), amplitude.amax(0)
        total = responses.sum(0)
        product = responses * (total.conj() / (total.abs() + EPSILON))
        energy = (product.real - product.imag.abs()).sum(0)
        total_tau = tau * (1.0 - (1.0 / params.scale_factor) ** params.scales) / (1.0 - 1.0 / params.scale_factor)
        threshold = torch.clamp(total_tau * np.sqrt(np.pi / 2.0) + params.noise_k * total_tau * np.sqrt((4 - np.pi) / 2.0), min=EPSILON)
        energy = torch.clamp(energy - threshold, min=0)
        width = (sum_amplitude / (max_amplitude + EPSILON) - 1.0) / (params.scales - 1)
        weight = 1.0 / (1.0 + torch.exp(params.sharpness * (params.cut_off - width)))
        _add_covariance(cov_x2, cov_y2, cov_xy, weight * energy / sum_amplitude, orient, params)
    return _maximum_moment(cov_x2, cov_y2, cov_xy, params).cpu().numpy()
