"""Soak: index many generated photos, then run many checks in one process and in the app (offscreen).

Watches what a long session would leak: resident memory (VmRSS), open file descriptors (/proc/self/fd), threads,
and whether the time per check drifts. Prints one table row per batch and a verdict against fixed bounds.

Usage: nice -n 10 python benchmarks/soak.py [--photos N] [--checks N] [--app-checks N] [--batch N] [--workdir DIR]
  default: 2,000 photos, 200 checks, 50 app checks (a few minutes on 2 shared cores)
  full run (issue 17): --photos 20000 --checks 1000 --app-checks 200 --workdir /tmp/soak
  --workdir keeps the generated photos and the indexed library: a rerun after an interruption skips the photos
  already written and the ones already indexed (the indexer skips unchanged files), then runs the checks afresh in
  one process (the leak figures only mean something for one unbroken process). Each batch row is printed as soon
  as it is measured, so an interrupted run still reports what finished.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shopguard.cases.service import CheckRequest, check_photos  # noqa: E402
from shopguard.library.indexer import index_paths  # noqa: E402
from shopguard.library.store import LibraryStore  # noqa: E402
from shopguard.paths import Home  # noqa: E402

RSS_BOUND_MB = 1500
"""The whole process after the run, library index included (20k photos: ~60 MB of keys)."""
DRIFT_BOUND = 1.5
"""The last batch may take at most 1.5x the second one (the first warms caches)."""


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_fds() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def make_photos(folder: Path, count: int, seed: int = 7) -> list[Path]:
    """``count`` distinct product-like JPEGs (shapes, text-like strokes, noise), 640x480."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"photo-{i:05d}.jpg"
        paths.append(path)
        if path.exists():  # a resumed run keeps what it wrote (one seed per photo: the same photo again)
            continue
        rng = random.Random(seed * 1_000_003 + i)
        im = Image.new("RGB", (640, 480), tuple(rng.randrange(120, 256) for _ in range(3)))  # type: ignore[arg-type]
        draw = ImageDraw.Draw(im)
        for _ in range(12):
            x0, y0 = rng.randrange(0, 560), rng.randrange(0, 400)
            box = (x0, y0, x0 + rng.randrange(20, 200), y0 + rng.randrange(20, 200))
            colour = tuple(rng.randrange(0, 256) for _ in range(3))
            (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=colour)  # type: ignore[operator]
        for _ in range(20):
            x, y = rng.randrange(0, 600), rng.randrange(0, 460)
            draw.line((x, y, x + rng.randrange(5, 40), y + rng.randrange(-3, 4)), fill=(20, 20, 20), width=2)
        im = im.filter(ImageFilter.GaussianBlur(0.6))
        partial = path.with_suffix(".part")  # renamed into place whole: a killed run leaves no torn photo
        im.save(partial, format="JPEG", quality=rng.randrange(80, 95))
        partial.replace(path)
    return paths


