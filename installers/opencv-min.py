"""Linux bundle: an OpenCV wheel with only the modules ShopGuard calls (cv2.abi3.so 71 -> ~33 MB), built once, cached.

    python installers/opencv-min.py --key            the cache key (OpenCV version + build options hash)
    python installers/opencv-min.py --cache-dir      the folder the wheel is cached in (CI caches this folder)
    python installers/opencv-min.py                  the cached wheel's path; exit 3 when it is not cached
    python installers/opencv-min.py --build          the same, building it first on a miss (~26 CPU-minutes)
    python installers/opencv-min.py --check PYTHON   PYTHON's cv2 is this minimal build and has every cv2 name
                                                     shopguard/ uses (exit 1 with the missing names)
    python installers/opencv-min.py --used-names     the cv2 names shopguard/ uses, one a line
    python installers/opencv-min.py --unpack WHEEL DIR  WHEEL's files into DIR, cv2's module without the RUNPATH
                                                     of the build tree (drop_runpath; build-bundle.sh uses it)

The build takes the ``opencv-python-headless`` sdist of the version in ``constraints.txt`` from PyPI (``pip
download --no-binary opencv-python-headless --no-deps``: only OpenCV itself from source; its build requirements,
numpy, scikit-build, come as wheels) and builds it with ``BUILD_LIST`` below: OpenCV 5's ``core, flann, geometry``
(estimateAffinePartial2D, findHomography), ``imgproc, imgcodecs`` (JPEG, PNG), ``features`` (ORB, SIFT,
BFMatcher), ``video`` (DIS optical flow, ECC), ``dnn`` (the OCR models) and the Python binding. No video I/O,
LAPACK, IPP or OpenCL, no codecs ShopGuard never asks OpenCV for (it opens photos with Pillow and videos with
PyAV): ``cv2.abi3.so`` then needs only libstdc++, libm, libgcc_s and libc, so ``share-libs.py`` and
``opencv-blas.py`` have nothing to do. The module is stripped at link time (``-s``).

One fix to the sdist is needed (installers/README.md, "Session 13"): OpenCV's typing-stub generator refines a
fixed list of functions (``calibrateCamera``, ``solvePnP``, ``fisheye.initUndistortRectifyMap`` ...) and fails
when one is absent, as they are without ``calib``; the failure deletes ``py.typed`` and setup.py then stops
("Not found: 'python/cv2/py.typed'"). The patch skips a refinement whose function is not in the build; every
other stub is generated as before.

The wheel is cached in ``$SHOPGUARD_OPENCV_MIN_CACHE`` or ``${XDG_CACHE_HOME:-~/.cache}/shopguard/opencv-min``,
under the key ``<version>-<machine>-<hash of the build options, the patch and this script's BUILD_* constants>``,
so a second build of the bundle finds it at once, and a changed option or OpenCV version builds a new one. The
build runs under ``nice -n 15`` with ``SHOPGUARD_OPENCV_MIN_JOBS`` jobs (default 1; CI's 4-core runner uses 4).

Tests keep the PyPI wheel (``.venv``): they use ``cv2.inpaint`` (the ``photo`` module) to paint their forgeries,
which ShopGuard itself never calls. ``build-bundle.sh`` installs this wheel into a separate build environment.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "opencv-python-headless"

# What OpenCV builds. Every cv2 name shopguard/ uses must exist in the result (--check; build-bundle.sh runs it).
BUILD_LIST = ["core", "flann", "geometry", "imgproc", "imgcodecs", "features", "video", "dnn", "python3"]
CMAKE_OPTIONS = [
    "-DBUILD_LIST=" + ",".join(BUILD_LIST),
    # Video I/O and cameras: ShopGuard decodes video with PyAV.
    "-DWITH_FFMPEG=OFF",
    "-DWITH_GSTREAMER=OFF",
    "-DWITH_V4L=OFF",
    "-DWITH_1394=OFF",
    # BLAS/LAPACK (the stock wheel's 40 MB OpenBLAS), Intel's IPP (downloaded at configure time, a build that
    # depends on the network), OpenCL, VA, ITT: none needed for the checks' results (installers/README.md).
    "-DWITH_LAPACK=OFF",
    "-DWITH_IPP=OFF",
    "-DWITH_OPENCL=OFF",
    "-DWITH_VA=OFF",
    "-DWITH_VA_INTEL=OFF",
    "-DWITH_ITT=OFF",
    "-DWITH_EIGEN=OFF",
    # Image codecs: ShopGuard's cv2.imencode/imdecode use JPEG and PNG only (photos are opened with Pillow).
    "-DWITH_AVIF=OFF",
    "-DWITH_OPENEXR=OFF",
    "-DBUILD_OPENEXR=OFF",
    "-DWITH_TIFF=OFF",
    "-DWITH_WEBP=OFF",
    "-DWITH_OPENJPEG=OFF",
    "-DWITH_JASPER=OFF",
    "-DWITH_IMGCODEC_GIF=OFF",
    "-DWITH_IMGCODEC_HDR=OFF",
    "-DWITH_IMGCODEC_SUNRASTER=OFF",
    "-DWITH_IMGCODEC_PFM=OFF",
    "-DWITH_IMGCODEC_PXM=OFF",
    # dnn reads the OCR models as ONNX (protobuf); no TFLite (flatbuffers).
    "-DWITH_FLATBUFFERS=OFF",
    # Bundled copies, linked statically: the module needs no system library but libstdc++, libm, libgcc_s, libc.
    "-DBUILD_JPEG=ON",
    "-DBUILD_PNG=ON",
    "-DBUILD_ZLIB=ON",
    "-DBUILD_PROTOBUF=ON",
    "-DENABLE_PRECOMPILED_HEADERS=OFF",
    # Strip at link time (a stripped module, and no wheel to rewrite afterwards).
    "-DCMAKE_MODULE_LINKER_FLAGS=-s",
    "-DCMAKE_SHARED_LINKER_FLAGS=-s",
]

# The one fix to the sdist (module docstring): the typing-stub generator skips refinements of absent functions.
STUB_FILE = "opencv/modules/python/src2/typing_stubs_generation/api_refinement.py"
STUB_PATCH = [
    (
        "from .ast_utils import (find_function_node, SymbolName,\n",
        "from .ast_utils import (find_function_node, SymbolName, SymbolNotFoundError, ScopeNotFoundError,\n",
    ),
    (
        "    for symbol_name, refine_symbol in NODES_TO_REFINE.items():\n        refine_symbol(root, symbol_name)\n",
        "    for symbol_name, refine_symbol in NODES_TO_REFINE.items():\n"
        "        try:\n"
        "            refine_symbol(root, symbol_name)\n"
        "        except (SymbolNotFoundError, ScopeNotFoundError):\n"
        "            continue  # ShopGuard's minimal build: the function's module is not in BUILD_LIST\n",
    ),
]


def version() -> str:
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        name, _, pinned = line.partition("==")
        if name.strip().lower() == PACKAGE:
            return pinned.strip()
    raise SystemExit(f"opencv-min: {PACKAGE} is not pinned in constraints.txt")


def key() -> str:
    options = json.dumps({"cmake": CMAKE_OPTIONS, "patch": STUB_PATCH, "file": STUB_FILE}, sort_keys=True)
    digest = hashlib.sha256(options.encode()).hexdigest()[:12]
    return f"{version()}-{platform.machine()}-{digest}"


def cache_dir() -> Path:
    if os.environ.get("SHOPGUARD_OPENCV_MIN_CACHE"):
        return Path(os.environ["SHOPGUARD_OPENCV_MIN_CACHE"]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "shopguard" / "opencv-min"


def cached_wheel() -> Path | None:
    wheels = sorted((cache_dir() / key()).glob("opencv_python_headless-*.whl"))
    return wheels[0] if wheels else None


def used_names() -> list[str]:
    """Every ``cv2.<name>[.<name>]`` chain in shopguard/ (``import cv2``, ``import cv2 as x``), by syntax tree."""
    names: set[str] = set()
    for path in sorted((ROOT / "shopguard").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        aliases = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
            if alias.name == "cv2"
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "cv2":
                names.update(f"cv2.{alias.name}" for alias in node.names)
            if not isinstance(node, ast.Attribute):
                continue
            chain = [node.attr]
            value = node.value
            while isinstance(value, ast.Attribute):
                chain.append(value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id in aliases:
                names.add(".".join(["cv2", *reversed(chain)]))
    # Keep only the longest chains' prefixes that are module or class attributes: ``cv2.dnn.readNet`` checks
    # ``cv2.dnn`` too. A method called on an instance (``net.forward``) is not a cv2 chain and is not listed.
    return sorted(names)


CHECK_CODE = r"""
import json, sys
import cv2
names, modules = json.loads(sys.argv[1])
missing = []
for name in names:
    obj = cv2
    for part in name.split(".")[1:]:
        if not hasattr(obj, part):
            missing.append(name)
            break
        obj = getattr(obj, part)
