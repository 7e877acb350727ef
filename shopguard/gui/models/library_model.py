"""LibraryModel: the shop's photos as a list model with thumbnails loaded lazily in jobs.

Rows are plain ``LibraryEntry`` values read in a job. A thumbnail is only decoded when the view asks
for it (visible rows), in batches, one batch job at a time, so a 10k-photo library opens instantly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPixmap

from shopguard.gui.images import THUMB_MAX_SIDE_PX, load_qimages
from shopguard.gui.jobs import JobRunner
from shopguard.library.store import LibraryStore
from shopguard.paths import Home

THUMB_BATCH = 24
PathRole = Qt.ItemDataRole.UserRole + 1
StatusRole = Qt.ItemDataRole.UserRole + 2

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class LibraryEntry:
    path: str
    name: str
    status: str
    width: int
    height: int
    format: str
    other_paths: tuple[str, ...] = ()
    """More files with the same content (one library photo, several locations)."""


def read_library_entries(home: Home) -> list[LibraryEntry]:
    """Every library photo as a light row (runs in a job, with its own DB connection)."""
    store = LibraryStore(home.library_db)
    try:
        others = store.locations()
        return [
            LibraryEntry(
                r.path,
                Path(r.path).name,
                r.status,
                r.width,
                r.height,
                r.format,
                tuple(others.get(r.id, ())) if r.id is not None else (),
            )
            for r in store.photos()
        ]
    finally:
        store.close()


def _square(image: QImage) -> QPixmap:
    """The thumbnail centred on a transparent square: every caption then starts at the same height."""
    side = max(image.width(), image.height(), THUMB_MAX_SIDE_PX)  # small photos are not blown up
    canvas = QPixmap(side, side)
    canvas.fill(Qt.GlobalColor.transparent)
    painter = QPainter(canvas)
    painter.drawImage((side - image.width()) // 2, (side - image.height()) // 2, image)
    painter.end()
    return canvas


class LibraryModel(QAbstractListModel):
    def __init__(self, runner: JobRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._entries: list[LibraryEntry] = []
        self._rows: dict[str, int] = {}
        self._thumbs: dict[str, QIcon] = {}
        self._wanted: list[str] = []
        self._loading = False
        placeholder = QPixmap(QSize(THUMB_MAX_SIDE_PX, THUMB_MAX_SIDE_PX))
        placeholder.fill(QColor("#eef1f5"))
        self._placeholder = QIcon(placeholder)
        self.missing_text = "missing"

    def set_entries(self, entries: list[LibraryEntry]) -> None:
        self.beginResetModel()
        self._entries = entries
        self._rows = {e.path: i for i, e in enumerate(entries)}
        self._wanted = []
        self.endResetModel()

    def entry(self, row: int) -> LibraryEntry:
        return self._entries[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008  # Qt's signature
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        missing = entry.status != "present"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{entry.name}\n({self.missing_text})" if missing else entry.name
        if role == Qt.ItemDataRole.DecorationRole:
            icon = self._thumbs.get(entry.path)
            if icon is None and not missing:
                self._request(entry.path)
            return icon or self._placeholder
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [entry.name, entry.path, *entry.other_paths, f"{entry.width} × {entry.height} {entry.format}"]
            if missing:
                lines.insert(1, self.missing_text)
            return "\n".join(lines)
        if role == Qt.ItemDataRole.ForegroundRole and missing:
            return QColor("#b42318")
        if role == PathRole:
            return entry.path
        if role == StatusRole:
            return entry.status
        return None

    @property
    def thumbnail_count(self) -> int:
        return len(self._thumbs)

    def _request(self, path: str) -> None:
        if path not in self._wanted:
            self._wanted.append(path)
        if not self._loading:
            self._load_next_batch()

    def _load_next_batch(self) -> None:
        batch = tuple(self._wanted[:THUMB_BATCH])
        del self._wanted[:THUMB_BATCH]
        if not batch:
            self._loading = False
            return
        self._loading = True
        self._runner.submit(
            lambda progress, cancel: load_qimages(batch, THUMB_MAX_SIDE_PX),
            on_success=self._on_thumbnails_loaded,
            on_failure=lambda _f: self._load_next_batch(),
            on_cancel=lambda: setattr(self, "_loading", False),
        )

    def _on_thumbnails_loaded(self, images: dict[str, QImage]) -> None:
        for path, image in images.items():
            self._thumbs[path] = QIcon(_square(image))
            row = self._rows.get(path)
            if row is not None:
                index = self.index(row)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])
        self._load_next_batch()
