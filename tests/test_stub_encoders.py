"""installers/stub-encoders.py on the installed PyAV: the stubs load, every stubbed encoder refuses to open with a
Python exception (the script's own check, in a separate Python), and decoding gives the same frames.

It runs against this environment's PyAV, so a PyAV upgrade that links a symbol the script does not know, or whose
FFmpeg no longer refuses cleanly, fails here before any bundle is built. Linux only, with a C compiler and binutils.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import REPO

av = pytest.importorskip("av")
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not (shutil.which("cc") or shutil.which("gcc"))
    or not (shutil.which("nm") and shutil.which("readelf")),
    reason="the encoder stubs are built on Linux with a C compiler and binutils",
)

DECODE = """
import hashlib, json, sys
import av
out = []
for path in sys.argv[1:]:
    with av.open(path) as container:
        stream = container.streams.video[0]
        frames = [hashlib.sha256(f.to_ndarray(format="rgb24").tobytes()).hexdigest() for f in container.decode(stream)]
        out.append([stream.codec_context.name, frames])
x265 = {line.split()[-1] for line in open("/proc/self/maps") if "/libx265-" in line}
print(json.dumps({"clips": out, "x265": sorted(x265)}))
"""


def _clip(path: Path, codec: str) -> None:
    """12 frames of a moving gradient: real encoder output for the decoders to read."""
    y, x = np.mgrid[0:96, 0:128]
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=12)
        stream.width, stream.height, stream.pix_fmt = 128, 96, "yuv420p"
        stream.time_base = Fraction(1, 12)
        for i in range(12):
            rgb = np.stack([(x * 2 + i * 9) % 256, (y * 2 + i * 5) % 256, (x + y + i * 3) % 256], axis=-1)
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb.astype(np.uint8), format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _decode(site: Path | None, clips: list[Path]) -> dict[str, Any]:
    env = {"PYTHONNOUSERSITE": "1", "PATH": "/usr/bin:/bin"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    done = subprocess.run(
        [sys.executable, "-c", DECODE, *map(str, clips)], capture_output=True, text=True, env=env, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_stubbed_encoders_refuse_and_decoding_is_unchanged(tmp_path: Path) -> None:
    package = Path(av.__file__).parent
    libs = package.parent / "av.libs"
    if not libs.is_dir():
        pytest.skip("PyAV is not the manylinux wheel (no av.libs)")
    clips = [tmp_path / "h264.mp4", tmp_path / "hevc.mp4"]
    _clip(clips[0], "libx264")
    _clip(clips[1], "libx265")

    # A copy of the wheel's layout (av/ next to av.libs/), stubbed as the bundle is.
    site = tmp_path / "site"
    shutil.copytree(package, site / "av", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(libs, site / "av.libs")
    done = subprocess.run(
        [sys.executable, str(REPO / "installers" / "stub-encoders.py"), str(site)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "raises" in done.stdout and "(no crash)" in done.stdout
    assert "the alsa device, the x11grab device raises" in done.stdout
    for prefix in ("libx264", "libx265", "libSvtAv1Enc", "libmp3lame", "libwebp", "libgnutls", "libasound", "libxcb"):
        [real] = (p for p in libs.iterdir() if re.fullmatch(rf"{prefix}-[0-9a-f]{{8}}\.so.*", p.name))
        stub = site / "av.libs" / real.name
        assert stub.stat().st_size < 100_000 < real.stat().st_size
    # What only GnuTLS and libwebp needed is gone; what others need too (libdrm: libavutil) stays.
    for prefix in ("libunistring", "libgmp", "libnettle", "libhogweed", "libsharpyuv"):
        assert not list((site / "av.libs").glob(f"{prefix}-*")), prefix
    assert list((site / "av.libs").glob("libdrm-*"))

    real, stubbed = _decode(None, clips), _decode(site, clips)
    assert real["x265"] == [str(next(libs.glob("libx265-*")))]
    assert stubbed["x265"] == [str(site / "av.libs" / Path(real["x265"][0]).name)]
    assert [clip[0] for clip in real["clips"]] == ["h264", "hevc"]
    assert [len(clip[1]) for clip in real["clips"]] == [12, 12]
    assert stubbed["clips"] == real["clips"]
