"""The registration pipeline: read -> normalise -> coarse alignment -> keypoints -> a coarse
transform (structural search, or descriptors) -> fine matching -> fit. Front ends (CLI, QgsTask, Processing, batch) call ``register`` and then the
writers in ``outputs.py``; re-fitting edited tie points uses ``fit_tie_points`` alone.
"""
from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, Optional, Tuple

import cv2
import numpy as np
import torch

from . import cpu_settings, transforms, warp_residuals
from .dense_features import FEATURES, DenseFeatureExtractor, dense_features, feature_extractor
from .descriptor import DescriptorExtractor, resolve_device
from .errors import MessageOf, RegistrationError, template
from .gaps import fill_small_gaps
from .georef import IGNORE_GEOREFERENCING, CoarseAlignment, coarse_align, outline_in, unrelated_crs, warped
from .guided import grid_points
from .similarity_search import search_similarity, similarity_about
from .structural import ScoreCache, match_templates
from .keypoints import detect_keypoints
from .matching import DENSE_PAIRS, Matches, filter_ransac, match_nearest, within_reach
from .memory import check_memory
from .model_files import manifest_entry
from .normalize import normalize_optical, normalize_sar
from .progress import Progress, ProgressCallback
from .raster_io import Window, gcp_misfit_px, georeferencing, open_raster, read_raster, same_image, undeclared_fill
from .warnings_heard import translated, warnings_heard

LOGGER = logging.getLogger(__name__)
# "auto": structural search, and the descriptor-guided matcher when the search is refused;
# "structural": the search alone (no network); "guided": the descriptor alone; "method": the
# paper's pipeline (keypoints in both images, nearest neighbours, RANSAC).
MATCHERS = ("auto", "structural", "guided", "method")
# Fine matching's first pass is accepted when the share of its templates tried that give a
# distinct match agreeing on one transform reaches this, for either model (see first_pass_consensus).
MIN_TEMPLATE_AGREEMENT = {"similarity": 0.25, "affine": 0.30}
MIN_DISTINCTNESS = 0.2  # first pass: a template match counts when no other place in its window fits nearly as well
# "auto": a first pass the gate refused is still accepted when its gate score (its agreement over the
# gate's, see FirstPass.gate_score) reaches ``gate_score`` and the descriptor's own matches agree with
# its fit (descriptor_support) in at least ``cells`` distinct cells and in at least ``share`` of those the
# best similarity they find by themselves agrees in (descriptor_consensus), and that similarity and the
# fit put the SAR image's corners at most ``apart_px`` apart (a fit right only where the image has
# structure, off at its corners, is not confirmed); None: no confirmation. Set on the calibration pairs,
# benchmarks/results/near-miss-calibration-negatives.md; benchmarks/README.md says what it does.
NEAR_MISS_CONFIRMATION = {"gate_score": 0.6, "cells": 8, "share": 0.5, "apart_px": 15.0}
TEMPLATE_SEARCH_PX = (10, 4)  # fine matching: around the coarse transform, then around the first pass's fit
SECOND_PASS_TEMPLATE_SCALE = 1.0  # the second pass's template radius over the first pass's (study knob; 1: reuses its scores)
FIRST_PASS_ROUNDS = 2  # a refused first pass is tried once more around its own best fit (a coarse transform off by ~10 px)
FIRST_PASS_POINTS = 500  # the first pass only checks and corrects the coarse transform: the first (best spread) keypoints
# The network's matchers ("auto"'s fallback, "guided") query at least this many optical keypoints: their
# coarse consensus needs them (2 of 33 hard calibration pairs are registered with 1000 queries and not
# with 500: benchmarks/results/keypoints-calibration-hard.md). Fine matching locates the first
# ``max_keypoints`` of them, which spread_evenly keeps spread over the image.
DESCRIPTOR_QUERIES = 1000
# Without a prior, the network's matcher compares every keypoint with every SAR grid point; above
# this many pairs (1000 keypoints against the 8 px grid of a 3500 px SAR image, or the 16 px grid of a
# 7000 px one in "auto"'s fallback, AUTO_GRID_STEPS; the matrix and its temporaries take about 4 GiB, and
# describing the grid tens of minutes on a CPU) it refuses instead.
ALL_PAIRS_LIMIT = 200_000_000
CONSENSUS_CELL_PX = 32  # coarse matches count once per cell (half the descriptor's patch); template matches once per template radius
MAX_PRIOR_SCALE = 1.1  # with a prior, the coarse transform may scale by 1/1.1..1.1
MAX_PRIOR_ROTATION_DEG = 10.0  # and rotate by +-10 degrees at most
# Of two georeferenced rasters, one much larger than the other (a SAR scene over an optical area of
# interest, a SAR clip on an optical tile) is read only where registration can reach (read_windows),
# when that part holds at most this share of its pixels: a 12000 px SAR over the 768 px sample was
# read in 4.7 s and peaked at 3.7 GB, and its self-check was measured at the far corners of the scene.
READ_WINDOW_SHARE = 0.75
WINDOW_SPARE_PX = 16  # and a margin past what that reach asks for, for resampling
TEMPLATE_SHARE = 8  # a template's radius is at most the optical image's shorter side / this (see template_radius_for)
MAX_SCALE = 2.0  # without a prior: the descriptor compares patches of one pixel size, so no more
# Progress stages, as register() reports them (and RegistrationResult.timing_s names them): the common ones,
# then the structural search's or the network's (_match_descriptors; also after a refused search with "auto").
COMMON_STAGES = ("read", "coarse alignment", "keypoints")
SEARCH_STAGES = ("search", "matching")
NETWORK_STAGES = ("descriptors", "matching")
SELF_CHECK_STAGE = "self-check"
REFINE_FINAL_FIT = True  # fine matching's final RANSAC is locally optimised (transforms.refine_inliers); benchmarks.final_fit measures it off and on
# The self-check (RegistrationOptions.self_check) moves the SAR by this rotation (degrees), scale and
# shift (px) about its centre, registers again, and flags the result when the two fits put the SAR
# image's corners more than SELF_CHECK_PX apart (benchmarks/results/self-check-*.md).
SELF_CHECK_WARP = (4.0, 1.04, (15.0, -11.0))  # chosen on the calibration pairs over (1.5, 1.01, (6.3, -4.1)): see README
SELF_CHECK_PX = 3.0
OFF_RASTER_PX = 2.0  # a tie point read back from a file may lie this far off its SAR raster (a point a user placed on the edge)
# The automatic grid step of the network's SAR candidates (RegistrationOptions.grid_step = 0): 8 px, but
# 16 px where "auto" falls back on the network on an image larger than AUTO_GRID_TILE x AUTO_GRID_TILE px
# (in area). Measured on
# training pairs (benchmarks/README.md, "The network matcher's grid step"): the 256-316 px 3MOS tiles
# lose pairs at 16 px, and so does "guided" on the 1024 px Sentinel-1/2 pairs (1 of 10, hard tier),
# while "auto" registers the 1024 px ones the same (59 training pairs, hard tier; 10, georeferenced),
# and where it falls back on the network, describes their candidates in about a third of the time.
AUTO_GRID_STEPS = (8, 16)
AUTO_GRID_TILE = 512


