"""VerdictBanner: the one-line verdict in plain words, coloured by how strong the evidence is."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStyle, QVBoxLayout, QWidget

from shopguard.gui.style import banner_css

# Standard icons render on every platform; emoji glyphs are missing from many fonts (even WQY).
LEVEL_ICONS = {
    "strong": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "moderate": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "weak": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "none": QStyle.StandardPixmap.SP_DialogApplyButton,
    "pending": QStyle.StandardPixmap.SP_BrowserReload,
}


class VerdictBanner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.icon_label = QLabel(self)
        self.icon_label.setFixedSize(36, 36)
        layout.addWidget(self.icon_label)
        texts = QVBoxLayout()
        self.level_label = QLabel(self)
        self.level_label.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        texts.addWidget(self.level_label)
        texts.addWidget(self.summary_label)
        layout.addLayout(texts, 1)
        self.level = "none"

    def show_verdict(self, level: str, level_text: str, summary: str) -> None:
        self.level = level
        self.setStyleSheet(banner_css(level))
        icon = self.style().standardIcon(LEVEL_ICONS.get(level, LEVEL_ICONS["none"]))
        self.icon_label.setPixmap(icon.pixmap(32, 32))
        self.level_label.setText(level_text)
        self.summary_label.setText(summary)
