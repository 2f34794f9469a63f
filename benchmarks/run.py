"""The matching benchmark: the engine and its peers on seeded warps of held-out real pairs.

    python -m benchmarks.run --data ../shared/data --out benchmarks/results

Writes results.json (every case, every method) and results.md (tables per tier, dataset, sensor
and scene, with NCM also as a ratio to SIFT; the engine's median seconds per stage; the engine's
figures per pair), with the command, commit, machine and date. ``--from-json`` writes results.md
again from a stored results.json without running anything.
Success is reported at 3 px and at the tolerance the data supports (s1s2: 10 px, 3MOS: 5 px; see
shared/data/README.md: the s1s2 pairs are themselves off by several px in hilly terrain), and as
truth-free self-consistency: each method also registers the pair as it is in the data (estimate
D), and the case counts as consistent when its estimate E for the warped pair puts the corners
within 3 px of D composed with the known warp; the matches are also judged by D instead of the
truth where E and D agree ("RMSE px, own reference"), which the data's misalignment does not cap.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time
from collections import defaultdict

import numpy as np
import torch

from plugin.core import RegistrationError, RegistrationOptions, pipeline, register
from plugin.core.pipeline import COMMON_STAGES, MATCHERS, NETWORK_STAGES, SEARCH_STAGES
from plugin.core.dense_features import FEATURES, feature_extractor
from plugin.core.descriptor import DescriptorExtractor
from training.export import commit_at_start as git_commit

from .cases import TIERS, make_cases, write_case_files
from .metrics import case_figures, consistency_px, own_reference_rmse
from .peers import match_with

TOLERANCE_PX = {"s1s2": 10.0, "3mos": 5.0}
METHODS = ("engine", "sift", "akaze")
# Every stage register() can time, in its order: the search before the network, "matching" last either way.
STAGES = tuple(dict.fromkeys(COMMON_STAGES + SEARCH_STAGES[:1] + NETWORK_STAGES))
PEERS = METHODS[1:]


def run_engine(case, extractor, options, directory, unwarped=False):
    optical_path, sar_path = write_case_files(case, directory, unwarped)
    started = time.perf_counter()
    try:
        result = register(optical_path, sar_path, options, extractor=extractor)
    except RegistrationError:
        return np.zeros((0, 2)), np.zeros((0, 2)), None, time.perf_counter() - started, 0, {}
    kept = result.tie_points.enabled
    candidates = len(result.tie_points)
    return (result.tie_points.optical_xy[kept], result.tie_points.sar_xy[kept], result.fit.sar_to_optical,
            time.perf_counter() - started, candidates, result.timing_s)


def reference_estimates(case, extractor, options):
    """Each method's estimate D on the pair as it is in the data (same for both tiers)."""
    estimates = {}
    with tempfile.TemporaryDirectory() as directory:
        estimates["engine"] = run_engine(case, extractor, options, directory, unwarped=True)[2]
    for peer in PEERS:
        estimates[peer] = match_with(peer, case.optical, case.unwarped_sar, np.ones(case.unwarped_sar.shape, bool))[2]
    return estimates


def consistency(figures, estimated, reference, case, width, height, optical_xy, sar_xy):
    """Adds the truth-free figures: E against D composed with the known warp at the corners, and,
    where they agree within 3 px (D is no reference where they do not: a peer's few matches agree
    with its own wrong fit), the RMSE of the matches judged by D instead of the truth
    (``metrics.own_reference_rmse``)."""
    error = consistency_px(estimated, reference, case.sar_to_optical, width, height)
    error = None if error is None else round(error, 2)
    consistent = error is not None and error <= 3.0
    return {**figures, "consistency_px": error, "consistent_3px": consistent,
            "rmse_own_reference_px": own_reference_rmse(optical_xy, sar_xy, reference, case.sar_to_optical) if consistent else None}


