"""The CLI as a separate process: what scripts and integrations actually run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def commands() -> list[list[str]]:
    """``python -m shopguard`` always; the installed ``shopguard`` script too when it is on PATH."""
    found = [[sys.executable, "-m", "shopguard"]]
    script = shutil.which("shopguard", path=str(Path(sys.executable).parent))
    if script:
        found.append([script])
    return found


@pytest.mark.parametrize("command", commands(), ids=lambda c: Path(c[0]).name)
def test_check_json_and_exit_codes_from_a_subprocess(command: list[str], tmp_path: Path, demo: Path) -> None:
    env = {**os.environ, "SHOPGUARD_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    add = subprocess.run(
        [*command, "library", "add", str(demo / "library")], env=env, capture_output=True, text=True, timeout=120
    )
    assert add.returncode == 0, add.stderr
    complaint = demo / "complaints" / "complaint-bulb-resaved.jpg"
    bad = tmp_path / "empty.jpg"
    bad.write_bytes(b"")
    result = subprocess.run(
        [*command, "check", str(complaint), str(bad), "--json"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 3
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    doc = json.loads(result.stdout)
    found = [f["library_photo"] for f in doc["photos"][0]["findings"] if f["category"] == "library-derived"]
    assert found and found[0].endswith("abo__B074M5HPBD__dcace9b5.jpg")
    version = subprocess.run([*command, "--version"], env=env, capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("shopguard ")
