"""Shared fixtures: real test data from ../shared/testdata (skipped when absent), an isolated home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/gui/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.gui)
