"""Cold ``shopguard check`` (a new process, start-up included) against 200 and ~100k library photos.

Two data homes, each a real SQLite library:

- small: the shared test data's product photos (177), indexed as ``library add`` does;
- big: the same photos plus replicas up to ``--library-size`` (default 100,000): a replica is a row of its own
  (its own path, which does not exist on disk) with a real photo's size, EXIF, features blobs (so verifying it
  costs what verifying a real photo costs), perceptual hashes with a few bits flipped, and index keys drawn at
  random across all real photos' keys with one bit flipped per key (as benchmarks/matching_speed.py does: no
  crowd of near-copies of one picture). Built once into ``--scratch`` (minutes on 2 cores) and reused.

Measured, each check as ``shopguard --home H check complaint.jpg --json`` in a new process (the operating
system's file cache warm, as on a seller's machine after the first check): wall time, and the process's peak
RSS (file-backed pages of the mapped index included); the time to open the stored index in a process; a check
after the stored index was deleted (what every check paid before it was stored: build from SQLite, here also
written); ``library add`` of 10 new photos to the big library (time, and the part spent on the index) and a
check after it; a warm query (the second check in one process). The findings of checks of the same photo
against the same home must agree (verified: identical JSON apart from ids and times).

Usage: python benchmarks/cold_check.py [--scratch DIR] [--library-size N] [--runs N] [--skip-big]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import matching_transforms as tf

from shopguard.library.index_file import index_path
from shopguard.library.indexer import index_paths
from shopguard.library.recovery import verified_path
from shopguard.library.store import LibraryStore

TESTDATA = tf.find_testdata()
REAL_FOLDERS = (TESTDATA / "product-photos", TESTDATA / "product-photos-more")
COMPLAINT_SOURCE = TESTDATA / "product-photos" / "abo__B0799CK52K__528c608a.jpg"
DB_NAME = "library.sqlite3"


def _complaint(folder: Path) -> Path:
    """A 2 MP complaint photo: the middle 80% of a listing photo, enlarged to 2 MP (aspect kept), JPEG q85."""
    im = Image.open(COMPLAINT_SOURCE).convert("RGB")
    w, h = im.size
    im = im.crop((int(0.1 * w), int(0.1 * h), int(0.9 * w), int(0.9 * h)))
    scale = (2_000_000 / (im.width * im.height)) ** 0.5
    im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.BICUBIC)
    path = folder / "complaint-2mp.jpg"
    im.save(path, quality=85)
    return path


class Run(NamedTuple):
    wall_s: float
    cpu_s: float
    """user + system CPU of the process: on a shared machine, what its wall time would be when it had the cores"""
    rss_mb: float
    stdout: str


def _run(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """One ``shopguard`` process: wall time, CPU time, peak RSS (``wait4``), what it printed."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-m", "shopguard", *argv],
            {**os.environ, **(env or {})},
            file_actions=[(os.POSIX_SPAWN_DUP2, out.fileno(), 1)],
        )
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - t0
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise RuntimeError(f"shopguard {' '.join(argv)} failed: {text[-2000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, text)


def _check(home: Path, complaint: Path, threads: int | None = None) -> tuple[Run, dict[str, object]]:
    env = {"SHOPGUARD_CHECK_THREADS": str(threads)} if threads else None
    run = _run(["--home", str(home), "check", str(complaint), "--json"], env)
    return run, json.loads(run.stdout)


def _timing(runs: list[Run]) -> str:
    walls, cpus = [r.wall_s for r in runs], [r.cpu_s for r in runs]
    return (
        f"**{statistics.median(walls):.2f} s** wall (min {min(walls):.2f}), CPU {statistics.median(cpus):.2f} s "
        f"(min {min(cpus):.2f}), peak RSS {max(r.rss_mb for r in runs):.0f} MB"
    )


def _findings(result: dict[str, object]) -> list[object]:
    """What must repeat between two checks of one photo: every finding but the earlier-case one, without the
    paths of evidence images (they name the case)."""
    photos = result["photos"]
    assert isinstance(photos, list)
    kept = [f for f in photos[0]["findings"] if f["check"] != "reused-photo"]
    return [{k: v for k, v in f.items() if k != "images"} for f in kept]


def build_small(home: Path) -> None:
    if (home / "complete").exists():
        return
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    index_paths(LibraryStore(home / DB_NAME), list(REAL_FOLDERS), workers=1)
    (home / "complete").write_text("ok")


def build_big(home: Path, size: int) -> None:
    """The real photos plus replicas up to ``size`` rows (see the module docstring)."""
    marker = home / "complete"
    if marker.exists() and marker.read_text() == str(size):
        return
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    store = LibraryStore(home / DB_NAME)
    index_paths(store, list(REAL_FOLDERS), workers=1)
    conn = sqlite3.connect(home / DB_NAME, timeout=60)
    real = conn.execute(
        """SELECT p.path, p.sha256, p.size_bytes, p.mtime, p.format, p.width, p.height, p.exif_json, p.hashes,
                  p.added_at, f.work_scale, f.points, f.descriptors, f.index_keys, f.version
           FROM photos p JOIN photo_features f ON f.photo_id = p.id WHERE p.status = 'present' ORDER BY p.id"""
    ).fetchall()
    pool = np.concatenate([np.frombuffer(r[13], "<u2").reshape(-1, 3) for r in real])
    rng = np.random.default_rng(7)
    next_id = int(conn.execute("SELECT MAX(id) FROM photos").fetchone()[0]) + 1
    n_new = size - len(real)
    batch = 2000
    for first in range(0, n_new, batch):
        photos, features = [], []
        for i in range(first, min(n_new, first + batch)):
            r = real[i % len(real)]
            pid = next_id + i
            hashes = np.frombuffer(r[8], "<u8").copy()
            hashes[:3] ^= rng.integers(0, 1 << 62, 3, dtype=np.uint64) & np.uint64(0x0101010101010101)
            n_keys = len(r[13]) // 6
            keys = pool[rng.integers(0, len(pool), n_keys)] ^ (1 << rng.integers(0, 16, (n_keys, 3))).astype(np.uint16)
            photos.append(
                (
                    pid,
                    f"/nonexistent/replica-{i // len(real):04d}/{Path(r[0]).name}",
                    f"{i:064x}",
                    *r[2:8],
                    hashes.astype("<u8").tobytes(),
                    r[9],
                )
            )
            features.append((pid, r[10], r[11], r[12], keys.astype("<u2").tobytes(), r[14]))
        with conn:
            conn.executemany(
                """INSERT INTO photos(id, path, sha256, size_bytes, mtime, format, width, height, exif_json, hashes,
                   added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)""",
                photos,
            )
            conn.executemany(
                """INSERT INTO photo_features(photo_id, work_scale, points, descriptors, index_keys, version)
                   VALUES (?,?,?,?,?,?)""",
                features,
            )
        print(f"  {first + len(photos) + len(real):,} photos", file=sys.stderr, flush=True)
    conn.close()
    LibraryStore(home / DB_NAME).refresh_index()
    marker.write_text(str(size))


def bench_home(name: str, home: Path, complaint: Path, runs: int, rows: list[tuple[str, str]]) -> None:
    db = home / DB_NAME
    n = LibraryStore(db).count()
    _check(home, complaint)  # the first: fills the page cache, stores the index if it is not there
    results = [_check(home, complaint) for _ in range(runs)]
    same = all(_findings(r[1]) == _findings(results[0][1]) for r in results)
    rows.append(
        (f"{name}: cold check, stored index ({n:,} photos; median of {runs})", _timing([r[0] for r in results]))
    )
    serial = [_check(home, complaint, threads=1) for _ in range(runs)]
    same = same and all(_findings(r[1]) == _findings(results[0][1]) for r in serial)
    rows.append(
        (
            f"{name}: the same, the checks on one thread (SHOPGUARD_CHECK_THREADS=1, as before session 9)",
            _timing([r[0] for r in serial]),
        )
    )
    verified_path(db).unlink(missing_ok=True)  # as after a change by another program: the whole file is read
    unverified, result = _check(home, complaint)
    same = same and _findings(result) == _findings(results[0][1])
    rows.append(
        (f"{name}: cold check when the library file must be read whole (PRAGMA quick_check)", _timing([unverified]))
    )
    t0 = time.perf_counter()
    store = LibraryStore(db)
    index = store.descriptor_index()
    load = time.perf_counter() - t0
    size_mb = index_path(db).stat().st_size / 1e6
    rows.append(
        (
            f"{name}: open the stored index in a process ({len(index):,} photos, {size_mb:.0f} MB file)",
            f"{1000 * load:.0f} ms",
        )
    )
    store.close()
    index_path(db).unlink()
    rebuilt, result = _check(home, complaint)
    rows.append(
        (
            f"{name}: cold check, index missing (built from SQLite and stored; before this change every "
            "check built it, without storing)",
            _timing([rebuilt]),
        )
    )
    rows.append(
        (
            f"{name}: findings identical with the stored and the rebuilt index, on one or two threads, with and "
            "without the quick_check",
            str(same and _findings(result) == _findings(results[0][1])),
        )
    )


def bench_add(home: Path, complaint: Path, scratch: Path, rows: list[tuple[str, str]]) -> None:
    """``library add`` of 10 new photos to the big library, a check after it, then the photos removed again."""
    folder = scratch / "ten-new"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    sources = sorted(TESTDATA.glob("exif-camera/*.jpg"))[:10]
    for i, p in enumerate(sources):
        im = Image.open(p).convert("RGB")
        im.thumbnail((1600, 1600))
        im.transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(folder / f"new-{i:02d}.jpg", quality=90)  # not in it yet
    db = home / DB_NAME
    before = index_path(db).stat().st_mtime_ns
    added = _run(["--home", str(home), "library", "add", str(folder), "--workers", "1", "--json"])
    rewritten = index_path(db).stat().st_mtime_ns != before
    store = LibraryStore(db)
    t0 = time.perf_counter()
    store.descriptor_index()
    applied = time.perf_counter() - t0
    rows.append(
        (
            "big: `library add` of 10 new photos (a new process: start-up, 10 fingerprints, the index "
            f"brought up to date; stored file rewritten: {rewritten})",
            _timing([added]),
        )
    )
    rows.append(
        (
            "big: opening the index in a process with those 10 photos on top of the stored file",
            f"{1000 * applied:.0f} ms",
        )
    )
    after = [_check(home, complaint)[0] for _ in range(2)]
    rows.append(("big: cold check after the add (2 runs)", _timing(after)))
    removed = _run(["--home", str(home), "library", "remove", str(folder)])
    rows.append(("big: `library remove` of the 10 photos", _timing([removed])))
    shutil.rmtree(folder)


def bench_warm(home: Path, complaint: Path, rows: list[tuple[str, str]]) -> None:
    """The second check in one process: what the app pays per check once it runs."""
    code = f"""
import time, sys
from pathlib import Path
from shopguard.imaging import decode, read_source
from shopguard.library.matcher import find_sources
from shopguard.library.store import LibraryStore
from shopguard.checks.library_match import _load_listing
store = LibraryStore(Path({str(home / DB_NAME)!r}))
d = decode(read_source(Path({str(complaint)!r})), max_side=1600)
times = []
for _ in range(3):
    t0 = time.perf_counter()
    matches = find_sources(store, d.image, d.scale, _load_listing)
    times.append(time.perf_counter() - t0)
print(times[0], min(times[1:]), len(matches))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    rows.append(
        (
            f"big: library match in a running process (first / warm, {out[2]} matches)",
            f"{1000 * float(out[0]):.0f} ms / **{1000 * float(out[1]):.0f} ms**",
        )
    )


_STAGES = """
import json, sys, threading, time
t0, c0 = time.perf_counter(), time.process_time()
from pathlib import Path
from shopguard.cli import commands  # what the command line loads before it checks
from shopguard.cases.service import VALIDATE_SIDE
from shopguard.checks.context import CheckContext
from shopguard.checks.registry import builtin_checks
from shopguard.checks.runner import run_checks
from shopguard.imaging import probe, read_source
from shopguard.library.store import LibraryStore
checks = builtin_checks()
t1, c1 = time.perf_counter(), time.process_time()
store = LibraryStore(Path(sys.argv[1]))
store.descriptor_index()
t2, c2 = time.perf_counter(), time.process_time()
source = read_source(Path(sys.argv[2]))
ctx = CheckContext(source=source, facts=probe(source), library=store, artifact_dir=Path(sys.argv[3]))
ctx.pixels(VALIDATE_SIDE)
t3, c3 = time.perf_counter(), time.process_time()
spans = {}

class Timed:
    def __init__(self, inner):
        self.inner, self.id, self.order = inner, inner.id, inner.order

    def run(self, ctx):
        a, b = time.perf_counter(), time.thread_time()
        try:
            return self.inner.run(ctx)
        finally:
            spans[self.id] = (threading.current_thread().name, a - t3, time.perf_counter() - t3, time.thread_time() - b)

run_checks(ctx, [Timed(c) for c in checks], threads=int(sys.argv[4]))
t4, c4 = time.perf_counter(), time.process_time()
print(json.dumps({"imports": [t1 - t0, c1 - c0], "open": [t2 - t1, c2 - c1], "decode": [t3 - t2, c3 - c2],
                  "checks": [t4 - t3, c4 - c3], "spans": spans}))
"""


def bench_stages(home: Path, complaint: Path, scratch: Path, threads: int) -> list[tuple[str, str]]:
    """Where a cold check's time goes, in a new process like the CLI's: start-up imports, opening the library
    and its index, the validating decode, then each check (its thread's CPU, and when it ran), on ``threads``."""
    out = subprocess.run(
        [sys.executable, "-c", _STAGES, str(home / DB_NAME), str(complaint), str(scratch / "stages"), str(threads)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out.splitlines()[-1])
    rows = [(k, f"{data[k][1]:.3f} s CPU ({data[k][0]:.3f} s wall)") for k in ("imports", "open", "decode")]
    spans: dict[str, list[object]] = data["spans"]
    long = sorted(spans.items(), key=lambda kv: -float(kv[1][3]))  # type: ignore[arg-type]
    for check_id, (thread, start, end, cpu) in long:
        if float(cpu) >= 0.02:  # type: ignore[arg-type]
            rows.append((check_id, f"{cpu:.3f} s thread CPU, {start:.2f}-{end:.2f} s on {thread}"))
    rest = sum(float(v[3]) for v in spans.values() if float(v[3]) < 0.02)  # type: ignore[arg-type]
    rows.append(("the other checks", f"{rest:.3f} s thread CPU"))
    per_thread: dict[str, float] = {}
    for thread, _start, _end, cpu in spans.values():
        per_thread[str(thread)] = per_thread.get(str(thread), 0.0) + float(cpu)  # type: ignore[arg-type]
    start_cpu = data["imports"][1] + data["open"][1] + data["decode"][1]
    rows.append(
        (
            "all checks",
            f"{data['checks'][1]:.3f} s process CPU ({data['checks'][0]:.3f} s wall); thread CPU per thread: "
            + ", ".join(f"{t} {c:.2f} s" for t, c in sorted(per_thread.items())),
        )
    )
    rows.append(
        (
            "idle-machine estimate",
            f"{start_cpu + max(per_thread.values()):.2f} s = start-up CPU + the busiest thread's CPU (a lower "
            f"bound: OpenCV's own threads and GIL waits come on top); total CPU {start_cpu + data['checks'][1]:.2f} s",
        )
    )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()) / "shopguard-cold-check")
    ap.add_argument("--library-size", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--skip-big", action="store_true")
    args = ap.parse_args()
    args.scratch.mkdir(parents=True, exist_ok=True)
    complaint = _complaint(args.scratch)
    rows: list[tuple[str, str]] = []
    small, big = args.scratch / "home-small", args.scratch / f"home-{args.library_size}"
    build_small(small)
    bench_home("small", small, complaint, args.runs, rows)
    if not args.skip_big:
        build_big(big, args.library_size)
        bench_home("big", big, complaint, args.runs, rows)
        bench_add(big, complaint, args.scratch, rows)
        bench_warm(big, complaint, rows)
    print(f"\n## Cold check of a 2 MP photo (load average {os.getloadavg()[0]:.1f})\n")
    print("| measurement | result |")
    print("|---|---|")
    for what, value in rows:
        print(f"| {what} | {value} |")
    home = small if args.skip_big else big
    for threads in (1, 2):
        stages = bench_stages(home, complaint, args.scratch, threads)
        print(f"\n## Where the time goes, {home.name}, checks on {threads} thread(s) (load {os.getloadavg()[0]:.1f})\n")
        print("| stage | time |")
        print("|---|---|")
        for what, value in stages:
            print(f"| {what} | {value} |")


if __name__ == "__main__":
    main()
