"""ELF look-ups shared by the bundle's build steps (stub-encoders.py, stub-heif-encoder.py, opencv-blas.py): ``nm``
and ``readelf`` (binutils), run on a shared library of the bundle."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def run(*args: str) -> str:
    """stdout of a command that must succeed."""
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def symbols(path: Path, defined: bool) -> set[str]:
    """Dynamic symbol names (version suffix dropped) the library defines, or needs from others."""
    out = run("nm", "-D", "--defined-only" if defined else "--undefined-only", str(path))
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def needed(path: Path) -> list[str]:
    """The library's DT_NEEDED entries (none when readelf cannot read it)."""
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def soname(path: Path) -> str:
    """The library's DT_SONAME, else its file name."""
    found = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", run("readelf", "-d", str(path)))
    return found[1] if found else path.name


def undefined_versions(path: Path) -> dict[str, str]:
    """The symbol versions the library asks for: undefined name -> version (``nm -D``: ``name@VERSION``)."""
    out = run("nm", "-D", "--undefined-only", str(path))
    pairs = (line.split()[-1].split("@", 1) for line in out.splitlines() if "@" in line)
    return {name: version.lstrip("@") for name, version in pairs}


def needed_versions(path: Path, soname: str) -> set[str]:
    """The version names the library needs from ``soname`` (``readelf -V``, its .gnu.version_r entries)."""
    out = subprocess.run(["readelf", "-V", str(path)], capture_output=True, text=True).stdout
    found: set[str] = set()
    current = None
    for line in out.splitlines():
        if (entry := re.search(r"File: (\S+)\s+Cnt:", line)) is not None:
            current = entry[1]
        elif current == soname and (name := re.search(r"Name: (\S+)\s+Flags:", line)) is not None:
            found.add(name[1])
    return found
