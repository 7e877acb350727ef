"""Linux bundle: replace pillow-heif's x265 *encoder* (23 MB) by a small generated C++ stub.

    python installers/stub-heif-encoder.py dist/shopguard/_internal

ShopGuard only decodes HEIC/HEIF (shopguard/imaging/decode.py; HEVC pictures are decoded by libde265). pillow-heif's
libheif lists libx265 as DT_NEEDED for its HEIC *encoder* plugin, so the library cannot simply be left out (Python
loads extension modules with RTLD_NOW). It takes two symbols from it: ``x265_api_get_<build>`` and ``x265_cleanup``.
The stub defines exactly the symbols the bundle's libraries take from it (``nm -D`` of every library that NEEDs it;
an unknown one stops the build): ``x265_api_get`` answers NULL for every bit depth, which libheif checks in each
place where no encoder exists yet (its plugin name, starting an encode: "Bit depth not supported by x265"); its two
unchecked calls are only reached when an x265 encoder was opened, which cannot happen. ``x265_cleanup`` does
nothing.

The stub must also do the one thing the real libx265 does for libheif besides encoding: construct a
``std::ios_base::Init`` when it is loaded. libheif is built with GCC >= 13 headers, whose ``<iostream>`` no longer
constructs one in every file (GCC 13's libstdc++ does it itself, ``std::ios_base_library_init``); the bundled
libstdc++ is GCC 12's, which does not. So libheif's ``std::cerr`` (its warning in ``heif_image_create``) is only
usable when some other library constructed an ``Init`` first, and today that library is libx265 (loaded before
libheif, as its dependency). The stub is compiled as C++ with a static ``std::ios_base::Init`` of its own, so it
keeps that guarantee whatever else is loaded.

Checked in a separate Python before and after the swap (the build environment's pillow_heif package on the bundle's
own ``_pillow_heif`` module and ``pillow_heif.libs``, with the bundle's libstdc++ first on the library path): with
nothing but pillow-heif loaded, libheif's warning reaches ``std::cerr`` (the message is on stderr, no crash); every
HEIC/HEIF/AVIF made here with the real encoder (8-bit RGB, RGBA, grey, 10-bit) and every one in
``$SHOPGUARD_TESTDATA`` (when set) decodes to the same pixels (SHA-256), and the broken ones fail with the same
exception; the stub is the file mapped. Any difference stops the build. Needs a C++ compiler (``c++``/``g++``;
``installers/system-packages.sh build``). Linux only, like share-libs.py and stub-encoders.py.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import elf_tools  # installers/elf_tools.py (run as a script, this folder is on sys.path)

KNOWN = {
    # libheif checks the table for NULL before any use (its plugin name, starting an encode).
    r"x265_api_get_\d+": 'extern "C" const void *{}(int) {{ return nullptr; }}',
    r"x265_cleanup": 'extern "C" void {}(void) {{}}',
    # std::ios_base_library_init(): an empty function (GCC 13's marker that <iostream> was used). The real libx265
    # carries one from its toolchain's static libstdc++ part and libheif's link took it from there; libheif has no
    # relocation against it (objdump -R), so it is never called, but the stub defines it as the real one does.
    r"_ZSt21ios_base_library_initv": "namespace std {{ void ios_base_library_init() {{}} }}",
}
# What the real libx265 also gives libheif: std::cerr and friends constructed on load (see the docstring).
IOS_INIT = "#include <ios>\nstatic std::ios_base::Init shopguard_iostreams_init;  // what libx265 did on load\n"
# libheif's only use of std::cerr: heif_image_create() with YCbCr colour space and monochrome chroma warns there.
CERR_WARNING = "libheif warning: heif_image_create() used with an illegal colorspace/chroma combination"
IOS_INIT_SYMBOL = "_ZNSt8ios_base4InitC1Ev"  # std::ios_base::Init::Init()
PHOTO_SUFFIXES = {".heic", ".heif", ".avif", ".avifs", ".hif"}
NO_COMPILER = (
    "stub-heif-encoder: no C++ compiler (c++ or g++) found. The Linux bundle replaces pillow-heif's unused HEIC "
    "encoder (x265) by a small generated library and needs one to build it: sudo apt-get install g++ "
    "(or: bash installers/system-packages.sh build)"
)

CHECK = r"""
import ctypes, glob, json, os, sys

