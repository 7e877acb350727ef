"""Time the metadata checks over the shared test sets: one command, prints a table.

Usage: python benchmarks/metadata_checks.py [testdata folder]   (default: $SHOPGUARD_TESTDATA)
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

from shopguard.checks.context import CheckContext
from shopguard.checks.registry import builtin_checks
from shopguard.errors import ImageReadError
from shopguard.imaging import probe, read_source
from shopguard.imaging.photo_metadata import read_metadata

METADATA_CHECKS = (
    "camera-metadata",
    "aigc-label",
    "content-credentials",
    "iptc-source-type",
    "generator-metadata",
    "editing-software",
    "capture-time",
    "exif-thumbnail",
    "jpeg-compression",
)


def main() -> None:
    default = Path(os.environ.get("SHOPGUARD_TESTDATA", Path(__file__).resolve().parents[2] / "shared" / "testdata"))
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    checks = [c for c in builtin_checks() if c.id in METADATA_CHECKS]
    totals: dict[str, float] = defaultdict(float)
    worst: dict[str, tuple[float, str]] = defaultdict(lambda: (0.0, ""))
    files = 0
    for path in sorted(root.glob("*/*")):
        if path.suffix in (".csv", ".txt", ".md"):
            continue
        try:
            source = read_source(path)
            facts = probe(source)
        except ImageReadError:
            continue
        files += 1
        read_metadata.cache_clear()
        start = time.perf_counter()
        read_metadata(source)
        elapsed = time.perf_counter() - start
        totals["(parse metadata)"] += elapsed
        if elapsed > worst["(parse metadata)"][0]:
            worst["(parse metadata)"] = (elapsed, path.name)
        ctx = CheckContext(source=source, facts=facts)
        for check in checks:
            start = time.perf_counter()
            with contextlib.suppress(ImageReadError):  # unreadable pixels: timed like the runner sees it
                check.run(ctx)
            elapsed = time.perf_counter() - start
            totals[check.id] += elapsed
            if elapsed > worst[check.id][0]:
                worst[check.id] = (elapsed, path.name)
    print(f"{files} files from {root}")
    print(f"{'check':<22}{'total s':>9}{'mean ms':>9}{'max ms':>9}  slowest file")
    for name, total in totals.items():
        top, top_file = worst.get(name, (0.0, ""))
        print(f"{name:<22}{total:>9.2f}{1000 * total / files:>9.1f}{1000 * top:>9.1f}  {top_file}")


if __name__ == "__main__":
    main()
