"""LiveCheckBar: the strip over a result that is still coming in (what is being checked, how far, Cancel)."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from shopguard.progress import Progress


def show_fraction(bar: QProgressBar, progress: Progress) -> None:
    """Show ``progress`` on ``bar``: a moving "busy" bar while the total is unknown."""
    if progress.fraction is None:
        bar.setRange(0, 0)
    else:
        bar.setRange(0, 1000)
        bar.setValue(int(progress.fraction * 1000))


class LiveCheckBar(QFrame):
    """Progress of a running check, shown above the photos already checked.

    The owner connects ``cancel_button.clicked`` and sets the texts (it knows the language).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 12, 6)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("muted")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setFixedWidth(260)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QPushButton(self)
        layout.addWidget(self.message_label, 1)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.cancel_button)

    def show_progress(self, progress: Progress, message: str) -> None:
        show_fraction(self.progress_bar, progress)
        self.message_label.setText(message)
