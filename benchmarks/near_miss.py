"""Can the method's descriptor confirm a coarse transform that fine matching's gate narrowly refused?

On the validation pairs, 8 of the 16 georeferenced-tier pairs the engine refuses had a right coarse
transform (within 8 px) whose first template pass fell short of the gate: 14-19% of the templates
agreed, 25% are asked (``acceptance-learned-validation.md``; TerraSAR-X and GF-3 tiles). Wrong
coarse transforms reach as much (``acceptance-learned-calibration-negatives.md``), so the gate
cannot come down on its own. The descriptor (``dffca``) is a third, independent view: its
nearest-neighbour matches (optical keypoints against the SAR grid, as the guided matcher makes
them) should agree with a right transform in many places, and with a wrong one only by chance.

For each calibration pair (georeferenced tier unless ``--tier hard``, seeded as ``benchmarks.acceptance``
seeds them; on the hard tier the search covers the engine's range without georeferencing and the
descriptor's matches have no radius, as the engine has them without georeferencing), and
with ``--negatives`` the search's best candidate more than 25 px from the truth as well, this
records the first pass's gate score (the larger of each model's distinct agreement over its
threshold; the gate accepts at 1), where its best fit lies from the truth, and
``descriptor_support`` of that fit: in how many distinct 32 px cells the descriptor's
matches lie within ``pipeline.descriptor_tolerance`` (6 px) of it. Then, per candidate rule (gate
score at least G, support at least S cells and R times the descriptor's own best similarity's, that
similarity's corners at most D px from the fit's), how many refused fits near the truth (within
8 px), between (8-25 px) and far from it it would accept.

    python -m benchmarks.near_miss --pairs calibration --negatives --out benchmarks/results
    python -m benchmarks.near_miss --pairs calibration --negatives --tier hard --out benchmarks/results
    python -m benchmarks.near_miss --pairs validation --out benchmarks/results   # diagnosis only

Images are scaled by 1/255, as in ``benchmarks.acceptance``. Columns also give the descriptor's own
best similarity (the guided matcher's coarse consensus: its support, its corner error, and how far
it and the first pass's fit put the corners apart) and the share of the image inside the convex hull
of the agreeing matches: what a rule could add to tell a fit that is right only where the tile has
structure (and off at its corners) from one that is right everywhere.

The engine's ``auto`` confirms a refused first pass by the rule set here
(``pipeline.NEAR_MISS_CONFIRMATION``, with ``pipeline.descriptor_support`` and
``descriptor_consensus``); ``benchmarks/README.md``, *A near miss confirmed by the descriptor*,
says how it was chosen and what it does.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys
from dataclasses import replace

import cv2
import numpy as np

from plugin.core import transforms
from plugin.core.dense_features import dense_features, feature_extractor
from plugin.core.descriptor import DescriptorExtractor
from plugin.core.georef import CoarseAlignment, warped
from plugin.core.guided import grid_points
from plugin.core.keypoints import detect_keypoints
from plugin.core.matching import Matches
from plugin.core.pipeline import FIRST_PASS_POINTS, MIN_TEMPLATE_AGREEMENT, RegistrationOptions, \
    _distinct_cells, agreeing_matches, describe_and_match, descriptor_consensus, descriptor_support, descriptor_tolerance, first_pass, \
    grid_step_for, keypoint_queries, search_range, template_radius_for
from training.export import commit_at_start as git_commit

from .acceptance import RIGHT_PX, WRONG_PX, case_images, search_candidate
from .cases import add_case_arguments, study_cases

GATE_SCORES = (0.6, 0.7)
SUPPORTS = (4, 6, 8, 10, 12)
SHARES = (0.0, 0.5)
APARTS = (np.inf, 15.0, 10.0, 6.0)


REFERENCES = ("similarity", "affine")  # the descriptor's own transform the corner test D measures against


def confirmed(row, gate: float, support: int, share: float, min_cells: int, apart: float = np.inf, reference: str = "similarity") -> bool:
    """Whether a rule accepts the row's refused first pass; ``reference``: D against the descriptor's own
    best similarity (the engine's rule) or its own best affine (which, unlike a similarity, can follow shear)."""
    return (row["score"] >= gate and row["cells"] >= min_cells and row["support"] >= max(support, share * row["own"])
            and row["own_apart" if reference == "similarity" else "own_affine_apart"] <= apart)


def descriptor_support_area(matches: Matches, sar_to_optical: np.ndarray, threshold: float, shape) -> float:
    """The share of an optical image of ``shape`` inside the convex hull of the descriptor's matches
    that agree with ``sar_to_optical``: how much of the image that agreement speaks for (beyond it,
    a transform only extrapolates)."""
    xy = agreeing_matches(matches, sar_to_optical, threshold).astype(np.float32)
    return 0.0 if len(xy) < 3 else float(cv2.contourArea(cv2.convexHull(xy)) / (shape[0] * shape[1]))


def study(case, options, describe, extractor, negatives: bool):
    height, width = case.sar.shape
    gray, optical_valid, moved, valid = images = case_images(case)
    options = replace(options, grid_step=grid_step_for(options, valid.shape))  # the engine's grid step for this image
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    keypoints = detect_keypoints(gray, optical_valid, keypoint_queries(options)).xy.astype(np.float64)
    # the guided matcher's putative matches, the optical keypoints against the SAR grid (within the
    # search radius where the georeferencing predicts positions, as the engine matches)
    radius = search_range(case.georeferenced, options)[2]
    matches = describe_and_match(gray, keypoints, moved, grid_points(valid, options.grid_step), radius, options, extractor)
    threshold = descriptor_tolerance(options)
    own_fit, own_agree = descriptor_consensus(matches, threshold)
    own = _distinct_cells(matches.optical_xy[own_agree])
    own_affine = transforms.fit_robust(matches.sar_xy[matches.kept], matches.optical_xy[matches.kept], "affine", threshold)[0]
    optical_features = describe(gray, optical_valid, "optical")
    points = keypoints[:FIRST_PASS_POINTS]
    rows = []
    for negative in (False, True) if negatives else (False,):
        best = search_candidate(case, images, options, negative)
        coarse = best.matrix(centre)
        grid = warped(CoarseAlignment(moved, valid, True, lambda xy: xy, predicted=True), coarse, gray.shape)
        consensus, _, cells = first_pass(optical_features, describe(grid.sar_image, grid.sar_valid, "sar"), points,
                                         template_radius_for(options, gray.shape), options.ransac_threshold)
        score = max(consensus.agreement[m] / t for m, t in MIN_TEMPLATE_AGREEMENT.items())
        fit = None if consensus.fit is None else consensus.fit @ coarse
        rows.append({
            "pair": case.name + (" (best wrong)" if negative else ""), "sensor": case.sensor,
            "coarse_error": transforms.corner_error(coarse, case.sar_to_optical, width, height),
            "score": score, "cells": cells, "accepted": consensus.matrix is not None,
            "fit_error": None if fit is None else transforms.corner_error(fit, case.sar_to_optical, width, height),
            "support": 0 if fit is None else descriptor_support(matches, fit, threshold),
            "hull": 0.0 if fit is None else descriptor_support_area(matches, fit, threshold, gray.shape),
            "truth_support": descriptor_support(matches, case.sar_to_optical, threshold),
            "own": own, "own_apart": np.inf if fit is None or own_fit is None else transforms.corner_error(fit, own_fit, width, height),
            "own_affine_apart": np.inf if fit is None or own_affine is None else transforms.corner_error(fit, own_affine, width, height),
            "own_error": np.inf if own_fit is None else transforms.corner_error(own_fit, case.sar_to_optical, width, height), "kept": int(matches.kept.sum()),
        })
        r = rows[-1]
        print(f"{r['pair']:40s} coarse {r['coarse_error']:6.1f} score {r['score']:.2f} cells {r['cells']:3d} fit "
              f"{r['fit_error'] if r['fit_error'] is not None else float('nan'):6.1f} support {r['support']:3d} "
              f"hull {r['hull']:.2f} (own {r['own']:3d} {r['own_error']:6.1f} px off, {r['own_apart']:6.1f} px apart, truth {r['truth_support']:3d} of {r['kept']} kept) {'accepted' if r['accepted'] else ''}", flush=True)
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_case_arguments(parser)
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--negatives", action="store_true", help="also each pair's best search candidate more than 25 px off")
    args = parser.parse_args(argv)
    options = RegistrationOptions()
    features = feature_extractor(None, device="cpu")
    describe = lambda image, valid, modality: dense_features("learned", image, valid, modality, features)  # noqa: E731
    extractor = DescriptorExtractor(None, "cpu")
    cases = study_cases(args)
    rows = [row for case in cases for row in study(case, options, describe, extractor, args.negatives)]

    refused = [r for r in rows if not r["accepted"] and r["fit_error"] is not None]
    near = [r for r in refused if r["fit_error"] <= RIGHT_PX]
    between = [r for r in refused if RIGHT_PX < r["fit_error"] <= WRONG_PX]
    far = [r for r in refused if r["fit_error"] > WRONG_PX]
    lines = [f"# Refused first passes confirmed by the descriptor ({extractor.model_name}, dense features {features.model_name})", "",
             f"Command: `python -m benchmarks.near_miss {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {git_commit()}; date: {datetime.date.today()}; {args.pairs} pairs, {args.tier} tier, {len(rows)} rows.", "",
             f"Of the first passes the gate refused, {len(near)} have a best fit within {RIGHT_PX:g} px of the truth at the corners "
             f"(*near*: worth accepting), {len(between)} one {RIGHT_PX:g}-{WRONG_PX:g} px off (*between*: right where the matches are, "
             f"perhaps not at the corners; the second pass may or may not bring it in) and {len(far)} one more than {WRONG_PX:g} px off "
             "(*far*: must stay refused). A rule accepts a "
             "refused first pass when its gate score reaches G and the descriptor's matches agree with its fit in at least S distinct "
             f"cells, and in at least R times as many as the best similarity the descriptor's matches agree on by themselves (its own "
             f"consensus), and that similarity (D ref similarity, the engine's rule) or the descriptor matches' own best affine (D ref "
             f"affine) and its fit put the image's corners at most D px apart (and, as the gate asks, its inliers lie "
             f"in at least {options.min_inliers} cells of the template radius).", "",
             "| G | R | D ref | D px | " + " | ".join(f"S = {s}: near / between / far accepted" for s in SUPPORTS) + " |",
             "|---|---|---|---|" + "---|" * len(SUPPORTS)]
    for gate in GATE_SCORES:
        for share in SHARES:
            for reference in REFERENCES:
                for apart in APARTS if reference == "similarity" else APARTS[1:]:
                    cells = []
                    for support in SUPPORTS:
                        rule = lambda r: confirmed(r, gate, support, share, options.min_inliers, apart, reference)  # noqa: E731
                        cells.append(" / ".join(f"{sum(map(rule, group))}/{len(group)}" for group in (near, between, far)))
                    lines.append(f"| {gate:.1f} | {share:.2f} | {reference} | {apart:g} | " + " | ".join(cells) + " |")
    lines += ["", "Highest support of a *far* fit: " + (f"{max(r['support'] for r in far)}" if far else "none")
              + "; among far fits with a gate score of at least 0.5: "
              + (f"{max([r['support'] for r in far if r['score'] >= 0.5] or [0])}" if far else "none") + ".", "",
              "Columns: the coarse transform's and the first pass's best fit's corner error (px, against the pair's truth); the gate "
              "score; the distinct cells of the template radius its inliers lie in; the descriptor's support of that fit and of the "
              "truth (distinct 32 px cells), and its own consensus, of its kept matches.", "",
              "| pair | coarse error px | gate score | cells | first pass | fit error px | support | hull share | support of the truth | own consensus | its error px | fit to it px | fit to its affine px | kept matches |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: (r["fit_error"] is None, r["fit_error"] or 0)):
        fit_error = "-" if r["fit_error"] is None else f"{r['fit_error']:.1f}"
        lines.append(f"| {r['pair']} | {r['coarse_error']:.1f} | {r['score']:.2f} | {r['cells']} | "
                     f"{'accepted' if r['accepted'] else 'refused'} | {fit_error} | {r['support']} | {r['hull']:.2f} | {r['truth_support']} | {r['own']} | "
                     f"{r['own_error']:.1f} | {r['own_apart']:.1f} | {r['own_affine_apart']:.1f} | {r['kept']} |")
    os.makedirs(args.out, exist_ok=True)
    name = f"near-miss-{args.pairs}" + ("-hard" if args.tier == "hard" else "") + ("-negatives" if args.negatives else "") + ".md"
    with open(os.path.join(args.out, name), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines[:16]))


if __name__ == "__main__":
    main()
