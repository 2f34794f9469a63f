"""The HTML report of one registration, written by the dock, the toolbox (shown in QGIS's
Processing Results Viewer) and the command line (``--report``). A summary (inputs, counts, the
fit's RMSE in optical pixels and on the ground, rejections, timings, the files written with it),
then every tie point with its residual: what a surveyor files as the accuracy of a registration.

Qt-free: the command line writes it in English; the dock and the toolbox pass QGIS's translation
as ``tr``.
"""
from __future__ import annotations

import html
from collections import Counter
from typing import Callable, Iterable, List, Tuple

import numpy as np

from .ground import left_out_rmse_m, residuals_m, rmse_m
from .outputs import left_out_lengths, residual_lengths, safe_output
from .warp_residuals import LEFT_OUT_RADIUS_PX

Translate = Callable[[str], str]


def _same(text: str) -> str:
    return text


def stage_label(stage: str, tr: Translate = _same) -> str:
    """What rejected a tie point (``rejected_by``: a stage of matching.STAGES, or "user"), in words."""
    labels = {
        "": "",
        "mutual": tr("not mutual"),
        "adaptive_threshold": tr("distance"),
        "template": tr("template"),
        "ransac": tr("RANSAC"),
        "user": tr("you"),
    }
    return labels.get(stage or "", stage)


def report_rows(result, written: Iterable[Tuple[str, str]] = (), tr: Translate = _same, named: Tuple[str, str] = ("", "")) -> list:
    """(label, value) pairs: inputs (as ``named`` where given: an XYZ URL rather than the file fetched
    from it), counts, RMSE, rejections per filter stage, timings, and the files ``written`` with the
    report ((label, path) each)."""
    tie_points = result.tie_points
    rejected = Counter(reason for reason in tie_points.rejected_by if reason)
    rows = [
        (tr("Optical raster"), named[0] or result.optical.path),
        (tr("SAR raster"), named[1] or result.sar.path),
        (tr("Transform model"), result.fit.model),
        (tr("Candidate matches"), len(tie_points)),
        (tr("Tie points used for the fit"), int(tie_points.enabled.sum())),
        (tr("Fit RMSE (optical pixels)"), f"{result.fit.rmse:.3f}"),
    ]
    metres = rmse_m(result)
    if metres is not None:
        rows.append((tr("Fit RMSE (metres on the ground)"), f"{metres:.3f}"))
    if result.fit.left_out_rmse is not None:  # each point against the fit without it and its neighbours: a spline's fit RMSE is 0
        rows.append((tr("Left-out RMSE: each tie point against the fit without it and the points within {} px (optical pixels)").format(
            f"{LEFT_OUT_RADIUS_PX:g}"), f"{result.fit.left_out_rmse:.3f}"))
        metres = left_out_rmse_m(result)
        if metres is not None:
            rows.append((tr("Left-out RMSE (metres on the ground)"), f"{metres:.3f}"))
    if result.self_check_px is not None:
        verdict = tr("FAILED: inspect the result before using it") if result.self_check_failed else tr("passed")
        moved = tr("not registered again") if result.self_check_px == float("inf") else f"{result.self_check_px:.2f}"
        rows.append((tr("Self-check: fit moved with the SAR moved slightly (optical pixels)"), f"{moved} ({verdict})"))
    rows += [(tr("Rejected by {}").format(stage_label(stage, tr)), count) for stage, count in sorted(rejected.items())]
    if result.features:
        rows.append((tr("Fine matching features"), result.features))
    if result.model_name:
        rows.append((tr("Descriptor model"), f"{result.model_name} on {result.device}"))
    rows += [(tr("Note"), text) for text in result.warnings_in(tr)]  # what the engine warned of: a fill read as nodata, ...
    rows += [(tr("Time: {}").format(stage), f"{seconds:.2f} s") for stage, seconds in result.timing_s.items()]
    rows += [(label, path) for label, path in written if path]
    return rows


def tie_point_rows(result, tr: Translate = _same) -> List[list]:
    """The header and one row per tie point, in the order of their ids: whether the fit used it (or
    what rejected it), its position in both rasters (pixels, x = column, y = row, the centre of the
    top-left pixel at 0, 0, as the tie-point layers' fields), and its residual in optical pixels and
    on the ground (empty for an optical raster without a CRS), and against the fit without it and its neighbours
    (empty for a point not used)."""
    tie, residuals, pixels = result.tie_points, result.fit.residuals, residual_lengths(result)
    metres, left_out = residuals_m(result.optical, tie, result.fit), left_out_lengths(result.fit)
    header = [tr("Id"), tr("Used"), tr("Rejected by"), tr("Optical x (px)"), tr("Optical y (px)"), tr("SAR x (px)"), tr("SAR y (px)"),
              tr("dX (px)"), tr("dY (px)"), tr("Residual (px)"), tr("Residual (m)"), tr("Left out (px)")]
    rows = []
    for index in sorted(range(len(tie)), key=tie.id_of):
        (ox, oy), (sx, sy), (dx, dy) = tie.optical_xy[index], tie.sar_xy[index], residuals[index]
        rows.append([tie.id_of(index), tr("yes") if tie.enabled[index] else tr("no"), stage_label(tie.rejected_by[index] or "", tr),
                     f"{ox:.2f}", f"{oy:.2f}", f"{sx:.2f}", f"{sy:.2f}", f"{dx:.2f}", f"{dy:.2f}", f"{pixels[index]:.2f}",
                     "" if metres is None else f"{metres[index]:.2f}", "" if np.isnan(left_out[index]) else f"{left_out[index]:.2f}"])
    return [header] + rows


def _summary(pairs) -> str:
    return "\n".join(f"<tr><th align='left'>{html.escape(str(name))}</th><td>{html.escape(str(value))}</td></tr>" for name, value in pairs)


def _table(rows) -> str:
    header, body = rows[0], rows[1:]
    cells = lambda tag, values: "".join(f"<{tag}>{html.escape(str(value))}</{tag}>" for value in values)  # noqa: E731
    return "<tr>{}</tr>\n{}".format(cells("th", header), "\n".join(f"<tr>{cells('td', row)}</tr>" for row in body))


def report_html(title: str, result, written: Iterable[Tuple[str, str]] = (), tr: Translate = _same,
                named: Tuple[str, str] = ("", "")) -> str:
    """The report as an HTML page (``report_rows`` says what ``written`` and ``named`` are)."""
    return (
        "<html><head><meta charset='utf-8'><title>{0}</title></head><body>"
        "<h2>{0}</h2><table border='1' cellspacing='0' cellpadding='3'>{1}</table>"
        "<h3>{2}</h3><table border='1' cellspacing='0' cellpadding='3'>{3}</table></body></html>\n"
    ).format(html.escape(title), _summary(report_rows(result, written, tr, named)), html.escape(tr("Tie points")),
             _table(tie_point_rows(result, tr)))


def write_report(result, path: str, overwrite: bool = False, written: Iterable[Tuple[str, str]] = (), tr: Translate = _same,
                 title: str = "", named: Tuple[str, str] = ("", "")) -> str:
    """The report at ``path`` (never over an input; an existing file only with ``overwrite``; written
    whole or not at all), naming the files ``written`` ((label, path) each) with it; ``named``: see ``report_rows``."""
    with safe_output(path, (result.optical.path, result.sar.path), overwrite) as temporary:
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(report_html(title or tr("SAR-Optical Registration"), result, written, tr, named))
    return path