info = cv2.getBuildInformation()
built = next((line.split(":", 1)[1].split() for line in info.splitlines() if "To be built:" in line), [])
print(json.dumps({"file": cv2.__file__, "version": cv2.__version__, "missing": missing, "built": built}))
"""


def check(python: str, extra: tuple[str, ...] = ()) -> int:
    """PYTHON's cv2 is the minimal build and has every name shopguard/ uses (``extra``: more names, for the tests)."""
    names = used_names() + list(extra)
    result = subprocess.run(
        [python, "-c", CHECK_CODE, json.dumps([names, BUILD_LIST])], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        print(f"opencv-min: cv2 does not import in {python}:\n{result.stderr}", file=sys.stderr)
        return 1
    found = json.loads(result.stdout.strip().splitlines()[-1])
    built = sorted(found["built"])
    if built != sorted(BUILD_LIST):
        print(f"opencv-min: {found['file']} is not the minimal build (its modules: {' '.join(built)})", file=sys.stderr)
        return 1
    if found["missing"]:
        print(f"opencv-min: the minimal cv2 lacks what shopguard/ uses: {' '.join(found['missing'])}", file=sys.stderr)
        return 1
    print(f"opencv-min: {found['file']} ({found['version']}, modules {' '.join(built)}) has all {len(names)} cv2 names")
    return 0


def patch_sdist(source: Path) -> None:
    path = source / STUB_FILE
    text = path.read_text()
    for old, new in STUB_PATCH:
        if text.count(old) != 1:
            raise SystemExit(f"opencv-min: {STUB_FILE} has changed (this OpenCV version needs a new patch): {old!r}")
        text = text.replace(old, new)
    path.write_text(text)


def build() -> Path:
    target = cache_dir() / key()
    jobs = os.environ.get("SHOPGUARD_OPENCV_MIN_JOBS", "1")
    # The sources and CMake's build tree live next to the cache until the wheel is made. A build that stops does
    # NOT resume yet: the pip build environment whose numpy headers CMake cached is gone (installers/README.md,
    # "Session 13"); remove this folder to start over.
    work = cache_dir() / (key() + ".work")
    work.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    sources = [path for path in work.iterdir() if path.is_dir() and path.name.startswith("opencv_python_headless-")]
    if not sources:
        subprocess.run(
            [*pip, "download", "--no-binary", PACKAGE, "--no-deps", f"{PACKAGE}=={version()}", "-d", str(work)],
            check=True,
        )
        (sdist,) = work.glob("*.tar.gz")
        with tarfile.open(sdist) as archive:
            archive.extractall(work / "unpacking", filter="data")
        (unpacked,) = (work / "unpacking").iterdir()
        patch_sdist(unpacked)
        unpacked.rename(work / unpacked.name)
        (work / "unpacking").rmdir()
        sdist.unlink()
        sources = [work / unpacked.name]
    (source,) = sources
    env = dict(os.environ, ENABLE_HEADLESS="1", CMAKE_BUILD_PARALLEL_LEVEL=jobs, CMAKE_ARGS=" ".join(CMAKE_OPTIONS))
    print(f"opencv-min: building {PACKAGE} {version()} ({','.join(BUILD_LIST)}), {jobs} job(s), nice 15", flush=True)
    out = work / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run(["nice", "-n", "15", *pip, "wheel", "--no-deps", "-w", str(out), str(source)], env=env, check=True)
    (wheel,) = out.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        if not any(name.endswith("cv2/py.typed") for name in archive.namelist()):
            raise SystemExit("opencv-min: the wheel has no cv2/py.typed (the typing stubs failed)")
    target.mkdir(parents=True, exist_ok=True)
    partial = target / (wheel.name + ".partial")
    shutil.copyfile(wheel, partial)
    partial.rename(target / wheel.name)
    shutil.rmtree(work)
    return target / wheel.name


def drop_runpath(module: Path) -> bool:
    """Remove DT_RPATH/DT_RUNPATH from an ELF64 little-endian shared object, in place; True when there was one.

    scikit-build links cv2 with CMake's install RPATH, the build tree's ``cmake-install/lib`` (a folder that is gone
    once the wheel is made, and a path of the build machine): the module needs no library of its own, so the entry
    only costs look-ups in a missing folder. The entries after it move up and the freed slot becomes DT_NULL, as
    ``patchelf --remove-rpath`` does; the string stays, unreferenced, in .dynstr.
    """
    data = bytearray(module.read_bytes())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"opencv-min: {module} is not a 64-bit little-endian ELF file")
    phoff = int.from_bytes(data[0x20:0x28], "little")
    phentsize = int.from_bytes(data[0x36:0x38], "little")
    phnum = int.from_bytes(data[0x38:0x3A], "little")
    for index in range(phnum):
        header = phoff + index * phentsize
        if int.from_bytes(data[header : header + 4], "little") != 2:  # PT_DYNAMIC
            continue
        offset = int.from_bytes(data[header + 8 : header + 16], "little")
        size = int.from_bytes(data[header + 32 : header + 40], "little")
        entries = [bytes(data[at : at + 16]) for at in range(offset, offset + size - size % 16, 16)]
        kept = [entry for entry in entries if int.from_bytes(entry[:8], "little", signed=True) not in (15, 29)]
        if len(kept) == len(entries):
            return False
        data[offset : offset + 16 * len(entries)] = b"".join(kept) + bytes(16 * (len(entries) - len(kept)))
        module.write_bytes(bytes(data))
        return True
    raise SystemExit(f"opencv-min: {module} has no dynamic section")


def unpack(wheel: Path, site: Path) -> Path:
    """The wheel's files into ``site`` (importable with it on PYTHONPATH), cv2's module without the build's RUNPATH."""
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    for module in (site / "cv2").glob("cv2*.so"):
        drop_runpath(module)
    return site


def main(argv: list[str]) -> int:
    if argv[:1] == ["--key"]:
        print(key())
    elif argv[:1] == ["--cache-dir"]:
        print(cache_dir())
    elif argv[:1] == ["--used-names"]:
        print("\n".join(used_names()))
    elif argv[:1] == ["--unpack"] and len(argv) == 3:
        unpack(Path(argv[1]), Path(argv[2]))
    elif argv[:1] == ["--check"] and len(argv) >= 2:
        return check(argv[1], tuple(argv[2:]))
    elif argv in ([], ["--build"]):
        wheel = cached_wheel()
        if wheel is None and argv == ["--build"]:
            wheel = build()
        if wheel is None:
            print(f"opencv-min: no wheel cached in {cache_dir() / key()}", file=sys.stderr)
            return 3
        print(wheel)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
