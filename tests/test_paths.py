"""Where the data home is: --home, then SHOPGUARD_HOME, then the folder chosen in settings, then the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.errors import HomeError
from shopguard.paths import choose_home, chosen_home, default_home, location_file, resolve_home


def test_precedence_of_home_sources(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPGUARD_HOME")
    assert resolve_home() == default_home()
    chosen = tmp_path / "店铺数据"
    choose_home(chosen)
    assert chosen.is_dir() and (chosen / "cases").is_dir()
    assert chosen_home() == chosen.resolve() == resolve_home()
    monkeypatch.setenv("SHOPGUARD_HOME", str(tmp_path / "env"))
    assert resolve_home() == (tmp_path / "env").resolve()
    assert resolve_home(tmp_path / "flag") == (tmp_path / "flag").resolve()
    monkeypatch.delenv("SHOPGUARD_HOME")
    choose_home(None)
    assert not location_file().exists() and resolve_home() == default_home()


def test_an_unusable_or_damaged_choice_is_refused_or_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHOPGUARD_HOME")
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(HomeError):
        choose_home(blocker / "inside")
    assert not location_file().exists()
    location_file().parent.mkdir(parents=True)
    location_file().write_text("{broken", encoding="utf-8")
    assert chosen_home() is None and resolve_home() == default_home()


def test_the_cli_uses_the_chosen_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, demo: Path) -> None:
    from shopguard.cli.main import main

    monkeypatch.delenv("SHOPGUARD_HOME")
    chosen = tmp_path / "chosen"
    choose_home(chosen)
    assert main(["library", "add", str(demo / "library")]) == 0
    assert (chosen / "library.sqlite3").is_file()
