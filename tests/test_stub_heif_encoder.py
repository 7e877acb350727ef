"""installers/stub-heif-encoder.py on the installed pillow-heif: the C++ stub replaces its libx265, the script's own
check passes (every HEIC/HEIF/AVIF of the test data and the ones it writes decode to the same pixels, the broken ones
fail the same way, libheif's std::cerr works with nothing else loaded), and that check catches a stub that does not
construct std::ios_base::Init (the reason the stub is C++).

It runs against this environment's pillow-heif, so an upgrade whose libheif takes a symbol the script does not know
fails here before any bundle is built. Linux only, with C and C++ compilers and binutils.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import REPO

pillow_heif = pytest.importorskip("pillow_heif")
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux")
    or not (shutil.which("cc") or shutil.which("gcc"))
    or not (shutil.which("c++") or shutil.which("g++"))
    or not (shutil.which("nm") and shutil.which("readelf")),
    reason="the HEIC encoder stub is built on Linux with C and C++ compilers and binutils",
)


def _wheel_layout(tmp_path: Path) -> Path:
    """The bundle's layout of pillow-heif (_pillow_heif module next to pillow_heif.libs), copied: files get replaced."""
    site = Path(pillow_heif.__file__).parent.parent
    libs = site / "pillow_heif.libs"
    modules = list(site.glob("_pillow_heif.*.so"))
    if not list(libs.glob("libx265-*.so*")) or len(modules) != 1:
        pytest.skip("not the manylinux pillow-heif wheel with its x265")
    internal = tmp_path / "internal"
    shutil.copytree(libs, internal / "pillow_heif.libs")
    shutil.copy2(modules[0], internal / modules[0].name)
    return internal


def _script() -> ModuleType:
    sys.path.insert(0, str(REPO / "installers"))  # the script imports elf_tools from its folder
    try:
        spec = importlib.util.spec_from_file_location("stub_heif_encoder", REPO / "installers" / "stub-heif-encoder.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(REPO / "installers"))
    return module


def test_stub_decodes_the_same_and_keeps_cerr(tmp_path: Path, testdata: Path) -> None:
    internal = _wheel_layout(tmp_path)
    [real] = (internal / "pillow_heif.libs").glob("libx265-*.so*")
    big = real.stat().st_size
    done = subprocess.run(
        [sys.executable, str(REPO / "installers" / "stub-heif-encoder.py"), str(internal)],
        capture_output=True,
        text=True,
        env={**os.environ, "SHOPGUARD_TESTDATA": str(testdata)},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "decode the same" in done.stdout and "std::cerr works" in done.stdout
    # The test data's 11 HEIC/HEIF and 3 broken HEICs, Pillow's AVIFs, and the 5 files the script writes.
    checked = int(done.stdout.split("checked: ")[1].split()[0])
    assert checked >= 5 + len(list((testdata / "heic-avif").glob("*.hei[cf]")))
    assert real.stat().st_size < 100_000 < big


def test_check_catches_a_stub_without_iostreams(tmp_path: Path) -> None:
    """A C stub (the session 11 draft: the x265 symbols only) leaves std::cerr unconstructed: libheif's warning
    crashes the check's process, and the build stops."""
    script = _script()
    cxx = shutil.which("c++") or shutil.which("g++")
    assert cxx is not None
    if "_ZSt21ios_base_library_initv" in script.elf_tools.symbols(script._cxx_runtime(tmp_path, cxx), defined=True):
        pytest.skip("this libstdc++ (GCC >= 13) constructs std::cerr itself; the bundle's (GCC 12) does not")
    internal = _wheel_layout(tmp_path)
    [real] = (internal / "pillow_heif.libs").glob("libx265-*.so*")
    [getter] = [name for name in script.elf_tools.symbols(real, defined=True) if name.startswith("x265_api_get_")]
    src = tmp_path / "stub.c"
    src.write_text(
        f"const void *{getter}(int depth) {{ return 0; }}\nvoid x265_cleanup(void) {{}}\n"
        "void _ZSt21ios_base_library_initv(void) {}\n"
    )
    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc is not None
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(real), str(src)], check=True)
    [module] = internal.glob("_pillow_heif.*.so")
    with pytest.raises(SystemExit, match=r"crashed or failed \(exit -11\)"):
        script._run_check(internal, [], module)
