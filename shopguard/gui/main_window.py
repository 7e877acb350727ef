"""MainWindow: navigation between the pages, menus and shortcuts, drops anywhere, clean shutdown."""

from __future__ import annotations

import logging

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QWidget,
)

from shopguard.gui.state import AppState
from shopguard.gui.views.check_page import CheckPage
from shopguard.gui.widgets.drop_zone import image_paths_from_mime
from shopguard.paths import Home

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1180, 760)


class MainWindow(QMainWindow):
    """The ShopGuard window. ``state`` holds what the pages share; ``pages`` are in nav order."""

    PAGE_CHECK, PAGE_CASES, PAGE_LIBRARY, PAGE_SETTINGS = range(4)

    def __init__(self, home: Home, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = AppState(home, self)
        self.setAcceptDrops(True)
        self.resize(*DEFAULT_SIZE)
        self.setMinimumSize(900, 600)
        central = QWidget(self)
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.nav = QListWidget(central)
        self.nav.setObjectName("nav")
        self.nav.setFixedWidth(180)
        self.pages = QStackedWidget(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        self.check_page = CheckPage(self.state, self)
        self._add_page(self.check_page)
        self._build_extra_pages()
        self.nav.currentRowChanged.connect(self.pages.setCurrentIndex)
        self.nav.setCurrentRow(self.PAGE_CHECK)
        self._build_actions()
        self._build_status_bar()
        self.check_page.case_link_activated.connect(self.open_case)
        self.state.language_changed.connect(self.retranslate)
        self.state.runner.busy_changed.connect(self._on_runner_busy_changed)
        self.state.status_message.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.retranslate()
        self._restore_window_state()

    def start(self) -> None:
        """After the window is shown: count the library (decides whether to show the welcome)."""
        self.library_view.start()

    def _add_page(self, page: QWidget) -> None:
        self.pages.addWidget(page)
        self.nav.addItem("")

    def _build_extra_pages(self) -> None:
        """Cases, library and settings pages (each in its own module)."""
        from shopguard.gui.views.cases_view import CasesView
        from shopguard.gui.views.library_view import LibraryView
        from shopguard.gui.views.settings_view import SettingsView

        self.cases_view = CasesView(self.state, self)
        self.library_view = LibraryView(self.state, self)
        self.settings_view = SettingsView(self.state, self)
        for page in (self.cases_view, self.library_view, self.settings_view):
            self._add_page(page)
        self.cases_view.case_open_requested.connect(self.open_case)
        self.settings_view.about_requested.connect(self.show_about)
        self.check_page.start_view.demo_requested.connect(self.library_view.add_demo_shop)
        self.check_page.start_view.add_folder_requested.connect(self.library_view.add_folder)
        self.library_view.demo_ready.connect(self.check_page.start_view.show_demo_complaints)
        self.library_view.count_known.connect(self._on_library_count_known)

    def _build_actions(self) -> None:
        menu_bar = self.menuBar()
        self.file_menu = menu_bar.addMenu("")
        self.help_menu = menu_bar.addMenu("")
        self.open_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Open))
        self.open_action.triggered.connect(self._on_open_action)
        self.paste_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Paste))
        self.paste_action.triggered.connect(self._on_paste_action)
        self.report_action = QAction(self, shortcut=QKeySequence("Ctrl+R"))
        self.report_action.triggered.connect(self.check_page.create_report)
        self.print_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Print))
        self.print_action.triggered.connect(self.check_page.print_report)
        self.quit_action = QAction(self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        self.quit_action.triggered.connect(self.close)
        for action in (self.open_action, self.paste_action, self.report_action, self.print_action):
            self.file_menu.addAction(action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.about_action = QAction(self)
        self.about_action.triggered.connect(self.show_about)
        self.help_menu.addAction(self.about_action)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.busy_indicator = QProgressBar(self)
        self.busy_indicator.setRange(0, 0)
        self.busy_indicator.setFixedWidth(120)
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.setVisible(False)
        self.busy_label = QLabel(self)
        bar.addPermanentWidget(self.library_view.indexing_bar)
        bar.addPermanentWidget(self.busy_label)
        bar.addPermanentWidget(self.busy_indicator)

    # --- actions --------------------------------------------------------------------------------
    def _on_open_action(self) -> None:
        self.show_page(self.PAGE_CHECK)
        self.check_page.new_check()
        self.check_page.open_photos()

    def _on_paste_action(self) -> None:
        self.show_page(self.PAGE_CHECK)
        self.check_page.new_check()
        self.check_page.paste()

    def show_page(self, index: int) -> None:
        self.nav.setCurrentRow(index)

    def open_case(self, case_id: str) -> None:
        if self.check_page.open_case(case_id):
            self.show_page(self.PAGE_CHECK)

    def show_about(self) -> None:
        from shopguard.gui.views.about_dialog import AboutDialog

        dialog = AboutDialog(self.state, self)
        dialog.open()

    def _on_library_count_known(self, count: int) -> None:
        first_run = count == 0 and not self.state.settings.first_run_done
        self.check_page.start_view.set_welcome_visible(first_run)

    def _on_runner_busy_changed(self, busy: bool) -> None:
        self.busy_indicator.setVisible(busy)
        self.busy_label.setText(self.state.t("gui.status.working") if busy else "")

    # --- drops anywhere on the window -----------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if image_paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = image_paths_from_mime(event.mimeData())
        if not paths or self.check_page.is_checking:
            event.ignore()
            return
        event.acceptProposedAction()
        self.show_page(self.PAGE_CHECK)
        self.check_page.check_files(paths)

    # --- text -----------------------------------------------------------------------------------
    def retranslate(self) -> None:
        t = self.state.t
        self.statusBar().clearMessage()
        self.setWindowTitle(t("gui.window.title"))
        for row, key in enumerate(("check", "cases", "library", "settings")):
            item = self.nav.item(row)
            item.setText(t(f"gui.nav.{key}"))
            item.setToolTip(t(f"gui.nav.{key}_tip"))
        self.file_menu.setTitle(t("gui.menu.file"))
        self.help_menu.setTitle(t("gui.menu.help"))
        for action, key in (
            (self.open_action, "open"),
            (self.paste_action, "paste"),
            (self.report_action, "report"),
            (self.print_action, "print"),
            (self.quit_action, "quit"),
            (self.about_action, "about"),
        ):
            action.setText(t(f"gui.action.{key}"))
            action.setToolTip(t(f"gui.action.{key}_tip"))
        if self.busy_indicator.isVisible():
            self.busy_label.setText(t("gui.status.working"))

    # --- window state and shutdown --------------------------------------------------------------
    def _restore_window_state(self) -> None:
        geometry = QSettings().value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel all work, wait for the workers (partial work is never saved half-way), then close."""
        QSettings().setValue("window/geometry", self.saveGeometry())
        if not self.state.runner.shutdown():
            log.warning("some jobs did not stop in time")
        self.library_view.close_store()
        event.accept()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