# 1. With nothing but libheif (and what it NEEDs) loaded: heif_image_create(1, 1, YCbCr, monochrome) writes libheif's
#    warning to std::cerr. Which mapped libraries construct a std::ios_base::Init is worked out by the caller.
class HeifError(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("subcode", ctypes.c_int), ("message", ctypes.c_char_p)]
[libheif] = glob.glob(os.path.join(sys.argv[1], "libheif*.so*"))
heif = ctypes.CDLL(libheif)
heif.heif_image_create.restype = HeifError
heif.heif_image_create.argtypes = [ctypes.c_int] * 4 + [ctypes.POINTER(ctypes.c_void_p)]
image = ctypes.c_void_p()
heif.heif_image_create(1, 1, 0, 0, ctypes.byref(image))
heif.heif_image_release(image)
maps = [line.split()[-1] for line in open("/proc/self/maps") if ".so" in line.rsplit("/", 1)[-1]]
out = {"mapped_at_probe": sorted(set(maps))}

# 2. Decode every photo the way ShopGuard does (decode.py: Pillow with the HEIF opener), and every picture in a
#    HEIF container; the pixels as SHA-256, failures as their exception's class.
import hashlib, io
import numpy as np
import pillow_heif
from PIL import Image

pillow_heif.register_heif_opener()
decoded = {}
for path in sys.argv[2:]:
    try:
        with Image.open(path) as im:
            im.load()
            got = [im.format, im.mode, list(im.size), hashlib.sha256(im.tobytes()).hexdigest()]
    except Exception as exc:
        got = ["error", type(exc).__name__]
    if got[0] in ("HEIF", "error"):  # AVIF is Pillow's own decoder; this libheif has no AV1 decoder
        try:
            for pic in pillow_heif.open_heif(path, convert_hdr_to_8bit=False):
                got.append([pic.mode, list(pic.size), hashlib.sha256(np.asarray(pic).tobytes()).hexdigest()])
        except Exception as exc:
            got.append(["error", type(exc).__name__])
    decoded[path] = got
out["decoded"] = decoded

# 3. An encode must fail with an exception, never crash (ShopGuard never saves a HEIC).
try:
    pillow_heif.from_pillow(Image.new("RGB", (64, 64), (200, 30, 30))).save(io.BytesIO(), quality=80)
    out["encode"] = "saved"
except Exception as exc:
    out["encode"] = type(exc).__name__ + ": " + str(exc)
print(json.dumps(out))
"""


def _compiler() -> str:
    cxx = shutil.which("c++") or shutil.which("g++")
    if cxx is None:
        sys.exit(NO_COMPILER)
    return cxx


def _stub_source(names: set[str]) -> str:
    lines = ["// generated by installers/stub-heif-encoder.py: never a working encoder", IOS_INIT]
    for name in sorted(names):
        template = next((t for pattern, t in KNOWN.items() if re.fullmatch(pattern, name)), None)
        if template is None:
            sys.exit(f"stub-heif-encoder: {name} (from libx265) is not in the table; update the script")
        lines.append(template.format(name))
    return "\n".join(lines) + "\n"


def _cxx_runtime(internal: Path, cxx: str) -> Path:
    """The libstdc++ the bundle runs with: its own copy, else the build machine's."""
    if (internal / "libstdc++.so.6").is_file():
        return internal / "libstdc++.so.6"
    return Path(elf_tools.run(cxx, "-print-file-name=libstdc++.so.6").strip()).resolve()


