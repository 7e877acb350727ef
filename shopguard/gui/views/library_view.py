"""LibraryView: the shop's photos (thumbnail grid, search, add folder, re-scan, remove, missing files)
and the background indexing with progress, ETA and cancel (shown in the status bar on every page)."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from shopguard.errors import ShopGuardError
from shopguard.gui.demo_shop import demo_complaint_files, demo_photos_in_library
from shopguard.gui.jobs import JobFailure
from shopguard.gui.models.library_model import LibraryModel, PathRole, read_library_entries
from shopguard.gui.state import AppState
from shopguard.gui.widgets.optional_date import OptionalDateEdit
from shopguard.imaging.video_sniff import VIDEO_SUFFIXES
from shopguard.library.indexer import IMAGE_SUFFIXES, IndexSummary, index_paths
from shopguard.library.schema import needs_upgrade
from shopguard.library.store import LibraryStore
from shopguard.paths import resource_path
from shopguard.progress import CancelToken, Progress, ProgressFn


class IndexingBar(QWidget):
    """Indexing progress: "123 / 456 · about 2 min left" and Cancel."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(self)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setFixedWidth(160)
        self.progress_bar.setTextVisible(False)
        self.cancel_button = QPushButton(self)
        layout.addWidget(self.label)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.cancel_button)
        self._started = 0.0
        self.setVisible(False)
        state.language_changed.connect(self.retranslate)
        self.retranslate()

    def retranslate(self) -> None:
        self.cancel_button.setText(self.state.t("gui.busy.cancel"))
        self.cancel_button.setToolTip(self.state.t("gui.library.cancel_tip"))

    def start(self) -> None:
        self._started = time.monotonic()
        self.progress_bar.setRange(0, 0)
        self.label.setText(self.state.t("gui.library.indexing_start"))
        self.setVisible(True)

    def update_progress(self, progress: Progress) -> None:
        if progress.total <= 0:
            return
        self.progress_bar.setRange(0, progress.total)
        self.progress_bar.setValue(progress.done)
        elapsed = time.monotonic() - self._started
        left_s = elapsed / progress.done * (progress.total - progress.done) if progress.done else 0
        eta = self.state.t("gui.library.eta", minutes=max(1, round(left_s / 60))) if progress.done > 2 else ""
        self.label.setText(self.state.t("gui.library.indexing", done=progress.done, total=progress.total, eta=eta))


