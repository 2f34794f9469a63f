"""End-to-end speed as a user sees it: read -> register -> warped GeoTIFF written, for the
1024 x 1024 Sentinel-1/2 validation pairs of the georeferenced tier, with OpenCV SIFT + RANSAC
timed on the same pairs in the same run.

    python -m benchmarks.speed --data ../shared/data --out benchmarks/results [--device cpu] [--threads 2]

Writes speed.md (or --name .md) with the command, commit, machine, and per pair and median seconds.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import sys
import tempfile
import time

import numpy as np
import torch

from plugin.core import RegistrationError, RegistrationOptions, cpu_settings, outputs, register
from plugin.core.dense_features import FEATURES, feature_extractor
from plugin.core.descriptor import DescriptorExtractor
from training.export import commit_at_start as git_commit

from .cases import make_cases, write_case_files
from .peers import match_with


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join("..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join("benchmarks", "results"))
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads for PyTorch and OpenCV (0: all cores)")
    parser.add_argument("--matcher", default=RegistrationOptions.matcher)
    parser.add_argument("--features", default=RegistrationOptions.features, choices=FEATURES)
    parser.add_argument("--template-radius", type=int, default=RegistrationOptions.template_radius)
    parser.add_argument("--max-keypoints", type=int, default=RegistrationOptions.max_keypoints)
    parser.add_argument("--name", default="speed", help="results file name, without .md (a GPU run adds -gpu)")
    parser.add_argument("--no-cpu-settings", action="store_true",
                        help="run without the engine's CPU settings (plugin/core/cpu_settings.py), to measure what they give")
    parser.add_argument("--batch", action="store_true",
                        help="hold the engine's CPU settings over all pairs, as `python -m plugin batch` does (else one scope per pair)")
    args = parser.parse_args(argv)
    if args.no_cpu_settings and args.batch:
        parser.error("--batch holds the CPU settings; it cannot be combined with --no-cpu-settings")
    if args.no_cpu_settings:
        cpu_settings.disable()  # before PyTorch's first large allocation, still to come
    if args.threads:
        torch.set_num_threads(args.threads)
        import cv2
        cv2.setNumThreads(args.threads)
    extractor = DescriptorExtractor(None, args.device)  # loaded once, as the GUI and batch do
    options = RegistrationOptions(device=args.device, matcher=args.matcher, features=args.features, template_radius=args.template_radius,
                                  max_keypoints=args.max_keypoints)
    if options.features == "learned":
        feature_extractor(None, args.device).warm_up()
    rows, stages = [], {}
    cases = [c for c in make_cases(args.data, "georeferenced") if c.dataset == "s1s2"]
    with cpu_settings.engine_settings() if args.batch else contextlib.nullcontext():
        for case in cases:
            with tempfile.TemporaryDirectory() as directory:
                optical_path, sar_path = write_case_files(case, directory)
                started = time.perf_counter()
                try:
                    result = register(optical_path, sar_path, options, extractor=extractor)
                    written = time.perf_counter()
                    outputs.write_warped_sar(result, os.path.join(directory, "registered.tif"))
                    status = "ok"
                    for stage, stage_seconds in {**result.timing_s, "write": time.perf_counter() - written}.items():
                        stages.setdefault(stage, []).append(stage_seconds)
                except RegistrationError:
                    status = "refused"
                seconds = time.perf_counter() - started
            sift_seconds = match_with("sift", case.optical, case.sar, case.sar_valid)[3]
            rows.append((case.name, case.sar.shape, status, seconds, sift_seconds))
            print(f"{case.name:16s} {status:8s} {seconds:6.2f} s (SIFT {sift_seconds:.2f} s)", flush=True)
    median, sift_median = float(np.median([r[3] for r in rows])), float(np.median([r[4] for r in rows]))
    registered = [r[3] for r in rows if r[2] == "ok"]
    registered_median = float(np.median(registered)) if registered else float("nan")
    commit = git_commit()
    device = f"CUDA {torch.cuda.get_device_name()}" if str(extractor.device) == "cuda" else "CPU"
    lines = ["# Speed: read -> warped GeoTIFF", "",
             f"Command: `python -m benchmarks.speed {' '.join(argv if argv is not None else sys.argv[1:])}`  ",
             f"Commit: {commit}; machine: {platform.machine()}, {os.cpu_count()} CPU cores, threads "
             f"{torch.get_num_threads()}, device {device}; engine CPU settings "
             f"{'off' if args.no_cpu_settings else 'on, held over all pairs (as a batch)' if args.batch else 'on, per pair'}; "
             f"date: {datetime.date.today()}.", "",
             f"**Median {median:.2f} s per 1024 x 1024 pair** (matcher {args.matcher}, features {options.features}, template radius {options.template_radius} px, {options.max_keypoints} tie points looked for); OpenCV SIFT + RANSAC on the same pairs "
             f"(matching only, no output): median {sift_median:.2f} s, so the engine takes {median / sift_median:.1f}x SIFT's time. "
             f"Median over the {len(registered)} pairs the structural search registered: {registered_median:.2f} s; a refused "
             "search falls back to the network, which takes much longer on a CPU.", "",
             "Median seconds per stage over the registered pairs: "
             + ", ".join(f"{stage} {np.median(values):.2f}" for stage, values in stages.items()) + ".", "",
             "| pair | size | status | seconds (read -> GeoTIFF) | SIFT seconds |", "|---|---|---|---|---|"]
    lines += [f"| {name} | {shape[1]} x {shape[0]} | {status} | {seconds:.2f} | {sift:.2f} |" for name, shape, status, seconds, sift in rows]
    os.makedirs(args.out, exist_ok=True)
    suffix = "" if device == "CPU" else "-gpu"
    with open(os.path.join(args.out, f"{args.name}{suffix}.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines[:6]))


if __name__ == "__main__":
    main()
