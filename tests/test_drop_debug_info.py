"""installers/drop-debug-info.py on the installed PyAV: the debug sections go, every loaded segment is unchanged,
and the modules still import and decode the same frames.

PyAV's wheel ships its Cython modules with DWARF after auditwheel's patchelf segments, the layout ``strip`` breaks;
a PyAV or patchelf change in that layout fails here. Linux only.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO

av = pytest.importorskip("av")
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF files: Linux only")
SCRIPT = REPO / "installers" / "drop-debug-info.py"

DECODE = """
import hashlib, json, sys
import av
with av.open(sys.argv[1]) as container:
    frames = [hashlib.sha256(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in container.decode(video=0)]
print(json.dumps({"frames": frames, "module": av.__file__}))
"""


def _clip(path: Path) -> None:
    y, x = np.mgrid[0:64, 0:96]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        stream.time_base = Fraction(1, 10)
        for i in range(8):
            rgb = np.stack([(x * 3 + i * 9) % 256, (y * 3 + i * 5) % 256, (x + y) % 256], axis=-1).astype(np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _decode(site: Path | None, clip: Path) -> dict[str, object]:
    env = {"PYTHONNOUSERSITE": "1", "PATH": "/usr/bin:/bin", **({"PYTHONPATH": str(site)} if site else {})}
    done = subprocess.run([sys.executable, "-c", DECODE, str(clip)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_debug_info_goes_and_pyav_decodes_the_same(tmp_path: Path) -> None:
    package = Path(av.__file__).parent
    if not (package.parent / "av.libs").is_dir():
        pytest.skip("PyAV is not the manylinux wheel (no av.libs)")
    site = tmp_path / "site"
    shutil.copytree(package, site / "av", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "av.libs").symlink_to(package.parent / "av.libs")
    before = sum(p.stat().st_size for p in (site / "av").rglob("*.so"))
    done = subprocess.run([sys.executable, str(SCRIPT), str(site)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    after = sum(p.stat().st_size for p in (site / "av").rglob("*.so"))
    if "no library carries debug information" in done.stdout:
        pytest.skip("this PyAV wheel has no debug information")
    assert after < before
    for path in (site / "av").rglob("*.so"):
        sections = subprocess.run(["readelf", "-SW", str(path)], capture_output=True, text=True).stdout
        sizes = re.findall(r"\.debug_\S+\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", sections)
        assert all(int(size, 16) == 0 for size in sizes), path

    clip = tmp_path / "clip.mp4"
    _clip(clip)
    real, dropped = _decode(None, clip), _decode(site, clip)
    assert str(dropped["module"]).startswith(str(site))
    assert len(real["frames"]) == 8  # type: ignore[arg-type]
    assert dropped["frames"] == real["frames"]


def test_a_file_without_debug_sections_is_left_alone() -> None:
    spec = importlib.util.spec_from_file_location("drop_debug_info", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    libc = Path("/lib/x86_64-linux-gnu/libc.so.6")
    if not libc.exists():
        pytest.skip("no libc at the Debian path")
    assert module.without_debug(libc.read_bytes()) is None
    assert module.without_debug(b"not an ELF file") is None
