"""CasesView: past cases (search by order id or buyer, status open/appealed/won/lost, notes, reopen)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from shopguard.cases.archive import export_case, import_case
from shopguard.cases.model import CASE_STATUSES, Case
from shopguard.cases.store import CaseStore
from shopguard.gui.models.cases_model import CaseIdRole, CasesModel, SearchRole, StatusRole
from shopguard.gui.state import AppState
from shopguard.i18n.local_time import format_time
from shopguard.paths import Home


class CaseFilterModel(QSortFilterProxyModel):
    """Filters by free text (order id, buyer, case id, notes) and by status."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = ""
        self.status: str | None = None

    def set_filter(self, search: str, status: str | None) -> None:
        self.beginFilterChange()
        self.search, self.status = search.strip().lower(), status
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # type: ignore[override]
        index = self.sourceModel().index(source_row, 0, source_parent)
        if self.status and index.data(StatusRole) != self.status:
            return False
        return not self.search or self.search in str(index.data(SearchRole))


def _update_case(home: Home, case_id: str, status: str | None, notes: str | None) -> Case:
    return CaseStore(home.cases_dir).update(case_id, status=status, notes=notes)


class CasesView(QWidget):
    """The cases page.

    Signals:
        case_open_requested(str): reopen a case (its stored results).
        cases_loaded(): the list was (re)filled.
        case_updated(object): a status or notes change was saved (the Case).
    """

    case_open_requested = Signal(str)
    cases_loaded = Signal()
    case_updated = Signal(object)
    case_exported = Signal(object)
    case_imported = Signal(object)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("page")
        self._loaded = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        left = QVBoxLayout()
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        left.addWidget(self.title_label)
        bar = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setClearButtonEnabled(True)
        self.status_filter = QComboBox(self)
        self.status_filter.addItem("", None)
        for status in CASE_STATUSES:
            self.status_filter.addItem(status, status)
        self.import_button = QPushButton(self)
        self.import_button.clicked.connect(self.import_archive)
        bar.addWidget(self.search_edit, 1)
        bar.addWidget(self.status_filter)
        bar.addWidget(self.import_button)
        left.addLayout(bar)
        self.model = CasesModel(state.t, self)
        self.proxy = CaseFilterModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        header.setMinimumSectionSize(90)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._show_selected())
        left.addWidget(self.table, 1)
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("muted")
        left.addWidget(self.empty_label)
        layout.addLayout(left, 2)
        self.details = QGroupBox(self)
        form = QFormLayout(self.details)
        self.verdict_label = QLabel(self.details)
        self.verdict_label.setWordWrap(True)
        self.status_combo = QComboBox(self.details)
        for status in CASE_STATUSES:
            self.status_combo.addItem(status, status)
        self.status_combo.activated.connect(lambda _i: self.save_selected())
        self.notes_edit = QPlainTextEdit(self.details)
        self.save_button = QPushButton(self.details)
        self.save_button.clicked.connect(self.save_selected)
        self.open_button = QPushButton(self.details)
        self.open_button.setObjectName("primary")
        self.open_button.clicked.connect(self.open_selected)
        self.export_button = QPushButton(self.details)
        self.export_button.clicked.connect(self.export_selected)
        self._form_labels = [QLabel(self.details) for _ in range(3)]
        form.addRow(self._form_labels[0], self.verdict_label)
        form.addRow(self._form_labels[1], self.status_combo)
        form.addRow(self._form_labels[2], self.notes_edit)
        form.addRow(self.save_button)
        form.addRow(self.open_button)
        form.addRow(self.export_button)
        self.details.setEnabled(False)
        layout.addWidget(self.details, 1)
        self.search_edit.textChanged.connect(self._apply_filter)
        self.status_filter.currentIndexChanged.connect(self._apply_filter)
        state.case_stored.connect(lambda _id: self.reload() if self._loaded else None)
        state.language_changed.connect(self.retranslate)
        self.retranslate()

    def showEvent(self, event: QShowEvent) -> None:  # the list loads on first show
        super().showEvent(event)
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        cases_dir = self.state.home.cases_dir
        self.state.runner.submit(
            lambda progress, cancel: CaseStore(cases_dir).list(),
            on_success=self._on_cases_read,
            on_failure=lambda f: self.state.show_failure(self, f),
        )

    def _on_cases_read(self, cases: list[Case]) -> None:
        selected = self.selected_case()
        self.model.set_cases(cases)
        if (selected is None or not self.select_case(selected.id)) and self.proxy.rowCount():
            self.table.setCurrentIndex(self.proxy.index(0, 0))
        self.empty_label.setVisible(not cases)
        self.cases_loaded.emit()

    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.search_edit.text(), self.status_filter.currentData())

    def select_case(self, case_id: str) -> bool:
        row = self.model.row_of(case_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        self.table.setCurrentIndex(index)
        return True

    def selected_case(self) -> Case | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        row = self.model.row_of(str(index.data(CaseIdRole)))
        return self.model.cases[row] if row >= 0 else None

    def _show_selected(self) -> None:
        case = self.selected_case()
        self.details.setEnabled(case is not None)
        if case is None:
            return
        lang, t = self.state.lang, self.state.t
        self.verdict_label.setText(case.verdict.summary(lang))
        self.verdict_label.setToolTip(t("gui.cases.created_at", time=format_time(case.created_at, lang)))
        self.status_combo.setCurrentIndex(max(0, self.status_combo.findData(case.status)))
        self.notes_edit.setPlainText(case.notes)

    def save_selected(self) -> None:
        case = self.selected_case()
        if case is None:
            return
        home, status, notes = self.state.home, self.status_combo.currentData(), self.notes_edit.toPlainText()
        self.state.runner.submit(
            lambda progress, cancel: _update_case(home, case.id, status, notes),
            on_success=self._on_case_saved,
            on_failure=lambda f: self.state.show_failure(self, f),
        )

    def _on_case_saved(self, case: Case) -> None:
        row = self.model.row_of(case.id)
        if row >= 0:
            self.model.cases[row] = case
            self.model.dataChanged.emit(self.model.index(row, 0), self.model.index(row, 5))
        self.state.status_message.emit(self.state.t("gui.cases.saved"))
        self.case_updated.emit(case)

    def open_selected(self) -> None:
        case = self.selected_case()
        if case is not None:
            self.case_open_requested.emit(case.id)

    def export_selected(self) -> None:
        """Export… : the selected case as a verified zip (written on a worker thread)."""
        case = self.selected_case()
        if case is None:
            return
        out = self.state.dialogs.save_archive_path(self, self.state.t("gui.cases.export_title"), Path(f"{case.id}.zip"))
        if out is None:
            return
        cases_dir = self.state.home.cases_dir
        self.state.runner.submit(
            lambda progress, cancel: export_case(cases_dir, case.id, out),
            on_success=self._on_case_exported,
            on_failure=lambda f: self.state.show_failure(self, f),
        )

    def _on_case_exported(self, path: Path) -> None:
        self.state.status_message.emit(self.state.t("gui.cases.exported", path=str(path)))
        self.case_exported.emit(path)

    def import_archive(self) -> None:
        """Import… : verify a case archive and add its case (on a worker thread); a refused one says why."""
        archive = self.state.dialogs.open_archive(self, self.state.t("gui.cases.import_title"))
        if archive is None:
            return
        cases_dir = self.state.home.cases_dir
        self.state.runner.submit(
            lambda progress, cancel: import_case(cases_dir, archive),
            on_success=self._on_case_imported,
            on_failure=lambda f: self.state.show_failure(self, f),
        )

    def _on_case_imported(self, case: Case) -> None:
        self.state.status_message.emit(self.state.t("cases.imported", case_id=case.id, photos=len(case.photos)))
        self.case_imported.emit(case)
        self.reload()

    def retranslate(self) -> None:
        t = self.state.t
        self.title_label.setText(t("gui.cases.title"))
        self.search_edit.setPlaceholderText(t("gui.cases.search"))
        self.status_filter.setItemText(0, t("gui.cases.all_statuses"))
        for i, status in enumerate(CASE_STATUSES):
            self.status_filter.setItemText(i + 1, t(f"gui.cases.status.{status}"))
            self.status_combo.setItemText(i, t(f"gui.cases.status.{status}"))
        self.status_combo.setToolTip(t("gui.cases.status_tip"))
        self.details.setTitle(t("gui.cases.details"))
        for label, key in zip(self._form_labels, ("verdict", "status", "notes"), strict=True):
            label.setText(t(f"gui.cases.field.{key}"))
        self.save_button.setText(t("gui.cases.save"))
        self.open_button.setText(t("gui.cases.open"))
        self.open_button.setToolTip(t("gui.cases.open_tip"))
        self.export_button.setText(t("gui.cases.export"))
        self.export_button.setToolTip(t("gui.cases.export_tip"))
        self.import_button.setText(t("gui.cases.import"))
        self.import_button.setToolTip(t("gui.cases.import_tip"))
        self.empty_label.setText(t("gui.cases.empty"))
        self.model.lang = self.state.lang
        self.model.retranslate()
        self._show_selected()