class LibraryView(QWidget):
    """The library page.

    Signals:
        count_known(int): number of library photos (emitted at start and after changes).
        demo_ready(list[Path], int): the demo shop is in the library (just indexed, or found there at start):
            its complaint photos and how many demo product photos the library holds.
        indexing_finished(object): an indexing run ended (its IndexSummary).
        indexing_cancelled(): the user cancelled indexing.
        entries_loaded(): the grid was (re)filled.
        listing_recorded(int): listing facts were recorded for the selected photos (how many changed).
    """

    count_known = Signal(int)
    demo_ready = Signal(list, int)
    indexing_finished = Signal(object)
    indexing_cancelled = Signal()
    entries_loaded = Signal()
    listing_recorded = Signal(int)

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("page")
        self._store: LibraryStore | None = None
        self._outdated = 0  # photos an earlier version described (LibraryStore.outdated_feature_count)
        self._index_token: CancelToken | None = None
        self._loaded = False
        self.no_photos_box: QMessageBox | None = None
        self.indexing_bar = IndexingBar(state)
        self.indexing_bar.cancel_button.clicked.connect(self.cancel_indexing)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        self.title_label = QLabel(self)
        self.title_label.setObjectName("pageTitle")
        layout.addWidget(self.title_label)
        bar = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setClearButtonEnabled(True)
        self.add_button = QPushButton(self)
        self.add_button.setObjectName("primary")
        self.add_button.clicked.connect(self.add_folder)
        self.rescan_button = QPushButton(self)
        self.rescan_button.clicked.connect(self.rescan)
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(self.remove_selected)
        bar.addWidget(self.search_edit, 1)
        for button in (self.add_button, self.rescan_button, self.remove_button):
            bar.addWidget(button)
        layout.addLayout(bar)
        listing = QHBoxLayout()
        self.listed_since_label = QLabel(self)
        self.listed_since_edit = OptionalDateEdit(self)
        self.listed_since_label.setBuddy(self.listed_since_edit)
        self.listing_url_label = QLabel(self)
        self.listing_url_edit = QLineEdit(self)
        self.listing_url_label.setBuddy(self.listing_url_edit)
        self.apply_listing_button = QPushButton(self)
        self.apply_listing_button.clicked.connect(self.apply_listing_to_selected)
        listing.addWidget(self.listed_since_label)
        listing.addWidget(self.listed_since_edit)
        listing.addWidget(self.listing_url_label)
        listing.addWidget(self.listing_url_edit, 1)
        listing.addWidget(self.apply_listing_button)
        layout.addLayout(listing)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("muted")
        layout.addWidget(self.count_label)
        self.model = LibraryModel(state.runner, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.grid = QListView(self)
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setIconSize(QSize(140, 140))
        self.grid.setGridSize(QSize(176, 196))
        self.grid.setUniformItemSizes(True)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        # One caption line per photo, elided in the middle (the name's start and its extension stay); the full
        # name and path are in the tooltip. Wrapped names made captions of one to three lines, out of line.
        self.grid.setWordWrap(False)
        self.grid.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.grid.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.grid.setModel(self.proxy)
        self.grid.selectionModel().selectionChanged.connect(lambda _s, _d: self._update_buttons())
        layout.addWidget(self.grid, 1)
        state.language_changed.connect(self.retranslate)
        self.retranslate()

    # --- loading --------------------------------------------------------------------------------
    def start(self) -> None:
        """Count the library (one quick query on this thread's own connection); rows load on first show.

        A library made by an earlier version is upgraded first, in a job: that can take seconds."""
        home = self.state.home
        if not needs_upgrade(home.library_db):
            self._open_store()
            return

        def upgrade(_progress: ProgressFn, _cancel: CancelToken) -> None:
            LibraryStore(home.library_db).close()  # opening migrates it

        def failed(failure: JobFailure) -> None:
            self.state.show_failure(self, failure)

        self.state.status_message.emit(self.state.t("progress.library_upgrade"))
        self.state.runner.submit(upgrade, on_success=lambda _none: self._open_store(), on_failure=failed)

    def _open_store(self) -> None:
        self._store = LibraryStore(self.state.home.library_db)
        count = self._store.count()
        self._outdated = self._store.outdated_feature_count()
        self._show_count(count)
        self.count_known.emit(count)
        demo_count = demo_photos_in_library(self._store) if count else 0
        if demo_count:  # the demo's sample complaints stay on offer after a restart
            self.demo_ready.emit(demo_complaint_files(), demo_count)
        if self._outdated:
            self.state.status_message.emit(self.state.t("gui.library.outdated_status", count=self._outdated))

    def close_store(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def showEvent(self, event: QShowEvent) -> None:  # rows load on first show
        super().showEvent(event)
        if not self._loaded:
            self.reload()

    def reload(self) -> None:
        self._loaded = True
        home = self.state.home
        self.state.runner.submit(
            lambda progress, cancel: read_library_entries(home),
            on_success=self._on_entries_read,
            on_failure=lambda f: self.state.show_failure(self, f),
        )

    def _on_entries_read(self, entries: list[object]) -> None:
        self.model.set_entries(entries)  # type: ignore[arg-type]  # LibraryEntry list from the job
        if self._store is not None:  # entries are read again after indexing, which may have refreshed some
            self._outdated = self._store.outdated_feature_count()
        self._show_count(len(entries))
        self.entries_loaded.emit()

    def _show_count(self, count: int) -> None:
        missing = sum(1 for row in range(self.model.rowCount()) if self.model.entry(row).status != "present")
        label = self.state.t("gui.library.count", count=count, missing=missing)
        if self._outdated:  # until a re-scan describes them again (docs/matching.md)
            label += " · " + self.state.t("gui.library.outdated", count=self._outdated)
        self.count_label.setText(label)

    # --- indexing -------------------------------------------------------------------------------
    @property
    def is_indexing(self) -> bool:
        return self._index_token is not None

    def listing_facts(self) -> tuple[str | None, str | None]:
        """The listing publish date (ISO) and link the seller entered; None where left empty."""
        since = self.listed_since_edit.value()
        return (since.isoformat() if since else None), (self.listing_url_edit.text().strip() or None)

    def add_folder(self) -> None:
        """Add a folder; the listing date and link entered above, if any, go to every photo in it."""
        folder = self.state.dialogs.choose_folder(self, self.state.t("gui.library.add_title"))
        if folder is not None:
            self.index([folder], listing=self.listing_facts())

    def apply_listing_to_selected(self) -> None:
        """Record the entered listing date and link for the selected photos (each change a journal entry)."""
        paths = tuple(str(i.data(PathRole)) for i in self.grid.selectionModel().selectedIndexes())
        since, url = self.listing_facts()
        if not paths or (since is None and url is None):
            return
        home = self.state.home

        def job(progress: ProgressFn, cancel: CancelToken) -> int:
            store = LibraryStore(home.library_db)
            try:
                return store.set_listing(paths, since, url)
            finally:
                store.close()

        def done(count: int) -> None:
            self.state.status_message.emit(self.state.t("gui.library.listing_done", count=count))
            self.listing_recorded.emit(count)

        self.state.runner.submit(job, on_success=done, on_failure=lambda f: self.state.show_failure(self, f))

    def add_demo_shop(self) -> None:
        self.index([resource_path("demo", "library")], demo=True)

    def rescan(self) -> None:
        folders = [Path(f) for f in self.state.settings.library_folders]
        if folders:
            self.index(folders, remember=False)

    def index(
        self,
        folders: list[Path],
        *,
        demo: bool = False,
        remember: bool = True,
        listing: tuple[str | None, str | None] = (None, None),
    ) -> bool:
        """Index ``folders`` in the background (with the listing date and link, when given); False when
        indexing is already running."""
        if self.is_indexing:
            return False
        home, targets = self.state.home, tuple(str(f) for f in folders)
        since, url = listing

        def job(progress: ProgressFn, cancel: CancelToken) -> IndexSummary:
            store = LibraryStore(home.library_db)
            try:
                return index_paths(
                    store, targets, progress=progress, cancel=cancel, listed_since=since, listing_url=url
                )
            finally:
                store.close()

        self.indexing_bar.start()
        self._update_buttons(indexing=True)
        self._index_token = self.state.runner.submit(
            job,
            on_progress=self.indexing_bar.update_progress,
            on_success=lambda summary: self._on_indexing_succeeded(summary, targets, demo, remember),
            on_failure=self._on_indexing_failed,
            on_cancel=self._on_indexing_cancelled,
        )
        return True

    def cancel_indexing(self) -> None:
        if self._index_token is not None:
            self._index_token.cancel()

    def _update_buttons(self, indexing: bool | None = None) -> None:
        busy = self.is_indexing if indexing is None else indexing
        self.add_button.setEnabled(not busy)
        self.rescan_button.setEnabled(not busy and bool(self.state.settings.library_folders))
        self.remove_button.setEnabled(not busy and self.grid.selectionModel().hasSelection())
        self.apply_listing_button.setEnabled(not busy and self.grid.selectionModel().hasSelection())

    def _indexing_ended(self) -> None:
        self._index_token = None
        self._update_buttons(indexing=False)
        self.indexing_bar.setVisible(False)
        self.reload()
        if self._store is not None:
            self.count_known.emit(self._store.count())
        self.state.library_changed.emit()

    def _on_indexing_succeeded(
        self, summary: IndexSummary, targets: tuple[str, ...], demo: bool, remember: bool
    ) -> None:
        changes: dict[str, object] = {"first_run_done": True}
        if demo and not self.state.settings.shop_name:
            changes["shop_name"] = self.state.t("gui.demo.shop_name")  # reports show whose shop; changeable
        if remember:
            folders = list(self.state.settings.library_folders)
            changes["library_folders"] = tuple(folders + [t for t in targets if t not in folders])
        try:
            self.state.update_settings(**changes)
        except ShopGuardError as exc:
            self.state.show_error(self, exc.message(self.state.lang))
        self._indexing_ended()
        self.state.status_message.emit(
            self.state.t("gui.library.done", added=summary.added, updated=summary.updated, failed=len(summary.failed))
        )
        if summary.empty_folders:
            self._say_no_photos_found(summary.empty_folders)
        self.indexing_finished.emit(summary)
        if demo and self._store is not None:
            self.demo_ready.emit(demo_complaint_files(), demo_photos_in_library(self._store))

    def _say_no_photos_found(self, folders: list[str]) -> None:
        """A folder without photos is said in words, with the file types read (not "0 added")."""
        t = self.state.t
        message = t(
            "gui.library.no_photos",
            count=len(folders),
            folders="\n".join(folders),
            suffixes=" ".join(sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES)),
        )
        box = QMessageBox(
            QMessageBox.Icon.Information, t("gui.library.title"), message, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("noPhotosDialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # window-modal but non-blocking
        self.no_photos_box = box

    def _on_indexing_failed(self, failure: JobFailure) -> None:
        self._indexing_ended()
        self.state.show_failure(self, failure)

    def _on_indexing_cancelled(self) -> None:
        self._indexing_ended()
        self.indexing_cancelled.emit()

    # --- removing -------------------------------------------------------------------------------
    def remove_selected(self) -> None:
        paths = tuple(str(i.data(PathRole)) for i in self.grid.selectionModel().selectedIndexes())
        if not paths:
            return
        home = self.state.home

        def job(progress: ProgressFn, cancel: CancelToken) -> int:
            store = LibraryStore(home.library_db)
            try:
                removed = store.remove(paths)
                store.refresh_index()  # here, on the worker: a rewrite of the stored index may be due
                return removed
            finally:
                store.close()

        self.state.runner.submit(
            job, on_success=lambda _n: self._indexing_ended(), on_failure=lambda f: self.state.show_failure(self, f)
        )

    def retranslate(self) -> None:
        t = self.state.t
        self.title_label.setText(t("gui.library.title"))
        self.search_edit.setPlaceholderText(t("gui.library.search"))
        self.add_button.setText(t("gui.library.add"))
        self.add_button.setToolTip(t("gui.library.add_tip"))
        self.rescan_button.setText(t("gui.library.rescan"))
        self.rescan_button.setToolTip(t("gui.library.rescan_tip"))
        self.remove_button.setText(t("gui.library.remove"))
        self.remove_button.setToolTip(t("gui.library.remove_tip"))
        self.listed_since_label.setText(t("gui.library.listed_since"))
        self.listed_since_edit.setToolTip(t("gui.library.listed_since_tip"))
        self.listed_since_edit.set_empty_text(t("gui.order.date_not_given"))
        self.listing_url_label.setText(t("gui.library.listing_url"))
        self.listing_url_edit.setPlaceholderText(t("gui.library.listing_url_hint"))
        self.apply_listing_button.setText(t("gui.library.apply_listing"))
        self.apply_listing_button.setToolTip(t("gui.library.apply_listing_tip"))
        self.model.missing_text = t("gui.library.missing")
        self._update_buttons()
        stored = self._store.count() if self._store else 0
        self._show_count(self.model.rowCount() if self._loaded else stored)