def _made_photos(folder: Path) -> list[Path]:
    """HEICs written with the real x265 of the build environment: the kinds of picture a phone may send."""
    import numpy as np
    import pillow_heif
    from PIL import Image

    y, x = np.mgrid[0:96, 0:128]
    rgb = np.stack([(x * 2) % 256, (y * 2) % 256, (x + y) % 256], axis=-1).astype(np.uint8)
    made = []
    for name, image in {
        "rgb8": Image.fromarray(rgb),
        "rgba8": Image.fromarray(np.dstack([rgb, ((x * y) % 256).astype(np.uint8)])),
        "grey8": Image.fromarray(rgb[..., 0]),
    }.items():
        path = folder / f"{name}.heic"
        pillow_heif.from_pillow(image).save(path, quality=85)
        made.append(path)
    path = folder / "rgb10.heic"
    pillow_heif.from_bytes("RGB;16", (128, 96), (rgb.astype(np.uint16) * 257).tobytes()).save(path, quality=85)
    made.append(path)
    (folder / "truncated.heic").write_bytes(made[0].read_bytes()[: made[0].stat().st_size // 2])
    made.append(folder / "truncated.heic")
    return made


def _testdata_photos() -> list[Path]:
    root = os.environ.get("SHOPGUARD_TESTDATA")
    if not root or not Path(root).is_dir():
        return []
    return sorted(p for p in Path(root).rglob("*") if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES)


def _run_check(internal: Path, photos: list[Path], module: Path) -> dict:
    """The CHECK program on the bundle's pillow-heif, in a separate Python; exits the build on a crash."""
    spec = importlib.util.find_spec("pillow_heif")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("stub-heif-encoder: run me with the build environment's Python (it needs pillow_heif to check)")
    libs = internal / "pillow_heif.libs"
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copytree(
            next(iter(spec.submodule_search_locations)),
            site / "pillow_heif",
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        shutil.copyfile(module, site / module.name)
        (site / "pillow_heif.libs").symlink_to(libs.resolve())
        # The bundle's own libstdc++ (the one its users run with), when it ships one.
        env = {
            **os.environ,
            "PYTHONPATH": str(site),
            "PYTHONNOUSERSITE": "1",
            "LD_LIBRARY_PATH": str(internal.resolve()),
        }
        done = subprocess.run(
            [sys.executable, "-c", CHECK, str(site / "pillow_heif.libs"), *map(str, photos)],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
        )
    if done.returncode != 0:
        sys.exit(f"stub-heif-encoder: the check crashed or failed (exit {done.returncode}): {done.stderr[-2000:]}")
    result: dict = json.loads(done.stdout.strip().splitlines()[-1])
    result["cerr"] = CERR_WARNING in done.stderr
    # Which of the libraries mapped at that moment construct a std::ios_base::Init (libstdc++ itself defines it).
    result["ios_init"] = sorted(
        Path(m).name for m in result["mapped_at_probe"] if IOS_INIT_SYMBOL in elf_tools.symbols(Path(m), defined=False)
    )
    return result


def _drop_unneeded(internal: Path, candidates: list[str]) -> list[tuple[str, int]]:
    """Delete the libraries of the bundle's top folder named in ``candidates`` that no ELF file of the bundle NEEDs."""
    needed: set[str] = set()
    for path in internal.rglob("*.so*"):
        if path.is_file() and not path.is_symlink():
            needed.update(elf_tools.needed(path))
    dropped = []
    for name in candidates:
        path = internal / name
        if name not in needed and path.is_file() and not path.is_symlink():
            dropped.append((name, path.stat().st_size))
            path.unlink()
    return dropped


def main() -> None:
    internal = Path(sys.argv[1])
    libs = internal / "pillow_heif.libs"
    found = sorted(libs.glob("libx265-*.so*"))
    modules = sorted(internal.glob("_pillow_heif.*.so"))
    if len(found) != 1 or len(modules) != 1:
        sys.exit(
            f"stub-heif-encoder: expected one libx265 in {libs} and one _pillow_heif module in {internal}, "
            f"found {[p.name for p in found + modules]}"
        )
    real, module = found[0], modules[0]
    real_needs = elf_tools.needed(real)
    if "Version definition" in elf_tools.run("readelf", "-V", str(real)):
        sys.exit(f"stub-heif-encoder: {real.name} has versioned symbols: not the x265 this script knows")
    cxx = _compiler()
    soname = elf_tools.soname(real)
    users = [p for p in libs.iterdir() if p != real and soname in elf_tools.needed(p)]
    wanted = set().union(*(elf_tools.symbols(p, defined=False) for p in users)) if users else set()
    names = wanted & elf_tools.symbols(real, defined=True)
    if not any(name.startswith("x265_") for name in names):
        sys.exit(f"stub-heif-encoder: nothing in {libs} takes an x265 symbol from {real.name}; script out of date")
    # The real libx265 also exports pieces of its toolchain's static libstdc++ part, and libheif's link took some from
    # it (std::__throw_bad_array_new_length). Those the bundle's libstdc++ defines are left to it: with the stub,
    # libheif binds them there (LD_DEBUG=bindings); the others must be in the table.
    runtime = _cxx_runtime(internal, cxx)
    left_to_runtime = sorted(names & elf_tools.symbols(runtime, defined=True))
    names -= set(left_to_runtime)

    with tempfile.TemporaryDirectory() as tmp:
        photos = _made_photos(Path(tmp)) + _testdata_photos()
        before = _run_check(internal, photos, module)
        src, out = Path(tmp) / "x265-stub.cpp", Path(tmp) / real.name
        src.write_text(_stub_source(names))
        subprocess.run(
            [cxx, "-shared", "-fPIC", "-O2", "-s", f"-Wl,-soname,{soname}", "-o", str(out), str(src)], check=True
        )
        missing = names - elf_tools.symbols(out, defined=True)
        if missing:
            sys.exit(f"stub-heif-encoder: the stub of {real.name} lacks {sorted(missing)}")
        if IOS_INIT_SYMBOL not in elf_tools.symbols(out, defined=False):
            sys.exit("stub-heif-encoder: the stub does not construct std::ios_base::Init")
        freed = real.stat().st_size - out.stat().st_size
        fresh = real.with_name(real.name + ".stub")  # a new file, not an overwrite of a library in use
        shutil.copyfile(out, fresh)
        shutil.copymode(real, fresh)
        fresh.replace(real)
        # PyInstaller copied into the bundle's top folder the system libraries libx265 NEEDs; one of them, glibc's
        # libmvec (1 MB), is needed by nothing else: it goes too, so the check below runs without it.
        dropped = _drop_unneeded(internal, real_needs)
        freed += sum(size for _, size in dropped)
        after = _run_check(internal, photos, module)

    problems = []
    if not (before["cerr"] and after["cerr"]):
        problems.append(f"libheif's std::cerr warning: before {before['cerr']}, after {after['cerr']}")
    if after["ios_init"] != [real.name]:
        problems.append(f"with the stub, std::ios_base::Init is constructed by {after['ios_init']}, not the stub")
    changed = [p for p in before["decoded"] if before["decoded"][p] != after["decoded"].get(p)]
    if changed:
        problems.append(f"decoded differently with the stub: {changed}")
    if after["encode"] == "saved":
        problems.append("a HEIC encode still works: the stub is not in place")
    if problems:
        sys.exit("stub-heif-encoder: check failed: " + "; ".join(problems))
    errors = sum(1 for got in after["decoded"].values() if got[0] == "error")
    print(
        f"stub-heif-encoder: {real.name}: {len(names)} symbols used by {', '.join(p.name for p in users)} "
        f"(and {', '.join(left_to_runtime) or 'none'} from {runtime.name}); "
        f"checked: {len(photos)} files decode the same ({len(photos) - errors} to identical pixels, {errors} "
        f"fail with the same error), libheif's std::cerr works (ios_base::Init by "
        f"{', '.join(before['ios_init'])}, then by the stub alone), an encode raises "
        f"{after['encode'].split(':')[0]}; {', '.join(n for n, _ in dropped) or 'nothing'} no longer needed, removed; "
        f"{freed / 1e6:.1f} MB freed"
    )


if __name__ == "__main__":
    main()