def complaints(library: list[Path], folder: Path, count: int = 20) -> list[Path]:
    """Buyer photos made from library photos: cropped, resized and re-saved (what a refund scammer sends)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n, source in enumerate(library[:: max(1, len(library) // count)][:count]):
        im = Image.open(source).crop((40, 30, 600, 450)).resize((800, 600))
        path = folder / f"complaint-{n:02d}.jpg"
        if not path.exists():  # kept: a second run on the same --workdir may be reading them right now
            partial = path.with_suffix(".part")
            im.save(partial, format="JPEG", quality=75)
            partial.replace(path)
        out.append(path)
    return out


def _row(label: str, batch: int, times: list[float], started_threads: int) -> list[str]:
    row = [
        label,
        str(batch),
        f"{statistics.mean(times) * 1000:.0f}",
        f"{rss_mb():.0f}",
        str(open_fds()),
        str(threading.active_count() - started_threads),
    ]
    print("| " + " | ".join(row) + f" | {time.strftime('%H:%M:%S')} load {os.getloadavg()[0]:.1f}", flush=True)
    return row


def soak_engine(home: Home, photos: list[Path], checks: int, batch: int) -> list[list[str]]:
    store = LibraryStore(home.library_db)
    rows: list[list[str]] = []
    threads = threading.active_count()
    times: list[float] = []
    for i in range(checks):
        t0 = time.perf_counter()
        check_photos(home, CheckRequest(photos=(photos[i % len(photos)],)), store)
        times.append(time.perf_counter() - t0)
        if len(times) == batch:
            rows.append(_row("engine", (i + 1) // batch, times, threads))
            times = []
    store.close()
    return rows


def soak_app(home: Home, photos: list[Path], checks: int, batch: int) -> list[list[str]]:
    """Checks through the app's own job runner (worker threads, queued signals), Qt offscreen."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEventLoop

    from shopguard.gui.check_jobs import run_check
    from shopguard.gui.jobs import JobRunner

    app = QCoreApplication.instance() or QCoreApplication([])
    runner = JobRunner()
    rows: list[list[str]] = []
    threads = threading.active_count()
    times: list[float] = []
    for i in range(checks):
        loop = QEventLoop()
        request = CheckRequest(photos=(photos[i % len(photos)],))
        t0 = time.perf_counter()
        runner.submit(
            lambda progress, cancel, request=request: run_check(home, request, progress, cancel),
            on_success=lambda _case, loop=loop: loop.quit(),
            on_failure=lambda failure, loop=loop: (print("FAILED", failure), loop.quit()),
        )
        loop.exec()
        times.append(time.perf_counter() - t0)
        if len(times) == batch:
            rows.append(_row("app", (i + 1) // batch, times, threads))
            times = []
    runner.shutdown()
    del app
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=2000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--app-checks", type=int, default=50)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--workdir", help="keep photos and library here (resumable); default: a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.workdir) if args.workdir else Path(tmp)
        base.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        library = make_photos(base / "shop", args.photos)
        made = time.perf_counter() - t0
        home = Home(base / "home").ensure()
        store = LibraryStore(home.library_db)
        t0 = time.perf_counter()
        summary = index_paths(store, [base / "shop"])
        indexed = time.perf_counter() - t0
        in_library = store.count()
        store.close()
        print(
            f"generated {args.photos} photos in {made:.0f} s; indexed {summary.added} new "
            f"({summary.unchanged} already indexed) in {indexed:.0f} s "
            f"({indexed / max(summary.added, 1) * 1000:.0f} ms/photo); library {in_library} photos; "
            f"RSS {rss_mb():.0f} MB; load {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        buyers = complaints(library, base / "buyer")
        fds0, threads0 = open_fds(), threading.active_count()
        print("\n| run | batch | ms/check | RSS MB | open fds | extra threads |  (time, load)", flush=True)
        rows = soak_engine(home, buyers, args.checks, args.batch)
        rows += soak_app(home, buyers, args.app_checks, args.batch)
        print("\n| run | batch | ms/check | RSS MB | open fds | extra threads |")
        print("|---|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        engine = [r for r in rows if r[0] == "engine"]
        drift = float(engine[-1][2]) / float(engine[1][2]) if len(engine) > 2 else 1.0
        final_rss = rss_mb()
        # growth within each run, first batch to last (starting Qt opens a few descriptors and threads once)
        leaks = max(int(runs[-1][4]) - int(runs[0][4]) for runs in (engine, [r for r in rows if r[0] == "app"]) if runs)
        threads_grew = max(
            int(runs[-1][5]) - int(runs[0][5]) for runs in (engine, [r for r in rows if r[0] == "app"]) if runs
        )
        print(
            f"\nfinal RSS {final_rss:.0f} MB (bound {RSS_BOUND_MB}); fds {fds0} -> {open_fds()}; "
            f"threads {threads0} -> {threading.active_count()}; engine drift last/second batch {drift:.2f} "
            f"(bound {DRIFT_BOUND})"
        )
        ok = final_rss < RSS_BOUND_MB and leaks <= 0 and threads_grew <= 0 and drift < DRIFT_BOUND
        print("verdict:", "OK" if ok else "FAILED")


if __name__ == "__main__":
    main()