def evaluate(args):
    torch.set_num_threads(os.cpu_count() or 1)
    extractor = DescriptorExtractor(args.model, args.device)
    if args.features == "learned":
        feature_extractor(args.feature_model, args.device).warm_up()  # loaded once for every pair, as the GUI and batch do
    rows, references = [], {}
    for tier in args.tiers:
        options = RegistrationOptions(device=args.device, model=args.model, max_keypoints=args.max_keypoints,
                                      mutual=not args.no_mutual, search_radius=args.search_radius,
                                      grid_step=args.grid_step, matcher=args.matcher,
                                      template_radius=args.template_radius, features=args.features,
                                      feature_model=args.feature_model)
        for case in make_cases(args.data, tier, args.seed, args.limit):
            height, width = case.sar.shape
            tolerance = TOLERANCE_PX[case.dataset]
            if case.name not in references:
                references[case.name] = reference_estimates(case, extractor, options)
            reference = references[case.name]
            with tempfile.TemporaryDirectory() as directory:
                optical_xy, sar_xy, matrix, seconds, candidates, timing = run_engine(case, extractor, options, directory)
            row = {"case": case.name, "dataset": case.dataset, "sensor": case.sensor, "scene": case.scene, "tier": tier}
            figures = case_figures(optical_xy, sar_xy, matrix, case.sar_to_optical, width, height, candidates, seconds, tolerance)
            rows.append({**row, "method": "engine", **consistency(figures, matrix, reference["engine"], case, width, height, optical_xy, sar_xy), "timing_s": timing})
            for peer in PEERS:
                o, s, m, t = match_with(peer, case.optical, case.sar, case.sar_valid)
                figures = case_figures(o, s, m, case.sar_to_optical, width, height, 0, t, tolerance)
                rows.append({**row, "method": peer, **consistency(figures, m, reference[peer], case, width, height, o, s)})
            engine = rows[-3]
            print(f"{tier:13s} {case.name:28s} engine ncm {engine['ncm']:4d} corner {engine['corner_error_px']} "
                  f"consistency {engine['consistency_px']} | sift ncm {rows[-2]['ncm']:4d} | {engine['seconds']:.1f}s", flush=True)
    return rows


def summarise(rows, keys):
    groups = defaultdict(list)
    for row in rows:
        groups[tuple(row[k] for k in keys) + (row["method"],)].append(row)
    table = {}
    for key, members in groups.items():
        rmse = [m["rmse_px"] for m in members if m["rmse_px"] is not None]
        own = [m["rmse_own_reference_px"] for m in members if m.get("rmse_own_reference_px") is not None]  # absent from older runs
        # F over the cases the engine registered; a registered case with no correct match has F = 0. The peers
        # report no candidate count before filtering, so no recall and no F.
        f_measure = [_case_f_measure(m) for m in members if m["method"] == "engine" and m["returned"] > 0]
        table[key] = {
            "cases": len(members),
            "success_3px": np.mean([m["success_3px"] for m in members]),
            "success_tolerance": np.mean([m["success_tolerance"] for m in members]),
            "consistent_3px": np.mean([m["consistent_3px"] for m in members]),
            "ncm": np.mean([m["ncm"] for m in members]),
            "cmr": np.mean([m["cmr"] for m in members]),
            "rmse_px": np.mean(rmse) if rmse else float("nan"),
            "rmse_own_reference_px": np.mean(own) if own else float("nan"),
            "f_measure": np.mean(f_measure) if f_measure else float("nan"),
            "f_cases": len(f_measure),
            "seconds": np.median([m["seconds"] for m in members]),
        }
    return table


def _case_f_measure(row):
    """The engine's F for one case: None where it refused, 0 where it registered with no correct match."""
    return None if row["returned"] == 0 else (row.get("f_measure") or 0.0)


def ratio(value, peer):
    if peer == 0 or not np.isfinite(peer):
        return "inf" if value > 0 else "-"
    return f"{value / peer:.1f}x"


def markdown(rows, header) -> str:
    lines = [header, ""]
    for keys, title in ((("tier",), "per tier"), (("tier", "dataset"), "per tier and dataset"),
                        (("tier", "sensor"), "per tier and SAR sensor"), (("tier", "scene"), "per tier and scene (3MOS)")):
        table = summarise([r for r in rows if keys != ("tier", "scene") or r["dataset"] == "3mos"], keys)
        lines += [f"### {title}", "", "| " + " | ".join(keys) + " | method | cases | success@3px | success@tol | self-consistent@3px | NCM (x SIFT) | CMR | "
                  "RMSE px | RMSE px, own reference | F (registered) | median s |",
                  "|" + "---|" * (len(keys) + 11)]
        for key in sorted({k[:-1] for k in table}):
            sift = table.get(key + ("sift",))
            for method in METHODS:
                v = table.get(key + (method,))
                if v is None:
                    continue
                ncm = f"{v['ncm']:.1f}" + (f" ({ratio(v['ncm'], sift['ncm'])})" if method != "sift" and sift else "")
                lines.append("| " + " | ".join(str(k) for k in key) + f" | {method} | {v['cases']} | {v['success_3px']:.0%} | "
                             f"{v['success_tolerance']:.0%} | {v['consistent_3px']:.0%} | {ncm} | {v['cmr']:.2f} | {v['rmse_px']:.2f} | "
                             f"{_number(v['rmse_own_reference_px'], 2)} | "
                             f"{_f_measure(v)} | {v['seconds']:.2f} |")
        lines.append("")
    return "\n".join(lines + stage_lines(rows) + pair_lines(rows))


