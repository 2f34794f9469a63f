"""The benchmark's results.md (benchmarks/run.py): F-measure, stage times, the per-pair table and the
truth-free RMSE, from rows shaped as the benchmark writes them."""
import json
import os
import subprocess
import sys
import types

import numpy as np

from benchmarks import run
from benchmarks.metrics import case_figures, own_reference_rmse


def row(case, method, returned, ncm, f_measure, timing=None, tier="georeferenced", dataset="3mos"):
    return {"case": case, "dataset": dataset, "sensor": "SEN", "scene": "city", "tier": tier, "method": method, "returned": returned,
            "ncm": ncm, "cmr": ncm / returned if returned else 0.0, "rmse_px": 1.5 if ncm else None,
            "corner_error_px": 2.0 if returned else None, "success_3px": bool(returned), "success_tolerance": bool(returned),
            "tolerance_px": 5.0, "f_measure": f_measure, "seconds": 1.0, "consistency_px": 1.0 if returned else None,
            "consistent_3px": bool(returned), **({"timing_s": timing} if method == "engine" else {})}


ROWS = [
    row("3mos/A", "engine", 100, 60, 0.5, {"read": 0.1, "coarse alignment": 0.2, "keypoints": 0.3, "search": 0.4, "matching": 1.0}),
    row("3mos/A", "sift", 10, 0, None),
    row("3mos/B", "engine", 50, 0, None, {"read": 0.3, "coarse alignment": 0.2, "keypoints": 0.3, "search": 0.6, "descriptors": 2.0,
                                          "matching": 2.0}),  # registered, but no match within 3 px: F = 0
    row("3mos/B", "sift", 0, 0, None),
    row("3mos/C", "engine", 0, 0, None, {}),  # refused: no F, no stages
    row("3mos/C", "sift", 0, 0, None),
]


def test_f_measure_is_averaged_over_registered_cases_and_absent_for_peers():
    table = run.summarise(ROWS, ("tier",))
    engine, sift = table[("georeferenced", "engine")], table[("georeferenced", "sift")]
    assert engine["f_cases"] == 2 and abs(engine["f_measure"] - 0.25) < 1e-9
    assert run._f_measure(engine) == "0.25 (2)" and run._f_measure(sift) == "-"


def test_stage_medians_cover_registered_cases_and_mark_stages_only_some_ran():
    text = "\n".join(run.stage_lines(ROWS))
    assert "| georeferenced | 3mos | 2 | 0.20 | 0.20 | 0.30 | 0.50 | 2.00 (1) | 1.50 |" in text, text


def test_results_markdown_can_be_written_again_from_the_stored_json(tmp_path):
    (tmp_path / "results.json").write_text(json.dumps({"header": "# Benchmark results\n\nCommit: abc", "rows": ROWS}))
    run.main(["--from-json", "--out", str(tmp_path)])
    text = (tmp_path / "results.md").read_text()
    assert text.startswith("# Benchmark results\n\nCommit: abc")
    assert "| georeferenced | 3mos/B | 2.0 | 1.0 | 0 | 0.00 | - | - | 0.00 | 1.00 |" in text
    assert "| georeferenced | 3mos/C | - | - | 0 | 0.00 | - | - | - | 1.00 |" in text


def test_results_name_the_commit_and_say_when_tracked_files_differ_from_it(tmp_path, monkeypatch):
    from training.export import commit

    def git(*args):
        subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    git("init", "-q")
    (tmp_path / "engine.py").write_text("THRESHOLD = 3\n")
    git("add", "engine.py")
    git("commit", "-qm", "engine")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("untracked files do not change what the commit runs\n")
    (tmp_path / "results.md").write_text("| pair | px |\n")
    git("add", "results.md")
    git("commit", "-qm", "results")
    head = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], text=True).strip()
    (tmp_path / "results.md").write_text("| pair | px |\n| a | 1.0 |\n")  # a study rewriting its own results file
    assert commit() == head
    (tmp_path / "engine.py").write_text("THRESHOLD = 5\n")
    assert commit() == f"{head} with uncommitted changes"


