"""How the fine stage's acceptance gate was set: on warped *training* pairs (never the
validation pairs the benchmark reports), the first template pass (both its rounds, ``pipeline.first_pass``) after the structural search,
for coarse transforms that are right (within 8 px at the corners) and wrong (more than 25 px off).

    python -m benchmarks.acceptance --data ../shared/data --out benchmarks/results
    python -m benchmarks.acceptance --features learned --pairs calibration --out benchmarks/results
    python -m benchmarks.acceptance --features learned --pairs validation --out benchmarks/results   # diagnosis only
    python -m benchmarks.acceptance --features learned --pairs calibration --negatives --out benchmarks/results

With ``--features learned`` the template stage compares the learned dense features; their gate
must be set on the calibration pairs, which that network was not trained on (``--pairs
calibration``; ``training.patch_pairs.split_calibration``). ``--feature-model NAME`` (a features
model in models/manifest.json; the default model otherwise) checks the gate with another network,
which a new dense feature model needs before it can become the default: the gate's thresholds were
set with ``dense-v1``.

Images are scaled by 1/255 here, while the engine stretches each raster's 1-99th percentiles, so a
pair near a threshold can fall either way here and in the engine (``benchmarks.options_study`` runs
the engine itself).

Writes acceptance.md (CFOG, training pairs) or acceptance-<features>[-<model>]-<pairs>[-negatives].md: per pair the search's z-score, the coarse corner error, and the share of
first-pass template matches that agree on one transform (all clear minima, and only those whose
distinctness exceeds the pipeline's MIN_DISTINCTNESS); then, per threshold, how many right and
wrong coarse transforms it would accept.
"""
from __future__ import annotations

import argparse
import datetime
import os
import sys

import cv2
import numpy as np

from plugin.core import transforms
from plugin.core.georef import CoarseAlignment, warped
from plugin.core.keypoints import detect_keypoints
from plugin.core.pipeline import FIRST_PASS_POINTS, MIN_DISTINCTNESS, MIN_TEMPLATE_AGREEMENT, RegistrationOptions, first_pass, \
    keypoint_queries, search_range, template_radius_for
from plugin.core.similarity_search import search_similarity
from plugin.core.dense_features import FEATURES, dense_features, feature_extractor
from training.export import commit_at_start as git_commit

from .cases import calibration_cases, make_cases, training_cases

RIGHT_PX, WRONG_PX = 8.0, 25.0
KEYS = ("all/tried similarity", "all/tried affine", "distinct/tried similarity", "distinct/tried affine")