@dataclass
class RegistrationOptions:
    warp_model: str = "affine"  # one of transforms.WARP_MODELS
    device: str = "auto"  # auto | cpu | cuda
    model: Optional[str] = None  # descriptor weights by name (models/manifest.json); None = default
    max_keypoints: int = 500  # per image: the tie points looked for (benchmarks/results/keypoints-calibration-*.md)
    matcher: str = "auto"  # one of MATCHERS
    grid_step: int = 0  # pixels between the network's SAR candidates ("guided" and "auto"'s fallback); 0: automatic (grid_step_for)
    max_rotation: float = 20.0  # degrees; structural search range without georeferencing
    max_scale: float = 1.35  # and scale range 1/max_scale..max_scale
    template_radius: int = 48  # px; fine matching compares (2 r + 1)^2 px templates, r at most 1/8 of the image (template_radius_for)
    features: str = "learned"  # fine matching compares "learned" dense features or "cfog" (dense_features.FEATURES)
    feature_model: Optional[str] = None  # dense feature weights by name (models/manifest.json); None = default
    search_radius: float = 100.0  # pixels; used when both rasters are georeferenced
    use_georeferencing: bool = True  # False: the whole image is searched, as for rasters without georeferencing (it is wrong, or far off)
    mutual: bool = True  # keep only mutual nearest neighbours
    ransac_threshold: float = 3.0  # pixels
    min_inliers: int = 8
    optical_bands: Optional[Tuple[int, ...]] = None
    sar_bands: Optional[Tuple[int, ...]] = None
    sar_scale: str = "auto"  # auto | linear | db | display
    self_check: bool = False  # register again with the SAR moved by a known small warp and report how far the fits differ (up to twice the time)

    def check(self) -> None:
        if self.warp_model not in transforms.WARP_MODELS:
            raise RegistrationError("Unknown transform model '{name}'.", "Choose one of: {choices}.", name=self.warp_model,
                                    choices=", ".join(transforms.WARP_MODELS))
        if self.max_keypoints < 10:
            raise RegistrationError("max keypoints {value} is too small.", "Use at least 100 (default 500).", value=self.max_keypoints)
        if self.features not in FEATURES:
            raise RegistrationError("Unknown features '{name}'.", "Choose one of: {choices}.", name=self.features, choices=", ".join(FEATURES))
        if self.matcher not in MATCHERS:
            raise RegistrationError("Unknown matcher '{name}'.", "Choose one of: {choices}.", name=self.matcher, choices=", ".join(MATCHERS))
        if not 0 <= self.grid_step <= 64:
            raise RegistrationError("grid step {value} px is out of range.",
                                    "Use 1 to 64 px, or 0 to let the tool choose (the default; smaller is slower).", value=self.grid_step)
        if not 8 <= self.template_radius <= 128:
            raise RegistrationError("template radius {value} px is out of range.", "Use 8 to 128 px (default 48).", value=self.template_radius)
        if not (0 <= self.max_rotation <= 180 and 1 <= self.max_scale <= 4):
            raise RegistrationError("The search range (rotation {rotation} degrees, scale {scale}x) is out of range.",
                                    "Use a rotation of 0 to 180 degrees and a scale of 1 to 4 (defaults 20 and 1.35).",
                                    rotation=f"{self.max_rotation:g}", scale=f"{self.max_scale:g}")
        if self.min_inliers < 3:
            raise RegistrationError("minimum tie points {value} is too small.",
                                    "Use at least 3 (default 8): fewer cannot tell a right transform from chance.", value=self.min_inliers)
        if self.search_radius <= 0 or self.ransac_threshold <= 0:
            raise RegistrationError("The search radius and RANSAC threshold must be positive.", "Use e.g. 100 px and 3 px.")
        # Named models exist: the descriptor is loaded only when the network is needed, so a
        # misspelt name went unnoticed until a pair needed it (in a batch, hours in).
        for name, kind in ((self.model, "descriptor"), (self.feature_model if self.features == "learned" else None, "features")):
            if name:
                manifest_entry(name, kind)


@dataclass
class RasterInfo:
    """What the writers need to know about an input raster (no pixel data)."""

    path: str
    width: int
    height: int
    geotransform: Optional[Tuple[float, ...]]
    crs_wkt: Optional[str]
    bands: Tuple[int, ...]
    assumed_nodata: Optional[float] = None  # a conventional fill read as nodata (raster_io.CONVENTIONAL_FILLS); the warp does too


@dataclass
class TiePoints:
    """Candidate matches in the input files' own pixel grids (OpenCV convention)."""

    optical_xy: np.ndarray  # N x 2
    sar_xy: np.ndarray  # N x 2
    distance: np.ndarray  # N descriptor distances
    rejected_by: list  # N strings, "" for kept points (see matching.STAGES; "user" when disabled)
    enabled: np.ndarray  # N bool: used for the fit
    ids: Optional[np.ndarray] = None  # N ints the user knows the points by (the dock's, after edits); None: 0..N-1

    def id_of(self, index: int) -> int:
        return int(self.ids[index]) if self.ids is not None else index

    def __len__(self) -> int:
        return len(self.optical_xy)


@dataclass
class Fit:
    model: str  # the warp model asked for
    sar_to_optical: np.ndarray  # 3 x 3, affine or homography (input pixel grids)
    residuals: np.ndarray  # N x 2 for every tie point (predicted - measured optical position) against the model written
    rmse: float  # over enabled points
    left_out: Optional[np.ndarray] = None  # N x 2: each enabled point's residual against the fit without it and its neighbours (warp_residuals)

    @property
    def left_out_rmse(self) -> Optional[float]:
        """RMSE of the enabled tie points, each against the fit to the points more than
        ``warp_residuals.LEFT_OUT_RADIUS_PX`` from it: an accuracy figure independent of the point
        checked and of its neighbours' shared errors; None where too few points are left."""
        if self.left_out is None:
            return None
        return transforms.rms(self.left_out[np.isfinite(self.left_out[:, 0])])


@dataclass
class RegistrationResult:
    optical: RasterInfo
    sar: RasterInfo
    tie_points: TiePoints
    fit: Fit
    matches: Matches  # in the matching grid, with every stage's mask
    keypoint_counts: Dict[str, int]
    from_georeferencing: bool
    model_name: str  # the descriptor's; "" when the descriptor was not needed (structural search)
    device: str
    timing_s: Dict[str, float] = field(default_factory=dict)
    features: str = ""  # what fine matching compared: "cfog", or "learned (<dense feature model>)"
    self_check_px: Optional[float] = None  # see self_check(); None when not asked for, inf when the second run was refused
    # what the engine warned of while registering (a fill read as nodata, the georeferencing not used): each warning's
    # format and arguments, so that it can be given in QGIS's language (``warnings_in``)
    warning_forms: Tuple[Tuple[str, tuple], ...] = ()

    @property
    def warnings(self) -> Tuple[str, ...]:
        """The warnings as the engine logged them (English)."""
        return self.warnings_in()

    def warnings_in(self, translate: Callable[[str], str] = lambda text: text) -> Tuple[str, ...]:
        """The warnings with their formats translated by ``translate`` (QGIS's tr: the report the dock writes)."""
        return tuple(translated(form, args, translate) for form, args in self.warning_forms)

    @property
    def self_check_failed(self) -> bool:
        """The self-check was run and the two fits differ by more than ``SELF_CHECK_PX``."""
        return self.self_check_px is not None and not self.self_check_px <= SELF_CHECK_PX


def fit_tie_points(tie_points: TiePoints, warp_model: str) -> Fit:
    """Least-squares fit on the enabled tie points and residuals for all of them, against the
    model the SAR is written with (``warp_residuals``), and each enabled point's against the fit
    without it and its neighbours. Used after RANSAC and again whenever a user edits, disables or moves tie points."""
    enabled = np.asarray(tie_points.enabled, bool)
    needed = transforms.MINIMUM_POINTS[warp_model]
    if enabled.sum() < needed:
        raise RegistrationError(
            "Only {enabled} tie point(s) are enabled; the {model} transform needs at least {needed}.",
            "Enable more tie points or choose a simpler transform.", enabled=int(enabled.sum()), model=warp_model, needed=needed,
        )
    # Points along one line fix no transform across it: the fit would fold the image onto the
    # line (RMSE 0, a warped output of nodata only), so they are refused here, where an edit lands.
    spread = np.linalg.svd(tie_points.sar_xy[enabled] - tie_points.sar_xy[enabled].mean(axis=0), compute_uv=False)
    if spread[-1] <= 1e-3 * spread[0]:
        raise RegistrationError("The enabled tie points lie on one line: no transform can be fitted across it.",
                                "Enable tie points spread over the image, not along one line.")
    base_model = transforms.ransac_model_for(warp_model)
    matrix = transforms.fit_least_squares(tie_points.sar_xy[enabled], tie_points.optical_xy[enabled], base_model)
    residuals, left_out = warp_residuals.residuals_and_left_out(warp_model, matrix, tie_points.sar_xy, tie_points.optical_xy, enabled)
    return Fit(warp_model, matrix, residuals, transforms.rms(residuals[enabled]), left_out)