def test_a_copy_without_git_reports_the_commit_it_was_told_and_says_so(tmp_path, monkeypatch):
    from training.export import commit

    monkeypatch.chdir(tmp_path)  # no repository here or above it
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.delenv("SOURCE_COMMIT", raising=False)
    assert commit() == "unknown"
    monkeypatch.setenv("SOURCE_COMMIT", "abc1234")
    assert commit() == "abc1234 (as told to a copy without git)"


def test_a_results_file_names_the_commit_its_run_started_from(tmp_path):
    """Benchmarks write their files when they end; the commit they name is the one they started
    from, read when training.export was first imported, not one made while they ran."""
    from tests.conftest import ROOT

    def git(*args):
        return subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org", *args], cwd=tmp_path, check=True,
                              capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("commit", "-q", "--allow-empty", "-m", "the code a run starts from")
    started = git("rev-parse", "--short", "HEAD")
    script = ("import subprocess\n"
              "from training.export import commit, commit_at_start\n"
              "subprocess.run(['git', '-c', 'user.name=b', '-c', 'user.email=b@example.org', 'commit', '-q', '--allow-empty', '-m', 'later'],"
              " check=True)\n"
              "print(commit_at_start(), commit())\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, check=True, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": ROOT}).stdout.split()
    assert out[0] == started and out[1] != started


def test_own_reference_rmse_judges_matches_by_the_unwarped_estimate_not_the_truth():
    """Where the data's truth is off (here by 8 px), no match is correct by it, but the matches
    are judged by the engine's estimate D for the unwarped pair composed with the known warp."""
    rng = np.random.default_rng(0)
    warp = np.array([[1.02, 0.03, 7.0], [-0.03, 1.02, -4.0], [0.0, 0.0, 1.0]])  # warped SAR px -> original SAR px
    ground = np.array([[1.0, 0.0, 8.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # the pair as it is: 8 px off the truth
    sar_xy = rng.uniform(20, 230, (200, 2))
    noise = rng.normal(0, 0.5, (200, 2))
    optical_xy = (ground @ warp @ np.c_[sar_xy, np.ones(200)].T).T[:, :2] + noise
    truth = warp  # the data's identity composed with the warp
    figures = case_figures(optical_xy, sar_xy, ground @ warp, truth, 256, 256, 200, 1.0, 5.0)
    assert figures["ncm"] == 0 and figures["rmse_px"] is None
    own = own_reference_rmse(optical_xy, sar_xy, ground, warp)
    assert 0.5 < own < 0.9  # sqrt(2) x 0.5 px of noise in x and y, less what the 3 px cut leaves out
    assert own_reference_rmse(optical_xy, sar_xy, None, warp) is None
    assert own_reference_rmse(optical_xy + 10.0, sar_xy, ground, warp) is None  # every match 14 px off D: none correct


def test_own_reference_rmse_is_given_only_where_the_two_estimates_agree():
    """A method whose estimate for the warped pair disagrees with its own for the pair as it is
    has no reference to judge its matches by (a peer's few matches agree with its own wrong fit)."""
    warp = np.array([[1.0, 0.0, 6.0], [0.0, 1.0, -3.0], [0.0, 0.0, 1.0]])
    case = types.SimpleNamespace(sar_to_optical=warp)
    reference = np.eye(3)
    sar_xy = np.array([[50.0, 60.0], [120.0, 30.0], [200.0, 180.0]])
    optical_xy = sar_xy + [6.0, -3.0] + [[0.3, 0.0], [0.0, -0.3], [0.3, 0.0]]
    agreeing = run.consistency({}, reference @ warp, reference, case, 256, 256, optical_xy, sar_xy)
    assert agreeing["consistent_3px"] and abs(agreeing["rmse_own_reference_px"] - 0.3) < 1e-6
    apart = run.consistency({}, np.array([[1.0, 0.0, 20.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) @ warp, reference, case, 256, 256,
                            optical_xy, sar_xy)
    assert not apart["consistent_3px"] and apart["rmse_own_reference_px"] is None
