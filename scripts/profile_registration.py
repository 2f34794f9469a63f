"""Where a registration's time goes, function by function: cProfile over ``register`` for the
1024 px S1/S2 validation pairs of DATA (georeferenced tier, as ``benchmarks.speed`` makes them),
after one unprofiled registration that pays the first-call costs. On a GPU, calls that wait for
it (``.cpu()``, ``synchronize``) carry the GPU's time.

    python scripts/profile_registration.py --data ../shared/data [--device cuda] [--pairs 196 199]
"""
import argparse
import cProfile
import io
import pstats
import tempfile

from benchmarks.cases import make_cases, write_case_files
from plugin.core.dense_features import feature_extractor
from plugin.core.pipeline import RegistrationOptions, register


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="../shared/data")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--pairs", nargs="*", default=[], help="pair names (e.g. 196); all S1/S2 validation pairs when none")
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    options = RegistrationOptions(device=args.device)
    feature_extractor(None, args.device).warm_up()
    cases = [c for c in make_cases(args.data, "georeferenced") if c.dataset == "s1s2"
             and (not args.pairs or any(c.name.endswith(f"/{pair}.png") for pair in args.pairs))]
    with tempfile.TemporaryDirectory() as directory:
        paths = [tuple(write_case_files(case, f"{directory}/{index}")) for index, case in enumerate(cases)]
        register(*paths[0], options)  # first-call costs (network kernels, filter banks) out of the profile
        profile = cProfile.Profile()
        for case, (optical_path, sar_path) in zip(cases, paths):
            result = profile.runcall(register, optical_path, sar_path, options)
            print(case.name, {stage: round(seconds, 3) for stage, seconds in result.timing_s.items()})
    for order in ("tottime", "cumulative"):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).strip_dirs().sort_stats(order).print_stats(args.top)
        print(text.getvalue())


if __name__ == "__main__":
    main()
