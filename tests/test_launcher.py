"""The ``shopguard`` command decides between the app and the CLI from its arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopguard.launcher import wants_gui


def test_photos_without_a_subcommand_open_the_app(demo: Path) -> None:
    photo = str(demo / "complaints" / "complaint-bag-stain.jpg")
    assert wants_gui([])
    assert wants_gui(["--home", "/tmp/x"])
    assert wants_gui([photo])
    assert wants_gui(["--home", "/tmp/x", photo, photo])


def test_subcommands_and_options_stay_with_the_cli(demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = str(demo / "complaints" / "complaint-bag-stain.jpg")
    for argv in (["check", photo], ["--version"], ["--help"], ["library", "list"], ["cases", "list"]):
        assert not wants_gui(argv), argv
    assert not wants_gui([str(tmp_path / "missing.jpg")]), "a missing file gets the CLI's usage message"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "check").write_bytes(b"")
    assert not wants_gui(["check", photo]), "a file named like a subcommand never hides the subcommand"
