"""The library journal's cost (issue 15): appending entries, verifying the chain, looking up a photo's earliest
date, and the one-off journal backfill of a library made before it. Prints a Markdown table.

    python benchmarks/library_journal.py [--entries N]

Synthetic entries with every date source filled in (the largest entries the indexer writes), in a WAL database
on disk, like the library; the machine is shared, so compare rows of one run.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from shopguard.library import journal
from shopguard.library.schema import MIGRATIONS

EXIF = {"datetime_original": "2024:05:02 10:11:12", "make": "Canon", "model": "EOS 80D"}


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    n = parser.parse_args().entries
    folder = Path(tempfile.mkdtemp(prefix="sg-journal-bench-"))
    conn = _connect(folder / "journal.sqlite3")
    for statement in journal.TABLE_STATEMENTS:
        conn.execute(statement)
    start = time.perf_counter()
    with conn:
        for i in range(n):
            now = journal.now_utc()
            dates = journal.photo_dates(EXIF, 1.7e9, now, "2025-06-01", "https://shop.example/item/1")
            journal.append(conn, "added", f"/shop/photo-{i:06d}.jpg", f"{i:064x}", dates, now)
    append_s = time.perf_counter() - start
    start = time.perf_counter()
    check = journal.verify(conn)
    verify_s = time.perf_counter() - start
    start = time.perf_counter()
    for i in range(0, n, max(1, n // 200)):
        journal.earliest_evidence(conn, f"{i:064x}")
    lookups = len(range(0, n, max(1, n // 200)))
    lookup_s = (time.perf_counter() - start) / lookups
    conn.close()

    library = _connect(folder / "library.sqlite3")  # a version-5 library of n photos, then migration 6
    library.execute(
        "CREATE TABLE photos (id INTEGER PRIMARY KEY, path TEXT, sha256 TEXT, mtime REAL, exif_json TEXT,"
        " added_at TEXT)"
    )
    with library:
        library.executemany(
            "INSERT INTO photos(path, sha256, mtime, exif_json, added_at) VALUES (?,?,?,?,?)",
            [(f"/shop/{i}.jpg", f"{i:064x}", 1.7e9, '{"make": "Canon"}', journal.now_utc()) for i in range(n)],
        )
    migrate_journal = MIGRATIONS[5]
    if isinstance(migrate_journal, str):
        raise SystemExit("migration 6 is expected to be the Python journal step")
    start = time.perf_counter()
    with library:
        migrate_journal(library)
    backfill_s = time.perf_counter() - start
    library.close()

    print(f"| {n:,} entries | total | per entry |")
    print("|---|---|---|")
    print(f"| append (one transaction) | {append_s:.2f} s | {append_s / n * 1e6:.0f} µs |")
    state = "whole" if check.is_ok else check.problem
    print(f"| verify the chain ({state}) | {verify_s:.2f} s | {verify_s / n * 1e6:.0f} µs |")
    print(f"| earliest date of one photo | {lookup_s * 1e3:.2f} ms | |")
    print(f"| backfill of a version-5 library (migration 6) | {backfill_s:.2f} s | {backfill_s / n * 1e6:.0f} µs |")


if __name__ == "__main__":
    main()
