"""Shared fixtures: real test data from ../shared/testdata (skipped when absent), an isolated home."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["SHOPGUARD_STRICT"] = "1"  # a crashing check fails the test instead of becoming a finding

REPO = Path(__file__).resolve().parent.parent
# SHOPGUARD_TESTDATA lets a git worktree (e.g. /work/wt/<name>) point at the shared data folder.
TESTDATA = Path(os.environ.get("SHOPGUARD_TESTDATA") or REPO.parent / "shared" / "testdata")
DEMO = REPO / "resources" / "demo"


@pytest.fixture(scope="session")
def testdata() -> Path:
    """``../shared/testdata``; tests using it skip cleanly where it is absent."""
    if not TESTDATA.is_dir():
        pytest.skip("shared test data (../shared/testdata) not present")
    return TESTDATA


@pytest.fixture(scope="session")
def demo() -> Path:
    return DEMO


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own data home (via SHOPGUARD_HOME) and HOME, so nothing leaks between tests."""
    home = tmp_path / "sg-home"
    monkeypatch.setenv("SHOPGUARD_HOME", str(home))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user" / ".config"))
    yield home


class NetworkUseError(RuntimeError):
    """A test (or the code under test) tried to open a network connection."""


def _refuse_connect(*args: Any, **kwargs: Any) -> NoReturn:
    raise NetworkUseError(f"ShopGuard never goes online; a socket connect was attempted ({args[1:]!r})")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every socket connect fails for the whole suite: the app never goes online (c2pa validation included).

    ``create_connection`` is patched as well as the socket methods, so a library that keeps its own reference to
    it (urllib3, requests) still hits the refusal. Code in Rust (c2pa-rs) opens no Python sockets; it is configured
    offline in ``checks/content_credentials.py``.
    """
    monkeypatch.setattr(socket.socket, "connect", _refuse_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse_connect)
    monkeypatch.setattr(socket, "create_connection", _refuse_connect)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)
