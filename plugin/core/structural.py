"""Fine localisation by structural template matching (CFOG: channel features of oriented
gradients, Ye et al. 2019), around the position a coarse transform predicts.

Why: the coarse transforms (``similarity_search``, or the learned descriptor's matches) are good
to a few pixels only (measured on the bundled sample: descriptor matches 2-12 px from the truth,
and the descriptor's own sub-grid refinement does not improve them). Oriented-gradient
channels, with the sign of the gradient ignored, survive the contrast reversals between the two
sensors and peak sharply, so a template search of a few pixels gives sub-pixel positions.
"""
from __future__ import annotations

import functools
from typing import NamedTuple, Optional, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from .parallel import thread_map


def cfog(image: np.ndarray, valid: np.ndarray, orientations: int = 8, sigma: float = 1.2) -> np.ndarray:
    """H x W x orientations float32 features, L2-normalised per pixel; 0 where invalid."""
    image = cv2.GaussianBlur(image.astype(np.float32), (0, 0), 0.8)
    gradients = np.stack([cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3)], axis=-1)
    project, smooth = _orientation_matrices(orientations)
    # |gradient . direction| per orientation (the sign ignored), one matrix product for all of them.
    channels = cv2.GaussianBlur(np.abs(gradients @ project), (0, 0), sigma)
    channels = channels @ smooth  # smooth across neighbouring orientations (circularly), as CFOG does
    channels /= (np.sqrt(np.einsum("hwc,hwc->hw", channels, channels)) + 1e-6)[..., None]
    channels[~valid] = 0
    return channels


def cfog_on(images, valid, orientations: int = 8, sigma: float = 1.2):
    """``cfog`` of a batch of images in PyTorch on their device (B x H x W float32 and bool
    tensors): B x orientations x H x W. The same filters as OpenCV's (its Gaussian kernels and
    Sobel, borders reflected as OpenCV's default does), so the two agree to float precision
    (``tests/test_structural.py``); the structural search uses it on a GPU."""
    def blur(batch, blur_sigma):  # B x C x H x W, OpenCV's kernel size for float images
        size = int(round(blur_sigma * 4 * 2 + 1)) | 1
        kernel = torch.from_numpy(cv2.getGaussianKernel(size, blur_sigma, cv2.CV_32F).ravel()).to(batch.device)
        channels, half = batch.shape[1], size // 2
        batch = F.conv2d(F.pad(batch, (half, half, 0, 0), mode="reflect"), kernel.view(1, 1, 1, -1).expand(channels, 1, 1, size), groups=channels)
        return F.conv2d(F.pad(batch, (0, 0, half, half), mode="reflect"), kernel.view(1, 1, -1, 1).expand(channels, 1, size, 1), groups=channels)

    image = blur(images[:, None].float(), 0.8)
    sobel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]], device=images.device)
    gradients = F.conv2d(F.pad(image, (1, 1, 1, 1), mode="reflect"), torch.stack([sobel, sobel.T])[:, None])  # B x 2 x H x W
    project, smooth = (torch.tensor(matrix, device=images.device) for matrix in _orientation_matrices(orientations))
    channels = blur(torch.einsum("bghw,go->bohw", gradients, project).abs(), sigma)
    channels = torch.einsum("bohw,op->bphw", channels, smooth)
    channels = channels / (channels.square().sum(1, keepdim=True).sqrt() + 1e-6)
    return channels * valid[:, None]


@functools.lru_cache(maxsize=4)
def _orientation_matrices(orientations: int) -> Tuple[np.ndarray, np.ndarray]:
    """(2 x O projections of a gradient onto each orientation, O x O circular [1/4, 1/2, 1/4] smoothing)."""
    angles = np.arange(orientations) * np.pi / orientations
    eye = np.eye(orientations)
    smooth = 0.5 * eye + 0.25 * np.roll(eye, 1, axis=0) + 0.25 * np.roll(eye, -1, axis=0)
    matrices = np.stack([np.cos(angles), np.sin(angles)]).astype(np.float32), smooth.astype(np.float32)
    for matrix in matrices:
        matrix.flags.writeable = False  # shared by every call
    return matrices


def subpixel_minimum(scores: np.ndarray, row: int, col: int) -> Tuple[float, float]:
    """(dx, dy) of the minimum of ``scores`` at (``row``, ``col``) to sub-pixel: a parabola through it
    and its neighbours, per axis (of a maximum: pass the scores negated)."""
    dx, dy = subpixel_offsets(scores[None], np.array([row]), np.array([col]))
    return float(dx[0]), float(dy[0])


