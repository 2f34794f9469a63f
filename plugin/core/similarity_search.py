"""Coarse alignment by search: the rotation, scale and shift at which the structural (CFOG)
features of the two images correlate best.

Why: with the weights shipped, the learned descriptor finds the right place among everything in
a 100 px radius only for a minority of pairs (benchmarks/results), and not at all under the hard
tier's rotations, while oriented-gradient channels with the gradient's sign ignored correlate
across optical and SAR wherever the scene has structure. So every candidate similarity on a grid
of rotations and scales is tried with one FFT cross-correlation each (the shift comes for free),
first at low resolution, then finer around the best few.

The score of a shift is the correlation summed over the overlap divided by the square root of the
overlap: a z-score, so that a small overlap at the search's edge cannot win by luck. The result
is only a proposal; ``pipeline`` accepts or refuses it by how many template matches agree with it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
import scipy.fft
import torch

from . import transforms
from .parallel import thread_map, workers
from .structural import cfog, cfog_on, subpixel_minimum, template_scores

LEVEL_SIZES = (128, 256)  # longest side (px) of the images at the coarse and the fine level
MIN_OVERLAP = 0.5  # of the smaller image's valid pixels
PEAKS_KEPT = 3  # candidates carried from the coarse level to the fine one
# Larger images are searched on at finer levels until a level pixel is at most this many image
# pixels, as at a 1024 px image's 256 px level: the precision fine matching's first pass (a window
# of +-10 px) was set with. Without them a 10980 px scene's best candidate lay 43 image pixels
# per level pixel apart, and its right coarse transform was refused.
FINEST_LEVEL_PX = 4.0
BLOCKS = 4  # a finer level measures the shift left over in BLOCKS x BLOCKS blocks of the resampled SAR (``_Refinement.by_blocks``)
BLOCK_ROUNDS = 2  # ... resampling again once when the first fit moved it by more than half a level pixel
GPU_TRIALS = 32  # trials batched at once on a device (``search_similarity``): a few MB each at the 256 px level


@dataclass
class Candidate:
    score: float  # z-score of the correlation peak
    rotation_deg: float
    scale: float
    shift: np.ndarray  # (dx, dy) in full-resolution optical pixels

    def matrix(self, centre: np.ndarray) -> np.ndarray:
        """3 x 3 SAR -> optical pixels: rotate and scale about ``centre`` (SAR pixels), then shift."""
        return _translation(self.shift) @ similarity_about(self.rotation_deg, self.scale, centre)


def similarity_about(rotation_deg: float, scale: float, centre: np.ndarray) -> np.ndarray:
    angle = np.deg2rad(rotation_deg)
    linear = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = np.eye(3)
    matrix[:2, :2] = linear
    matrix[:2, 2] = centre - linear @ centre
    return matrix


def _translation(shift) -> np.ndarray:
    matrix = np.eye(3)
    matrix[:2, 2] = shift
    return matrix


def _steps(limit: float, step: float) -> np.ndarray:
    """Symmetric grid 0, +-step, ... covering +-limit."""
    count = int(np.ceil(limit / step - 1e-9))
    return np.arange(-count, count + 1) * (limit / count if count else 0.0)


def _reduce(image: np.ndarray, valid: np.ndarray, factor: float) -> Tuple[np.ndarray, np.ndarray]:
    size = (max(8, int(round(image.shape[1] / factor))), max(8, int(round(image.shape[0] / factor))))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return small, cv2.resize(valid.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0


def _inside_border(valid: np.ndarray) -> np.ndarray:
    """``valid`` less 2 px at its edge: a resampled footprint's edge is a gradient the scene does not
    have, so every correlation of the search leaves it out."""
    return cv2.erode(valid.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0


def _centred_features(image: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """CFOG with each channel's mean over the valid pixels removed (so that flat, featureless
    overlap adds nothing to the correlation), 0 outside."""
    features = cfog(image, valid)  # 0 outside already, so the sum over all pixels is the sum over the valid ones
    count = np.count_nonzero(valid)
    if count:
        pixels = features.reshape(-1, features.shape[-1])
        features -= np.ones(len(pixels), np.float32) @ pixels / count  # the channel sums (a matrix product is ~7x faster than .sum(axis=0))
        features[~valid] = 0
    return features


class _Correlator:
    """The optical image at one level, its spectrum computed once, against which a SAR image on a
    canvas of ``canvas_shape`` (None: the optical image's) is correlated for every shift in
    ``allowed`` (level pixels)."""

    def __init__(self, optical, optical_valid, canvas_shape, factor: float, max_shift: Optional[float], excluded=None):
        self.factor = factor
        self.optical, self.optical_valid = _reduce(optical, optical_valid, factor)
        canvas_shape = self.optical.shape if canvas_shape is None else canvas_shape
        # Zero padding to this size makes the FFT's circular correlation a linear one for every
        # shift looked at: all of them without a bound, up to the bound with one (less to pad).
        rows = self.optical.shape[0] + canvas_shape[0]
        cols = self.optical.shape[1] + canvas_shape[1]
        if max_shift is not None:
            reach = int(np.ceil(max_shift / factor)) + 1
            rows = min(rows, max(self.optical.shape[0], canvas_shape[0]) + reach)
            cols = min(cols, max(self.optical.shape[1], canvas_shape[1]) + reach)
        self.shape = (scipy.fft.next_fast_len(rows, real=True), scipy.fft.next_fast_len(cols, real=True))
        # Conjugated once here: each trial's correlation is then the conjugate of one contraction over the channels.
        self.optical_features = _centred_features(self.optical, self.optical_valid)
        self.optical_conjugate = np.conj(self._spectrum(self.optical_features))
        self.optical_count = int(np.count_nonzero(self.optical_valid))
        self.optical_valid_spectrum = self._spectrum(self.optical_valid.astype(np.float32))
        dy = np.fft.fftfreq(self.shape[0], 1.0 / self.shape[0])[:, None]
        dx = np.fft.fftfreq(self.shape[1], 1.0 / self.shape[1])[None, :]
        self.dx, self.dy = dx, dy
        self.allowed = np.ones(self.shape, bool) if max_shift is None else (np.abs(dx) <= max_shift / factor) & (np.abs(dy) <= max_shift / factor)
        if excluded is not None:
            (ex, ey), radius = excluded
            self.allowed &= np.hypot(dx - ex / factor, dy - ey / factor) > radius / factor
        self._on_device = None  # the optical side on a device, when trials run there (``_spectra_on``)

    def _spectrum(self, array: np.ndarray) -> np.ndarray:
        # One FFT thread: the trials themselves run in parallel (``search_similarity``).
        return scipy.fft.rfft2(array, self.shape, axes=(0, 1), workers=1)

    def best_shift(self, sar: np.ndarray, valid: np.ndarray) -> Tuple[float, int, int]:
        """Best z-score and its shift (level pixels) of ``sar`` (valid where ``valid``) against the optical image."""
        valid = _inside_border(valid)
        if not valid.any():
            return -np.inf, 0, 0
        sar_spectrum = self._spectrum(_centred_features(sar, valid))
        cross = np.conj(np.einsum("ijc,ijc->ij", self.optical_conjugate, sar_spectrum))  # sum over channels of optical x conj(SAR)
        correlation = scipy.fft.irfft2(cross, self.shape, workers=1)
        overlap = scipy.fft.irfft2(self.optical_valid_spectrum * np.conj(self._spectrum(valid.astype(np.float32))), self.shape, workers=1)
        enough = self.allowed & (overlap > MIN_OVERLAP * min(self.optical_count, np.count_nonzero(valid)))
        if not enough.any():
            return -np.inf, 0, 0
        score = np.where(enough, correlation / np.sqrt(np.maximum(overlap, 1.0)), -np.inf)
        row, col = np.unravel_index(np.argmax(score), self.shape)
        return float(score[row, col]), int(self.dx[0, col]), int(self.dy[row, 0])

    def best_shift_of_warped(self, matrix: np.ndarray, size) -> Tuple[float, int, int]:
        """``best_shift`` of the level's SAR (``self.sar``, ``self.sar_valid``) resampled by the
        2 x 3 ``matrix`` onto a canvas of ``size`` (width, height)."""
        return self.best_shift(*self._warped(matrix, size))

    def _warped(self, matrix: np.ndarray, size) -> Tuple[np.ndarray, np.ndarray]:
        warped = cv2.warpAffine(self.sar, matrix, size, flags=cv2.INTER_LINEAR)
        valid = cv2.warpAffine(self.sar_valid.astype(np.uint8), matrix, size, flags=cv2.INTER_NEAREST) > 0
        return warped, valid

    def best_shifts_on(self, device, matrices: Sequence[np.ndarray], size) -> List[Tuple[float, int, int]]:
        """``best_shift_of_warped`` for each of ``matrices`` at once, in PyTorch on ``device``: the
        resampling and erosion as on the CPU (OpenCV), then the CFOG features (``cfog_on``), their
        centring and every FFT there, batched. The same formulas as ``best_shift``, which says why."""
        with torch.no_grad():
            spectra = self._spectra_on(device)
            warped = [self._warped(matrix, size) for matrix in matrices]
            valid = np.stack([_inside_border(v) for _, v in warped])
            valid_t = torch.from_numpy(valid).to(device)
            features = cfog_on(torch.from_numpy(np.stack([w for w, _ in warped])).to(device), valid_t)  # B x C x H x W
            count = valid_t.sum((1, 2))
            features = (features - features.sum((2, 3), keepdim=True) / count.clamp(min=1)[:, None, None, None]) * valid_t[:, None]
            cross = (spectra["optical_conjugate"] * torch.fft.rfft2(features, self.shape)).sum(1).conj()
            correlation = torch.fft.irfft2(cross, self.shape)
            overlap = torch.fft.irfft2(spectra["optical_valid"] * torch.fft.rfft2(valid_t.float(), self.shape).conj(), self.shape)
            least = MIN_OVERLAP * torch.clamp(count, max=self.optical_count).double()
            enough = spectra["allowed"] & (overlap > least[:, None, None])
            score = torch.where(enough, correlation / overlap.clamp(min=1.0).sqrt(), torch.tensor(-np.inf, device=device))
            best = score.flatten(1).argmax(1)
            scores, rows, cols = score.flatten(1).gather(1, best[:, None])[:, 0].cpu().numpy(), (best // self.shape[1]).cpu().numpy(), \
                (best % self.shape[1]).cpu().numpy()
        return [(-np.inf, 0, 0) if not valid[index].any() or not np.isfinite(scores[index]) else
                (float(scores[index]), int(self.dx[0, cols[index]]), int(self.dy[rows[index], 0])) for index in range(len(matrices))]

    def _spectra_on(self, device) -> dict:
        """The optical side of ``best_shift`` (its features' conjugate spectrum, its valid area's
        spectrum, the shifts allowed) copied to ``device`` once per level (a search runs on one device)."""
        if self._on_device is None:
            self._on_device = {
                "optical_conjugate": torch.from_numpy(np.ascontiguousarray(self.optical_conjugate.transpose(2, 0, 1))).to(device),
                "optical_valid": torch.from_numpy(self.optical_valid_spectrum).to(device),
                "allowed": torch.from_numpy(self.allowed).to(device),
            }
        return self._on_device


class _Level(_Correlator):
    """Both images at one resolution: the SAR rotated and scaled about its centre on its own
    canvas, every shift within ``max_shift`` looked at."""

    def __init__(self, optical, optical_valid, sar, sar_valid, factor: float, max_shift: Optional[float], excluded=None):
        self.sar, self.sar_valid = _reduce(sar, sar_valid, factor)
        super().__init__(optical, optical_valid, self.sar.shape, factor, max_shift, excluded)
        self.centre = np.array([(self.sar.shape[1] - 1) / 2, (self.sar.shape[0] - 1) / 2])

    def correlate(self, rotation_deg: float, scale: float) -> Tuple[float, int, int]:
        """Best z-score and its shift (reduced pixels) for the SAR rotated and scaled about its centre."""
        matrix = similarity_about(rotation_deg, scale, self.centre)[:2]
        return self.best_shift_of_warped(matrix, (self.sar.shape[1], self.sar.shape[0]))

    def candidates(self, trials: Sequence[Tuple[float, float]], full_centre: np.ndarray, device=None) -> List[Candidate]:
        """``candidate`` of each (rotation, scale) of ``trials``: in parallel on the CPU's cores, or
        batched on ``device`` (``best_shifts_on``; on the CPU's cores when it runs out of memory)."""
        if device is not None:
            matrices = [similarity_about(rotation_deg, scale, self.centre)[:2] for rotation_deg, scale in trials]
            try:
                shifts = self.best_shifts_on(device, matrices, (self.sar.shape[1], self.sar.shape[0]))
                return [self.candidate(*trial, full_centre, found) for trial, found in zip(trials, shifts)]
            except torch.cuda.OutOfMemoryError:  # a GPU another program has filled: these trials on the CPU
                torch.cuda.empty_cache()
        return thread_map(lambda trial: self.candidate(*trial, full_centre), trials)

    def candidate(self, rotation_deg: float, scale: float, full_centre: np.ndarray, found=None) -> Candidate:
        """The best shift for one rotation and scale, as a full-resolution candidate (``found``:
        its (score, dx, dy), when measured already)."""
        score, dx, dy = found or self.correlate(rotation_deg, scale)
        # Reduced pixel x is full-resolution pixel f x + (f - 1) / 2; there the similarity turns
        # about that image of the reduced centre, so moving its centre to the full image's centre
        # changes the shift by (L - I)(centre - reduced centre).
        reduced_centre = self.centre * self.factor + (self.factor - 1) / 2
        linear = similarity_about(rotation_deg, scale, np.zeros(2))[:2, :2]
        offset = full_centre - reduced_centre
        shift = np.array([dx, dy], np.float64) * self.factor + linear @ offset - offset
        return Candidate(score, rotation_deg, scale, shift)


class _Refinement(_Correlator):
    """A finer level, for images larger than ``FINEST_LEVEL_PX`` times the last of ``LEVEL_SIZES``:
    the SAR resampled onto the optical image's canvas by a candidate's whole transform, and only
    the shift left over looked for, within ``reach`` px (so the FFT is hardly larger than the level)."""

    def __init__(self, optical, optical_valid, sar, sar_valid, factor: float, reach: float):
        super().__init__(optical, optical_valid, None, factor, reach)
        self.sar, self.sar_valid = _reduce(sar, sar_valid, factor)
        self.reach = reach / factor  # level pixels
        self.to_full = np.array([[factor, 0, (factor - 1) / 2], [0, factor, (factor - 1) / 2], [0, 0, 1]])

    def _level_matrix(self, rotation_deg: float, scale: float, shift, full_centre: np.ndarray) -> np.ndarray:
        """3 x 3: the candidate's transform between this level's pixels."""
        transform = Candidate(0.0, rotation_deg, scale, shift).matrix(full_centre)
        return np.linalg.inv(self.to_full) @ transform @ self.to_full

    def candidate(self, rotation_deg: float, scale: float, shift: np.ndarray, full_centre: np.ndarray) -> Candidate:
        """The best shift left over for the transform of (``rotation_deg``, ``scale``, ``shift``), as a full-resolution candidate."""
        matrix = self._level_matrix(rotation_deg, scale, shift, full_centre)[:2]
        score, dx, dy = self.best_shift_of_warped(matrix, (self.optical.shape[1], self.optical.shape[0]))
        return Candidate(score, rotation_deg, scale, np.asarray(shift, np.float64) + self.factor * np.array([dx, dy], np.float64))

    def by_blocks(self, start: Candidate, full_centre: np.ndarray, max_rotation_deg: float = np.inf,
                  max_scale: float = np.inf) -> Optional[Candidate]:
        """``start`` corrected by the similarity that the shifts left over in ``BLOCKS`` x ``BLOCKS``
        blocks of the SAR, resampled by it, agree on (RANSAC, 1 level pixel), then scored (and
        its shift refined) as one trial; None when too few blocks agree or the result leaves the
        search's range (``_pattern_search`` then walks the grid of rotations and scales instead).

        Why: the grid walk tries at least 9 rotations and scales per level, each a resampling, the
        CFOG features and an FFT of the whole level; on a 10980 px scene its two finest levels
        (2048 and 2745 px) took 19 s. Block shifts measure rotation and scale in one resampling."""
        current = start
        corners = transforms.image_corners(self.optical.shape[1], self.optical.shape[0])  # of the canvas the correction is in
        for _ in range(BLOCK_ROUNDS):
            matrix = self._level_matrix(current.rotation_deg, current.scale, current.shift, full_centre)
            correction = self._block_similarity(matrix[:2])
            if correction is None:
                return None
            corrected = self.to_full @ correction @ matrix @ np.linalg.inv(self.to_full)
            linear = corrected[:2, :2]
            scale = float(np.sqrt(abs(np.linalg.det(linear))))
            rotation_deg = float(np.degrees(np.arctan2(linear[1, 0], linear[0, 0])))
            if not _within(rotation_deg, scale, max_rotation_deg, max_scale):
                return None
            shift = corrected[:2, 2] - (full_centre - linear @ full_centre)
            current = Candidate(current.score, rotation_deg, scale, shift)
            if np.linalg.norm(transforms.apply(correction, corners) - corners, axis=1).max() <= 0.5:
                break
        return self.candidate(current.rotation_deg, current.scale, current.shift, full_centre)

    def _block_similarity(self, matrix: np.ndarray) -> Optional[np.ndarray]:
        """3 x 3 similarity (level pixels) that carries the SAR, resampled by the 2 x 3 ``matrix`` onto
        the optical canvas, onto the optical image, from the best shift (within ``reach``) of each
        block's CFOG features; None when fewer than 4 blocks, and fewer than half of those
        measured, agree on it within a level pixel."""
        warped, valid = self._warped(matrix, (self.optical.shape[1], self.optical.shape[0]))
        valid = _inside_border(valid)
        sar_features = _centred_features(warped, valid)
        rows, cols = valid.shape
        margin = int(np.ceil(self.reach))

        def measure(block):
            (top, bottom), (left, right) = block
            inner = (slice(top + margin, bottom - margin), slice(left + margin, right - margin))
            if valid[inner].mean() < 0.5 or self.optical_valid[top:bottom, left:right].mean() < 0.5:
                return None
            region, template = self.optical_features[top:bottom, left:right], sar_features[inner]
            scores = template_scores(region, template, cv2.TM_CCORR)
            row, col = np.unravel_index(np.argmax(scores), scores.shape)
            if not (0 < row < scores.shape[0] - 1 and 0 < col < scores.shape[1] - 1):
                return None  # on the window's edge: no clear peak
            dx, dy = subpixel_minimum(-scores, row, col)
            centre = ((left + right - 1) / 2, (top + bottom - 1) / 2)
            return centre, (centre[0] + col + dx - margin, centre[1] + row + dy - margin)

        edges_y, edges_x = np.linspace(0, rows, BLOCKS + 1).astype(int), np.linspace(0, cols, BLOCKS + 1).astype(int)
        blocks = [((edges_y[i], edges_y[i + 1]), (edges_x[j], edges_x[j + 1])) for i in range(BLOCKS) for j in range(BLOCKS)]
        if min(edges_y[1], edges_x[1]) <= 2 * margin + 2:
            return None  # blocks too small for the reach
        measured = [found for found in thread_map(measure, blocks) if found is not None]
        if len(measured) < 4:
            return None
        canvas, optical = np.array([m[0] for m in measured], np.float64), np.array([m[1] for m in measured], np.float64)
        fit, inliers = transforms.fit_robust(canvas, optical, "similarity", 1.0)
        if fit is None or inliers.sum() < max(4, len(measured) / 2):
            return None
        return fit


def finer_level_sizes(longest: int) -> List[int]:
    """The sizes of the finer levels an image whose longest side is ``longest`` px is searched at
    after ``LEVEL_SIZES``: each twice the last, the last one at ``FINEST_LEVEL_PX`` image pixels
    per level pixel; none for images up to 1024 px."""
    sizes = [LEVEL_SIZES[-1]]
    while longest / sizes[-1] > FINEST_LEVEL_PX:
        sizes.append(min(2 * sizes[-1], int(np.ceil(longest / FINEST_LEVEL_PX))))
    return sizes[1:]


def search_similarity(optical: np.ndarray, optical_valid: np.ndarray, sar: np.ndarray, sar_valid: np.ndarray,
                      max_rotation_deg: float, max_scale: float, max_shift: Optional[float] = None,
                      progress=None, excluded=None, device=None) -> Candidate:
    """The similarity (rotation within +-``max_rotation_deg``, scale within 1/``max_scale``..
    ``max_scale``, shift within +-``max_shift`` px, or anywhere with half the smaller image
    overlapping) under which the two images' CFOG features correlate best.

    ``optical`` and ``sar`` are normalised images (float32 in [0, 1]) of about the same pixel
    size. Returns the best candidate; ``Candidate.matrix(centre)`` with the SAR image's centre
    gives the 3 x 3 SAR -> optical transform. ``excluded`` ((dx, dy), radius): no shift within
    ``radius`` px of (dx, dy) is considered, so that the best *wrong* candidate is found (what
    ``benchmarks.acceptance --negatives`` sets the acceptance gate against); the finer levels of an
    image larger than 1024 px only refine the candidate the first two found. ``device``: a torch
    device to run the first two levels' trials on in batches (``_Correlator.best_shifts_on``),
    which pays on a GPU only (``pipeline.gpu_for``); None: every trial on the CPU's cores."""
    full_centre = np.array([(sar.shape[1] - 1) / 2, (sar.shape[0] - 1) / 2])
    longest = max(max(optical.shape), max(sar.shape))
    finer = finer_level_sizes(longest)
    levels = len(LEVEL_SIZES) + len(finer)
    candidates: List[Candidate] = []
    rotation_step, scale_step = 2.0, 0.06  # coarse grid: degrees, log-scale
    for level, size in enumerate(LEVEL_SIZES):
        factor = max(1.0, longest / size)
        grid = _Level(optical, optical_valid, sar, sar_valid, factor, max_shift, excluded)
        if level == 0:
            trials = [(r, np.exp(s)) for r in _steps(max_rotation_deg, rotation_step) for s in _steps(np.log(max_scale), scale_step)]
        else:
            best = _distinct_best(candidates, PEAKS_KEPT)
            trials = [(c.rotation_deg + r, c.scale * np.exp(s)) for c in best
                      for r in (-rotation_step / 3, 0.0, rotation_step / 3) for s in (-scale_step / 3, 0.0, scale_step / 3)
                      if (r, s) == (0.0, 0.0) or _within(c.rotation_deg + r, c.scale * np.exp(s), max_rotation_deg, max_scale)]
            candidates = []
        # trials run in parallel (or batched on a device), a chunk at a time, so that progress (and cancelling) is seen
        chunk = 2 * workers() if device is None else GPU_TRIALS
        for start in range(0, len(trials), chunk):
            candidates += grid.candidates(trials[start : start + chunk], full_centre, device)
            if progress:
                progress((level + min(1.0, (start + chunk) / len(trials))) / levels)
        if factor == 1.0:
            break
    best = max(candidates, key=lambda c: c.score)
    # The finer levels refine the best candidate only, with rotations and scales a third as far
    # apart at each level (``_pattern_search``), looking for the shift left over within 3 pixels of
    # the level before.
    for level, size in enumerate(finer, start=len(LEVEL_SIZES)):
        previous = factor
        factor = longest / size
        grid = _Refinement(optical, optical_valid, sar, sar_valid, factor, 3 * previous)
        best = grid.by_blocks(best, full_centre, max_rotation_deg, max_scale) or \
            _pattern_search(grid, best, rotation_step / 3**level, scale_step / 3**level, full_centre, max_rotation_deg, max_scale)
        if progress:
            progress((level + 1) / levels)
    return best


def _pattern_search(grid: _Refinement, start: Candidate, rotation_step: float, scale_step: float, full_centre: np.ndarray,
                    max_rotation_deg: float = np.inf, max_scale: float = np.inf, max_moves: int = 6) -> Candidate:
    """The best candidate on a grid of rotations and scales ``rotation_step`` degrees and
    ``scale_step`` (log) apart around ``start``: the 3 x 3 around it, moved onto the best until the
    best is the centre, never past the search's range. A coarser level's choice can be off by more
    than half its own step (on a 10980 px scene turned by 0.3 degrees and scaled by 1.01, the
    256 px level chose a scale of 1.028), which a fixed 3 x 3 would carry through every finer
    level at its edge."""
    scores = {}

    def at(offset):
        return start.rotation_deg + offset[0] * rotation_step, start.scale * np.exp(offset[1] * scale_step)

    def allowed(offset):
        return offset == (0, 0) or _within(*at(offset), max_rotation_deg, max_scale)

    centre = (0, 0)
    for _ in range(max_moves + 1):
        around = [offset for offset in ((centre[0] + i, centre[1] + j) for i in (-1, 0, 1) for j in (-1, 0, 1)) if allowed(offset)]
        new = [offset for offset in around if offset not in scores]
        for offset, candidate in zip(new, thread_map(lambda offset: grid.candidate(*at(offset), start.shift, full_centre), new)):
            scores[offset] = candidate
        best = max(around, key=lambda offset: scores[offset].score)
        if best == centre:
            break
        centre = best
    return scores[centre]


def _within(rotation_deg: float, scale: float, max_rotation_deg: float, max_scale: float) -> bool:
    """Whether a trial lies in the search's range (rotation within +-``max_rotation_deg``, scale
    within 1/``max_scale``..``max_scale``)."""
    return abs(rotation_deg) <= max_rotation_deg + 1e-9 and abs(np.log(scale)) <= np.log(max_scale) + 1e-9


def _distinct_best(candidates: Sequence[Candidate], count: int) -> List[Candidate]:
    """The ``count`` best candidates whose shifts differ by more than 8 px or rotations by more than 4 degrees."""
    chosen: List[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        if all(np.linalg.norm(candidate.shift - c.shift) > 8 or abs(candidate.rotation_deg - c.rotation_deg) > 4 for c in chosen):
            chosen.append(candidate)
        if len(chosen) == count:
            break
    return chosen
