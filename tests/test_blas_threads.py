"""Importing shopguard makes numpy's OpenBLAS single-threaded (``shopguard/__init__.py``): the engine's least-squares
fits are small, and OpenBLAS's threads cost more CPU than they save (session 16: ~240 ms of a ~920 ms change map on
the 12 MP benchmark). A value the user set is kept. Each case runs in a fresh Python, where shopguard is imported
before numpy, as in every entry point."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

# The thread count OpenBLAS itself reports, where numpy ships the manylinux scipy-openblas library (else only the
# environment is read).
_PROBE = """
import ctypes, os, pathlib, shopguard, numpy
libs = sorted(pathlib.Path(numpy.__file__).parent.parent.joinpath("numpy.libs").glob("libscipy_openblas64_*.so*"))
threads = ctypes.CDLL(str(libs[0])).scipy_openblas_get_num_threads64_() if libs else -1
print(os.environ["OPENBLAS_NUM_THREADS"], threads)
"""


def _probe(**env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**clean, "PYTHONPATH": str(REPO), **env},
        capture_output=True,
        text=True,
        check=True,
    )
    value, threads = done.stdout.split()
    return value, int(threads)


def test_importing_shopguard_makes_openblas_single_threaded() -> None:
    value, threads = _probe()
    assert value == "1"
    assert threads in (1, -1)


def test_a_thread_count_the_user_set_is_kept() -> None:
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: OpenBLAS runs one thread whatever is asked")
    value, threads = _probe(OPENBLAS_NUM_THREADS="2")
    assert value == "2"
    assert threads in (2, -1)
