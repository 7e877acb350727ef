"""The engine never loads Qt: importing every non-GUI module in a fresh interpreter leaves PySide6 out."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import shopguard
from tests.conftest import REPO


def test_engine_modules_do_not_load_pyside6() -> None:
    names = [
        m.name
        for m in pkgutil.walk_packages(shopguard.__path__, "shopguard.")
        if not m.name.startswith(("shopguard.gui", "shopguard.resources"))
        and m.name not in ("shopguard.__main__", "shopguard.launcher")
    ]
    assert "shopguard.cli.main" in names and "shopguard.report.builder" in names
    code = (
        "import importlib, sys\n"
        + "".join(f"importlib.import_module({n!r})\n" for n in names)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_importing_shopguard_creates_no_files(tmp_path: object) -> None:
    code = (
        "import os, shopguard, shopguard.paths, shopguard.cli.main; print(os.path.exists(os.environ['SHOPGUARD_HOME']))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
