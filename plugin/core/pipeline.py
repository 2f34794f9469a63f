"""The registration pipeline: read -> normalise -> coarse alignment -> keypoints -> descriptors ->
matching -> fit. Front ends (CLI, QgsTask, Processing, batch) call ``register`` and then the
writers in ``outputs.py``; re-fitting edited tie points uses ``fit_tie_points`` alone.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

import numpy as np

from . import transforms
from .descriptor import DescriptorExtractor
from .errors import RegistrationError
from .georef import coarse_align, translated
from .guided import grid_points
from .structural import cfog, match_templates, translation_by_correlation
from .keypoints import detect_keypoints
from .matching import Matches, filter_ransac, match_nearest
from .normalize import normalize_optical, normalize_sar
from .progress import Progress, ProgressCallback
from .raster_io import georeferencing, open_raster, read_raster

LOGGER = logging.getLogger(__name__)
MATCHERS = ("guided", "method")
MIN_TEMPLATE_AGREEMENT = 0.3
CONSENSUS_CELL_PX = 32  # coarse matches count once per cell (half the descriptor's patch)
MAX_PRIOR_SCALE = 1.1  # with a prior, the coarse transform may scale by 1/1.1..1.1
MAX_PRIOR_ROTATION_DEG = 10.0  # and rotate by +-10 degrees at most
MAX_SCALE = 2.0  # without a prior: the descriptor compares patches of one pixel size, so no more


@dataclass
class RegistrationOptions:
    warp_model: str = "affine"  # one of transforms.WARP_MODELS
    device: str = "auto"  # auto | cpu | cuda
    model: Optional[str] = None  # descriptor weights by name (models/manifest.json); None = default
    max_keypoints: int = 2000  # per image
    matcher: str = "guided"  # "guided": SAR on a dense grid + refinement; "method": keypoints in both images
    grid_step: int = 8  # pixels between SAR candidates (guided matcher)
    search_radius: float = 100.0  # pixels; used when both rasters are georeferenced
    mutual: bool = True  # keep only mutual nearest neighbours
    ransac_threshold: float = 3.0  # pixels
    min_inliers: int = 8
    optical_bands: Optional[Tuple[int, ...]] = None
    sar_bands: Optional[Tuple[int, ...]] = None
    sar_scale: str = "auto"  # auto | linear | db | display

    def check(self) -> None:
        if self.warp_model not in transforms.WARP_MODELS:
            raise RegistrationError(f"Unknown transform model '{self.warp_model}'.", f"Choose one of: {', '.join(transforms.WARP_MODELS)}.")
        if self.max_keypoints < 10:
            raise RegistrationError(f"max keypoints {self.max_keypoints} is too small.", "Use at least 100 (default 2000).")
        if self.matcher not in MATCHERS:
            raise RegistrationError(f"Unknown matcher '{self.matcher}'.", f"Choose one of: {', '.join(MATCHERS)}.")
        if not 1 <= self.grid_step <= 64:
            raise RegistrationError(f"grid step {self.grid_step} px is out of range.", "Use 1 to 64 px (default 8; smaller is slower).")
        if self.search_radius <= 0 or self.ransac_threshold <= 0:
            raise RegistrationError("The search radius and RANSAC threshold must be positive.", "Use e.g. 100 px and 3 px.")


@dataclass
class RasterInfo:
    """What the writers need to know about an input raster (no pixel data)."""

    path: str
    width: int
    height: int
    geotransform: Optional[Tuple[float, ...]]
    crs_wkt: Optional[str]
    bands: Tuple[int, ...]


@dataclass
class TiePoints:
    """Candidate matches in the input files' own pixel grids (OpenCV convention)."""

    optical_xy: np.ndarray  # N x 2
    sar_xy: np.ndarray  # N x 2
    distance: np.ndarray  # N descriptor distances
    rejected_by: list  # N strings, "" for kept points (see matching.STAGES; "user" when disabled)
    enabled: np.ndarray  # N bool: used for the fit

    def __len__(self) -> int:
        return len(self.optical_xy)


