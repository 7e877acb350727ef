"""Linux bundle: remove the DWARF debug information some wheels' libraries carry, without moving a loaded byte.

    python installers/drop-debug-info.py dist/shopguard/_internal

PyAV's 49 Cython modules (30 MB, 24 of it ``.debug_*``), Pillow's and pillow-heif's extension modules and
Pillow's FreeType ship with their debug information. ``strip`` cannot be used on them: auditwheel's patchelf
appended new segments after the debug sections (the ``.dynsym``/``.dynstr`` it rewrote, at file offsets past the
DWARF), and ``strip``/``objcopy --strip-debug`` then re-lay the file out: it reorders and shrinks those segments,
the kind of rewrite that broke numpy's OpenBLAS ("ELF load command address/offset not page-aligned",
shopguard.spec). This does the minimum instead: the debug sections (never loaded: no SHF_ALLOC, in no segment)
are cut out of the file as one block whose length is a multiple of the largest alignment of the segments behind
it, every later file offset (program headers, section headers, the header table itself) moves down by that
amount, and the debug sections' headers remain, empty. Virtual addresses, sizes and flags do not change.

Each file is checked before it replaces the original: the same program headers apart from file offsets, and every
segment's bytes identical (SHA-256) once those offsets are set back, so the image the loader maps differs only in
the file offsets written in its ELF, program and section headers (the loader reads offsets from the file, never
from the mapped copy); then every changed file is loaded with ``dlopen(RTLD_NOW)`` in a separate Python. A file
whose debug sections are not one block free of loaded content is left as it is. Linux only (ELF, 64-bit little-endian).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

SHF_ALLOC = 0x2


def _sections(data: bytes) -> tuple[list[list[int]], list[list[int]], dict[str, int]]:
    """(program headers, section headers, header fields) of a 64-bit little-endian ELF file."""
    e_phoff, e_shoff = struct.unpack_from("<QQ", data, 0x20)
    e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
    phdrs = [list(struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize)) for i in range(e_phnum)]
    shdrs = [list(struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)) for i in range(e_shnum)]
    head = {
        "phoff": e_phoff,
        "shoff": e_shoff,
        "phentsize": e_phentsize,
        "shentsize": e_shentsize,
        "shstrndx": e_shstrndx,
    }
    return phdrs, shdrs, head


def _name(data: bytes, shdrs: list[list[int]], head: dict[str, int], sh: list[int]) -> str:
    strtab = shdrs[head["shstrndx"]]
    start = strtab[4] + sh[0]
    return data[start : data.index(b"\0", start)].decode()


def without_debug(data: bytes) -> bytes | None:
    """The file without its .debug_* sections, or None when it has none or they cannot be cut out safely."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    phdrs, shdrs, head = _sections(data)
    debug = [sh for sh in shdrs if _name(data, shdrs, head, sh).startswith(".debug_") and sh[5] > 0]
    if not debug or any(sh[2] & SHF_ALLOC for sh in debug):
        return None
    lo, hi = min(sh[4] for sh in debug), max(sh[4] + sh[5] for sh in debug)
    # Nothing else may live in [lo, hi): no other section's bytes, no segment, neither header table.
    others = [(sh[4], sh[4] + sh[5]) for sh in shdrs if sh not in debug and sh[1] != 8 and sh[5] > 0]  # 8: NOBITS
    others += [(ph[2], ph[2] + ph[5]) for ph in phdrs if ph[5] > 0]
    others += [(head["phoff"], head["phoff"] + len(phdrs) * 56), (head["shoff"], head["shoff"] + len(shdrs) * 64)]
    if any(start < hi and end > lo for start, end in others):
        return None
    align = max([ph[7] for ph in phdrs if ph[2] >= hi] + [8])
    cut = (hi - lo) // align * align
    if cut == 0:
        return None
    out = bytearray(data[:lo] + data[lo + cut :])

    def moved(offset: int) -> int:
        return offset - cut if offset >= hi else offset

    phoff, shoff = moved(head["phoff"]), moved(head["shoff"])
    struct.pack_into("<QQ", out, 0x20, phoff, shoff)
    for i, ph in enumerate(phdrs):
        ph[2] = moved(ph[2])
        struct.pack_into("<IIQQQQQQ", out, phoff + i * head["phentsize"], *ph)
    for i, sh in enumerate(shdrs):
        if sh in debug:
            sh[4], sh[5] = lo, 0
        else:
            sh[4] = moved(sh[4])
        struct.pack_into("<IIQQQQIIQQ", out, shoff + i * head["shentsize"], *sh)
    return bytes(out)


def same_image(old: bytes, new: bytes) -> bool:
    """Whether both files map the same bytes at the same addresses. Program headers must be equal but for their
    file offsets; the mapped bytes are compared after writing the old file offsets back into the new file's ELF
    header, program headers and section headers (which the first and, after patchelf, the last segment map), so
    any other difference fails."""
    a, b = _sections(old)[0], _sections(new)[0]
    if len(a) != len(b):
        return False
    if any(pa[:2] + pa[3:] != pb[:2] + pb[3:] for pa, pb in zip(a, b, strict=True)):
        return False
    head, old_head = _sections(new)[2], _sections(old)[2]
    restored = bytearray(new)
    restored[0x20:0x30] = old[0x20:0x30]  # e_phoff, e_shoff
    for i, ph in enumerate(a):
        struct.pack_into("<IIQQQQQQ", restored, head["phoff"] + i * head["phentsize"], *ph)
    table = len(_sections(old)[1]) * old_head["shentsize"]  # section headers: patchelf may put them in a segment
    restored[head["shoff"] : head["shoff"] + table] = old[old_head["shoff"] : old_head["shoff"] + table]
    for pa, pb in zip(a, b, strict=True):
        if (
            hashlib.sha256(old[pa[2] : pa[2] + pa[5]]).digest()
            != hashlib.sha256(restored[pb[2] : pb[2] + pb[5]]).digest()
        ):
            return False
    return True


LOAD = r"""
import ctypes, json, os, sys
failed = {}
for path in sys.argv[1:]:
    try:
        ctypes.CDLL(path, mode=os.RTLD_NOW | os.RTLD_LOCAL)
    except OSError as exc:
        failed[path] = str(exc)
print(json.dumps(failed))
"""


def main() -> None:
    internal = Path(sys.argv[1])
    changed: dict[Path, bytes] = {}
    before = after = 0
    for path in sorted(internal.rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        new = without_debug(data)
        if new is None:
            continue
        if not same_image(data, new):
            sys.exit(f"drop-debug-info: {path.relative_to(internal)} would map differently; not changed")
        changed[path] = data
        before, after = before + len(data), after + len(new)
        fresh = path.with_name(path.name + ".new")
        fresh.write_bytes(new)
        fresh.chmod(path.stat().st_mode)
        fresh.replace(path)
    if not changed:
        print("drop-debug-info: no library carries debug information")
        return
    # Every changed file must still load (its needed libraries found through its own RUNPATH, in the bundle).
    done = subprocess.run(
        [sys.executable, "-c", LOAD, *map(str, changed)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONNOUSERSITE": "1"},
    )
    failed = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {"(crash)": done.stderr}
    if failed:
        for path, data in changed.items():
            path.write_bytes(data)
        sys.exit(f"drop-debug-info: restored the originals; these no longer load: {failed}")
    print(
        f"drop-debug-info: {len(changed)} files, {before / 1e6:.1f} -> {after / 1e6:.1f} MB; every segment "
        "byte-identical and every file loads"
    )


if __name__ == "__main__":
    main()
