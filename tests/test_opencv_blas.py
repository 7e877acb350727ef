"""installers/opencv-blas.py on the installed OpenCV and numpy: the generated library replaces OpenCV's OpenBLAS,
the script's own check (the same matrices solved before and after, in a separate Python) passes, and its calls
reach numpy's OpenBLAS.

It runs against this environment's wheels, so an OpenCV upgrade that takes a BLAS or LAPACK function the script
does not know, or a numpy whose OpenBLAS lacks one, fails here before any bundle is built. Linux only, with a C
compiler and binutils.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

cv2 = pytest.importorskip("cv2")
np = pytest.importorskip("numpy")
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not (shutil.which("cc") or shutil.which("gcc"))
    or not (shutil.which("nm") and shutil.which("readelf")),
    reason="the BLAS forwarder is built on Linux with a C compiler and binutils",
)


def test_opencv_calls_numpy_openblas_with_the_same_results(tmp_path: Path) -> None:
    site = Path(cv2.__file__).parent.parent
    cv_libs, np_libs = site / "opencv_python_headless.libs", site / "numpy.libs"
    if not list(cv_libs.glob("libopenblas*.so*")) or not list(np_libs.glob("libscipy_openblas64_*.so*")):
        pytest.skip("not the manylinux opencv-python-headless and numpy wheels")
    [module] = Path(cv2.__file__).parent.glob("cv2*.so")
    # The wheels' layout (cv2/ next to the .libs folders), with OpenCV's folder copied: the script replaces a file.
    (tmp_path / "cv2").mkdir()
    shutil.copy2(module, tmp_path / "cv2" / module.name)
    shutil.copytree(cv_libs, tmp_path / cv_libs.name)
    (tmp_path / np_libs.name).symlink_to(np_libs)
    done = subprocess.run(
        [sys.executable, str(REPO / "installers" / "opencv-blas.py"), str(tmp_path)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    [real] = cv_libs.glob("libopenblas*.so*")
    shim = tmp_path / cv_libs.name / real.name
    assert shim.stat().st_size < 100_000 < real.stat().st_size
    needed = subprocess.run(["readelf", "-d", str(shim)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"NEEDED.*libscipy_openblas64_", needed)
    reached = re.search(r"calls reached (\d+) of (\d+) functions: (.*)", done.stdout)
    assert reached, done.stdout
    # GEMM in both precisions and complex, LU and Cholesky solves, least squares and SVD were all forwarded.
    for name in (
        "cblas_sgemm",
        "cblas_dgemm",
        "cblas_cgemm",
        "cblas_zgemm",
        "dgesv_",
        "sgesv_",
        "dposv_",
        "dgels_",
        "dgesdd_",
        "sgesdd_",
    ):
        assert re.search(rf"\b{name} [1-9]", reached[3]), reached[3]
