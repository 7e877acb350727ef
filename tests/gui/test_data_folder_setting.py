"""Settings → data folder: choosing another folder takes effect at the next start, data stays put."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from shopguard.gui.main_window import MainWindow
from shopguard.paths import chosen_home, resolve_home
from tests.gui.conftest import dialogs


def test_choosing_another_data_folder(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = window.settings_view
    window.show_page(MainWindow.PAGE_SETTINGS)
    current = window.state.home.root
    assert settings.home_label.text() == str(current)
    new = tmp_path / "新的数据"
    dialogs(window).folder = new
    settings.home_change_button.click()
    assert chosen_home() == new.resolve()
    assert str(new.resolve()) in settings.home_label.text() and str(current) in settings.home_label.text()
    assert window.state.home.root == current  # this session keeps its data folder
    monkeypatch.delenv("SHOPGUARD_HOME")
    assert resolve_home() == new.resolve()  # the next start uses the chosen one


def test_an_unusable_folder_is_refused_with_a_message(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    dialogs(window).folder = blocker / "inside"
    window.show_page(MainWindow.PAGE_SETTINGS)
    window.settings_view.home_change_button.click()
    assert chosen_home() is None
    assert window.settings_view.home_label.text() == str(window.state.home.root)
