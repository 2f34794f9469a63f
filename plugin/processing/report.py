"""The small HTML report of one registration (shown in QGIS's Processing Results Viewer)."""
from __future__ import annotations

import html
import os
from collections import Counter

from qgis.PyQt.QtCore import QCoreApplication


def tr(text: str) -> str:
    return QCoreApplication.translate("SarOpticalRegistration", text)


def _rows(pairs) -> str:
    return "\n".join(f"<tr><th align='left'>{html.escape(str(name))}</th><td>{html.escape(str(value))}</td></tr>" for name, value in pairs)


def report_rows(result, results: dict, labels: dict) -> list:
    """(label, value) pairs: inputs, counts, RMSE, rejections per filter stage, timings, outputs."""
    tie_points = result.tie_points
    rejected = Counter(reason for reason in tie_points.rejected_by if reason)
    rows = [
        (tr("Optical raster"), result.optical.path),
        (tr("SAR raster"), result.sar.path),
        (tr("Transform model"), result.fit.model),
        (tr("Candidate matches"), len(tie_points)),
        (tr("Tie points used for the fit"), int(tie_points.enabled.sum())),
        (tr("Fit RMSE (optical pixels)"), f"{result.fit.rmse:.3f}"),
    ]
    from ..core.ground import rmse_m

    metres = rmse_m(result)
    if metres is not None:
        rows.append((tr("Fit RMSE (metres on the ground)"), f"{metres:.3f}"))
    if result.self_check_px is not None:
        verdict = tr("FAILED: inspect the result before using it") if result.self_check_failed else tr("passed")
        moved = tr("not registered again") if result.self_check_px == float("inf") else f"{result.self_check_px:.2f}"
        rows.append((tr("Self-check: fit moved with the SAR moved slightly (optical pixels)"), f"{moved} ({verdict})"))
    rows += [(tr("Rejected by {}").format(stage), count) for stage, count in sorted(rejected.items())]
    if result.features:
        rows.append((tr("Fine matching features"), result.features))
    if result.model_name:
        rows.append((tr("Descriptor model"), f"{result.model_name} on {result.device}"))
    rows += [(tr("Time: {}").format(stage), f"{seconds:.2f} s") for stage, seconds in result.timing_s.items()]
    rows += [(labels.get(key, key), value) for key, value in results.items() if isinstance(value, str) and value]
    return rows


def write_html_report(path: str, title: str, result, results: dict, labels: dict) -> str:
    """``results``: the algorithm's results (output paths among them); ``labels``: their descriptions."""
    body = (
        "<html><head><meta charset='utf-8'><title>{0}</title></head><body>"
        "<h2>{0}</h2><table border='1' cellspacing='0' cellpadding='3'>{1}</table></body></html>\n"
    ).format(html.escape(title), _rows(report_rows(result, results, labels)))
    temporary = f"{path}.partial-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.replace(temporary, path)
    return path
