"""The long fuzz run: every structural mutation of every test file, through the whole engine.

For each file in the shared test data: truncation at every segment/chunk/box boundary, bit flips in the 8 bytes
after each boundary, zero and all-ones length fields (``tests/imaging/input_mutations.py``). Every mutation goes
through the metadata readers and the decoder; every ``--engine-every``-th one (default 5; 1 = all) is checked
end to end as the app does (a new case, every check). Prints one table: how many mutations, how many gave
findings or one input error, crashes (must be 0), the slowest file (the "no hang" limit is 10 s).

``--big`` also measures peak RSS, in a fresh subprocess each, of checking a 200 MP JPEG (limit 2 GB) and of
refusing a PNG whose header claims 900 MP (a bomb: refused before decoding).

Usage: nice -n 10 python benchmarks/fuzz_inputs.py [--engine-every N] [--max-bytes B] [--only TEXT] [--big]

Times are wall and CPU (this process): on a shared machine the wall time is mostly the machine's load, the CPU
time is the work ShopGuard did.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shopguard.cases.service import CheckRequest, NoPhotoReadError, check_photos  # noqa: E402
from shopguard.errors import ImageReadError  # noqa: E402
from shopguard.imaging import decode, probe, read_source  # noqa: E402
from shopguard.imaging.photo_metadata import read_metadata  # noqa: E402
from shopguard.library.store import LibraryStore  # noqa: E402
from shopguard.paths import Home  # noqa: E402
from tests.imaging import input_mutations as mut  # noqa: E402

HANG_S = 10.0
RSS_LIMIT_MB = 2048


def _engine(home: Home, store: LibraryStore, path: Path) -> str:
    try:
        (photo,) = check_photos(home, CheckRequest(photos=(path,)), store).photos
    except NoPhotoReadError:  # the one photo is unreadable: one clear input error, no case stored
        return "input error"
    if not photo.findings:
        raise AssertionError("no findings")
    return "findings" if photo.is_readable else "input error"


def _decoders(path: Path) -> str:
    try:
        source = read_source(path)
    except ImageReadError:
        return "input error"
    read_metadata(source)
    try:
        probe(source)
        decode(source, max_side=256)
    except ImageReadError:
        return "input error"
    return "findings"


def run_fuzz(root: Path, engine_every: int, max_bytes: int, skip: int = 0, only: str = "") -> None:
    os.environ["SHOPGUARD_STRICT"] = "1"  # a crashing check raises instead of becoming a finding
    files = [f for f in mut.fuzz_files(root, max_bytes)[skip:] if only in str(f.relative_to(root))]
    counts = {"mutations": 0, "engine runs": 0, "findings": 0, "input error": 0}
    crashes: list[str] = []
    slowest = (0.0, 0.0, "")  # wall s, CPU s (this process), file and mutation
    slowest_cpu = (0.0, 0.0, "")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp) / "home").ensure()
        store = LibraryStore(home.library_db)
        target = Path(tmp) / "damaged.bin"
        for number, file in enumerate(files, start=1):
            if number % 10 == 0:
                print(
                    f"... {number}/{len(files)} files, {counts['mutations']} mutations, {len(crashes)} crashes, "
                    f"slowest {slowest[0]:.2f} s ({slowest[1]:.2f} s CPU), load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
            data = file.read_bytes()
            if not data:
                continue
            for label, damaged in mut.mutations(data):
                counts["mutations"] += 1
                target.write_bytes(damaged)
                use_engine = counts["mutations"] % engine_every == 0
                t0, c0 = time.perf_counter(), time.process_time()
                try:
                    outcome = _engine(home, store, target) if use_engine else _decoders(target)
                except Exception:  # noqa: BLE001 - the harness counts every crash, of any kind
                    crashes.append(f"{file.name} {label}: {traceback.format_exc(limit=3).splitlines()[-1]}")
                    print("CRASH", crashes[-1], flush=True)
                    continue
                elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
                counts[outcome] += 1
                counts["engine runs"] += use_engine
                if elapsed > slowest[0]:
                    slowest = (elapsed, cpu, f"{file.name} {label}")
                if cpu > slowest_cpu[1]:
                    slowest_cpu = (elapsed, cpu, f"{file.name} {label}")
        store.close()
    total = time.perf_counter() - started
    print(
        "\n| files | mutations | engine runs | findings | one input error | crashes | slowest file (wall, CPU) "
        "| most CPU | total |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        f"| {len(files)} | {counts['mutations']} | {counts['engine runs']} | {counts['findings']} | "
        f"{counts['input error']} | {len(crashes)} | {slowest[0]:.2f} s, {slowest[1]:.2f} s ({slowest[2]}) | "
        f"{slowest_cpu[1]:.2f} s ({slowest_cpu[2]}) | {total:.0f} s |"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    if slowest[0] > HANG_S:
        print(f"HANG: {slowest[2]} took {slowest[0]:.1f} s (limit {HANG_S:.0f} s; {slowest[1]:.1f} s of CPU)")


_RSS_CHILD = textwrap.dedent(
    """
    import resource, sys, tempfile
    from pathlib import Path
    from shopguard.cases.service import CheckRequest, check_photos
    from shopguard.library.store import LibraryStore
    from shopguard.paths import Home
    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp)).ensure()
        (photo,) = check_photos(home, CheckRequest(photos=(Path(sys.argv[1]),)), LibraryStore(home.library_db)).photos
        outcome = "findings" if photo.is_readable else photo.findings[0].fields["reason_key"]
    print(outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    """
)


_MAKE_CHILD = (
    "import sys; from pathlib import Path; from benchmarks.fuzz_inputs import _make_200mp; "
    "_make_200mp(Path(sys.argv[1]))"
)


def _make_200mp(path: Path) -> None:
    import numpy as np
    from PIL import Image

    side = 14_142  # 200 MP; a repeated noise tile keeps the JPEG realistic (no flat areas to skip)
    tile = np.random.default_rng(0).integers(0, 255, (512, 512, 3), dtype=np.uint8)
    Image.fromarray(np.tile(tile, (side // 512 + 1, side // 512 + 1, 1))[:side, :side]).save(path, "JPEG", quality=80)


def run_big() -> None:
    print("\n| file | outcome | peak RSS | limit | time |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "200mp.jpg"
        subprocess.run(
            [sys.executable, "-c", _MAKE_CHILD, str(big)],
            check=True,
            cwd=REPO,
        )
        bomb = Path(tmp) / "bomb.png"
        bomb.write_bytes(mut.png_claiming(30_000, 30_000))
        for name, path in (("200 MP JPEG", big), ("PNG claiming 900 MP", bomb)):
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", _RSS_CHILD, str(path)], capture_output=True, text=True, check=True, cwd=REPO
            ).stdout.split()
            peak = int(out[-1])
            verdict = "ok" if peak < RSS_LIMIT_MB else "OVER"
            print(
                f"| {name} | {out[0]} | {peak} MB ({verdict}) | {RSS_LIMIT_MB} MB | {time.perf_counter() - t0:.1f} s |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine-every", type=int, default=5, help="check every Nth mutation end to end (1 = all)")
    parser.add_argument("--max-bytes", type=int, default=2_000_000, help="skip test files larger than this")
    parser.add_argument("--skip", type=int, default=0, help="leave out the first N files (resume a long run)")
    parser.add_argument("--only", default="", help="only files whose path under the test data contains this")
    parser.add_argument("--big", action="store_true", help="also measure peak RSS of a 200 MP photo and a bomb")
    parser.add_argument("--no-fuzz", action="store_true", help="only the --big measurements")
    args = parser.parse_args()
    root = Path(os.environ.get("SHOPGUARD_TESTDATA") or REPO.parent / "shared" / "testdata")
    if not args.no_fuzz:
        run_fuzz(root, max(1, args.engine_every), args.max_bytes, args.skip, args.only)
    if args.big:
        run_big()


if __name__ == "__main__":
    main()
