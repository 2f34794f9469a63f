"""On a GPU machine: the engine's PyTorch twins of CPU stages (the phase-congruency map, batched
template scores, the structural search's batched trials) against their CPU code on a real 1024 px pair, and how long each takes.
Run by ``scripts/device_speed.sh run``; prints one line per comparison.

    python3 scripts/device_twins.py OPTICAL.png SAR.png
"""
import sys
import time

import cv2
import numpy as np
import torch
from scipy.spatial import cKDTree

from plugin.core.dense_features import feature_extractor
from plugin.core.keypoints import detect_keypoints
from plugin.core.phase_congruency import PhaseCongruencyParams, _whole, phase_congruency
from plugin.core.similarity_search import search_similarity
from plugin.core.structural import match_templates


def _synchronize():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def timed(run, repeats=3):
    run()
    _synchronize()
    started = time.perf_counter()
    for _ in range(repeats):
        result = run()
    _synchronize()
    return result, (time.perf_counter() - started) / repeats


def main(optical_path: str, sar_path: str) -> None:
    gpu = torch.device("cuda" if torch.cuda.is_available() else "cpu")  # the CPU: a dry run of this script
    optical, sar = (cv2.imread(path, cv2.IMREAD_GRAYSCALE).astype(np.float32) / 255 for path in (optical_path, sar_path))
    valid = np.ones(optical.shape, bool)
    on_cpu, cpu_s = timed(lambda: phase_congruency(optical))
    on_gpu, gpu_s = timed(lambda: phase_congruency(optical, device=gpu))
    print(f"phase congruency {optical.shape}: max difference {np.abs(on_cpu - on_gpu).max():.2e} of a maximum {on_cpu.max():.3f}; "
          f"CPU {cpu_s * 1000:.0f} ms, GPU {gpu_s * 1000:.0f} ms")
    noise = np.ones(6) * 0.01
    _, fixed_s = timed(lambda: _whole(optical, PhaseCongruencyParams(), noise, gpu))
    print(f"phase congruency with the noise level given (no median): GPU {fixed_s * 1000:.0f} ms")
    cpu_points, cpu_s = timed(lambda: detect_keypoints(optical, valid, 1000).xy)
    gpu_points, gpu_s = timed(lambda: detect_keypoints(optical, valid, 1000, device=gpu).xy)
    same = (cKDTree(gpu_points).query(cpu_points)[0] == 0).mean()
    print(f"keypoints: {len(cpu_points)} and {len(gpu_points)}, {same:.1%} the same; CPU {cpu_s * 1000:.0f} ms, GPU {gpu_s * 1000:.0f} ms")
    features = feature_extractor(None, gpu.type)
    optical_features, sar_features = features.features(optical, valid, "optical"), features.features(sar, valid, "sar")
    _, plain_s = timed(lambda: features.features(sar, valid, "sar"))
    _, network_s = timed(lambda: features._run("sar", sar))
    torch.backends.cudnn.benchmark = True
    _, benchmarked_s = timed(lambda: features._run("sar", sar))
    torch.backends.cudnn.benchmark = False
    print(f"dense features 1024 px: {plain_s * 1000:.0f} ms, the network alone {network_s * 1000:.0f} ms, "
          f"with cudnn.benchmark {benchmarked_s * 1000:.0f} ms")
    xy = cpu_points[:500].astype(np.float64)
    cpu_match, cpu_s = timed(lambda: match_templates(optical_features, sar_features, xy, xy, 48, 10, 0.2))
    gpu_match, gpu_s = timed(lambda: match_templates(optical_features, sar_features, xy, xy, 48, 10, 0.2, device=gpu))
    both = cpu_match.found & gpu_match.found
    apart = np.abs(cpu_match.positions[both] - gpu_match.positions[both]).max() if both.any() else float("nan")
    print(f"template matching, 500 points, 97 px templates, +-10 px: found {cpu_match.found.sum()} (CPU) and {gpu_match.found.sum()} (GPU), "
          f"{(cpu_match.found != gpu_match.found).sum()} differ, positions at most {apart:.4f} px apart; "
          f"CPU {cpu_s * 1000:.0f} ms, GPU {gpu_s * 1000:.0f} ms")
    for limits in ((10.0, 1.1, 40.0), (15.0, 1.25, None)):  # the engine's range with georeferencing, and the hard tier's without
        cpu_best, cpu_s = timed(lambda: search_similarity(optical, valid, sar, valid, *limits))
        gpu_best, gpu_s = timed(lambda: search_similarity(optical, valid, sar, valid, *limits, device=gpu))
        print(f"search within {limits}: CPU {cpu_best}, GPU {gpu_best}; CPU {cpu_s * 1000:.0f} ms, GPU {gpu_s * 1000:.0f} ms")


if __name__ == "__main__":
    main(*sys.argv[1:3])
