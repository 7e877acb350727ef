"""installers/opencv-min.py: the cv2 names shopguard/ uses are read from its code, the check refuses a cv2 that is
not the minimal build or lacks a name, and the minimal build (when cached on this machine) has every name, links
no library of its own, and makes share-libs.py and opencv-blas.py skip cleanly.

The minimal wheel takes ~26 CPU-minutes to build, so the tests that need it skip when it is not cached
(``SHOPGUARD_OPENCV_MIN=1 bash installers/build-bundle.sh`` or ``python installers/opencv-min.py --build``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "installers" / "opencv-min.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("opencv_min", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_used_names_come_from_the_code() -> None:
    cv2 = pytest.importorskip("cv2")
    names = _script().used_names()
    # What the checks call, from each module of the minimal build: dnn (OCR), video (DIS flow, ECC), features,
    # geometry, imgproc, imgcodecs.
    for name in (
        "cv2.dnn.readNet",
        "cv2.DISOpticalFlow.create",
        "cv2.findTransformECC",
        "cv2.ORB.create",
        "cv2.SIFT.create",
        "cv2.BFMatcher",
        "cv2.estimateAffinePartial2D",
        "cv2.pointPolygonTest",
        "cv2.imdecode",
    ):
        assert name in names
    # The tests paint forgeries with cv2.inpaint (the photo module); shopguard/ never calls it.
    assert "cv2.inpaint" not in names
    # Every name read is a real attribute chain of the full OpenCV (no instance methods, no variables).
    for name in names:
        obj = cv2
        for part in name.split(".")[1:]:
            obj = getattr(obj, part)


def test_check_refuses_the_pypi_wheel() -> None:
    pytest.importorskip("cv2")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--check", sys.executable], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "is not the minimal build" in done.stderr
    assert "photo" in done.stderr


@pytest.fixture(scope="module")
def minimal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not sys.platform.startswith("linux"):
        pytest.skip("the minimal OpenCV is built for the Linux bundle")
    wheel = _script().cached_wheel()
    if wheel is None:
        pytest.skip("no minimal OpenCV wheel cached (python installers/opencv-min.py --build)")
    return _script().unpack(wheel, tmp_path_factory.mktemp("opencv-min"))


def _check(site: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--check", sys.executable, *extra],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_minimal_build_has_every_name_and_the_check_can_fail(minimal: Path) -> None:
    done = _check(minimal)
    assert done.returncode == 0, done.stderr
    assert "has all" in done.stdout
    lacking = _check(minimal, "cv2.inpaint")
    assert lacking.returncode == 1
    assert "lacks what shopguard/ uses: cv2.inpaint" in lacking.stderr


@pytest.mark.skipif(not shutil.which("readelf"), reason="needs binutils")
def test_minimal_build_links_no_library_of_its_own(minimal: Path, tmp_path: Path) -> None:
    [module] = (minimal / "cv2").glob("cv2*.so")
    dynamic = subprocess.run(["readelf", "-d", str(module)], capture_output=True, text=True, check=True).stdout
    needed = set(re.findall(r"\(NEEDED\).*\[(.+)\]", dynamic))
    assert needed <= {"libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6", "ld-linux-x86-64.so.2"}, needed
    assert "RPATH" not in dynamic and "RUNPATH" not in dynamic
    # The bundle's layout with this cv2: share-libs.py and opencv-blas.py have nothing to do and say so.
    (tmp_path / "cv2").mkdir()
    shutil.copy2(module, tmp_path / "cv2" / module.name)
    for script in ("share-libs.py", "opencv-blas.py"):
        done = subprocess.run(
            [sys.executable, str(REPO / "installers" / script), str(tmp_path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "(the minimal build), nothing to do" in done.stdout
    assert [p.name for p in tmp_path.rglob("*")] == ["cv2", module.name]