NOT_REGISTERED = {  # what agreed too little, in _could_not_register's words
    "matches": template("Only {inliers} matches agree on one transform (at least {needed} are needed): the images could not be registered."),
    "well-separated matches": template("Only {inliers} well-separated matches agree on one transform (at least {needed} are needed): "
                                       "the images could not be registered."),
    "well-separated template matches": template("Only {inliers} well-separated template matches agree on one transform (at least "
                                                "{needed} are needed): the images could not be registered."),
}


def _could_not_register(inliers: int, options: RegistrationOptions, radius: Optional[float], what: str = "matches") -> None:
    raise RegistrationError(
        NOT_REGISTERED[what],
        "If the georeferencing may be off by more than {radius} px, raise the search radius, or ignore the georeferencing "
        "({option}). Check that both rasters show the same area and try more keypoints." if radius else
        "Check that both rasters show the same area and try more keypoints.",
        inliers=inliers, needed=options.min_inliers, radius=f"{options.search_radius:g}", option=IGNORE_GEOREFERENCING,
    )


def _search_radius(aligned: CoarseAlignment, options: RegistrationOptions) -> Optional[float]:
    """The radius matching searches within, or None when nothing predicts the positions (``search_range``'s shift)."""
    return search_range(aligned.predicted, options)[2]


def _reach(aligned: CoarseAlignment, options: RegistrationOptions):
    """For a georeferenced SAR that leaves part of the optical grid uncovered: (its footprint's
    bounding box (top, left, bottom, right), how far past the footprint the SAR can be under a
    coarse transform the search allows: the search radius, and as far as the largest rotation
    and scale allowed, about the box's centre, move the box's corners). None otherwise."""
    if not aligned.predicted or aligned.sar_valid.all():
        return None
    covered_rows, covered_cols = np.flatnonzero(aligned.sar_valid.any(axis=1)), np.flatnonzero(aligned.sar_valid.any(axis=0))
    if not len(covered_rows):
        return None  # nothing of the SAR in the optical grid: georef.coarse_align refuses that case
    box = (covered_rows[0], covered_cols[0], covered_rows[-1] + 1, covered_cols[-1] + 1)
    return box, prior_reach(np.hypot(box[2] - box[0], box[3] - box[1]) / 2, options)


def prior_reach(half_diagonal: float, options: RegistrationOptions) -> float:
    """How far (optical pixels) a coarse transform the search allows with a georeferencing prior
    can move a point ``half_diagonal`` from the centre it turns and scales about: the search radius,
    and |s R - I| times that distance at the largest rotation and scale."""
    theta = np.radians(MAX_PRIOR_ROTATION_DEG)
    moved = np.sqrt(1 + MAX_PRIOR_SCALE**2 - 2 * MAX_PRIOR_SCALE * np.cos(theta))
    return options.search_radius + moved * half_diagonal


def read_windows(optical: RasterInfo, sar: RasterInfo, options: RegistrationOptions, slack=(0.0, 0.0)) -> Tuple[Optional[Window], Optional[Window]]:
    """The parts of the optical and of the SAR raster that registration can reach, each None to
    read that raster whole: a SAR covering part of an optical tile leaves the rest of the tile
    unread (``optical_read_window``), and a SAR scene over an optical area of interest the rest of
    the scene (``sar_read_window``, around the optical part that is read). ``slack``: how far (in
    each raster's pixels) its georeferencing may be off beyond what the search allows, for a raster
    placed by GCPs alone the whole-scene fit's misfit (``gcp_misfit_px``); its part is then placed
    by the GCPs around it (``raster_io.gcps_near``). Both None when the georeferencing is not used
    (``use_georeferencing``)."""
    if not options.use_georeferencing:
        return None, None
    optical_window = optical_read_window(optical, sar, options, slack)
    within = optical if optical_window is None else replace(
        optical, width=optical_window.columns, height=optical_window.rows, geotransform=optical_window.geotransform(optical.geotransform))
    return optical_window, sar_read_window(within, sar, options, slack)


def optical_read_window(optical: RasterInfo, sar: RasterInfo, options: RegistrationOptions, slack=(0.0, 0.0)) -> Optional[Window]:
    """Where in the optical raster a georeferenced SAR can be (``_reach`` read from the files'
    georeferencing): its footprint's box grown by ``prior_reach`` about the box's centre, a
    template and its fine search, and the rasters' ``slack`` (px of each). None as ``_window_around`` says."""
    outline = outline_in(sar, optical)
    if outline is None:
        return None
    # the footprint's box within the optical raster, about whose centre the search turns and scales the SAR
    low = np.clip(outline.min(axis=0), 0, (optical.width - 1, optical.height - 1))
    high = np.clip(outline.max(axis=0), 0, (optical.width - 1, optical.height - 1))
    half_diagonal = np.hypot(*(high - low)) / 2
    optical_per_sar_px = np.hypot(*np.ptp(outline, axis=0)) / np.hypot(sar.width, sar.height)
    margin = prior_reach(half_diagonal, options) + fine_margin(options) + slack[0] + slack[1] * optical_per_sar_px
    return _window_around(np.array([low, high]), optical, margin)


def sar_read_window(optical: RasterInfo, sar: RasterInfo, options: RegistrationOptions, slack=(0.0, 0.0)) -> Optional[Window]:
    """The part of a georeferenced SAR raster that registration can reach: the optical raster's
    footprint grown by ``prior_reach`` (about the optical raster's centre), a template and its fine
    search, and the rasters' ``slack`` (px of each), in SAR pixels. None as ``_window_around`` says."""
    margin = prior_reach(np.hypot(optical.width, optical.height) / 2, options) + fine_margin(options) + slack[0]
    outline = outline_in(optical, sar, margin)
    return None if outline is None else _window_around(outline, sar, slack[1])


def fine_margin(options: RegistrationOptions) -> float:
    """How far past where the coarse transform can put a point fine matching reads: a template, its
    search, and ``WINDOW_SPARE_PX`` for resampling."""
    return options.template_radius + max(TEMPLATE_SEARCH_PX) + WINDOW_SPARE_PX


def _window_around(points: np.ndarray, raster: RasterInfo, grow: float) -> Optional[Window]:
    """The box of ``points`` (``raster``'s pixels) grown by ``grow`` px, within the raster; None, to
    read the raster whole, when it holds more than ``READ_WINDOW_SHARE`` of its pixels, or when it
    is less than 64 px across (the other raster lies (almost) off this one: coarse alignment says so)."""
    left, top = np.maximum(np.floor(points.min(axis=0) - grow), 0).astype(int)
    right, bottom = np.minimum(np.ceil(points.max(axis=0) + grow), (raster.width - 1, raster.height - 1)).astype(int)
    columns, rows = right - left + 1, bottom - top + 1
    if columns < 64 or rows < 64 or columns * rows > READ_WINDOW_SHARE * raster.width * raster.height:
        return None
    return Window(int(left), int(top), int(columns), int(rows))


def in_file_pixels(tie_points: TiePoints, optical_offset: Tuple[int, int], sar_offset: Tuple[int, int],
                   warp_model: str) -> Tuple[TiePoints, Fit]:
    """Tie points found in windows of the rasters that start at these offsets (column, row), and
    their fit, in the files' own pixels, as every writer and front end expects them."""
    shifted = replace(tie_points, optical_xy=tie_points.optical_xy + np.asarray(optical_offset, np.float64),
                      sar_xy=tie_points.sar_xy + np.asarray(sar_offset, np.float64))
    return shifted, fit_tie_points(shifted, warp_model)


def search_window(aligned: CoarseAlignment, options: RegistrationOptions):
    """The part of the optical grid (rows, columns slices) the structural search looks in: where
    a georeferenced SAR can be (``_reach``), or None for the whole grid. The search then turns and
    scales the SAR about that part's centre, near its own, not about the grid's."""
    reach = _reach(aligned, options)
    if reach is None:
        return None
    (top, left, bottom, right), distance = reach
    rows, cols = aligned.sar_valid.shape
    window = (max(0, int(top - distance)), max(0, int(left - distance)), min(rows, int(np.ceil(bottom + distance))),
              min(cols, int(np.ceil(right + distance))))
    return None if window == (0, 0, rows, cols) else (slice(window[0], window[2]), slice(window[1], window[3]))


