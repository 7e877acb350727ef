"""Linux bundle: replace what PyAV's FFmpeg links but ShopGuard never runs by stubs: the video *encoders* (x265,
SVT-AV1, x264; 30 MB), the audio and WebP encoders (LAME, libwebp), TLS (GnuTLS, with the libraries only it needs)
and the capture devices' ALSA and X11 (XCB) libraries (9 MB; installers/README.md "Session 13").

    python installers/stub-encoders.py dist/shopguard/_internal

ShopGuard only decodes video (shopguard/imaging/video.py). PyAV's libavcodec lists libx265, libSvtAv1Enc and libx264
as DT_NEEDED, so they cannot simply be left out: Python loads extension modules with RTLD_NOW, and the loader
refuses a library whose NEEDED file is missing or whose symbols do not resolve. libavcodec only calls them when one
of those *encoders* is opened (or, for x265, asked which pixel formats it takes). So each is replaced by a small
library with the same file name and soname that defines exactly the symbols the bundle's libraries take from it
(``nm -D`` of every library that NEEDs it), with the same symbol versions when the users ask for versions (GnuTLS,
ALSA: a version script with every version node the users need, ``readelf -V``). Every function that opens an encoder
fails the way the real library fails when it cannot start:

- x264: ``x264_param_default_preset`` fails (FFmpeg: "Error setting preset/tune", EINVAL), the opener returns NULL;
- x265: ``x265_api_get`` answers for the bit depths the real library answers for (measured here, so FFmpeg lists
  the same pixel formats), with a table whose every entry is a function returning NULL: FFmpeg's first call,
  ``api->param_alloc()``, gets NULL ("Could not allocate x265 param structure", ENOMEM). Returning NULL from
  ``x265_api_get`` itself would not do: FFmpeg 8's libx265_encode_init does not check it and would jump through a
  NULL table (it is only reached because the pixel-format query fails first);
- SVT-AV1: every call returns EB_ErrorInsufficientResources (FFmpeg: ENOMEM);
- LAME: ``lame_init`` returns NULL (FFmpeg: ENOMEM); libwebp: the config cannot be initialised (FFmpeg: EINVAL);
- GnuTLS (only FFmpeg's tls/https/dtls protocols call it; ShopGuard opens files from memory, never a URL): every
  call fails with GNUTLS_E_INTERNAL_ERROR; ALSA (the alsa capture device): every call fails with -ENODEV; XCB (the
  x11grab device): ``xcb_connect`` gives NULL and ``xcb_connection_has_error`` says so.

Libraries in ``av.libs`` that nothing NEEDs once the stubs are in (GnuTLS's nettle, hogweed, gmp, libunistring;
libwebp's sharpyuv) are deleted.

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
ZERO = "int {}(void) {{ return 0; }}"
# long, not int: a caller that takes ssize_t (gnutls_record_recv, snd_pcm_readi) must see a negative number too.
GNUTLS_FAIL = "long {}(void) {{ return -59; }}"  # GNUTLS_E_INTERNAL_ERROR
ALSA_FAIL = "long {}(void) {{ return -19; }}"  # -ENODEV
MESSAGE = 'const char *{}(void) {{ return "not available in this build"; }}'
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
    "libmp3lame": {r"lame_init": NULL, r"lame_close": NOTHING, r"lame_\w+": FAIL},
    "libwebp": {
        r"WebP(ConfigInitInternal|PictureInitInternal|ValidateConfig|Encode|MemoryWrite)": ZERO,  # 0: failed
        r"WebP(Free|PictureFree|MemoryWriterInit|MemoryWriterClear|CleanupTransparentArea)": NOTHING,
    },
    "libwebpmux": {
        r"WebPAnimEncoderNewInternal": NULL,
        r"WebPAnimEncoder(OptionsInitInternal|Add|Assemble)": ZERO,
        r"WebPAnimEncoderDelete": NOTHING,
    },
    "libgnutls": {
        r"gnutls_strerror": MESSAGE,
        r"gnutls_certificate_get_peers": NULL,
        r"gnutls_(global_deinit|deinit|certificate_free_credentials|x509_crt_deinit|x509_privkey_deinit)": NOTHING,
        r"gnutls_\w+": GNUTLS_FAIL,
    },
    "libasound": {r"snd_strerror": MESSAGE, r"snd_device_name_get_hint": NULL, r"snd_\w+": ALSA_FAIL},
    # XCB: every call returns 0 (a NULL connection, reply or setup), except the error question, which says "yes".
    "libxcb": {r"xcb_connection_has_error": "int {}(void) {{ return 1; }}", r"xcb_\w+": NULL},
    "libxcb-shm": {r"xcb_shm_\w+": NULL},
    "libxcb-shape": {r"xcb_shape_\w+": NULL},
    "libxcb-xfixes": {r"xcb_xfixes_\w+": NULL},
}
# The FFmpeg encoders backed by those libraries: each must refuse to open in the stubbed bundle.
ENCODERS = ("libx264", "libx264rgb", "libx265", "libsvtav1", "libmp3lame", "libwebp", "libwebp_anim")
# The capture devices backed by ALSA and XCB: opening each must fail with a Python exception.
DEVICES = (("alsa", "default"), ("x11grab", ":0"))
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
encoders, devices = json.loads(sys.argv[1])
for name in encoders:
    ctx = av.CodecContext.create(name, "w")
    if ctx.type == "audio":
        ctx.sample_rate, ctx.layout, ctx.format = 44100, "stereo", "s16p"
    else:
        ctx.width, ctx.height = 64, 64
        ctx.pix_fmt = {"libx264rgb": "bgr24", "libwebp": "yuv420p", "libwebp_anim": "yuv420p"}.get(name, "yuv420p")
    ctx.time_base = Fraction(1, 25)
    try:
        ctx.open()
        out["encoders"][name] = "opened"
    except Exception as exc:  # the point: FFmpeg's refusal arrives as a Python exception
        out["encoders"][name] = type(exc).__name__
out["devices"] = {}
for fmt, device in devices:
    try:
        av.open(device, format=fmt).close()
        out["devices"][fmt] = "opened"
    except Exception as exc:
        out["devices"][fmt] = type(exc).__name__
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
            [sys.executable, "-c", CHECK, json.dumps([ENCODERS, DEVICES])],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp,
        )
    if done.returncode != 0:
        sys.exit(f"stub-encoders: the check crashed or failed (exit {done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    opened = [name for name, what in {**result["encoders"], **result["devices"]}.items() if what == "opened"]
    if opened or not result["codecs"]:
        sys.exit(f"stub-encoders: check failed: {result}")
    mapped = set(result["mapped"])
    shipped = {str(p.resolve()) for p in stubs.values()}
    loaded = {m for m in mapped if any(Path(m).name == p.name for p in stubs.values())}
    if loaded != shipped:
        sys.exit(f"stub-encoders: the check did not load the stubs: {sorted(loaded)}")
    refusals = {**result["encoders"], **{f"the {fmt} device": what for fmt, what in result["devices"].items()}}
    print(
        f"stub-encoders: checked: {result['codecs']} codecs listed; opening {', '.join(refusals)} raises "
        f"{', '.join(sorted(set(refusals.values())))} (no crash)"
    )


def _version_script(soname: str, users: list[Path], names: set[str]) -> str:
    """A linker version script giving each symbol the version its users ask for ("" when they ask for none)."""
    nodes: dict[str, set[str]] = {v: set() for user in users for v in elf_tools.needed_versions(user, soname)}
    for user in users:
        for name, version in elf_tools.undefined_versions(user).items():
            if name in names and version in nodes:
                nodes[version].add(name)
    return "".join(f"{node} {{ global: {' '.join(f'{n};' for n in sorted(syms))} }};\n" for node, syms in nodes.items())


def _remove_orphans(libs: Path, internal: Path) -> list[str]:
    """Delete the libraries in ``libs`` that no library or module of the bundle NEEDs any more (until none is left)."""
    removed: list[str] = []
    while True:
        needed = {name for path in _elf_files(internal) for name in elf_tools.needed(path)}
        orphans = [p for p in libs.iterdir() if p.is_file() and elf_tools.soname(p) not in needed]
        if not orphans:
            return removed
        for path in orphans:
            removed.append(path.name)
            path.unlink()


def main() -> None:
    internal = Path(sys.argv[1])
    libs = internal / "av.libs"
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        sys.exit(NO_COMPILER)
    elf = _elf_files(internal)
    built: dict[Path, Path] = {}
    freed = 0
    reals = {}
    for prefix in KNOWN:
        # auditwheel's names: <name>-<8 hex digits>.so...; "libxcb" must not match "libxcb-shm".
        found = sorted(p for p in libs.iterdir() if re.fullmatch(rf"{re.escape(prefix)}-[0-9a-f]{{8}}\.so.*", p.name))
        if len(found) != 1:
            sys.exit(f"stub-encoders: expected one {prefix} in {libs}, found {[p.name for p in found]}")
        reals[prefix] = found[0]
    with tempfile.TemporaryDirectory() as tmp:
        for prefix, real in reals.items():
            soname = elf_tools.soname(real)
            # A stubbed library needs nothing, so its own needs (libwebpmux -> libwebp) do not count.
            users = [p for p in elf if p not in reals.values() and soname in elf_tools.needed(p)]
            wanted = set().union(*(elf_tools.symbols(p, defined=False) for p in users)) if users else set()
            names = wanted & elf_tools.symbols(real, defined=True)
            src, out = Path(tmp) / f"{prefix}.c", Path(tmp) / real.name
            src.write_text(_stub_source(prefix, names, real))
            compile_args = ["-shared", "-fPIC", "-O2", "-s", f"-Wl,-soname,{soname}", "-o", str(out), str(src)]
            versions = _version_script(soname, users, names)
            if versions:
                (Path(tmp) / f"{prefix}.map").write_text(versions)
                compile_args.append(f"-Wl,--version-script={Path(tmp) / f'{prefix}.map'}")
            subprocess.run([cc, *compile_args], check=True)
            missing = names - elf_tools.symbols(out, defined=True)
            if missing:
                sys.exit(f"stub-encoders: the stub of {real.name} lacks {sorted(missing)}")
            print(
                f"stub-encoders: {real.name}: {len(names)} symbols used by {', '.join(p.name for p in users)}"
                + (f" (versions {', '.join(elf_tools.needed_versions(users[0], soname))})" if versions else "")
            )
            built[real] = out
        # Replace only once every stub is built; a new file, not an overwrite (x265 is mapped in this process).
        for real, out in built.items():
            freed += real.stat().st_size - out.stat().st_size
            fresh = real.with_name(real.name + ".stub")
            shutil.copyfile(out, fresh)
            shutil.copymode(real, fresh)
            fresh.replace(real)
    sizes = {p.name: p.stat().st_size for p in libs.iterdir()}
    removed = _remove_orphans(libs, internal)
    freed += sum(sizes[name] for name in removed)
    _check(internal, {real.name: real for real in built})
    print(
        f"stub-encoders: {len(built)} libraries replaced by stubs, {len(removed)} no longer needed removed "
        f"({', '.join(removed) or 'none'}); {freed / 1e6:.1f} MB freed"
    )


if __name__ == "__main__":
    main()
