"""Linux bundle: replace the video *encoders* PyAV's FFmpeg links (x265, SVT-AV1, x264; 30 MB) by stubs.

    python installers/stub-encoders.py dist/shopguard/_internal

ShopGuard only decodes video (shopguard/imaging/video.py). PyAV's libavcodec lists libx265, libSvtAv1Enc and libx264
as DT_NEEDED, so they cannot simply be left out: Python loads extension modules with RTLD_NOW, and the loader
refuses a library whose NEEDED file is missing or whose symbols do not resolve. libavcodec only calls them when one
of those *encoders* is opened (or, for x265, asked which pixel formats it takes). So each is replaced by a small
library with the same file name and soname that defines exactly the symbols the bundle's libraries take from it
(``nm -D`` of every library that NEEDs it), none versioned (a real library with version definitions is left
alone). Every function that opens an encoder fails the way the real library fails when it cannot start:

- x264: ``x264_param_default_preset`` fails (FFmpeg: "Error setting preset/tune", EINVAL), the opener returns NULL;
- x265: ``x265_api_get`` answers for the bit depths the real library answers for (measured here, so FFmpeg lists
  the same pixel formats), with a table whose every entry is a function returning NULL: FFmpeg's first call,
  ``api->param_alloc()``, gets NULL ("Could not allocate x265 param structure", ENOMEM). Returning NULL from
  ``x265_api_get`` itself would not do: FFmpeg 8's libx265_encode_init does not check it and would jump through a
  NULL table (it is only reached because the pixel-format query fails first);
- SVT-AV1: every call returns EB_ErrorInsufficientResources (FFmpeg: ENOMEM).

Decoders (libavcodec's own h264/hevc/vp9, libdav1d, libvpx) are untouched. After replacing, the script checks the
result in a separate Python: the build environment's ``av`` package loading the bundle's ``av.libs`` (so the very
files shipped) lists its codecs, and opening each stubbed encoder raises a Python exception; a crash, an encoder
that opens, or a real encoder library still mapped fails the build. The smoke test then decodes and matches a
video with the bundle itself.

A symbol the table below does not know (a newer PyAV) stops the script with an error: the build then fails
rather than ship a guess. It needs a C compiler (``cc`` or ``gcc``; ``installers/system-packages.sh build``) and
fails with a clear message without one. Linux only, like share-libs.py. pillow-heif's own libx265 is stubbed by
stub-heif-encoder.py (C++: it must also initialise C++ iostreams for libheif; installers/README.md, "Session 13").
"""

from __future__ import annotations

import ctypes
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

# What each function returns when called (C declarations; arguments are ignored: a C caller may pass any).
NULL = "void *{}(void) {{ return 0; }}"
FAIL = "int {}(void) {{ return -1; }}"
NOTHING = "void {}(void) {{}}"
SVT_FAIL = "int {}(void) {{ return (int)0x80001000; }}"  # EB_ErrorInsufficientResources
# x265_api (x265.h) is 8 ints, 2 strings and about 70 function pointers (under 700 bytes); the stub's table has
# 256 slots, every one a function returning NULL, so whichever member a caller uses, it gets NULL back.
X265_SLOTS = 256
X265_API_GET = "x265_api_get"
KNOWN: dict[str, dict[str, str]] = {
    "libx264": {
        r"x264_encoder_open_\d+": NULL,
        r"x264_encoder_close|x264_param_default|x264_param_cleanup|x264_picture_init": NOTHING,
        r"x264_param_apply_fastfirstpass": NOTHING,
        r"x264_encoder_(delayed_frames|encode|headers|maximum_delayed_frames|reconfig)": FAIL,
        r"x264_param_(apply_profile|default_preset|parse)": FAIL,
        # x264_levels: a table ended by level_idc 0, read when a level is set; empty here.
        r"x264_levels": "const unsigned char {}[64] = {{0}};",
    },
    "libx265": {r"x265_api_get_\d+": X265_API_GET, r"x265_api_query": NULL},
    "libSvtAv1Enc": {
        r"svt_av1_enc_(init_handle|init|deinit|deinit_handle|set_parameter|parse_parameter|send_picture)": SVT_FAIL,
        r"svt_av1_enc_(get_packet|stream_header|stream_header_release|get_stream_info)": SVT_FAIL,
        r"svt_av1_enc_release_out_buffer|svt_metadata_array_free": NOTHING,
        r"svt_add_metadata": FAIL,
    },
}
# The FFmpeg encoders backed by those libraries: each must refuse to open in the stubbed bundle.
ENCODERS = ("libx264", "libx264rgb", "libx265", "libsvtav1")
NO_COMPILER = (
    "stub-encoders: no C compiler (cc or gcc) found. The Linux bundle replaces PyAV's unused video encoders by "
    "small generated libraries and needs one to build them: sudo apt-get install gcc libc6-dev "
    "(or: bash installers/system-packages.sh build)"
)


def _elf_files(root: Path) -> list[Path]:
    files = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and ".so" in path.name:
            with path.open("rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    files.append(path)
    return files


def _x265_depths(real: Path, getter: str) -> list[int]:
    """The bit depths (0 = the default build) for which the real libx265 hands out an API table."""
    lib = ctypes.CDLL(str(real))
    get = getattr(lib, getter)
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.c_int]
    return [depth for depth in (0, 8, 10, 12) if get(depth)]


