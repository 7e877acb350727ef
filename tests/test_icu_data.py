"""installers/icu-data.py on the installed PySide6: the reduced ICU data gives the same collation, converters,
time-zone names, case mapping and text boundaries (the script's own check, in a separate Python), and the check
does fail when data Chinese sorting needs is left out.

It runs against this environment's PySide6, so a Qt upgrade whose ICU needs an item the script drops fails here
before any bundle is built. Linux only, with icupkg (icu-devtools), a C compiler and binutils.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

QtCore = pytest.importorskip("PySide6.QtCore")
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not shutil.which("icupkg")
    or not (shutil.which("cc") or shutil.which("gcc"))
    or not (shutil.which("nm") and shutil.which("readelf")),
    reason="the ICU data is repacked on Linux with icupkg, a C compiler and binutils",
)
SCRIPT = REPO / "installers" / "icu-data.py"


def _bundle_like(tmp_path: Path) -> Path:
    """A folder with the wheel's libicudata where the bundle has it (PySide6/Qt/lib)."""
    real = [p for p in (Path(QtCore.__file__).parent / "Qt" / "lib").glob("libicudata.so.*") if not p.is_symlink()]
    if len(real) != 1:
        pytest.skip("not the PySide6 wheel with its own ICU")
    lib = tmp_path / "PySide6" / "Qt" / "lib"
    lib.mkdir(parents=True)
    shutil.copy2(real[0], lib / real[0].name)
    return lib / real[0].name


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("icu_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reduced_icu_data_gives_the_same_results(tmp_path: Path) -> None:
    lib = _bundle_like(tmp_path)
    full = lib.stat().st_size
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "results identical" in done.stdout
    assert lib.stat().st_size < full / 3
    items = subprocess.run(["nm", "-D", str(lib)], capture_output=True, text=True, check=True).stdout
    assert "icudt" in items


def test_the_check_fails_without_chinese_collation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = _bundle_like(tmp_path)
    before = lib.read_bytes()
    script = _script()
    monkeypatch.setattr(script, "KEPT_LANGUAGES", {"en"})
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), str(tmp_path)])
    with pytest.raises(SystemExit, match=r"check failed: the reduced data changes \[.*zh_CN"):
        script.main()
    assert lib.read_bytes() == before  # nothing replaced
