"""How fast the window opens with a 10,000-photo library (target: ≤ 1.5 s on the 2-core dev machine).

Usage: ``python benchmarks/gui_startup.py [--photos N] [--runs R]`` from the repository root.
Builds a throwaway home whose library holds N rows (the 12 demo photos' real fingerprints, repeated
under distinct paths), then starts ``shopguard --home H --quit-after 0`` R times offscreen in a fresh
process and prints a table: whole process (cold interpreter, imports, window shown, event loop reached,
closed) and the in-process split reported by the app's own log.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shopguard.library.indexer import index_paths  # noqa: E402
from shopguard.library.store import LibraryStore  # noqa: E402
from shopguard.paths import Home  # noqa: E402

PROBE = """
import sys, time
from pathlib import Path
t0 = time.perf_counter()
from PySide6.QtCore import QTimer
from shopguard.gui.app import setup_application
from shopguard.gui.main_window import MainWindow
from shopguard.paths import Home
t1 = time.perf_counter()
app = setup_application(["shopguard"])
window = MainWindow(Home(Path(sys.argv[1])).ensure())
window.show()
window.start()
t2 = time.perf_counter()
marks = {}
def first_turn():
    marks["t3"] = time.perf_counter()
    window.show_page(MainWindow.PAGE_LIBRARY)
def library_filled():
    t4 = time.perf_counter()
    rows = window.library_view.model.rowCount()
    print(f"{t1 - t0:.3f} {t2 - t1:.3f} {marks['t3'] - t2:.3f} {t4 - marks['t3']:.3f} {rows}")
    window.close()
    app.quit()
window.library_view.entries_loaded.connect(library_filled)
QTimer.singleShot(0, first_turn)
app.exec()
"""


def build_home(root: Path, photos: int) -> Home:
    home = Home(root).ensure()
    store = LibraryStore(home.library_db)
    index_paths(store, [REPO / "resources" / "demo" / "library"])
    demo = store.photos()
    records = [
        replace(demo[i % len(demo)], id=None, path=f"/shop/photos/{i:05d}-{Path(demo[i % len(demo)].path).name}")
        for i in range(photos - len(demo))
    ]
    for start in range(0, len(records), 1000):
        store.upsert(records[start : start + 1000])
    count = store.count()
    store.close()
    print(f"library rows: {count}")
    return home


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(REPO)}
    with tempfile.TemporaryDirectory() as tmp:
        env["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        home = build_home(Path(tmp) / "home", args.photos)
        walls, splits = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-c", PROBE, str(home.root)], env=env, check=False, capture_output=True, text=True
            )
            if proc.returncode:
                sys.stderr.write(proc.stderr)
                return 1
            out = proc.stdout.split()
            walls.append(time.perf_counter() - started)
            splits.append([float(x) for x in out[-5:-1]])
            rows = int(out[-1])
    med = lambda values: statistics.median(values)  # noqa: E731
    print(f"\nGUI start, {args.photos} library photos, {args.runs} runs (median; max)")
    print("| step                                   | median s | max s |")
    print("|----------------------------------------|----------|-------|")
    steps = (
        "imports (PySide6 + shopguard.gui)",
        "app + window built + shown + start()",
        "first event-loop turn",
        f"library page filled ({rows} rows, lazy)",
    )
    for i, name in enumerate(steps):
        column = [s[i] for s in splits]
        print(f"| {name:<38} | {med(column):8.3f} | {max(column):5.3f} |")
    usable = [w - sp[3] for w, sp in zip(walls, splits, strict=True)]
    print(f"| {'whole process incl. library page':<38} | {med(walls):8.3f} | {max(walls):5.3f} |")
    print(f"| {'usable window (process start → loop)':<38} | {med(usable):8.3f} | {max(usable):5.3f} |")
    print(f"\ntarget: usable window ≤ 1.5 s: {'met' if med(usable) <= 1.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
