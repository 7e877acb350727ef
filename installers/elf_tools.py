"""ELF look-ups shared by the bundle's build steps (stub-encoders.py, opencv-blas.py): ``nm`` and ``readelf``
(binutils), run on a shared library of the bundle."""

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