def subpixel_offsets(scores: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``subpixel_minimum`` of N score maps (N x h x w) at once, each at its (``rows``, ``cols``),
    which must lie inside the map: (dx, dy) float64. In float64 from the float32 scores, as the
    one-by-one computation was with numpy 1 (so every benchmark figure stayed the same)."""
    index = np.arange(len(scores))

    def offset(minus, centre, plus):
        denominator = minus.astype(np.float64) - 2 * centre.astype(np.float64) + plus
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(denominator <= 1e-12, 0.0, np.clip(0.5 * (minus - plus).astype(np.float64) / denominator, -0.5, 0.5))

    centre = scores[index, rows, cols]
    return (offset(scores[index, rows, cols - 1], centre, scores[index, rows, cols + 1]),
            offset(scores[index, rows - 1, cols], centre, scores[index, rows + 1, cols]))


class TemplateMatches(NamedTuple):
    positions: np.ndarray  # N x 2 SAR positions (the prediction where nothing was found)
    found: np.ndarray  # N bool: a clear minimum inside the window
    tried: np.ndarray  # N bool: template and window lay inside both valid areas, so a match was looked for


def _judge(scores, min_distinctness: float) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(found, column, row of the best fit in the window; 0 where not found) of N score maps of
    one size (N x h x w), all at once: found where the least score lies inside the window (not on
    its edge) and, with ``min_distinctness`` > 0, its distinctness (``match_templates``) exceeds
    that; to sub-pixel (``subpixel_offsets``)."""
    count, height, width = scores.shape
    flat = scores.reshape(count, -1)
    least = flat.argmin(axis=1)
    rows, cols = least // width, least % width
    found = (rows > 0) & (rows < height - 1) & (cols > 0) & (cols < width - 1)
    if min_distinctness > 0:
        best = flat[np.arange(count), least]
        near = (np.abs(np.arange(height)[None, :, None] - rows[:, None, None]) <= 3) & \
            (np.abs(np.arange(width)[None, None, :] - cols[:, None, None]) <= 3)
        elsewhere = np.where(near, np.float32(np.inf), scores).reshape(count, -1).min(axis=1)
        spread = np.median(flat, axis=1) - best
        with np.errstate(divide="ignore", invalid="ignore"):
            distinctness = np.where((spread > 0) & np.isfinite(elsewhere), (elsewhere - best) / spread, np.float32(0))
        found &= distinctness > min_distinctness
    dx, dy = subpixel_offsets(scores, np.clip(rows, 1, height - 2), np.clip(cols, 1, width - 2))
    return found, np.where(found, cols + dx, 0.0), np.where(found, rows + dy, 0.0)


def _empty(features, on_device=None) -> np.ndarray:
    """H x W bool: where the features are all zero (outside the image's valid area). Features
    computed on demand (``dense_features.FeaturesOnDemand``) tell it without being computed;
    ``on_device``: their copy on a device (``_on_device``), where it is found faster."""
    if hasattr(features, "empty_mask"):
        return features.empty_mask()
    if on_device is not None and on_device is not features:
        return (on_device == 0).all(dim=-1).cpu().numpy()
    return ~features.any(axis=-1)


def template_scores(window: np.ndarray, template: np.ndarray, method: int = cv2.TM_SQDIFF) -> np.ndarray:
    """OpenCV's ``matchTemplate`` score (sum of squared differences by default; ``cv2.TM_CCORR``:
    correlation) of ``template`` (t x t x D) at every shift inside ``window``, summed over all D
    channels. OpenCV sums over at most 4 channels per call, so the channels go in contiguous groups
    of 4, copied per window (a few hundred kB) rather than for the whole image, which would hold a
    second copy of both feature images (64 bytes per pixel with 8 features) for as long as matching runs."""
    return sum(cv2.matchTemplate(np.ascontiguousarray(window[..., c : c + 4]), np.ascontiguousarray(template[..., c : c + 4]), method)
               for c in range(0, template.shape[-1], 4))


class ScoreCache:
    """Template scores already computed, per optical pixel and SAR window, for one pair of
    feature images and one template size: fine matching's second pass looks, for the first
    pass's points, within windows that mostly lie inside the first pass's, so it slices those
    scores instead of matching again (the same numbers, so the same result). It also keeps the
    feature images' empty masks, which every pass would otherwise redo."""

    def __init__(self):
        self._scores = {}  # (ox, oy) -> (window left, window top, scores)
        self._empty = {}  # "optical" | "sar" -> that feature image's empty mask
        self._device = {}  # (id of a feature image, device) -> (the image, its copy there)
        self.hits = 0  # lookups answered (approximate under threads; for logs and tests)

    def on_device(self, features, device):
        """``features`` copied to ``device`` once for every call that shares this cache (``_on_device``)."""
        key = (id(features), str(device))
        if key not in self._device:
            self._device[key] = (features, _on_device(features, device))  # the array is held so that its id stays its own
        return self._device[key][1]

    def empty(self, side: str, features, device=None) -> np.ndarray:
        """``_empty`` of ``side``'s ("optical" or "sar") features, computed once (on ``device`` when given)."""
        if side not in self._empty:
            self._empty[side] = _empty(features, None if device is None else self.on_device(features, device))
        return self._empty[side]

    def store(self, optical_pixel, left: int, top: int, scores: np.ndarray) -> None:
        self._scores[optical_pixel] = (left, top, scores)

    def lookup(self, optical_pixel, left: int, top: int, size: int):
        """The scores of the size x size shifts from (left, top), or None when not all were computed."""
        cached = self._scores.get(optical_pixel)
        if cached is None:
            return None
        cached_left, cached_top, scores = cached
        x, y = left - cached_left, top - cached_top
        if x < 0 or y < 0 or x + size > scores.shape[1] or y + size > scores.shape[0]:
            return None
        self.hits += 1
        return scores[y : y + size, x : x + size]


def template_scores_on(windows, templates):
    """``template_scores`` (squared differences) of N templates (torch, N x D x t x t), each at
    every shift inside its own window (N x D x w x w), in one go on their device: the
    correlation by FFT (of a power of two at least the window's size, so that no valid shift
    wraps around), the window's energy under the template by summed-area tables. N x (w - t + 1)
    x (w - t + 1).

    Why: on a GPU the per-template OpenCV calls were most of fine matching's time (500 templates,
    twice), while a batch of them is a few FFTs there. On a CPU OpenCV's calls are faster, so
    the engine uses this only on a GPU (``pipeline.gpu_for``); ``tests/test_structural.py``
    checks on the CPU that both give the same matches."""
    size, side = windows.shape[-1], templates.shape[-1]
    shifts, fft_size = size - side + 1, 1 << (size - 1).bit_length()
    spectrum = torch.fft.rfft2(windows, s=(fft_size, fft_size)) * torch.fft.rfft2(templates, s=(fft_size, fft_size)).conj()
    correlation = torch.fft.irfft2(spectrum.sum(1), s=(fft_size, fft_size))[:, :shifts, :shifts]
    energy = F.pad((windows * windows).sum(1).cumsum(1).cumsum(2), (1, 0, 1, 0))  # summed-area table
    under = energy[:, side:, side:] - energy[:, :-side, side:] - energy[:, side:, :-side] + energy[:, :-side, :-side]
    return under - 2 * correlation + (templates * templates).sum((1, 2, 3))[:, None, None]


GPU_TEMPLATES = 128  # templates scored at once on a GPU (``template_scores_on``): 70 MB of spectra per side for 117 px windows of 8 features


def match_templates(optical_features: np.ndarray, sar_features: np.ndarray, optical_xy: np.ndarray, predicted_sar_xy: np.ndarray,
                    half_template: int = 32, search: int = 10, min_distinctness: float = 0.0,
                    cache: Optional[ScoreCache] = None, device=None) -> TemplateMatches:
    """For each optical point, the SAR position within ``search`` px of its prediction where the
    CFOG template fits best (least squared difference), to sub-pixel.

    A minimum counts as clear when it lies inside the window (not on its edge) and, with
    ``min_distinctness`` > 0, when its distinctness exceeds that: (the lowest score farther than
    3 px from the minimum - the minimum) / (the median score - the minimum), near 0 when another
    place fits as well (flat or repetitive ground), up to 1 when nothing else comes close.

    ``cache``: scores are taken from it where it has them and stored in it where computed (the
    same features and ``half_template`` for every call that shares it). ``device``: a torch
    device to score the templates on in batches (``template_scores_on``; with OpenCV again when a
    GPU runs out of memory), which pays on a GPU only; None: OpenCV on all CPU cores.
    """
    rows, cols = sar_features.shape[:2]
    reach = half_template + search
    optical_empty, sar_empty = (cache.empty(side, features, device) if cache is not None else _empty(features)
                                for side, features in (("optical", optical_features), ("sar", sar_features)))
    window_px = (2 * reach + 1) ** 2
    predicted = np.rint(predicted_sar_xy).astype(int)
    points = list(zip(map(tuple, np.rint(optical_xy).astype(int)), map(tuple, predicted)))

    def plan(point):
        """(template rows, template columns, window rows, window columns) of one optical point, or
        None when it is not tried: template or window outside the images, an empty template, or a
        window more than a fifth outside the SAR's valid area."""
        (ox, oy), (px, py) = point
        if not (half_template <= ox < optical_features.shape[1] - half_template and half_template <= oy < optical_features.shape[0] - half_template):
            return None
        if not (reach <= px < cols - reach and reach <= py < rows - reach):
            return None
        template_rows, template_cols = slice(oy - half_template, oy + half_template + 1), slice(ox - half_template, ox + half_template + 1)
        window_rows, window_cols = slice(py - reach, py + reach + 1), slice(px - reach, px + reach + 1)
        if optical_empty[template_rows, template_cols].all() or np.count_nonzero(sar_empty[window_rows, window_cols]) / window_px > 0.2:
            return None
        return template_rows, template_cols, window_rows, window_cols

    # Planning runs in one thread: in several, its many small numpy calls contend for the GIL and
    # took 1.5x as long (500 points on 2 cores); only the scores use all cores.
    plans = [plan(point) for point in points]
    scores = [None] * len(points)
    if cache is not None:
        for index, ((ox, oy), (px, py)) in enumerate(points):
            if plans[index] is not None:
                scores[index] = cache.lookup((ox, oy), px - search, py - search, 2 * search + 1)
    missing = [index for index, planned in enumerate(plans) if planned is not None and scores[index] is None]
    for index, computed in zip(missing, _scores(optical_features, sar_features, [plans[index] for index in missing], device, cache)):
        scores[index] = computed
        if cache is not None:
            (ox, oy), (px, py) = points[index]
            cache.store((ox, oy), px - search, py - search, computed)

    tried = np.array([point_scores is not None for point_scores in scores], bool).reshape(len(optical_xy))
    found = np.zeros(len(optical_xy), bool)
    best = np.zeros((len(optical_xy), 2))
    if tried.any():
        found[tried], best[tried, 0], best[tried, 1] = _judge(np.stack([scores[index] for index in np.flatnonzero(tried)]), min_distinctness)
    positions = np.asarray(predicted_sar_xy, np.float64).copy()
    # Templates are cut at whole optical pixels: the found SAR position carries the optical
    # point's fractional part over (the local transform is close to a translation there).
    fraction = np.asarray(optical_xy, np.float64) - np.rint(optical_xy)
    positions[found] = predicted[found] - search + best[found] + fraction[found]
    return TemplateMatches(positions, found, tried)


def _scores(optical_features, sar_features, plans, device, cache: Optional[ScoreCache] = None) -> list:
    """The scores of each planned (template, window) (``match_templates``): OpenCV on all CPU
    cores (``device`` None), or in batches on ``device`` (``template_scores_on``), with both
    feature images copied there once (kept in ``cache``) and the templates and windows cut there."""
    def on_cpu(planned):
        template_rows, template_cols, window_rows, window_cols = planned
        return template_scores(sar_features[window_rows, window_cols], optical_features[template_rows, template_cols])

    if device is None or not plans:
        return thread_map(on_cpu, plans)
    computed = []
    try:
        with torch.no_grad():
            optical, sar = (cache.on_device(features, device) if cache is not None else _on_device(features, device)
                            for features in (optical_features, sar_features))
            for start in range(0, len(plans), GPU_TEMPLATES):
                chunk = plans[start : start + GPU_TEMPLATES]
                batch = template_scores_on(_cut(sar, [(w_rows, w_cols) for _, _, w_rows, w_cols in chunk], device),
                                           _cut(optical, [(t_rows, t_cols) for t_rows, t_cols, _, _ in chunk], device))
                computed.extend(batch.cpu().numpy())
    except torch.cuda.OutOfMemoryError:
        torch.cuda.empty_cache()
        computed.extend(thread_map(on_cpu, plans[len(computed) :]))
    return computed


def _on_device(features, device):
    """The H x W x D ``features`` as a tensor on ``device``; features computed on demand
    (``dense_features.FeaturesOnDemand``, a large image) stay where they are and are cut on the CPU."""
    return torch.from_numpy(features).to(device) if isinstance(features, np.ndarray) else features


def _cut(features, regions, device):
    """N x D x s x s tensor on ``device``: the square ``regions`` ((rows, columns) slices, all of one
    size) of ``features`` (a tensor there, or an array-like read on the CPU)."""
    if not isinstance(features, torch.Tensor):
        stacked = np.stack([features[rows, cols] for rows, cols in regions])
        return torch.from_numpy(stacked).to(device).permute(0, 3, 1, 2)
    side = regions[0][0].stop - regions[0][0].start
    offsets = torch.arange(side, device=device)
    rows = torch.tensor([r.start for r, _ in regions], device=device)[:, None] + offsets  # N x s
    cols = torch.tensor([c.start for _, c in regions], device=device)[:, None] + offsets
    return features[rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)  # N x s x s x D -> N x D x s x s
