"""OptionalDateEdit: a date the seller may or may not know — a tick box in front of a date field.

A plain QDateEdit cannot be empty. Unticked, the field sits at its minimum date, which Qt shows as the
"special value text" ("not given"), so nothing looks filled in; ticking it moves the field to today, so the
calendar opens on this month rather than at the minimum years ago.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QWidget

EARLIEST = QDate(2000, 1, 1)
"""Below any order date a seller checks a complaint about; the field's "not given" value."""


class OptionalDateEdit(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.known_check = QCheckBox(self)
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMinimumDate(EARLIEST.addDays(-1))
        self.date_edit.setMaximumDate(QDate.currentDate().addDays(1))
        self.date_edit.setSpecialValueText("not given")  # replaced by the catalogue text in set_empty_text
        self.date_edit.setDate(self.date_edit.minimumDate())
        self.date_edit.setEnabled(False)
        self.known_check.toggled.connect(self._on_known_check_toggled)
        self.date_edit.dateChanged.connect(self._on_date_edit_changed)
        layout.addWidget(self.known_check)
        layout.addWidget(self.date_edit, 1)
        self.setFocusProxy(self.date_edit)

    def set_empty_text(self, text: str) -> None:
        """What the field says while no date is given (a catalogue text: "not given")."""
        self.date_edit.setSpecialValueText(text)

    def empty_text(self) -> str:
        return self.date_edit.specialValueText()

    def shown_text(self) -> str:
        """What the field shows: the date, or the "not given" text."""
        return self.date_edit.text()

    def _on_known_check_toggled(self, known: bool) -> None:
        self.date_edit.setEnabled(known)
        self.date_edit.blockSignals(True)
        if known and self.date_edit.date() == self.date_edit.minimumDate():
            self.date_edit.setDate(QDate.currentDate())
        elif not known:
            self.date_edit.setDate(self.date_edit.minimumDate())
        self.date_edit.blockSignals(False)

    def _on_date_edit_changed(self, qdate: QDate) -> None:
        if qdate != self.date_edit.minimumDate():
            self.known_check.setChecked(True)

    def value(self) -> date | None:
        """The date, or None when the seller did not give one."""
        if not self.known_check.isChecked():
            return None
        qdate = self.date_edit.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def set_value(self, value: date | None) -> None:
        if value is None:
            self.known_check.setChecked(False)
            self._on_known_check_toggled(False)
        else:
            self.date_edit.setDate(QDate(value.year, value.month, value.day))
            self.known_check.setChecked(True)

    def setToolTip(self, text: str) -> None:  # Qt's name
        super().setToolTip(text)
        self.known_check.setToolTip(text)
        self.date_edit.setToolTip(text)