def case_images(case):
    """(optical gray, its valid mask, the warped SAR, its valid mask), scaled by 1/255."""
    gray = cv2.cvtColor(case.optical, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
    return gray, np.ones(gray.shape, bool), case.sar.astype(np.float32) / 255, case.sar_valid


def search_candidate(case, images, options, negative: bool = False):
    """The search's best candidate (with ``negative``, its best more than ``WRONG_PX`` from the
    truth at the image centre: a hard wrong coarse transform), as the search returns it, over the
    range the engine searches for the case's tier (georeferenced: the prior's; hard: anywhere)."""
    gray, optical_valid, moved, valid = images
    height, width = case.sar.shape
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    excluded = (transforms.apply(case.sar_to_optical, centre[None])[0] - centre, WRONG_PX) if negative else None
    return search_similarity(gray, optical_valid, moved, valid, *search_range(case.georeferenced, options), excluded=excluded)


def study(case, options, describe, negative: bool = False):
    """One row: the search's best candidate (or, with ``negative``, its best candidate more than
    ``WRONG_PX`` from the truth at the image centre: a hard wrong coarse transform) and its first pass."""
    height, width = case.sar.shape
    gray, optical_valid, moved, valid = images = case_images(case)
    centre = np.array([(width - 1) / 2, (height - 1) / 2])
    best = search_candidate(case, images, options, negative)
    coarse = best.matrix(centre)
    error = transforms.corner_error(coarse, case.sar_to_optical, width, height)
    grid = warped(CoarseAlignment(moved, valid, True, lambda xy: xy, predicted=True), coarse, gray.shape)
    optical_features, sar_features = describe(gray, optical_valid, "optical"), describe(grid.sar_image, grid.sar_valid, "sar")
    points = detect_keypoints(gray, optical_valid, keypoint_queries(options)).xy.astype(np.float64)[:FIRST_PASS_POINTS]
    row = {"pair": case.name + (" (best wrong)" if negative else ""), "z": best.score, "error": error}
    for key, distinctness in (("all", 0.0), ("distinct", MIN_DISTINCTNESS)):
        consensus, tried, _ = first_pass(optical_features, sar_features, points, template_radius_for(options, gray.shape),
                                      options.ransac_threshold, distinctness)
        for model, share in consensus.agreement.items():
            row[f"{key}/tried {model}"] = (int(tried.sum()), share)
        if key == "distinct":
            row["accepted"] = consensus.matrix is not None
            # What the first pass accepted, SAR -> optical (its matrix maps the resampled grid to the optical image):
            # from a wrong coarse transform, its second round can still converge on the truth.
            row["fit_error"] = transforms.corner_error(consensus.matrix @ coarse, case.sar_to_optical, width, height) \
                if row["accepted"] else None
    return row


def gate_score(row) -> float:
    """The larger of each model's distinct agreement over its threshold: the gate accepts at 1."""
    return max(row[f"distinct/tried {model}"][1] / threshold for model, threshold in MIN_TEMPLATE_AGREEMENT.items())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--s1s2-every", type=int, default=6, help="every n-th S1/S2 training pair (they are 1024 px; 3MOS: all)")
    parser.add_argument("--features", choices=FEATURES, default="cfog", help="what the template stage compares")
    parser.add_argument("--feature-model", default=None,
                        help="with --features learned: the dense feature model by name (models/manifest.json); default: the default model")
    parser.add_argument("--pairs", choices=("training", "calibration", "validation"), default="training",
                        help="training: all 3MOS k = 0-2 and every n-th S1/S2 training pair; calibration: those the dense feature network "
                             "never saw; validation: the benchmark's pairs and warps, as a diagnosis of where pairs are lost (set nothing there)")
    parser.add_argument("--negatives", action="store_true",
                        help="also study each pair's best search candidate more than 25 px from the truth: the hardest wrong coarse "
                             "transforms, so that the gate is judged against many more than the few the search gets wrong by itself")
    args = parser.parse_args(argv)
    if args.feature_model and args.features != "learned":
        parser.error("--feature-model needs --features learned")
    options = RegistrationOptions(features=args.features, feature_model=args.feature_model)
    extractor = feature_extractor(args.feature_model, device="cpu") if args.features == "learned" else None
    describe = lambda image, valid, modality: dense_features(args.features, image, valid, modality, extractor)  # noqa: E731
    if args.pairs == "training":
        cases = training_cases(args.data, "georeferenced", args.s1s2_every)
        which = f"Training pairs only (all 3MOS k = 0-2, every {args.s1s2_every}th S1/S2)"
    elif args.pairs == "calibration":
        cases = calibration_cases(args.data, "georeferenced")
        which = "Calibration pairs only (3MOS k = 2, every 6th S1/S2 training pair: never trained on by the dense feature network)"
    else:
        cases = make_cases(args.data, "georeferenced")
        which = ("Validation pairs with the benchmark's own georeferenced-tier warps: a diagnosis of which stage loses a pair "
                 "(the search's coarse error, the gate's agreement); no threshold or setting is chosen here")
    rows = []
    for case in cases:
        for negative in (False, True) if args.negatives else (False,):
            rows.append(study(case, options, describe, negative))
            r = rows[-1]
            print(f"{r['pair']:40s} z {r['z']:5.2f} coarse {r['error']:7.1f} px " + " ".join(f"{k} {r[k][1]:.2f}" for k in KEYS), flush=True)
    right = [r for r in rows if r["error"] <= RIGHT_PX]
    wrong = [r for r in rows if r["error"] > WRONG_PX]
    accepted_wrong = [r for r in wrong if r["accepted"]]
    commit = git_commit()
    features = "CFOG" if args.features == "cfog" else f"learned dense features ({extractor.model_name})"
    lines = [f"# Acceptance of the structural search's coarse transform: template matching on {features}", "",
             f"Command: `python -m benchmarks.acceptance {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {commit}; date: {datetime.date.today()}. {which}: {len(rows)} pairs"
             + (", georeferenced-tier warps seeded apart from the benchmark's." if args.pairs != "validation" else "."), "",
             f"Right: coarse corner error <= {RIGHT_PX:g} px ({len(right)} pairs); wrong: > {WRONG_PX:g} px ({len(wrong)} pairs); "
             "the rest lie between (the fine stage may or may not recover them).", "",
             *([f"With --negatives, each pair also has a row \"(best wrong)\": the search's best candidate more than {WRONG_PX:g} px "
                "from the truth at the image centre (every such row counts as wrong), i.e. what the gate faces when the search picks the "
                f"wrong peak. Highest gate score among the wrong rows the first pass did not recentre onto the truth: "
                f"{max([gate_score(r) for r in wrong if not (r['accepted'] and r['fit_error'] <= WRONG_PX)] or [0]):.2f}, lowest among the right: "
                f"{min(gate_score(r) for r in right):.2f} (gate score: the larger of each model's distinct agreement over its "
                "threshold; the gate accepts at 1).", ""] if args.negatives else []),
             "Agreement: the share of the templates tried whose match is a clear minimum (all) or a distinct one "
             f"(distinctness > {MIN_DISTINCTNESS}) and agrees on one similarity or affine transform (RANSAC, 3 px); a "
             "template whose best fit lies on its window's edge, or is not distinct, counts against.", "",
             f"The pipeline accepts when, for distinct matches, either model reaches its threshold: {MIN_TEMPLATE_AGREEMENT}. "
             f"That accepts **{sum(r['accepted'] for r in right)} of {len(right)} right** and "
             f"**{len(accepted_wrong)} of {len(wrong)} wrong** coarse transforms here"
             + (f"; of those, **{sum(r['fit_error'] > WRONG_PX for r in accepted_wrong)} end more than {WRONG_PX:g} px from the truth** "
                f"after the first pass (the others it recentred onto the truth: within "
                f"{max([r['fit_error'] for r in accepted_wrong if r['fit_error'] <= WRONG_PX] or [0]):.1f} px)" if accepted_wrong else "")
             + f". Over every pair accepted, the first pass's "
             f"transform is at most {max([r['fit_error'] for r in rows if r['accepted']] or [0]):.1f} px from the truth at a corner.", "",
             "| agreement threshold | " + " | ".join(f"{k}: right accepted | {k}: wrong accepted" for k in KEYS) + " |",
             "|---|" + "---|---|" * len(KEYS)]
    for threshold in (0.2, 0.25, 0.3, 0.4, 0.5):
        count = lambda group, key: sum(r[key][1] >= threshold for r in group)  # noqa: E731
        lines.append(f"| {threshold:.2f} | " + " | ".join(f"{count(right, k)}/{len(right)} | {count(wrong, k)}/{len(wrong)}" for k in KEYS) + " |")
    lines += ["", "| pair | search z | coarse error px | " + " | ".join(f"agree ({k}) | n" for k in KEYS) + " | accepted: first pass error px |",
              "|---|---|---|" + "---|---|" * len(KEYS) + "---|"]
    for r in sorted(rows, key=lambda r: r["error"]):
        accepted = f"{r['fit_error']:.1f}" if r["accepted"] else "refused"
        lines.append(f"| {r['pair']} | {r['z']:.2f} | {r['error']:.1f} | " + " | ".join(f"{r[k][1]:.2f} | {r[k][0]}" for k in KEYS) + f" | {accepted} |")
    os.makedirs(args.out, exist_ok=True)
    features_name = args.features + (f"-{args.feature_model}" if args.feature_model else "")
    name = "acceptance.md" if (args.features, args.pairs) == ("cfog", "training") else f"acceptance-{features_name}-{args.pairs}.md"
    if args.negatives:
        name = name.replace(".md", "-negatives.md")
    with open(os.path.join(args.out, name), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines[:12]))


if __name__ == "__main__":
    main()
