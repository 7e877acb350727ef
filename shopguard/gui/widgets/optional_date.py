"""OptionalDateEdit: a date the seller may or may not know — a tick box in front of a date field.

A plain QDateEdit cannot be empty; a "special value" at its minimum date would open its calendar
years in the past, so the field starts at today and only counts once ticked.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QCheckBox, QDateEdit, QHBoxLayout, QWidget


class OptionalDateEdit(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.known_check = QCheckBox(self)
        self.date_edit = QDateEdit(QDate.currentDate(), self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMaximumDate(QDate.currentDate().addDays(1))
        self.date_edit.setEnabled(False)
        self.known_check.toggled.connect(self.date_edit.setEnabled)
        self.date_edit.dateChanged.connect(lambda _d: self.known_check.setChecked(True))
        layout.addWidget(self.known_check)
        layout.addWidget(self.date_edit, 1)
        self.setFocusProxy(self.date_edit)

    def value(self) -> date | None:
        """The date, or None when the seller did not give one."""
        if not self.known_check.isChecked():
            return None
        qdate = self.date_edit.date()
        return date(qdate.year(), qdate.month(), qdate.day())

    def set_value(self, value: date | None) -> None:
        if value is None:
            self.date_edit.blockSignals(True)
            self.date_edit.setDate(QDate.currentDate())
            self.date_edit.blockSignals(False)
            self.known_check.setChecked(False)
        else:
            self.date_edit.setDate(QDate(value.year, value.month, value.day))
            self.known_check.setChecked(True)

    def setToolTip(self, text: str) -> None:  # Qt's name
        super().setToolTip(text)
        self.known_check.setToolTip(text)
        self.date_edit.setToolTip(text)