@dataclass
class Fit:
    model: str  # the warp model asked for
    sar_to_optical: np.ndarray  # 3 x 3, affine or homography (input pixel grids)
    residuals: np.ndarray  # N x 2 for every tie point (predicted - measured optical position)
    rmse: float  # over enabled points


@dataclass
class RegistrationResult:
    optical: RasterInfo
    sar: RasterInfo
    tie_points: TiePoints
    fit: Fit
    matches: Matches  # in the matching grid, with every stage's mask
    keypoint_counts: Dict[str, int]
    from_georeferencing: bool
    model_name: str
    device: str
    timing_s: Dict[str, float] = field(default_factory=dict)


def fit_tie_points(tie_points: TiePoints, warp_model: str) -> Fit:
    """Least-squares fit on the enabled tie points and residuals for all of them. Used after
    RANSAC and again whenever a user edits, disables or moves tie points."""
    enabled = np.asarray(tie_points.enabled, bool)
    needed = transforms.MINIMUM_POINTS[warp_model]
    if enabled.sum() < needed:
        raise RegistrationError(
            f"Only {int(enabled.sum())} tie point(s) are enabled; the {warp_model} transform needs at least {needed}.",
            "Enable more tie points or choose a simpler transform.",
        )
    base_model = transforms.ransac_model_for(warp_model)
    matrix = transforms.fit_least_squares(tie_points.sar_xy[enabled], tie_points.optical_xy[enabled], base_model)
    residuals = transforms.residuals(matrix, tie_points.sar_xy, tie_points.optical_xy)
    rmse = float(np.sqrt(np.mean(np.sum(residuals[enabled] ** 2, axis=1))))
    return Fit(warp_model, matrix, residuals, rmse)


def _could_not_register(inliers: int, options: RegistrationOptions, radius: Optional[float], what: str = "matches") -> None:
    hint = f"If the georeferencing may be off by more than {options.search_radius:g} px, raise the search radius. " if radius else ""
    raise RegistrationError(
        f"Only {inliers} {what} agree on one transform (at least {options.min_inliers} are needed): the images could not be registered.",
        hint + "Check that both rasters show the same area and try more keypoints.",
    )


