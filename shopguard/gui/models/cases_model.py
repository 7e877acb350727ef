"""CasesModel: stored cases as a table (date, platform, order, buyer, verdict, status)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from shopguard.cases.model import Case
from shopguard.gui.style import TONES
from shopguard.i18n.local_time import format_time

COLUMNS = ("created", "platform", "order_id", "buyer", "verdict", "status")
CaseIdRole = Qt.ItemDataRole.UserRole + 1
SearchRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex


class CasesModel(QAbstractTableModel):
    """Rows are ``Case`` values; ``translate`` renders labels in the current language."""

    def __init__(self, translate: Callable[..., str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._t = translate
        self.lang = "en"  # the language of the created time's format; the view sets it with the UI language
        self.cases: list[Case] = []

    def set_cases(self, cases: list[Case]) -> None:
        self.beginResetModel()
        self.cases = cases
        self.endResetModel()

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        if self.cases:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.cases) - 1, len(COLUMNS) - 1))

    def row_of(self, case_id: str) -> int:
        return next((i for i, c in enumerate(self.cases) if c.id == case_id), -1)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008  # Qt's signature
        return 0 if parent.isValid() else len(self.cases)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008  # Qt's signature
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._t(f"gui.cases.col.{COLUMNS[section]}")
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        case = self.cases[index.row()]
        column = COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(case, column)
        if role == Qt.ItemDataRole.ForegroundRole and column == "verdict":
            return QColor(TONES[case.verdict.level.value].foreground)
        if role == CaseIdRole:
            return case.id
        if role == StatusRole:
            return case.status
        if role == SearchRole:
            f = case.facts
            return " ".join(v for v in (case.id, f.order_id, f.buyer, f.platform, case.notes) if v).lower()
        return None

    def _display(self, case: Case, column: str) -> str:
        f = case.facts
        if column == "created":
            return format_time(case.created_at, self.lang)
        if column == "platform":
            return self._t(f"gui.platform.{f.platform}") if f.platform else ""
        if column == "order_id":
            return f.order_id or ""
        if column == "buyer":
            return f.buyer or ""
        if column == "verdict":
            return self._t(f"verdict.level.{case.verdict.level.value}")
        return self._t(f"gui.cases.status.{case.status}")
