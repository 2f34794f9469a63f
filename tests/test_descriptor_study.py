"""The descriptor study's tables: each arm against the first, seed by seed, on the same cases."""
from benchmarks.descriptor_study import paired_lines, summary_lines


def _row(arm, seed, case, ncm, putative_ncm, registered):
    return {"arm": arm, "seed": seed, "tier": "georeferenced", "case": case, "ncm": ncm, "putative_ncm": putative_ncm,
            "putative": 50, "cmr": 0.5, "rmse_px": 1.0 if ncm else None, "success_tolerance": registered, "success_3px": False}


def test_arms_are_compared_case_by_case_within_each_seed():
    rows = [_row("A", 0, "p", 4, 10, True), _row("A", 0, "q", 0, 2, False), _row("A", 0, "r", 3, 3, True),
            _row("B", 0, "p", 6, 10, True), _row("B", 0, "q", 0, 5, False), _row("B", 0, "r", 1, 3, False)]
    lines = paired_lines(rows, ["A", "B"], 1)
    putative, final = lines[2], lines[3]
    assert putative == "| georeferenced | B | 0 | putative NCM | +1.00 | 1 / 0 / 2 |"
    assert final == "| georeferenced | B | 0 | NCM | +0.00 | 1 / 1 / 1 |"
    summary = summary_lines(rows, ["A", "B"], 1)
    assert summary[2].startswith("| georeferenced | A | 0 | 50.0 | 5.00 | 2.33 | 0.500 | 1.00 | 2/3 | 0/3 |")
    assert summary[3].startswith("| georeferenced | B | 0 | 50.0 | 6.00 | 2.33 | 0.500 | 1.00 | 1/3 | 0/3 |")
