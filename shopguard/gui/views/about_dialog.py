"""AboutDialog: version, privacy promise, and the licences of the bundled font and demo photos."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from shopguard import __version__
from shopguard.gui.state import AppState


class AboutDialog(QDialog):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = state.t
        self.setWindowTitle(t("gui.about.title"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        self.text_label = QLabel(self)
        self.text_label.setWordWrap(True)
        self.text_label.setOpenExternalLinks(False)
        self.text_label.setText(
            "<br><br>".join(
                [
                    f"<b style='font-size:14pt'>{t('app.name')}</b> {__version__}",
                    t("gui.about.what"),
                    t("gui.about.privacy"),
                    t("gui.about.font_licence"),
                    t("gui.about.demo_licence"),
                    t("gui.about.qt_licence"),
                ]
            )
        )
        layout.addWidget(self.text_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
