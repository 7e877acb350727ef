"""ReportBar: the inline message under the result's buttons that says where the report went.

"Report saved: ShopGuard-….pdf in ~/Documents" with *Open*, *Show in folder*, *Print* (and *Export pages*),
or, when the desktop has no program for PDF files, says so and where the file is instead of failing silently.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QWidget

from shopguard.gui.style import TONES

FOLDER_ELIDE_PX = 360


class ReportBar(QFrame):
    """A calm (blue) or warning (amber) bar with the report's name, its folder and the report buttons.

    The buttons are public so the view connects them; ``show_report`` and ``show_warning`` set the text.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 8, 6)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("reportMessage")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label, 1)
        self.open_button = QPushButton(self)
        self.folder_button = QPushButton(self)
        self.print_button = QPushButton(self)
        self.export_button = QPushButton(self)
        for button in (self.open_button, self.folder_button, self.print_button, self.export_button):
            layout.addWidget(button)
        self.path: Path | None = None
        self._message = ""
        self.set_tone("pending")

    def set_tone(self, tone_name: str) -> None:
        tone = TONES[tone_name]
        self.setStyleSheet(
            f"QFrame#reportBar {{ background: {tone.background}; border: 1px solid {tone.border};"
            f" border-radius: 8px; }} QLabel#reportMessage {{ color: {tone.foreground}; }}"
        )

    def show_message(self, message: str, path: Path, *, warning: bool = False) -> None:
        """Show ``message`` (its ``{folder}`` is filled with the report's folder, elided to fit)."""
        self.path = path
        self._message = message
        self.set_tone("moderate" if warning else "pending")
        self.message_label.setToolTip(str(path))
        self._fit_text()

    def message(self) -> str:
        """The bar's text as shown (folder elided)."""
        return self.message_label.text()

    def _fit_text(self) -> None:
        if self.path is None:
            return
        folder = self.message_label.fontMetrics().elidedText(
            str(self.path.parent), Qt.TextElideMode.ElideMiddle, FOLDER_ELIDE_PX
        )
        self.message_label.setText(self._message.replace("{folder}", folder))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_text()
