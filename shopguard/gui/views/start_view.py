"""StartView: the empty state: drop zone, Open/Paste buttons, order form, first-run welcome and demo shop."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shopguard.errors import ShopGuardError
from shopguard.gui.state import AppState
from shopguard.gui.views.order_form import OrderForm
from shopguard.gui.widgets.drop_zone import DropZone


class StartView(QWidget):
    """What the window shows before a check.

    Signals:
        files_chosen(list[Path]): photos were dropped here.
        open_requested(), paste_requested(): the Open / Paste buttons.
        demo_requested(): "Try the demo shop".
        add_folder_requested(): "Add product photo folder…".
        demo_complaint_chosen(Path): one of the demo complaint buttons.
    """

    files_chosen = Signal(list)
    open_requested = Signal()
    paste_requested = Signal()
    demo_requested = Signal()
    add_folder_requested = Signal()
    demo_complaint_chosen = Signal(Path)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("page")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(24, 20, 24, 20)
        outer.setSpacing(20)
        left = QVBoxLayout()
        self.welcome = self._build_welcome()
        left.addWidget(self.welcome)
        self.drop_zone = DropZone(self)
        self.drop_zone.files_dropped.connect(self.files_chosen)
        left.addWidget(self.drop_zone, 1)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(self)
        self.open_button.setObjectName("primary")
        self.open_button.clicked.connect(self.open_requested)
        self.paste_button = QPushButton(self)
        self.paste_button.clicked.connect(self.paste_requested)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.paste_button)
        buttons.addStretch(1)
        left.addLayout(buttons)
        self.demo_card = self._build_demo_card()
        left.addWidget(self.demo_card)
        outer.addLayout(left, 3)
        self.order_form = OrderForm(state, self)
        right = QVBoxLayout()
        right.addWidget(self.order_form)
        self.privacy_label = QLabel(self)
        self.privacy_label.setObjectName("muted")
        self.privacy_label.setWordWrap(True)
        right.addWidget(self.privacy_label)
        right.addStretch(1)
        outer.addLayout(right, 2)
        state.language_changed.connect(self.retranslate)
        state.settings_changed.connect(self._on_state_settings_changed)
        self.retranslate()

    def _on_state_settings_changed(self) -> None:
        if not self.shop_name_edit.hasFocus():
            self.shop_name_edit.setText(self.state.settings.shop_name)

    def _build_welcome(self) -> QFrame:
        card = QFrame(self)
        card.setObjectName("card")
        layout = QVBoxLayout(card)
        self.welcome_title = QLabel(card)
        self.welcome_title.setObjectName("pageTitle")
        self.welcome_text = QLabel(card)
        self.welcome_text.setWordWrap(True)
        row = QHBoxLayout()
        self.shop_name_edit = QLineEdit(card)
        self.shop_name_edit.setText(self.state.settings.shop_name)
        self.shop_name_edit.editingFinished.connect(self._on_shop_name_edited)
        self.add_folder_button = QPushButton(card)
        self.add_folder_button.setObjectName("primary")
        self.add_folder_button.clicked.connect(self.add_folder_requested)
        self.demo_button = QPushButton(card)
        self.demo_button.clicked.connect(self.demo_requested)
        row.addWidget(self.add_folder_button)
        row.addWidget(self.demo_button)
        row.addStretch(1)
        layout.addWidget(self.welcome_title)
        layout.addWidget(self.welcome_text)
        layout.addWidget(self.shop_name_edit)
        layout.addLayout(row)
        return card

    def _build_demo_card(self) -> QFrame:
        """The demo shop's card: says (for as long as the demo is in the library, also after a restart) that the
        demo shop is installed, and offers its sample complaints."""
        card = QFrame(self)
        card.setObjectName("card")
        outer = QVBoxLayout(card)
        self.demo_ready_label = QLabel(card)
        self.demo_ready_label.setObjectName("demoReady")
        self.demo_ready_label.setWordWrap(True)
        outer.addWidget(self.demo_ready_label)
        layout = self.demo_layout = QHBoxLayout()
        self.demo_label = QLabel(card)
        self.demo_label.setWordWrap(True)
        layout.addWidget(self.demo_label, 1)
        outer.addLayout(layout)
        self.demo_buttons: list[QPushButton] = []
        self.demo_photo_count = 0
        card.setVisible(False)
        return card

    def _on_shop_name_edited(self) -> None:
        name = self.shop_name_edit.text().strip()
        if name != self.state.settings.shop_name:
            try:
                self.state.update_settings(shop_name=name)
            except ShopGuardError as exc:
                self.state.show_error(self, exc.message(self.state.lang))

    def set_welcome_visible(self, visible: bool) -> None:
        self.welcome.setVisible(visible)

    def show_demo_complaints(self, paths: list[Path], photo_count: int) -> None:
        """Offer one button per demo complaint photo; ``photo_count`` demo product photos are in the library."""
        self.demo_photo_count = photo_count
        self.demo_ready_label.setText(
            self.state.t("gui.demo.ready", count=photo_count, library=self.state.t("gui.nav.library"))
        )
        layout = self.demo_layout
        for button in self.demo_buttons:
            layout.removeWidget(button)
            button.deleteLater()
        self.demo_buttons = []
        for path in paths:
            button = QPushButton(path.name, self.demo_card)  # a file name reads as one in every language
            button.clicked.connect(lambda _=False, p=path: self.demo_complaint_chosen.emit(p))
            layout.addWidget(button)
            self.demo_buttons.append(button)
        self.demo_card.setVisible(bool(paths))

    def retranslate(self) -> None:
        t = self.state.t
        self.drop_zone.set_texts(t("gui.start.drop_title"), t("gui.start.drop_hint"))
        self.open_button.setText(t("gui.start.open"))
        self.open_button.setToolTip(t("gui.start.open_tip"))
        self.paste_button.setText(t("gui.start.paste"))
        self.paste_button.setToolTip(t("gui.start.paste_tip"))
        self.welcome_title.setText(t("gui.welcome.title"))
        self.welcome_text.setText(t("gui.welcome.text"))
        self.shop_name_edit.setPlaceholderText(t("gui.welcome.shop_name"))
        self.add_folder_button.setText(t("gui.welcome.add_folder"))
        self.add_folder_button.setToolTip(t("gui.library.add_tip"))
        self.demo_button.setText(t("gui.welcome.demo"))
        self.demo_button.setToolTip(t("gui.welcome.demo_tip"))
        self.demo_label.setText(t("gui.demo.complaints"))
        self.demo_ready_label.setText(t("gui.demo.ready", count=self.demo_photo_count, library=t("gui.nav.library")))
        self.privacy_label.setText(t("gui.start.privacy"))
        self.drop_zone.setToolTip(t("gui.start.drop_tip"))
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
