"""FindingsTree: findings grouped by strength, with titles wrapped instead of cut off.

QTreeView's own word wrap computes row heights without knowing the column width, so long titles
(file names, Chinese text) are elided; this delegate measures each row at the view's current width.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QResizeEvent, QTextDocument, QTextOption
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTreeWidget, QWidget

ROW_PADDING_PX = 8


class _WrappingDelegate(QStyledItemDelegate):
    def __init__(self, view: QTreeWidget) -> None:
        super().__init__(view)
        self._view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        depth = 1 if index.parent().isValid() else 0
        width = max(80, self._view.viewport().width() - depth * self._view.indentation() - 2 * ROW_PADDING_PX)
        document = QTextDocument()
        document.setDefaultFont(index.data(Qt.ItemDataRole.FontRole) or option.font)
        wrap = QTextOption()
        wrap.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        document.setDefaultTextOption(wrap)
        document.setPlainText(str(index.data(Qt.ItemDataRole.DisplayRole) or ""))
        document.setTextWidth(width)
        return QSize(width, int(document.size().height()) + ROW_PADDING_PX)


class FindingsTree(QTreeWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setWordWrap(True)
        self.setUniformRowHeights(False)
        # Keep a Python reference: setItemDelegate does not, and a collected delegate crashes the view.
        self._delegate = _WrappingDelegate(self)
        self.setItemDelegate(self._delegate)

    def content_height(self) -> int:
        """Height in pixels of every row (headers and expanded findings) at the current width."""
        height = 0
        model = self.model()
        parents = [QModelIndex()]
        while parents:
            parent = parents.pop()
            for row in range(model.rowCount(parent)):
                index = model.index(row, 0, parent)
                height += self.indexRowSizeHint(index)
                if self.isExpanded(index):
                    parents.append(index)
        return height

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.scheduleDelayedItemsLayout()  # row heights depend on the width