def keypoint_area(optical_valid: np.ndarray, aligned: CoarseAlignment, options: RegistrationOptions) -> np.ndarray:
    """Where optical keypoints are looked for: the optical raster's valid pixels, and when the
    georeferencing places the SAR, only those within ``_reach`` of its footprint. A SAR raster
    covering a part of a large optical one then gets all its keypoints, not the share of them
    that falls on it."""
    reach = _reach(aligned, options)
    if reach is None or not (optical_valid & ~aligned.sar_valid).any():
        return optical_valid
    distance = cv2.distanceTransform((~aligned.sar_valid).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return optical_valid & (distance <= reach[1])


def keypoint_queries(options: RegistrationOptions) -> int:
    """How many optical keypoints the engine detects: the options' ``max_keypoints`` for the method's
    matcher, at least ``DESCRIPTOR_QUERIES`` for the others (fine matching locates the first
    ``max_keypoints`` of them, in the order ``spread_evenly`` gives, which depends on how many were asked for)."""
    return options.max_keypoints if options.matcher == "method" else max(options.max_keypoints, DESCRIPTOR_QUERIES)


def _distinct_cells(xy: np.ndarray, cell: int = CONSENSUS_CELL_PX) -> int:
    """Neighbouring keypoints share most of their patch or template and so repeat one wrong match:
    consensus is counted in distinct cells of the optical image, not in matches. A cell is half
    the patch or template, so that points in different cells share at most about a quarter of it."""
    return len(np.unique((np.asarray(xy) // cell).astype(int), axis=0))


def agreeing_matches(matches: Matches, sar_to_optical: np.ndarray, threshold: float) -> np.ndarray:
    """Optical positions of the descriptor's matches that passed its checks (mutual, adaptive
    threshold) and put their SAR point within ``threshold`` px of where ``sar_to_optical``
    (matching grid -> optical) puts it."""
    kept = matches.kept
    residual = np.linalg.norm(transforms.apply(sar_to_optical, matches.sar_xy[kept]) - matches.optical_xy[kept], axis=1)
    return matches.optical_xy[kept][residual <= threshold]


def descriptor_support(matches: Matches, sar_to_optical: np.ndarray, threshold: float) -> int:
    """In how many distinct cells (``CONSENSUS_CELL_PX``) of the optical image the descriptor's
    matches agree with ``sar_to_optical`` (``agreeing_matches``): how far the network, which saw
    neither the search's features nor fine matching's, agrees with that transform."""
    return _distinct_cells(agreeing_matches(matches, sar_to_optical, threshold))


def search_range(predicted: bool, options: RegistrationOptions) -> Tuple[float, float, Optional[float]]:
    """(largest rotation in degrees, largest scale, largest shift in px or None for any) the
    structural search covers: what the georeferencing allows when it predicts the positions,
    else the options' range anywhere in the image."""
    if predicted:
        return MAX_PRIOR_ROTATION_DEG, MAX_PRIOR_SCALE, options.search_radius
    return options.max_rotation, options.max_scale, None


def _coarse_by_search(optical_image, optical_valid, aligned: CoarseAlignment, options, steps) -> np.ndarray:
    """The similarity (matching grid -> optical) under which both images' CFOG features correlate
    best, within ``search_range``."""
    rotation, scale, shift = search_range(aligned.predicted, options)
    window = search_window(aligned, options) or (slice(None), slice(None))
    sar_image, sar_valid = aligned.sar_image[window], aligned.sar_valid[window]
    best = search_similarity(optical_image[window], optical_valid[window], sar_image, sar_valid, rotation, scale, shift, steps.update,
                             device=gpu_for(options))
    LOGGER.info("structural search%s: rotation %.1f degrees, scale %.3f, shift (%.1f, %.1f) px, z-score %.1f",
                "" if window[0].start is None else f" in rows {window[0].start}-{window[0].stop}, columns {window[1].start}-{window[1].stop}",
                best.rotation_deg, best.scale, *best.shift, best.score)
    rows, cols = sar_image.shape
    to_grid = np.array([[1.0, 0, window[1].start or 0], [0, 1, window[0].start or 0], [0, 0, 1]])  # window pixels -> grid pixels
    return to_grid @ best.matrix(np.array([(cols - 1) / 2, (rows - 1) / 2])) @ np.linalg.inv(to_grid)


def descriptor_consensus(matches: Matches, threshold: float) -> Tuple[Optional[np.ndarray], np.ndarray]:
    """The best similarity (matching grid -> optical; None when there is none) the descriptor's
    matches that passed its checks agree on (RANSAC within ``threshold`` px), and which matches
    agree with it (all False when none): the transform the descriptor finds by itself. The guided
    matcher's coarse transform (``_coarse_by_descriptors``, which records them as the "ransac"
    stage), and what ``descriptor_support`` of a near miss is judged against."""
    kept = matches.kept
    matrix, inliers = transforms.fit_robust(matches.sar_xy[kept], matches.optical_xy[kept], "similarity", threshold)
    agree = np.zeros(len(matches), bool)
    agree[np.flatnonzero(kept)[inliers]] = True
    return matrix, agree


def grid_step_for(options: RegistrationOptions, shape) -> int:
    """The grid step (px) of the network's SAR candidates on an image of ``shape`` (rows, columns):
    the options' own, or when it is 0 the automatic one (``AUTO_GRID_STEPS``)."""
    if options.grid_step:
        return options.grid_step
    fine, coarse = AUTO_GRID_STEPS
    return coarse if options.matcher == "auto" and shape[0] * shape[1] > AUTO_GRID_TILE ** 2 else fine


def _grid_step(options: RegistrationOptions) -> int:
    """The options' grid step, which must already be the one used (``grid_step_for``)."""
    if not options.grid_step:
        raise ValueError("the automatic grid step is not resolved yet: pass the options through grid_step_for first")
    return options.grid_step


def descriptor_tolerance(options: RegistrationOptions) -> float:
    """How far (px) a descriptor match may lie from a transform and still agree with it: the SAR
    candidates lie on a grid, so at least three quarters of its step."""
    return max(options.ransac_threshold, 0.75 * _grid_step(options))


def _coarse_by_descriptors(matches: Matches, aligned: CoarseAlignment, options, agreement=None) -> np.ndarray:
    """The similarity (matching grid -> optical) on which the descriptor matches agree
    (``descriptor_consensus``, or ``agreement`` when it was found already). Refused when they agree
    in fewer than ``min_inliers`` distinct cells, or when (with a prior) their transform scales or
    rotates more than the prior allows."""
    radius = _search_radius(aligned, options)
    if not len(matches):
        _could_not_register(0, options, radius, "well-separated matches")
    coarse, agree = agreement or descriptor_consensus(matches, descriptor_tolerance(options))
    matches.stage_masks["ransac"] = agree
    consensus = _distinct_cells(matches.optical_xy[agree])
    LOGGER.info("coarse consensus: %d matches in %d distinct cells of %d px, similarity %s", int(matches.kept.sum()),
                consensus, CONSENSUS_CELL_PX, None if coarse is None else np.round(coarse[:2], 3).tolist())
    if coarse is None or consensus < options.min_inliers:
        _could_not_register(consensus, options, radius, "well-separated matches")
    scale, angle = np.sqrt(abs(np.linalg.det(coarse[:2, :2]))), np.degrees(np.arctan2(coarse[1, 0], coarse[0, 0]))
    if aligned.predicted and not (1 / MAX_PRIOR_SCALE <= scale <= MAX_PRIOR_SCALE and abs(angle) <= MAX_PRIOR_ROTATION_DEG):
        raise RegistrationError(
            "The matches suggest a scale of {scale} and a rotation of {angle} degrees between the rasters, which their "
            "georeferencing rules out: they are most likely wrong, and the images could not be registered.",
            "Check that both rasters show the same area; if the georeferencing is that far off, ignore it "
            "({option}) so that the whole image is searched.", scale=f"{scale:.2f}", angle=f"{angle:.1f}", option=IGNORE_GEOREFERENCING,
        )
    if not 1 / MAX_SCALE <= scale <= MAX_SCALE:
        raise RegistrationError(
            "The matches suggest a scale of {scale} between the rasters; the descriptor cannot match across more than "
            "{most}x, so they are most likely wrong, and the images could not be registered.",
            "Resample the SAR raster to about the optical raster's pixel size, or give both rasters their georeferencing.",
            scale=f"{scale:.2f}", most=f"{MAX_SCALE:g}",
        )
    return coarse


def template_radius_for(options: RegistrationOptions, shape) -> int:
    """The template radius fine matching uses on an optical image of ``shape``: the options' (48 px
    by default), but at most 1/``TEMPLATE_SHARE`` of the shorter side. Why: 97 px templates
    register more pairs than 65 px ones (benchmarks/results/template-radius-*.md), but on a 256 px
    tile so few fit, and they overlap so much, that a wrong coarse transform gathered enough
    agreement to pass the gate (3 GF-3 tiles of the hard tier, 56-192 px off); 1/8 keeps 65 px
    templates there, as the gate was set with."""
    return int(max(8, min(options.template_radius, min(shape[:2]) // TEMPLATE_SHARE)))


def _template_matches(optical_xy, positions, found, distance) -> Matches:
    count = len(optical_xy)
    return Matches(np.arange(count), np.full(count, -1), optical_xy.astype(np.float64), positions, distance,
                   np.full(count, np.nan), {"template": found})


@dataclass
class Consensus:
    """The first pass's verdict: the affine transform its matches agree on (optical -> the
    resampled SAR grid is its inverse), its inliers, and each model's agreement."""

    matrix: Optional[np.ndarray]  # 3 x 3 resampled SAR grid -> optical; None when refused
    inliers: np.ndarray  # over the first pass's points
    agreement: Dict[str, float]  # model -> share of the templates tried that agree with it
    fit: Optional[np.ndarray] = None  # the transform they agree on best, accepted or not (None: no fit at all)


def first_pass_consensus(positions, found, tried, optical_xy, threshold: float) -> Consensus:
    """Fits a similarity and an affine transform by RANSAC to the distinct template matches and
    accepts when either model's agreement (inliers / templates tried) reaches its
    ``MIN_TEMPLATE_AGREEMENT``. A template whose best fit lies on its window's edge, or is not
    distinct, counts against: when the coarse transform is wrong, most do. A similarity alone
    is the stricter test; the affine model is there for sheared pairs, whose corners move by
    25 px on a 1024 px image (the benchmark's hard tier). Thresholds set on warped training
    pairs: ``benchmarks/results/acceptance.md``."""
    agreement, fits = {}, {}
    for model in MIN_TEMPLATE_AGREEMENT:
        matrix, inliers = transforms.fit_robust(positions[found], optical_xy[found], model, threshold)
        fits[model] = (matrix, inliers)
        agreement[model] = float(inliers.sum() / max(1, tried.sum())) if matrix is not None else 0.0
    accepted = any(agreement[m] >= MIN_TEMPLATE_AGREEMENT[m] for m in MIN_TEMPLATE_AGREEMENT)
    matrix, inliers = fits["affine"] if fits["affine"][0] is not None else fits["similarity"]
    mask = np.zeros(len(optical_xy), bool)
    mask[np.flatnonzero(found)[inliers]] = True
    return Consensus(matrix if accepted else None, mask, agreement, matrix)


def first_pass(optical_features, sar_features, optical_xy, radius: int, threshold: float, min_distinctness: float = MIN_DISTINCTNESS,
               cache: Optional[ScoreCache] = None, device=None):
    """Fine matching's first pass: ``optical_xy`` located within ``TEMPLATE_SEARCH_PX[0]`` of where
    the coarse transform puts them (the resampled grid: the same coordinates), judged by
    ``first_pass_consensus``. When refused, tried once more (``FIRST_PASS_ROUNDS``) around where its
    own best fit puts them: a coarse transform off by about the window's half-width leaves many
    true positions on or past the window's edge, and recentring brings them in, while around a
    wrong transform the second round is as much chance as the first. Returns (consensus, templates
    tried, distinct cells of ``radius`` px its inliers lie in). ``cache`` keeps the template scores
    for the second pass (``structural.ScoreCache``); ``device``: where templates are scored in
    batches (``gpu_for``; None: OpenCV on the CPU)."""
    predicted = optical_xy
    for round_ in range(FIRST_PASS_ROUNDS):
        positions, found, tried = match_templates(optical_features, sar_features, optical_xy, predicted, radius, TEMPLATE_SEARCH_PX[0],
                                                  min_distinctness, cache, device)
        consensus = first_pass_consensus(positions, found, tried, optical_xy, threshold)
        cells = _distinct_cells(optical_xy[consensus.inliers], radius)
        LOGGER.info("fine matching, first pass (round %d): of %d templates (%d px) tried, %s agree (%d distinct cells of %d px)", round_ + 1,
                    tried.sum(), 2 * radius + 1, ", ".join(f"{share:.0%} on a {m}" for m, share in consensus.agreement.items()), cells, radius)
        if consensus.matrix is not None or consensus.fit is None or abs(np.linalg.det(consensus.fit[:2, :2])) < 1e-3:
            break  # accepted, or nothing (or only a degenerate transform) to recentre on
        predicted = transforms.apply(np.linalg.inv(consensus.fit), optical_xy)
    return consensus, tried, cells


@dataclass
class FineFeatures:
    """Fine matching's dense features: the optical image's, and how to make the SAR's."""

    optical: np.ndarray  # H x W x D
    describe: Callable[[np.ndarray, np.ndarray, str], np.ndarray]  # (image, valid, "optical" | "sar") -> H x W x D
    extractor: Optional[DenseFeatureExtractor]  # the learned features' network; None for CFOG

    @property
    def name(self) -> str:
        return f"learned ({self.extractor.model_name})" if self.extractor else "cfog"

    @property
    def device(self) -> str:
        """Where they are computed (the network may have moved to the CPU when the GPU ran out of memory)."""
        return str(self.extractor.device) if self.extractor else "cpu"


def gpu_for(options: RegistrationOptions) -> Optional[torch.device]:
    """The GPU the options' device resolves to, or None on the CPU: the stages with a PyTorch
    twin of their CPU code (the phase-congruency map, the structural search's trials, template
    scores) run there. They stay with their CPU code on the CPU, where it is faster
    (``phase_congruency``, ``similarity_search``, ``structural.template_scores_on``)."""
    device = resolve_device(options.device)
    return device if device.type == "cuda" else None


def _fine_features(optical_image, optical_valid, options) -> FineFeatures:
    extractor = feature_extractor(options.feature_model, options.device) if options.features == "learned" else None
    describe = functools.partial(dense_features, options.features, extractor=extractor)
    return FineFeatures(describe(optical_image, optical_valid, "optical"), describe, extractor)


@dataclass
class FirstPass:
    """Fine matching's first pass around one coarse transform: its verdict, and what the second
    pass continues from."""

    coarse: np.ndarray  # 3 x 3 matching grid -> optical, the transform the SAR was resampled by
    grid: CoarseAlignment  # the SAR resampled by it into the optical grid
    sar_features: np.ndarray  # the resampled SAR's dense features
    radius: int  # template radius
    cache: ScoreCache  # its template scores, reused by the second pass
    consensus: Consensus
    cells: int  # distinct cells of ``radius`` px its inliers lie in

    @property
    def gate_score(self) -> float:
        """The larger of each model's agreement over its ``MIN_TEMPLATE_AGREEMENT``: the gate accepts at 1."""
        return max(self.consensus.agreement[m] / threshold for m, threshold in MIN_TEMPLATE_AGREEMENT.items())

    @property
    def fit(self) -> Optional[np.ndarray]:
        """Its best fit, accepted or not, as matching grid -> optical (None: no fit at all)."""
        return None if self.consensus.fit is None else self.consensus.fit @ self.coarse


class FirstPassRefused(RegistrationError):
    """Fine matching's gate refused the first pass, which ``first`` keeps: a near miss the
    descriptor may still confirm (``auto``, ``_match_descriptors``)."""

    def __init__(self, message: str, fix: str, first: FirstPass, **values):
        super().__init__(message, fix, **values)
        self.first = first


def _first_pass_at(fine: FineFeatures, aligned: CoarseAlignment, coarse: np.ndarray, optical_xy, options, steps) -> FirstPass:
    """The SAR resampled by the coarse transform into the optical grid, its dense features, and
    fine matching's first pass (``first_pass``) on the first ``FIRST_PASS_POINTS`` of ``optical_xy``.
    Raises ``FirstPassRefused`` when its distinct matches (``MIN_DISTINCTNESS``) do not agree
    enough (``first_pass_consensus``), and refuses when they agree in fewer than ``min_inliers``
    distinct cells."""
    optical_features = fine.optical
    grid = warped(aligned, coarse, optical_features.shape[:2])
    sar_features = fine.describe(grid.sar_image, grid.sar_valid, "sar")
    steps.update(0.1)
    radius = template_radius_for(options, optical_features.shape)
    cache = ScoreCache()  # the second pass's windows mostly lie inside the first pass's: their scores are reused
    consensus, _, cells = first_pass(optical_features, sar_features, optical_xy[:FIRST_PASS_POINTS], radius, options.ransac_threshold,
                                     cache=cache, device=gpu_for(options))
    steps.update(0.4)
    done = FirstPass(coarse, grid, sar_features, radius, cache, consensus, cells)
    if consensus.matrix is None:
        raise FirstPassRefused(
            "Only {share} of the template matches are distinct and agree on one transform "
            "(a real alignment gives more): the images could not be registered.",
            "Check that both rasters show the same area and the same time period, and that the overlap has structure "
            "(roads, field edges, coastlines).",
            done, share=f"{max(consensus.agreement.values()):.0%}",
        )
    if cells < options.min_inliers:
        _could_not_register(cells, options, _search_radius(aligned, options), "well-separated template matches")
    return done


def _second_pass(fine: FineFeatures, first: FirstPass, fit: np.ndarray, optical_xy, distance, model, options, steps):
    """Fine matching's second pass: every optical keypoint located within ``TEMPLATE_SEARCH_PX[1]``
    of where ``fit`` (resampled grid -> optical: the first pass's, accepted or confirmed) puts it,
    then a final RANSAC of the user's model, locally optimised (``transforms.refine_inliers``).
    Returns (matches in the resampled grid, that grid's alignment)."""
    predicted = transforms.apply(np.linalg.inv(fit), optical_xy)
    radius = int(round(first.radius * SECOND_PASS_TEMPLATE_SCALE))
    positions, found, _ = match_templates(fine.optical, first.sar_features, optical_xy, predicted, radius, TEMPLATE_SEARCH_PX[1],
                                          cache=first.cache if radius == first.radius else None, device=gpu_for(options))
    matches = _template_matches(optical_xy, positions, found, distance)
    filter_ransac(matches, model, options.ransac_threshold, refine=REFINE_FINAL_FIT)
    steps.update(1.0)
    return matches, first.grid


def _locate(fine: FineFeatures, aligned: CoarseAlignment, coarse: np.ndarray, optical_xy, distance, model, options, steps):
    """Fine matching: the SAR resampled by the coarse transform into the optical grid, then every
    optical keypoint located by template matching of ``fine``'s dense features: first
    ``FIRST_PASS_POINTS`` of them within ``TEMPLATE_SEARCH_PX[0]`` of where the coarse transform puts them (``_first_pass_at``,
    which refuses), then all of them within ``TEMPLATE_SEARCH_PX[1]`` of where the first pass's affine fit puts them
    (``_second_pass``). (Keypoints come spread over the image in order, see ``spread_evenly``.)
    Returns (matches in the resampled grid, that grid's alignment)."""
    first = _first_pass_at(fine, aligned, coarse, optical_xy, options, steps)
    return _second_pass(fine, first, first.consensus.matrix, optical_xy, distance, model, options, steps)


def _too_few_keypoints(optical_count: int, sar_count: Optional[int]) -> None:
    raise RegistrationError(
        "Too few keypoints were found ({optical} optical): the overlap has almost no structure." if sar_count is None else
        "Too few keypoints were found ({optical} optical, {sar} SAR): the overlap has almost no structure.",
        "Use rasters with more detail in their common area (roads, fields, buildings), or check the band choice.",
        optical=optical_count, sar=sar_count,
    )


def describe_and_match(optical_image: np.ndarray, optical_xy: np.ndarray, sar_image: np.ndarray, sar_xy: np.ndarray,
                       radius: Optional[float], options: RegistrationOptions, extractor: DescriptorExtractor, guided: bool = True,
                       steps: Optional[Progress] = None) -> Matches:
    """The network's putative matches: both point sets described, then nearest neighbours within
    ``radius`` with the adaptive threshold (and mutual when the options say). ``guided``: the SAR
    points are a grid, so a second nearest within 1.5 grid steps of the first is the same place,
    not a rival. ``steps`` hears the "descriptors" and "matching" stages."""
    steps = steps or Progress()
    steps.stage("descriptors")
    share = len(optical_xy) / (len(optical_xy) + len(sar_xy))
    optical_descriptors = extractor.describe(optical_image, optical_xy, lambda f: steps.update(share * f))
    sar_descriptors = extractor.describe(sar_image, sar_xy, lambda f: steps.update(share + (1 - share) * f))
    steps.stage("matching")
    return match_nearest(optical_xy, optical_descriptors, sar_xy, sar_descriptors, radius, options.mutual,
                         second_exclusion=1.5 * _grid_step(options) if guided else 0.0)


def _match_descriptors(optical_image, optical_keypoints, fine: Optional[FineFeatures], aligned: CoarseAlignment, model, options, steps, extractor,
                       near_miss: Optional[FirstPass] = None):
    """The network's matchers: "guided" (optical keypoints against a dense SAR grid, a coarse
    similarity, then fine matching) and "method" (keypoints in both images, RANSAC).
    ``near_miss``: a first pass of the structural search's that the gate refused (``_near_miss``);
    when the descriptor's matches agree with its fit in enough places (``NEAR_MISS_CONFIRMATION``),
    fine matching goes on from it instead of from the descriptor's own coarse transform.
    Returns (matches, the alignment their SAR positions are in, SAR candidates, extractor)."""
    guided = options.matcher != "method"
    options = replace(options, grid_step=grid_step_for(options, aligned.sar_valid.shape))
    radius = _search_radius(aligned, options)
    if guided:
        sar_xy = grid_points(aligned.sar_valid, _grid_step(options))
        if radius is not None and len(optical_keypoints) * len(sar_xy) > DENSE_PAIRS:
            # A large scene: only the grid points within reach of a keypoint are described (the
            # others would never be compared), which on a 10980 px scene is most of 1.9 million.
            sar_xy = sar_xy[within_reach(optical_keypoints.xy, sar_xy, radius)]
        if radius is None and len(optical_keypoints) * len(sar_xy) > ALL_PAIRS_LIMIT:
            raise RegistrationError(
                "Without georeferencing, the network's matcher would have to compare each of {keypoints} keypoints "
                "with all {positions} SAR positions of its grid: too many for this tool on a scene this large (it would take "
                "a long time on a CPU and more memory than most machines have).",
                "Give both rasters their georeferencing (even an approximate one narrows the search to a radius), or clip both "
                "to the same area of at most about 3500 x 3500 px.", keypoints=len(optical_keypoints), positions=len(sar_xy),
            )
    else:
        sar_xy = detect_keypoints(aligned.sar_image, aligned.sar_valid, options.max_keypoints, device=gpu_for(options)).xy.astype(np.float64)
    if len(sar_xy) < options.min_inliers:
        _too_few_keypoints(len(optical_keypoints), len(sar_xy))
    extractor = extractor or DescriptorExtractor(options.model, options.device)
    matches = describe_and_match(optical_image, optical_keypoints.xy, aligned.sar_image, sar_xy, radius, options, extractor, guided, steps)
    if not guided:
        filter_ransac(matches, model, options.ransac_threshold)
        return matches, aligned, len(sar_xy), extractor
    distance = np.full(len(optical_keypoints), np.nan)
    distance[matches.optical_index] = matches.distance
    located = options.max_keypoints  # of the queries, the tie points (DESCRIPTOR_QUERIES)
    own = descriptor_consensus(matches, descriptor_tolerance(options))
    if near_miss is not None and _descriptor_confirms(near_miss, matches, own, aligned, options):
        matches, aligned = _second_pass(fine, near_miss, near_miss.consensus.fit, optical_keypoints.xy[:located], distance[:located],
                                        model, options, steps)
        return matches, aligned, len(sar_xy), extractor
    coarse = _coarse_by_descriptors(matches, aligned, options, own)
    matches, aligned = _locate(fine, aligned, coarse, optical_keypoints.xy[:located], distance[:located], model, options, steps)
    return matches, aligned, len(sar_xy), extractor


def raster_info(path: str) -> RasterInfo:
    """Size and georeferencing of a raster file, without reading its pixels."""
    dataset = open_raster(path)
    geotransform, wkt = georeferencing(dataset)
    return RasterInfo(path, dataset.RasterXSize, dataset.RasterYSize, geotransform, wkt, (1,))


def check_on_sar(tie_points: TiePoints, sar: RasterInfo) -> None:
    """Refuses tie points read back from a file for another SAR raster: every tie point lies on
    the SAR raster it was measured on, so most of the enabled ones falling off this one (by more
    than ``OFF_RASTER_PX``) means the file belongs to another scene or clip."""
    enabled = np.asarray(tie_points.enabled, bool)
    xy = tie_points.sar_xy[enabled]
    off = ((xy < -0.5 - OFF_RASTER_PX) | (xy > np.array([sar.width, sar.height]) - 0.5 + OFF_RASTER_PX)).any(axis=1)
    if len(xy) and off.sum() * 2 > len(xy):
        raise RegistrationError(
            "{off} of the {enabled} enabled tie points lie outside the SAR raster '{name}' ({width} x {height} px): they were "
            "measured on another raster.",
            "Choose the SAR raster the tie points were measured on (the one registered when they were written).",
            off=int(off.sum()), enabled=len(xy), name=os.path.basename(sar.path), width=sar.width, height=sar.height)


def result_from_tie_points(optical_path: str, sar_path: str, tie_points: TiePoints, warp_model: str) -> RegistrationResult:
    """A result built from existing (e.g. edited, or read from a .points file) tie points, ready
    for the writers in ``outputs.py``: no network, no matching."""
    sar = replace(raster_info(sar_path), assumed_nodata=undeclared_fill(sar_path))  # as the registration read it
    check_on_sar(tie_points, sar)
    fit = fit_tie_points(tie_points, warp_model)
    empty = Matches(*(np.zeros(0),) * 6)
    return RegistrationResult(raster_info(optical_path), sar, tie_points, fit, empty, {}, False, "", "")


def register(
    optical_path: str,
    sar_path: str,
    options: RegistrationOptions = RegistrationOptions(),
    progress: Optional[ProgressCallback] = None,
    extractor: Optional[DescriptorExtractor] = None,
) -> RegistrationResult:
    """Registers a SAR raster to an optical raster. Raises RegistrationError on bad input and
    RegistrationCancelled when ``progress`` returns False. Pass ``extractor`` to reuse a loaded
    network across many pairs. Runs under ``cpu_settings.engine_settings()``. The result keeps the
    warnings logged on the way (``warning_forms``), for the report and the matches JSON."""
    with cpu_settings.engine_settings(), warnings_heard() as heard:
        result = _register(optical_path, sar_path, options, progress, extractor)
    return replace(result, warning_forms=tuple(heard.forms))


def read_inputs(optical_path: str, sar_path: str, options: RegistrationOptions = RegistrationOptions(),
                update: Optional[Callable[[float], None]] = None, windows: Tuple[Optional[Window], Optional[Window]] = (None, None)):
    """(optical raster, SAR raster, optical image, SAR image): the inputs read (each only in its
    ``windows`` entry when one is given, ``read_windows``) with their small gaps filled, and the
    images normalised to [0, 1] as every later stage sees them. ``update`` hears the share read."""
    optical_window, sar_window = windows
    optical = fill_small_gaps(read_raster(optical_path, "optical", options.optical_bands, optical_window))
    if update is not None:
        update(0.5)
    sar = fill_small_gaps(read_raster(sar_path, "sar", options.sar_bands, sar_window))
    return optical, sar, normalize_optical(optical), normalize_sar(sar, options.sar_scale)


def _register(optical_path: str, sar_path: str, options: RegistrationOptions, progress: Optional[ProgressCallback],
              extractor: Optional[DescriptorExtractor]) -> RegistrationResult:
    options.check()
    if same_image(optical_path, sar_path, options.optical_bands, options.sar_bands):
        raise RegistrationError("The optical and the SAR input are the same image ('{path}').",
                                "Choose the SAR raster as the SAR input (for one stack holding both, the SAR's band).", path=sar_path)
    resolve_device(options.device)  # a GPU asked for and missing is the user's to know, even if the network is not needed
    first_match = SEARCH_STAGES if options.matcher in ("auto", "structural") else NETWORK_STAGES
    after = (SELF_CHECK_STAGE,) if options.self_check else ()
    steps = Progress(progress, stages=COMMON_STAGES + first_match + after)
    optical_info, sar_info = raster_info(optical_path), raster_info(sar_path)
    unrelated = unrelated_crs(optical_info, sar_info) if options.use_georeferencing else None
    if unrelated:  # a local grid's coordinates say nothing of where in the other CRS the raster lies
        LOGGER.warning("The rasters' georeferencing is not used to place the SAR on the optical raster: %s Matching searches "
                       "the whole image instead, as for a raster without georeferencing; the outputs are written on the "
                       "optical raster's grid and CRS.", MessageOf(unrelated))
    windows = read_windows(optical_info, sar_info, options, (gcp_misfit_px(optical_path), gcp_misfit_px(sar_path)))
    sizes = []
    for name, info, window in (("optical", optical_info, windows[0]), ("SAR", sar_info, windows[1])):
        sizes.append((info.width, info.height) if window is None else (window.columns, window.rows))
        if window is not None:
            LOGGER.info("reading the %s raster's %s only (%d x %d px of %d x %d): the rest lies beyond what registration can reach",
                        name, window.describe(), window.columns, window.rows, info.width, info.height)
    check_memory(*sizes, options.self_check, parts=tuple(window is not None for window in windows))
    steps.stage("read")
    optical, sar, optical_image, sar_image = read_inputs(optical_path, sar_path, options, steps.update, windows)

    steps.stage("coarse alignment")
    aligned = coarse_align(optical, sar, sar_image, options.use_georeferencing)
    radius = _search_radius(aligned, options)  # of the input's alignment: fine matching replaces ``aligned``
    fine = _fine_features(optical_image, optical.valid, options) if options.matcher != "method" else None

    steps.stage("keypoints")
    optical_keypoints = detect_keypoints(optical_image, keypoint_area(optical.valid, aligned, options), keypoint_queries(options),
                                         progress=steps.update, device=gpu_for(options))
    if len(optical_keypoints) < options.min_inliers:
        _too_few_keypoints(len(optical_keypoints), None)
    model = transforms.ransac_model_for(options.warp_model)
    found = _find_matches(optical_image, optical.valid, optical_keypoints, aligned, fine, model, options, steps, extractor, after)
    tie_points = _tie_points(found, options, radius)
    fit = fit_tie_points(tie_points, options.warp_model)
    check = None
    if options.self_check:
        steps.stage(SELF_CHECK_STAGE)
        check = self_check(optical, sar, sar_image, optical_image, optical_keypoints, fine, fit, options, steps, found.extractor or extractor)
    if windows != (None, None):  # found in the windows' pixels (the self-check too, over the SAR window's corners)
        tie_points, fit = in_file_pixels(tie_points, optical.offset, sar.offset, options.warp_model)
    # the files as the writers see them, whole, with what reading them found
    infos = [replace(info, bands=read.bands_used, assumed_nodata=read.assumed_nodata) for info, read in ((optical_info, optical), (sar_info, sar))]
    timing = steps.finish()
    LOGGER.info("registered %s to %s: %d tie points, RMSE %.2f px%s", sar_path, optical_path, int(tie_points.enabled.sum()), fit.rmse,
                "" if check is None else f", self-check {check:.1f} px")
    used = found.extractor
    return RegistrationResult(
        *infos, tie_points, fit, found.matches,
        {"optical": min(len(optical_keypoints), options.max_keypoints), "sar": found.sar_candidates}, aligned.from_georeferencing,
        used.model_name if used else "", _device_used(used, fine), timing, fine.name if fine else "", check,
    )


@dataclass
class FoundMatches:
    """What a matcher found: the matches, the alignment their SAR positions are in, how many SAR
    candidates it compared, and the descriptor when the network was needed."""

    matches: Matches
    aligned: CoarseAlignment
    sar_candidates: int
    extractor: Optional[DescriptorExtractor]


def _find_matches(optical_image, optical_valid, optical_keypoints, aligned: CoarseAlignment, fine, model, options, steps, extractor,
                  after=()) -> FoundMatches:
    """The structural search and fine matching, or the network when the options ask for it or
    (``auto``) when the search is refused. ``after``: the stages that follow, for the progress bar."""
    tie_xy = optical_keypoints.xy[: options.max_keypoints]  # what fine matching locates
    near_miss = None
    if options.matcher in ("auto", "structural"):
        try:
            steps.stage("search")
            coarse = _coarse_by_search(optical_image, optical_valid, aligned, options, steps)
            steps.stage("matching")
            matches, located = _locate(fine, aligned, coarse, tie_xy, np.full(len(tie_xy), np.nan), model, options, steps)
            return FoundMatches(matches, located, len(tie_xy), None)
        except RegistrationError as error:
            if options.matcher == "structural":
                raise
            LOGGER.info("the structural search did not register the images (%s); trying the descriptor", error.message)
            steps.expect(NETWORK_STAGES + tuple(after))
            near_miss = _near_miss(error, options)
    return FoundMatches(*_match_descriptors(optical_image, optical_keypoints, fine, aligned, model, options, steps, extractor, near_miss))


def _descriptor_confirms(near_miss: FirstPass, matches: Matches, own, aligned: CoarseAlignment, options) -> bool:
    """Whether the descriptor's matches confirm ``near_miss``'s fit (``NEAR_MISS_CONFIRMATION``):
    enough of them agree with it, and ``own`` (``descriptor_consensus``: the similarity they find by
    themselves, and which agree with it) puts the SAR image's corners near it."""
    own_fit, own_agree = own
    support = descriptor_support(matches, near_miss.fit, descriptor_tolerance(options))
    own_cells = _distinct_cells(matches.optical_xy[own_agree])
    asked = max(NEAR_MISS_CONFIRMATION["cells"], NEAR_MISS_CONFIRMATION["share"] * own_cells)
    rows, cols = aligned.sar_image.shape
    apart = np.inf if own_fit is None else transforms.corner_error(near_miss.fit, own_fit, cols, rows)
    LOGGER.info("the refused first pass (gate score %.2f) agrees with the descriptor's matches in %d distinct cells of %d px "
                "(%.0f asked); their own best similarity (%d cells) puts the corners %.1f px from it (at most %g asked)",
                near_miss.gate_score, support, CONSENSUS_CELL_PX, asked, own_cells, apart, NEAR_MISS_CONFIRMATION["apart_px"])
    return support >= asked and apart <= NEAR_MISS_CONFIRMATION["apart_px"]


def _near_miss(error: RegistrationError, options: RegistrationOptions) -> Optional[FirstPass]:
    """The first pass a refusal kept, when it came close enough to the gate for the descriptor to
    confirm it (``NEAR_MISS_CONFIRMATION``), with its inliers in at least ``min_inliers`` distinct cells."""
    if not isinstance(error, FirstPassRefused) or error.first.fit is None or NEAR_MISS_CONFIRMATION is None:
        return None
    first = error.first
    if first.gate_score < NEAR_MISS_CONFIRMATION["gate_score"] or first.cells < options.min_inliers:
        return None
    return first


def _tie_points(found: FoundMatches, options: RegistrationOptions, radius: Optional[float]) -> TiePoints:
    """The matches as tie points in the input files' pixel grids; refused when too few are kept."""
    matches = found.matches
    inliers = int(matches.kept.sum())
    if inliers < max(options.min_inliers, transforms.MINIMUM_POINTS[options.warp_model]):
        _could_not_register(inliers, options, radius)
    return TiePoints(
        optical_xy=matches.optical_xy.astype(np.float64),
        sar_xy=found.aligned.grid_to_sar(matches.sar_xy),
        distance=matches.distance.astype(np.float64),
        rejected_by=matches.rejected_by(),
        enabled=matches.kept.copy(),
    )


def self_check_warp(width: int, height: int, options: Optional[RegistrationOptions] = None) -> np.ndarray:
    """``SELF_CHECK_WARP`` as a 3 x 3 transform of SAR pixels about the image's centre; its rotation
    and scale kept within half of what ``options`` let the search find (a user who narrowed the search
    range must not see the check fail for that)."""
    angle, scale, shift = SELF_CHECK_WARP
    if options is not None:
        angle, scale = min(angle, options.max_rotation / 2), min(scale, np.sqrt(options.max_scale))
    warp = similarity_about(angle, scale, np.array([(width - 1) / 2, (height - 1) / 2]))
    warp[:2, 2] += shift
    return warp


def moved_sar(sar, sar_image: np.ndarray, warp: np.ndarray):
    """The SAR raster and its normalised image resampled by ``warp`` (SAR pixel -> moved pixel),
    georeferencing unchanged, so that matching has to find the move; a 2 px margin of the moved
    footprint is left out, where resampling mixed in pixels from outside it."""
    rows, cols = sar_image.shape
    matrix = warp[:2].astype(np.float64)
    image = cv2.warpAffine(sar_image.astype(np.float32), matrix, (cols, rows), flags=cv2.INTER_LINEAR, borderValue=0)
    valid = cv2.warpAffine(sar.valid.astype(np.uint8), matrix, (cols, rows), flags=cv2.INTER_NEAREST, borderValue=0)
    valid = cv2.erode(valid, np.ones((5, 5), np.uint8)) > 0
    data = cv2.warpAffine(sar.data.astype(np.float32), matrix, (cols, rows), flags=cv2.INTER_LINEAR, borderValue=0)
    return replace(sar, data=np.where(valid, data, 0).astype(np.float32), valid=valid), np.where(valid, image, 0).astype(np.float32)


def fits_apart(fit: np.ndarray, moved_fit: np.ndarray, warp: np.ndarray, width: int, height: int) -> float:
    """How far apart (optical pixels, the worst of the SAR image's four corners) ``fit`` and the fit
    found for the SAR moved by ``warp`` put the corners: 0 when the second run, taken back through
    ``warp``, agrees exactly."""
    return transforms.corner_error(moved_fit @ warp, fit, width, height)


def self_check(optical, sar, sar_image, optical_image, optical_keypoints, fine, fit: Fit, options, steps, extractor) -> float:
    """Registers the pair again with the SAR moved by ``SELF_CHECK_WARP`` (in memory) and returns
    ``fits_apart`` of the two fits (inf when the second run is refused). Needs no ground
    truth: a result that is right does not depend on where the SAR happened to start, while one
    that follows only part of the image, or the wrong place, tends to move (measured against the
    truth in benchmarks/results/self-check-*.md). Reuses the optical image's keypoints and features."""
    rows, cols = sar_image.shape
    warp = self_check_warp(cols, rows, options)
    moved, moved_image = moved_sar(sar, sar_image, warp)
    inner = Progress(lambda _stage, fraction: steps.update(fraction) or True, stages=("coarse alignment",) + SEARCH_STAGES)
    inner.stage("coarse alignment")
    model = transforms.ransac_model_for(options.warp_model)
    try:
        aligned = coarse_align(optical, moved, moved_image, options.use_georeferencing)
        found = _find_matches(optical_image, optical.valid, optical_keypoints, aligned, fine, model, options, inner, extractor)
        tie_points = _tie_points(found, options, _search_radius(aligned, options))
    except RegistrationError as error:
        LOGGER.info("self-check: the second run was refused (%s)", error.message)
        return float("inf")
    enabled = tie_points.enabled
    moved_fit = transforms.fit_least_squares(tie_points.sar_xy[enabled], tie_points.optical_xy[enabled], model)
    return fits_apart(fit.sar_to_optical, moved_fit, warp, cols, rows)


def _device_used(descriptor: Optional[DescriptorExtractor], fine: Optional[FineFeatures]) -> str:
    """Where the networks ran: the descriptor's device when it was needed, else the dense features'."""
    if descriptor is not None:
        return str(descriptor.device)
    return fine.device if fine else "cpu"
