"""File and folder choosers: the platform's own dialog where it has one, a tidied Qt dialog where it has not.

Windows, macOS and Linux desktops with a GTK or portal platform theme give Qt a native dialog. Elsewhere (a bare
X server, some window managers) Qt draws its own, whose columns were cut ("72…iB", "PN…ge") and whose dates came in
the C locale ("4 12 2026"): here its columns fit their contents and dates read as everywhere else in the app.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import Any

from PySide6.QtCore import QIdentityProxyModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QFileDialog, QFileSystemModel, QHeaderView, QTreeView, QWidget

from shopguard.i18n.local_time import format_time

NATIVE_THEMES = ("gtk", "xdgdesktopportal", "flatpak", "snap", "kde", "gnome")
"""Platform themes (QT_QPA_PLATFORMTHEME) that bring a native file dialog."""
NATIVE_DESKTOPS = ("gnome", "kde", "xfce", "unity", "cinnamon", "mate", "budgie", "pantheon", "lxqt", "deepin", "ukui")
"""Desktops (XDG_CURRENT_DESKTOP) on which Qt loads such a theme by itself."""
DATE_COLUMN = 3
"""QFileSystemModel's columns: name, size, type, date modified."""


def has_native_file_dialog() -> bool:
    """Whether Qt will show the platform's own file dialog here."""
    if sys.platform in ("win32", "darwin"):
        return True
    theme = os.environ.get("QT_QPA_PLATFORMTHEME", "").lower()
    if theme:
        return any(name in theme for name in NATIVE_THEMES)
    desktop = os.environ.get("XDG_CURRENT_DESKTOP", "").lower()
    return any(name in desktop for name in NATIVE_DESKTOPS)


class _LocalDateModel(QIdentityProxyModel):
    """The Qt dialog's file list with "date modified" in the app's local-time format."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lang = lang

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        source = self.sourceModel()
        if (
            index.column() == DATE_COLUMN
            and role == Qt.ItemDataRole.DisplayRole
            and isinstance(source, QFileSystemModel)
        ):
            modified = source.lastModified(self.mapToSource(index))
            if modified.isValid():
                return format_time(datetime.fromtimestamp(modified.toSecsSinceEpoch()).astimezone(), self.lang)
        return super().data(index, role)


def make_file_dialog(parent: QWidget, title: str, lang: str, directory: str = "", name_filter: str = "") -> QFileDialog:
    """A QFileDialog: native where the platform has one, otherwise Qt's with fitted columns and local dates."""
    dialog = QFileDialog(parent, title, directory, name_filter)
    if has_native_file_dialog():
        return dialog
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setViewMode(QFileDialog.ViewMode.Detail)
    dialog.setProxyModel(_LocalDateModel(lang, dialog))
    dialog.resize(900, 560)
    tree = dialog.findChild(QTreeView, "treeView")
    if tree is not None:
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 4):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return dialog