def _f_measure(figures) -> str:
    """Mean F over the engine's registered cases, with their count."""
    return "-" if not figures["f_cases"] else f"{figures['f_measure']:.2f} ({figures['f_cases']})"


def stage_lines(rows) -> list:
    """The engine's median seconds per stage, per tier and dataset, over the cases it registered
    (a refused case reports no stages)."""
    lines = ["### engine: median seconds per stage (registered cases)", "",
             "| tier | dataset | cases | " + " | ".join(STAGES) + " |", "|---|---|---|" + "---|" * len(STAGES)]
    for tier, dataset in dict.fromkeys((r["tier"], r["dataset"]) for r in rows):
        timed = [r["timing_s"] for r in rows if (r["tier"], r["dataset"]) == (tier, dataset) and r["method"] == "engine" and r.get("timing_s")]
        cells = []
        for stage in STAGES:
            values = [t[stage] for t in timed if stage in t]
            cells.append("-" if not values else f"{np.median(values):.2f}" + ("" if len(values) == len(timed) else f" ({len(values)})"))
        lines.append(f"| {tier} | {dataset} | {len(timed)} | " + " | ".join(cells) + " |")
    return lines + ["", "(n): the stage ran on n of the cases only (the network's fallback).", ""]


def _number(value, digits=1) -> str:
    """A figure to ``digits`` decimals, "-" where there is none."""
    return "-" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def pair_lines(rows) -> list:
    """One line per case for the engine: where it ended and its figures (- where refused)."""
    lines = ["### engine: per pair", "",
             "| tier | pair | corner error px | self-consistency px | NCM | CMR | RMSE px | RMSE px, own reference | F | seconds |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["method"] == "engine":
            lines.append(f"| {r['tier']} | {r['case']} | {_number(r['corner_error_px'])} | {_number(r['consistency_px'])} | {r['ncm']} | "
                         f"{r['cmr']:.2f} | {_number(r['rmse_px'], 2)} | {_number(r.get('rmse_own_reference_px'), 2)} | "
                         f"{_number(_case_f_measure(r), 2)} | {r['seconds']:.2f} |")
    return lines + [""]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--tiers", nargs="+", default=list(TIERS), choices=TIERS)
    parser.add_argument("--model", default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--max-keypoints", type=int, default=RegistrationOptions.max_keypoints)
    parser.add_argument("--search-radius", type=float, default=RegistrationOptions.search_radius)
    parser.add_argument("--no-mutual", action="store_true")
    parser.add_argument("--grid-step", type=int, default=RegistrationOptions.grid_step)
    parser.add_argument("--matcher", default=RegistrationOptions.matcher, choices=MATCHERS)
    parser.add_argument("--template-radius", type=int, default=RegistrationOptions.template_radius)
    parser.add_argument("--features", default=RegistrationOptions.features, choices=FEATURES)
    parser.add_argument("--feature-model", default=None, help="dense feature weights by name (models/manifest.json); default: the manifest's default")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="only the first N validation pairs (0: all)")
    parser.add_argument("--gpu-path-on-cpu", action="store_true",
                        help="run the engine's GPU code (the PyTorch twins of the map, the search and template matching; "
                             "pipeline.gpu_for) on the CPU, to check without a GPU that it gives the CPU code's figures")
    parser.add_argument("--from-json", action="store_true",
                        help="run nothing: write results.md again from the results.json in --out (the run's own header and figures)")
    args = parser.parse_args(argv)
    if args.from_json:
        with open(os.path.join(args.out, "results.json")) as handle:
            stored = json.load(handle)
        with open(os.path.join(args.out, "results.md"), "w") as handle:
            handle.write(markdown(stored["rows"], stored["header"]))
        return
    if args.gpu_path_on_cpu:
        pipeline.gpu_for = lambda options: torch.device("cpu")  # every stage that asks where its GPU twin runs is told: here
    started = time.time()
    rows = evaluate(args)
    commit = git_commit()
    header = (f"# Benchmark results\n\nCommand: `{' '.join(['python -m benchmarks.run'] + (argv if argv is not None else sys.argv[1:]))}`  \n"
              f"Commit: {commit}; machine: {platform.machine()}, {os.cpu_count()} CPU cores, "
              f"{'CUDA ' + torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU'}; "
              f"date: {datetime.date.today()}; wall time {time.time() - started:.0f} s.")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.json"), "w") as handle:
        json.dump({"header": header, "rows": rows}, handle, indent=1, default=float)
    with open(os.path.join(args.out, "results.md"), "w") as handle:
        handle.write(markdown(rows, header))
    print(markdown(rows, header))


if __name__ == "__main__":
    main()
