"""The HTML report of one registration: the toolbox's (shown in QGIS's Processing Results Viewer)
and the dock's. A summary (inputs, counts, the fit's RMSE in optical pixels and on the ground,
rejections, timings, outputs), then every tie point with its residual: what a surveyor files as
the accuracy of a registration."""
from __future__ import annotations

import html
import os
from collections import Counter

import numpy as np

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
    from .core.ground import rmse_m

    metres = rmse_m(result)
    if metres is not None:
        rows.append((tr("Fit RMSE (metres on the ground)"), f"{metres:.3f}"))
    if result.self_check_px is not None:
        verdict = tr("FAILED: inspect the result before using it") if result.self_check_failed else tr("passed")
        moved = tr("not registered again") if result.self_check_px == float("inf") else f"{result.self_check_px:.2f}"
        rows.append((tr("Self-check: fit moved with the SAR moved slightly (optical pixels)"), f"{moved} ({verdict})"))
    from .gui.points_table import rejection_label

    rows += [(tr("Rejected by {}").format(rejection_label(stage)), count) for stage, count in sorted(rejected.items())]
    if result.features:
        rows.append((tr("Fine matching features"), result.features))
    if result.model_name:
        rows.append((tr("Descriptor model"), f"{result.model_name} on {result.device}"))
    rows += [(tr("Time: {}").format(stage), f"{seconds:.2f} s") for stage, seconds in result.timing_s.items()]
    rows += [(labels.get(key, key), value) for key, value in results.items() if isinstance(value, str) and value]
    return rows


def tie_point_rows(result) -> list:
    """The header and one row per tie point, in the order of their ids: whether the fit used it (or
    what rejected it), its position in both rasters (pixels, x = column, y = row, the centre of the
    top-left pixel at 0, 0, as the tie-point layers' fields), and its residual in optical pixels and
    on the ground (empty for an optical raster without a CRS)."""
    from .core.ground import ground_lengths_m
    from .gui.points_table import rejection_label

    tie, residuals = result.tie_points, result.fit.residuals
    metres = ground_lengths_m(result.optical.geotransform, result.optical.crs_wkt, tie.optical_xy, residuals)
    header = [tr("Id"), tr("Used"), tr("Rejected by"), tr("Optical x (px)"), tr("Optical y (px)"), tr("SAR x (px)"), tr("SAR y (px)"),
              tr("dX (px)"), tr("dY (px)"), tr("Residual (px)"), tr("Residual (m)")]
    rows = []
    for index in sorted(range(len(tie)), key=tie.id_of):
        (ox, oy), (sx, sy), (dx, dy) = tie.optical_xy[index], tie.sar_xy[index], residuals[index]
        rows.append([tie.id_of(index), tr("yes") if tie.enabled[index] else tr("no"), rejection_label(tie.rejected_by[index] or ""),
                     f"{ox:.2f}", f"{oy:.2f}", f"{sx:.2f}", f"{sy:.2f}", f"{dx:.2f}", f"{dy:.2f}", f"{np.hypot(dx, dy):.2f}",
                     "" if metres is None else f"{metres[index]:.2f}"])
    return [header] + rows


def _table(rows) -> str:
    header, body = rows[0], rows[1:]
    cells = lambda tag, values: "".join(f"<{tag}>{html.escape(str(value))}</{tag}>" for value in values)  # noqa: E731
    return "<tr>{}</tr>\n{}".format(cells("th", header), "\n".join(f"<tr>{cells('td', row)}</tr>" for row in body))


def report_html(title: str, result, results: dict, labels: dict) -> str:
    """The report as an HTML page (``write_html_report``)."""
    return (
        "<html><head><meta charset='utf-8'><title>{0}</title></head><body>"
        "<h2>{0}</h2><table border='1' cellspacing='0' cellpadding='3'>{1}</table>"
        "<h3>{2}</h3><table border='1' cellspacing='0' cellpadding='3'>{3}</table></body></html>\n"
    ).format(html.escape(title), _rows(report_rows(result, results, labels)), html.escape(tr("Tie points")), _table(tie_point_rows(result)))


def write_html_report(path: str, title: str, result, results: dict, labels: dict) -> str:
    """``results``: the algorithm's results (output paths among them); ``labels``: their descriptions."""
    body = report_html(title, result, results, labels)
    temporary = f"{path}.partial-{os.getpid()}"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(body)
    os.replace(temporary, path)
    return path