def _stub_source(prefix: str, names: set[str], real: Path) -> str:
    lines = ["/* generated by installers/stub-encoders.py: encoder stubs, never a working encoder */"]
    for name in sorted(names):
        template = next((t for pattern, t in KNOWN[prefix].items() if re.fullmatch(pattern, name)), None)
        if template is None:
            sys.exit(f"stub-encoders: {name} (from {prefix}) is not in the table; update installers/stub-encoders.py")
        if template is X265_API_GET:
            depths = _x265_depths(real, name)
            if 0 not in depths:
                sys.exit(f"stub-encoders: {real.name} gives no API for the default depth; not the x265 we know")
            test = " || ".join(f"depth == {d}" for d in depths)
            lines += [
                "static void *x265_stub_null(void) { return 0; }",
                f"static void *(*const x265_stub_api[{X265_SLOTS}])(void) = {{"
                + ", ".join(["x265_stub_null"] * X265_SLOTS)
                + "};",
                f"const void *{name}(int depth) {{ return ({test}) ? (const void *)x265_stub_api : 0; }}",
            ]
        else:
            lines.append(template.format(name))
    return "\n".join(lines) + "\n"


CHECK = r"""
import json, os, sys
from fractions import Fraction
import av
out = {"codecs": len(av.codecs_available), "encoders": {}}
for name in sys.argv[1:]:
    ctx = av.CodecContext.create(name, "w")
    ctx.width, ctx.height = 64, 64
    ctx.pix_fmt = "bgr24" if name == "libx264rgb" else "yuv420p"
    ctx.time_base = Fraction(1, 25)
    try:
        ctx.open()
        out["encoders"][name] = "opened"
    except Exception as exc:  # the point: FFmpeg's refusal arrives as a Python exception
        out["encoders"][name] = type(exc).__name__
maps = open("/proc/self/maps").read().split("\n")
out["mapped"] = sorted({os.path.realpath(l.split()[-1]) for l in maps if "av.libs/lib" in l})
print(json.dumps(out))
"""


def _check(internal: Path, stubs: dict[str, Path]) -> None:
    """Import the build environment's av package against the bundle's av.libs; every stubbed encoder must refuse."""
    spec = importlib.util.find_spec("av")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("stub-encoders: run me with the build environment's Python (it needs PyAV to check the stubs)")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(
            next(iter(spec.submodule_search_locations)), Path(tmp) / "av", ignore=shutil.ignore_patterns("__pycache__")
        )
        (Path(tmp) / "av.libs").symlink_to((internal / "av.libs").resolve())
        env = {**os.environ, "PYTHONPATH": tmp, "PYTHONNOUSERSITE": "1"}
        done = subprocess.run(
            [sys.executable, "-c", CHECK, *ENCODERS], capture_output=True, text=True, env=env, cwd=tmp
        )
    if done.returncode != 0:
        sys.exit(f"stub-encoders: the check crashed or failed (exit {done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    opened = [name for name, what in result["encoders"].items() if what == "opened"]
    if opened or not result["codecs"]:
        sys.exit(f"stub-encoders: check failed: {result}")
    mapped = set(result["mapped"])
    shipped = {str(p.resolve()) for p in stubs.values()}
    loaded = {m for m in mapped if any(Path(m).name == p.name for p in stubs.values())}
    if loaded != shipped:
        sys.exit(f"stub-encoders: the check did not load the stubs: {sorted(loaded)}")
    print(
        f"stub-encoders: checked: {result['codecs']} codecs listed; opening {', '.join(result['encoders'])} raises "
        f"{', '.join(sorted(set(result['encoders'].values())))} (no crash)"
    )


def main() -> None:
    internal = Path(sys.argv[1])
    libs = internal / "av.libs"
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        sys.exit(NO_COMPILER)
    elf = _elf_files(internal)
    built: dict[Path, Path] = {}
    freed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for prefix in KNOWN:
            found = sorted(libs.glob(f"{prefix}-*.so*"))
            if len(found) != 1:
                sys.exit(f"stub-encoders: expected one {prefix} in {libs}, found {[p.name for p in found]}")
            real = found[0]
            if "Version definition" in elf_tools.run("readelf", "-V", str(real)):
                print(f"stub-encoders: {real.name} has versioned symbols; left alone")
                continue
            soname = elf_tools.soname(real)
            users = [p for p in elf if p != real and soname in elf_tools.needed(p)]
            wanted = set().union(*(elf_tools.symbols(p, defined=False) for p in users)) if users else set()
            names = wanted & elf_tools.symbols(real, defined=True)
            src, out = Path(tmp) / f"{prefix}.c", Path(tmp) / real.name
            src.write_text(_stub_source(prefix, names, real))
            compile_args = ["-shared", "-fPIC", "-O2", "-s", f"-Wl,-soname,{soname}", "-o", str(out), str(src)]
            subprocess.run([cc, *compile_args], check=True)
            missing = names - elf_tools.symbols(out, defined=True)
            if missing:
                sys.exit(f"stub-encoders: the stub of {real.name} lacks {sorted(missing)}")
            print(f"stub-encoders: {real.name}: {len(names)} symbols used by {', '.join(p.name for p in users)}")
            built[real] = out
        # Replace only once every stub is built; a new file, not an overwrite (x265 is mapped in this process).
        for real, out in built.items():
            freed += real.stat().st_size - out.stat().st_size
            fresh = real.with_name(real.name + ".stub")
            shutil.copyfile(out, fresh)
            shutil.copymode(real, fresh)
            fresh.replace(real)
    _check(internal, {real.name: real for real in built})
    print(f"stub-encoders: {len(built)} encoder libraries replaced by stubs; {freed / 1e6:.1f} MB freed")


if __name__ == "__main__":
    main()
