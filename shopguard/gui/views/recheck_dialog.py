"""RecheckDialog: *Check again* asks for the order facts first, filled in with the case's stored ones."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from shopguard.checks.context import CaseFacts
from shopguard.gui.state import AppState
from shopguard.gui.views.order_form import OrderForm


class RecheckDialog(QDialog):
    """The order form of a stored case; ``facts()`` holds what the seller confirmed or changed."""

    def __init__(self, state: AppState, facts: CaseFacts, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        t = state.t
        self.setWindowTitle(t("gui.recheck.title"))
        layout = QVBoxLayout(self)
        intro = QLabel(t("gui.recheck.intro"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.order_form = OrderForm(state, self)
        self.order_form.set_facts(facts)
        layout.addWidget(self.order_form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        run = buttons.addButton(t("gui.recheck.run"), QDialogButtonBox.ButtonRole.AcceptRole)
        run.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._shop_name = facts.shop_name

    def facts(self) -> CaseFacts:
        return replace(self.order_form.facts(), shop_name=self._shop_name)
