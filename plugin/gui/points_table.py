"""The dock's table of tie points: id, whether it is used, its residual (in optical pixels, and in
metres on the ground), dX/dY, its residual against the fit without it and its neighbours (left out), descriptor
distance and why it was rejected; sortable (numbers sort as
numbers). The residuals come right after the id and whether the point is used, so that a surveyor
sees them in a narrow dock without scrolling (the rejecting stage, empty for every used point, last)."""
from __future__ import annotations

from typing import Optional

import numpy as np
from qgis.PyQt.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, pyqtSignal
from qgis.PyQt.QtGui import QBrush, QColor
from qgis.PyQt.QtWidgets import QTableView

from ..core.report import stage_label
from ..core.warp_residuals import LEFT_OUT_RADIUS_PX
from .i18n import tr
from .layers import TiePointState

SORT_ROLE = Qt.UserRole
ID_ROLE = Qt.UserRole + 1

# The columns, in order
ID, USED, RESIDUAL, RESIDUAL_M, DX, DY, LEFT_OUT, DISTANCE, REJECTED_BY = range(9)


def rejection_label(stage: str) -> str:
    return stage_label(stage, tr)


class TiePointTableModel(QAbstractTableModel):
    used_changed = pyqtSignal(int, bool)  # a point's id, and whether the user ticked (True) or unticked its Used box

    def __init__(self, parent=None):
        super().__init__(parent)
        self.state: Optional[TiePointState] = None
        self.checkable = True  # the Used boxes can be changed (not while a task runs, as Re-fit cannot)
        self.headers = [tr("Id"), tr("Used"), tr("Residual (px)"), tr("Residual (m)"), tr("dX (px)"), tr("dY (px)"), tr("Left out (px)"),
                        tr("Distance"), tr("Rejected by")]

    def set_state(self, state: Optional[TiePointState]) -> None:
        """Shows ``state`` (its residuals on the ground worked out once with it, not while Qt draws;
        the column empty where the optical raster cannot say)."""
        self.beginResetModel()
        self.state = state
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if self.state is None or parent.isValid() else len(self.state.ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return len(self.headers)

    def flags(self, index):
        flags = super().flags(index)
        return flags | Qt.ItemIsUserCheckable if self.checkable and index.isValid() and index.column() == USED else flags

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802 (Qt's name)
        """The Used box ticked or unticked: announced (``used_changed``) for the dock to set the
        point's ``enabled`` and fit again; the table shows the new fit when it comes."""
        if role != Qt.CheckStateRole or index.column() != USED or self.state is None or not index.isValid() or not self.checkable:
            return False
        self.used_changed.emit(int(self.state.ids[index.row()]), int(value) == int(Qt.Checked))
        return True

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802 (Qt's name)
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.headers[section].replace(" (", "\n(")  # the unit on a line of its own: narrower columns
        if orientation == Qt.Horizontal and role == Qt.ToolTipRole and section == USED:
            return tr("Untick a point to leave it out of the fit, tick it to use it: the transform is fitted again at once. "
                      "Space does it for the selected point")
        if orientation == Qt.Horizontal and role == Qt.ToolTipRole and section == LEFT_OUT:
            return tr("The point's residual against the transform fitted without it and the points within {radius} px of it "
                      "(matched on overlapping windows, they share its errors): a thin-plate spline passes through every point "
                      "it uses (residual 0), so sort by this column to find a point that disagrees with the others").format(
                          radius=f"{LEFT_OUT_RADIUS_PX:g}")
        return None

    def _raw(self, row: int, column: int):
        tie, fit, metres = self.state.tie_points, self.state.fit, self.state.metres
        dx, dy = fit.residuals[row]
        values = (int(self.state.ids[row]), bool(tie.enabled[row]), float(np.hypot(dx, dy)),
                  float("nan") if metres is None else float(metres[row]), float(dx), float(dy), float(self.state.left_out[row]),
                  float(tie.distance[row]),
                  tie.rejected_by[row] or "")
        return values[column]

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or self.state is None:
            return None
        value = self._raw(index.row(), index.column())
        if role == SORT_ROLE:
            return int(value) if isinstance(value, bool) else value
        if role == ID_ROLE:
            return int(self.state.ids[index.row()])
        if role == Qt.CheckStateRole and index.column() == USED:
            return Qt.Checked if value else Qt.Unchecked
        if role == Qt.DisplayRole:
            if isinstance(value, bool):
                return None  # the Used box says it (Qt.CheckStateRole)
            if index.column() == REJECTED_BY:
                return rejection_label(value)
            if isinstance(value, float):
                return "" if not np.isfinite(value) else f"{value:.3f}" if index.column() == DISTANCE else f"{value:.2f}"
            return str(value)
        if role == Qt.ForegroundRole and not self.state.tie_points.enabled[index.row()]:
            return QBrush(QColor("#888888"))
        if role == Qt.TextAlignmentRole and index.column() != REJECTED_BY:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


def sortable(model: TiePointTableModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


class TiePointTableView(QTableView):
    """The table (over ``sortable``'s proxy). Space ticks or unticks the selected point's Used box, as
    a click on it does: a surveyor going down the residuals with the arrow keys needs no mouse."""

    def keyPressEvent(self, event):  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key_Space and event.modifiers() == Qt.NoModifier and self.toggle_used():
            event.accept()
            return
        super().keyPressEvent(event)

    def toggle_used(self) -> bool:
        """The selected point's Used box ticked or unticked; False when no point is selected or the
        boxes rest (a task runs)."""
        rows = self.selectionModel().selectedRows() if self.selectionModel() else []
        if not rows:
            return False
        proxy = self.model()
        model = proxy.sourceModel()
        index = model.index(proxy.mapToSource(rows[0]).row(), USED)
        ticked = index.data(Qt.CheckStateRole) == Qt.Checked
        return model.setData(index, Qt.Unchecked if ticked else Qt.Checked, Qt.CheckStateRole)
