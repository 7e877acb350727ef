"""SettingsView: UI and report language, shop name and logo, data folder, GPS in reports; About."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shopguard.errors import ShopGuardError
from shopguard.gui.state import AppState
from shopguard.paths import choose_home
from shopguard.settings import PAGE_SIZES, REPORT_LANGUAGES, UI_LANGUAGES

# Language names are shown in their own language, so a user can always find theirs.
LANGUAGE_NATIVE = {"zh_CN": "中文", "en": "English"}


class SettingsView(QWidget):
    """Every change is saved at once (no Apply button).

    Signals:
        about_requested(): the About button.
    """

    about_requested = Signal()

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._pending_home: Path | None = None
        self.setObjectName("page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 14, 20, 14)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        outer.addWidget(self.title_label)
        self.box = QGroupBox(self)
        form = QFormLayout(self.box)
        s = state.settings
        self.ui_language_combo = QComboBox(self.box)
        for code in UI_LANGUAGES:
            self.ui_language_combo.addItem(code, code)
        self.ui_language_combo.setCurrentIndex(self.ui_language_combo.findData(s.ui_language))
        self.ui_language_combo.activated.connect(
            lambda _i: self._save(ui_language=self.ui_language_combo.currentData())
        )
        self.report_language_combo = QComboBox(self.box)
        for code in REPORT_LANGUAGES:
            self.report_language_combo.addItem(code, code)
        self.report_language_combo.setCurrentIndex(self.report_language_combo.findData(s.report_language))
        self.report_language_combo.activated.connect(
            lambda _i: self._save(report_language=self.report_language_combo.currentData())
        )
        self.page_size_combo = QComboBox(self.box)
        for size in PAGE_SIZES:
            self.page_size_combo.addItem(size, size)
        self.page_size_combo.setCurrentIndex(self.page_size_combo.findData(s.page_size))
        self.page_size_combo.activated.connect(lambda _i: self._save(page_size=self.page_size_combo.currentData()))
        self.shop_name_edit = QLineEdit(s.shop_name, self.box)
        self.shop_name_edit.editingFinished.connect(lambda: self._save(shop_name=self.shop_name_edit.text().strip()))
        logo_row = QHBoxLayout()
        self.logo_label = QLabel(self.box)
        self.logo_label.setObjectName("muted")
        self.logo_button = QPushButton(self.box)
        self.logo_button.clicked.connect(self._on_logo_button_clicked)
        self.logo_clear_button = QPushButton(self.box)
        self.logo_clear_button.clicked.connect(lambda: self._save(shop_logo=None))
        logo_row.addWidget(self.logo_label, 1)
        logo_row.addWidget(self.logo_button)
        logo_row.addWidget(self.logo_clear_button)
        home_row = QHBoxLayout()
        self.home_label = QLabel(str(state.home.root), self.box)
        self.home_label.setObjectName("muted")
        self.home_button = QPushButton(self.box)
        self.home_button.clicked.connect(lambda: state.dialogs.open_url(QUrl.fromLocalFile(str(state.home.root))))
        self.home_change_button = QPushButton(self.box)
        self.home_change_button.clicked.connect(self._on_home_change_button_clicked)
        home_row.addWidget(self.home_label, 1)
        home_row.addWidget(self.home_button)
        home_row.addWidget(self.home_change_button)
        self.gps_check = QCheckBox(self.box)
        self.gps_check.setChecked(s.include_gps_in_report)
        self.gps_check.toggled.connect(lambda on: self._save(include_gps_in_report=on))
        self._labels = [QLabel(self.box) for _ in range(7)]
        fields: list[QWidget | QHBoxLayout] = [
            self.ui_language_combo,
            self.report_language_combo,
            self.page_size_combo,
            self.shop_name_edit,
            logo_row,
            home_row,
            self.gps_check,
        ]
        for label, field in zip(self._labels, fields, strict=True):
            if isinstance(field, QWidget):
                form.addRow(label, field)
            else:
                form.addRow(label, field)
        self.box.setMaximumWidth(820)
        outer.addWidget(self.box)
        self.about_button = QPushButton(self)
        self.about_button.clicked.connect(self.about_requested)
        outer.addWidget(self.about_button, 0, Qt.AlignmentFlag.AlignLeft)
        outer.addStretch(1)
        state.language_changed.connect(self.retranslate)
        state.settings_changed.connect(self._show_logo)
        state.settings_changed.connect(self._on_state_settings_changed)
        self.retranslate()

    def _on_state_settings_changed(self) -> None:
        """A shop name set elsewhere (the welcome card, the demo shop) shows here too."""
        if not self.shop_name_edit.hasFocus() and self.shop_name_edit.text() != self.state.settings.shop_name:
            self.shop_name_edit.setText(self.state.settings.shop_name)

    def _save(self, **changes: object) -> None:
        try:
            self.state.update_settings(**changes)
        except ShopGuardError as exc:
            self.state.show_error(self, exc.message(self.state.lang))
            return
        self.state.status_message.emit(self.state.t("gui.settings.saved"))

    def _on_logo_button_clicked(self) -> None:
        path = self.state.dialogs.choose_logo(self, self.state.t("gui.settings.logo_title"))
        if path is not None:
            self._save(shop_logo=str(path))

    def _on_home_change_button_clicked(self) -> None:
        folder = self.state.dialogs.choose_folder(self, self.state.t("gui.settings.home_choose_title"))
        if folder is None:
            return
        try:
            choose_home(folder)
        except ShopGuardError as exc:
            self.state.show_error(self, exc.message(self.state.lang))
            return
        self._pending_home = folder.resolve()
        self._show_home()

    def _show_home(self) -> None:
        if self._pending_home is None or self._pending_home == self.state.home.root:
            self.home_label.setText(str(self.state.home.root))
        else:
            self.home_label.setText(
                self.state.t(
                    "gui.settings.home_pending", new=str(self._pending_home), current=str(self.state.home.root)
                )
            )

    def _show_logo(self) -> None:
        logo = self.state.settings.shop_logo
        self.logo_label.setText(logo or self.state.t("gui.settings.no_logo"))
        self.logo_clear_button.setEnabled(bool(logo))

    def retranslate(self) -> None:
        t = self.state.t
        self.title_label.setText(t("gui.settings.title"))
        self.box.setTitle("")
        self.ui_language_combo.setItemText(0, t("gui.settings.follow_system"))
        for combo, codes in ((self.ui_language_combo, UI_LANGUAGES), (self.report_language_combo, REPORT_LANGUAGES)):
            for i, code in enumerate(codes):
                if code in LANGUAGE_NATIVE:
                    combo.setItemText(i, LANGUAGE_NATIVE[code])
        self.report_language_combo.setItemText(REPORT_LANGUAGES.index("both"), t("gui.settings.both"))
        keys = ("ui_language", "report_language", "page_size", "shop_name", "logo", "home", "gps")
        for label, key in zip(self._labels, keys, strict=True):
            label.setText(t(f"gui.settings.{key}"))
            label.setToolTip(t(f"gui.settings.{key}_tip"))
        self.shop_name_edit.setToolTip(t("gui.settings.shop_name_tip"))
        self.logo_button.setText(t("gui.settings.logo_choose"))
        self.logo_clear_button.setText(t("gui.settings.logo_clear"))
        self.home_button.setText(t("gui.settings.home_open"))
        self.home_change_button.setText(t("gui.settings.home_change"))
        self.home_change_button.setToolTip(t("gui.settings.home_change_tip"))
        self._show_home()
        self.home_label.setToolTip(t("gui.settings.home_tip"))
        self.gps_check.setText(t("gui.settings.gps_check"))
        self.gps_check.setToolTip(t("gui.settings.gps_tip"))
        self.about_button.setText(t("gui.action.about"))
        self._show_logo()
