"""Experiment (kept in the history only): do the learned and the CFOG first passes agree on one transform? Writes per-pair JSON; see benchmarks/results/joint-gate.md.

    python -m benchmarks.joint_gate calibration|validation OUT.json
"""
import json, sys, time
import cv2, numpy as np
from plugin.core import transforms
from plugin.core.georef import CoarseAlignment, warped
from plugin.core.keypoints import detect_keypoints
from plugin.core.pipeline import FIRST_PASS_POINTS, MAX_PRIOR_ROTATION_DEG, MAX_PRIOR_SCALE, RegistrationOptions, first_pass, template_radius_for
from plugin.core.similarity_search import search_similarity
from plugin.core.dense_features import dense_features, feature_extractor
from benchmarks.cases import calibration_cases, make_cases

which, out = sys.argv[1], sys.argv[2]
cases = calibration_cases("../shared/data", "georeferenced") if which == "calibration" else make_cases("../shared/data", "georeferenced")
options = RegistrationOptions()
ext = feature_extractor(device="cpu")
rows = []
for case in cases:
    for negative in (False, True):
        if negative and which != "calibration":
            continue
        t = time.time()
        h, w = case.sar.shape
        moved = case.sar.astype(np.float32) / 255
        gray = cv2.cvtColor(case.optical, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
        ov = np.ones(gray.shape, bool)
        centre = np.array([(w - 1) / 2, (h - 1) / 2])
        excluded = (transforms.apply(case.sar_to_optical, centre[None])[0] - centre, 25.0) if negative else None
        best = search_similarity(gray, ov, moved, case.sar_valid, MAX_PRIOR_ROTATION_DEG, MAX_PRIOR_SCALE, options.search_radius, excluded=excluded)
        coarse = best.matrix(centre)
        grid = warped(CoarseAlignment(moved, case.sar_valid, True, lambda xy: xy, predicted=True), coarse, gray.shape)
        pts = detect_keypoints(gray, ov, options.max_keypoints).xy.astype(np.float64)[:FIRST_PASS_POINTS]
        row = {"pair": case.name + (" (best wrong)" if negative else ""), "coarse_error": transforms.corner_error(coarse, case.sar_to_optical, w, h)}
        fits = {}
        for feat in ("learned", "cfog"):
            of = dense_features(feat, gray, ov, "optical", ext)
            sf = dense_features(feat, grid.sar_image, grid.sar_valid, "sar", ext)
            cons, tried, cells = first_pass(of, sf, pts, template_radius_for(options, gray.shape), options.ransac_threshold)
            row[feat] = {"agreement": cons.agreement, "accepted": cons.matrix is not None, "cells": int(cells)}
            if cons.fit is not None:
                fits[feat] = cons.fit @ coarse
                row[feat]["fit_error"] = transforms.corner_error(fits[feat], case.sar_to_optical, w, h)
        if len(fits) == 2:
            row["fits_apart"] = transforms.corner_error(fits["learned"], fits["cfog"], w, h)
        rows.append(row)
        print(json.dumps(row), f"{time.time()-t:.1f}s", flush=True)
json.dump(rows, open(out, "w"), indent=1)


# --- the tables of benchmarks/results/joint-gate.md were printed from the JSON by:
# import json, sys
# rows = json.load(open(sys.argv[1]))
# print(f"{'pair':40s} {'coarse':>7s} | L sim aff acc fit | C sim aff acc fit | apart")
# for r in sorted(rows, key=lambda r: r["coarse_error"]):
#     L, C = r["learned"], r["cfog"]
#     f = lambda d: f"{d['agreement']['similarity']:.2f} {d['agreement']['affine']:.2f} {'A' if d['accepted'] else '-'} {d.get('fit_error', float('nan')):6.1f}"
#     print(f"{r['pair']:40s} {r['coarse_error']:7.1f} | {f(L)} | {f(C)} | {r.get('fits_apart', float('nan')):6.1f}")