def _refine_structurally(matches: Matches, optical_features, aligned, optical_xy, model, options, steps) -> Matches:
    """Guided matcher, second half: a coarse similarity from the descriptor matches, then every
    optical keypoint located by CFOG template matching around the position it predicts.

    Returns the tie-point candidates (one per optical keypoint) with stage masks "template"
    (a clear template minimum was found) and "ransac" (final consensus at the user's threshold).
    Registration is refused when the descriptor matches agree in fewer than ``min_inliers``
    distinct cells, when (with a prior) their transform scales or rotates more than the prior
    allows, or when fewer than ``MIN_TEMPLATE_AGREEMENT`` of the template matches agree on the
    final model: a real alignment makes most of them agree, random positions in the search window
    do not.
    """
    radius = options.search_radius if aligned.predicted else None
    if not len(matches):
        _could_not_register(0, options, radius, "well-separated matches")
    coarse = filter_ransac(matches, "similarity", max(options.ransac_threshold, 0.75 * options.grid_step))
    # Neighbouring keypoints share most of their patch and so repeat one wrong match: count the
    # consensus in distinct cells of the optical image, not in matches.
    consensus = len(np.unique((matches.optical_xy[matches.kept] // CONSENSUS_CELL_PX).astype(int), axis=0))
    LOGGER.info("coarse consensus: %d matches in %d distinct cells of %d px, similarity %s", int(matches.kept.sum()),
                consensus, CONSENSUS_CELL_PX, None if coarse is None else np.round(coarse[:2], 3).tolist())
    if coarse is None or consensus < options.min_inliers:
        _could_not_register(consensus, options, radius, "well-separated matches")
    scale, angle = np.sqrt(abs(np.linalg.det(coarse[:2, :2]))), np.degrees(np.arctan2(coarse[1, 0], coarse[0, 0]))
    if aligned.predicted and not (1 / MAX_PRIOR_SCALE <= scale <= MAX_PRIOR_SCALE and abs(angle) <= MAX_PRIOR_ROTATION_DEG):
        raise RegistrationError(
            f"The matches suggest a scale of {scale:.2f} and a rotation of {angle:.1f} degrees between the rasters, which their "
            "georeferencing rules out: they are most likely wrong, and the images could not be registered.",
            "Check that both rasters show the same area; if the georeferencing is that far off, remove it from one raster "
            "so that the whole image is searched.",
        )
    if not 1 / MAX_SCALE <= scale <= MAX_SCALE:
        raise RegistrationError(
            f"The matches suggest a scale of {scale:.2f} between the rasters; the descriptor cannot match across more than "
            f"{MAX_SCALE:g}x, so they are most likely wrong, and the images could not be registered.",
            "Resample the SAR raster to about the optical raster's pixel size, or give both rasters their georeferencing.",
        )
    steps.update(0.2)
    predicted = transforms.apply(np.linalg.inv(coarse), optical_xy)
    positions, found = match_templates(optical_features, cfog(aligned.sar_image, aligned.sar_valid), optical_xy, predicted)
    steps.update(0.9)
    distance = np.full(len(optical_xy), np.nan)
    distance[matches.optical_index] = matches.distance
    count = len(optical_xy)
    fine = Matches(np.arange(count), np.full(count, -1), optical_xy.astype(np.float64), positions, distance, np.full(count, np.nan),
                   {"template": found})
    filter_ransac(fine, model, options.ransac_threshold)
    agreement = fine.kept.sum() / max(1, found.sum())
    if agreement < MIN_TEMPLATE_AGREEMENT:
        raise RegistrationError(
            f"The descriptor matches suggested a transform, but only {agreement:.0%} of the fine matches agree with it "
            "(a real alignment gives far more): the images could not be registered.",
            "Check that both rasters show the same area and the same time period, or try the other matcher.",
        )
    return fine


def _info(raster) -> RasterInfo:
    return RasterInfo(raster.path, raster.shape[1], raster.shape[0], raster.geotransform, raster.crs_wkt, raster.bands_used)


def raster_info(path: str) -> RasterInfo:
    """Size and georeferencing of a raster file, without reading its pixels."""
    dataset = open_raster(path)
    geotransform, wkt = georeferencing(dataset)
    return RasterInfo(path, dataset.RasterXSize, dataset.RasterYSize, geotransform, wkt, (1,))


def result_from_tie_points(optical_path: str, sar_path: str, tie_points: TiePoints, warp_model: str) -> RegistrationResult:
    """A result built from existing (e.g. edited, or read from a .points file) tie points, ready
    for the writers in ``outputs.py``: no network, no matching."""
    fit = fit_tie_points(tie_points, warp_model)
    empty = Matches(*(np.zeros(0),) * 6)
    return RegistrationResult(raster_info(optical_path), raster_info(sar_path), tie_points, fit, empty, {}, False, "", "")


def register(
    optical_path: str,
    sar_path: str,
    options: RegistrationOptions = RegistrationOptions(),
    progress: Optional[ProgressCallback] = None,
    extractor: Optional[DescriptorExtractor] = None,
) -> RegistrationResult:
    """Registers a SAR raster to an optical raster. Raises RegistrationError on bad input and
    RegistrationCancelled when ``progress`` returns False. Pass ``extractor`` to reuse a loaded
    network across many pairs."""
    options.check()
    steps = Progress(progress)
    steps.stage("read")
    optical = read_raster(optical_path, "optical", options.optical_bands)
    steps.update(0.5)
    sar = read_raster(sar_path, "sar", options.sar_bands)
    optical_image = normalize_optical(optical)
    sar_image = normalize_sar(sar, options.sar_scale)

    steps.stage("coarse alignment")
    guided = options.matcher == "guided"
    aligned = coarse_align(optical, sar, sar_image)
    optical_features = cfog(optical_image, optical.valid) if guided else None
    alignments = [aligned]
    if guided and not aligned.predicted:
        # Pixel space: first try the shift at which both images correlate best, then everywhere.
        shift, distinct = translation_by_correlation(optical_features, optical.valid, cfog(sar_image, sar.valid), sar.valid)
        LOGGER.info("no georeferencing: the images correlate best at a shift of (%g, %g) px (peak distinctness %.2f)", *shift, distinct)
        alignments.insert(0, translated(sar_image, sar.valid, optical.valid.shape, shift))

    steps.stage("keypoints")
    optical_keypoints = detect_keypoints(optical_image, optical.valid, options.max_keypoints)
    steps.update(0.5)
    extractor = extractor or DescriptorExtractor(options.model, options.device)
    optical_descriptors = None
    model = transforms.ransac_model_for(options.warp_model)
    for attempt, aligned in enumerate(alignments):
        last = attempt == len(alignments) - 1
        if options.matcher == "method":
            sar_xy = detect_keypoints(aligned.sar_image, aligned.sar_valid, options.max_keypoints).xy.astype(np.float64)
        else:
            sar_xy = grid_points(aligned.sar_valid, options.grid_step)
        if min(len(optical_keypoints), len(sar_xy)) < options.min_inliers:
            if not last:
                continue
            raise RegistrationError(
                f"Too few keypoints were found ({len(optical_keypoints)} optical, {len(sar_xy)} SAR): the overlap has almost no structure.",
                "Use rasters with more detail in their common area (roads, fields, buildings), or check the band choice.",
            )

        # The first alignment that gets this far runs the descriptor and matching stages; a retry
        # (the whole image after the correlation shift) describes its SAR within "matching".
        first = optical_descriptors is None
        share = len(optical_keypoints) / (len(optical_keypoints) + len(sar_xy))
        if first:
            steps.stage("descriptors")
            optical_descriptors = extractor.describe(optical_image, optical_keypoints.xy, lambda f: steps.update(share * f))
        sar_descriptors = extractor.describe(aligned.sar_image, sar_xy, lambda f: steps.update(share + (1 - share) * f))

        if first:
            steps.stage("matching")
        radius = options.search_radius if aligned.predicted else None
        matches = match_nearest(optical_keypoints.xy, optical_descriptors, sar_xy, sar_descriptors, radius, options.mutual,
                                second_exclusion=1.5 * options.grid_step if guided else 0.0)
        if not guided:
            filter_ransac(matches, model, options.ransac_threshold)
            break
        try:
            matches = _refine_structurally(matches, optical_features, aligned, optical_keypoints.xy, model, options, steps)
            break
        except RegistrationError:
            if last:
                raise
            LOGGER.info("the best-correlating shift did not register the images; searching the whole SAR image")
    inliers = int(matches.kept.sum())
    if inliers < max(options.min_inliers, transforms.MINIMUM_POINTS[options.warp_model]):
        _could_not_register(inliers, options, radius)
    tie_points = TiePoints(
        optical_xy=matches.optical_xy.astype(np.float64),
        sar_xy=aligned.grid_to_sar(matches.sar_xy),
        distance=matches.distance.astype(np.float64),
        rejected_by=matches.rejected_by(),
        enabled=matches.kept.copy(),
    )
    fit = fit_tie_points(tie_points, options.warp_model)
    timing = steps.finish()
    LOGGER.info("registered %s to %s: %d tie points, RMSE %.2f px", sar_path, optical_path, inliers, fit.rmse)
    return RegistrationResult(
        _info(optical), _info(sar), tie_points, fit, matches,
        {"optical": len(optical_keypoints), "sar": len(sar_xy)},
        aligned.from_georeferencing, extractor.model_name, str(extractor.device), timing,
    )
