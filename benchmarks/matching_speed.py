"""Speed of the shop library: indexing 12 MP JPEGs against a single-core floor, and a query at 100k photos.

1. Indexing: N synthetic 12 MP (4000x3000, q90) JPEGs made from test photos. Floor, measured in the
   same run: Pillow draft decode at 1/8 in one process (what the issue calls the single-core floor).
   Ours: ``index_paths`` with every core, everything the matcher needs stored (SHA-256, EXIF, hashes,
   ORB features, index keys) into a fresh SQLite library.
2. Query at scale: a descriptor index and hash table of 100k photos, made of the real library's keys
   drawn at random across its photos, with one bit flipped per key (so replicas do not collide exactly),
   then one complaint photo (a heavy crop and a screenshot) through the full pipeline: complaint features, hash
   shortlist over 100k x 8 turns, index votes over 100k, geometric verification of the shortlist,
   dense comparison of the best. Memory is the process's RSS (current, and the peak while building).

Usage: python benchmarks/matching_speed.py [--quick] [--photos N] [--library-size N]
"""

from __future__ import annotations

import argparse
import io
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import matching_transforms as tf

from shopguard.imaging import decode, read_source
from shopguard.library.descriptor_index import DescriptorIndex
from shopguard.library.features import COMPLAINT_SIDE
from shopguard.library.fingerprint import image_hashes
from shopguard.library.indexer import index_paths
from shopguard.library.matcher import HASH_SHORTLIST, INDEX_SHORTLIST, _dihedral, index_query_keys
from shopguard.library.region_diff import change_map
from shopguard.library.store import LibraryStore
from shopguard.library.verification import complaint_features, verify_geometry

TESTDATA = tf.find_testdata()


def _rss_mb() -> float:
    """Current resident memory (Linux /proc; peak RSS elsewhere)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _make_12mp(folder: Path, n: int) -> list[Path]:
    sources = sorted((TESTDATA / "product-photos").glob("abo__*.jpg")) + sorted(
        (TESTDATA / "product-photos-more").glob("jskapc__*__1.jpg")
    )
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        im = Image.open(sources[i % len(sources)]).convert("RGB").resize((4000, 3000), Image.Resampling.BILINEAR)
        noise = rng.normal(0, 3, (3000, 4000, 3)).astype(np.int16)  # sensor-like grain, so files differ
        arr = np.clip(np.asarray(im, dtype=np.int16) + noise, 0, 255).astype(np.uint8)
        path = folder / f"photo-{i:03d}.jpg"
        Image.fromarray(arr).save(path, quality=90)
        out.append(path)
    return out


def bench_indexing(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        photos_dir = tmp / "photos"
        photos_dir.mkdir()
        files = _make_12mp(photos_dir, n)
        t0 = time.perf_counter()
        for f in files:
            with Image.open(f) as im:
                im.draft("RGB", (im.width // 8, im.height // 8))
                im.load()
        floor = (time.perf_counter() - t0) / n
        store = LibraryStore(tmp / "lib.db")
        t0 = time.perf_counter()
        summary = index_paths(store, [photos_dir])
        ours = (time.perf_counter() - t0) / n
        t0 = time.perf_counter()
        index_paths(store, [photos_dir])
        rerun = (time.perf_counter() - t0) / n
    print(f"\n## Indexing {n} synthetic 12 MP JPEGs ({summary.added} added)\n")
    print("| step | ms per photo | x floor |")
    print("|---|---|---|")
    print(f"| floor: Pillow draft 1/8 decode, one process | {1000 * floor:.1f} | 1.00 |")
    print(f"| index_paths, all cores, everything stored | {1000 * ours:.1f} | {ours / floor:.2f} |")
    print(f"| re-run on unchanged folder | {1000 * rerun:.2f} | {rerun / floor:.3f} |")


def _real_library(tmp: Path) -> LibraryStore:
    store = LibraryStore(tmp / "real.db")
    index_paths(store, [TESTDATA / "product-photos", TESTDATA / "product-photos-more"])
    return store


def bench_query(size: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        store = _real_library(tmp)
        real_photos, real_counts, real_columns = store.index_groups()
        _, real_hashes = store.hash_table()
        rss0 = _rss_mb()
        rng = np.random.default_rng(7)
        copies = max(0, size // len(real_photos) - 1)
        n_rows = real_columns[0].size
        t0 = time.perf_counter()
        # Shaped like the store's own read (index_groups): one key column per table, filled in place (many
        # small temporary blocks would fragment the heap), a photo id and key count per photo.
        columns = [np.empty((copies + 1) * n_rows, np.uint16) for _ in real_columns]
        for column, real in zip(columns, real_columns, strict=True):
            column[:n_rows] = real
        for c in range(1, copies + 1):
            # A new photo: real descriptors drawn from all real photos (so the keys keep the real bits' skew and
            # correlations), one bit flipped per key so that no row repeats a real one exactly. Drawing the rows
            # of one real photo instead would make hundreds of near-copies of it, each a few bits from the
            # source's own keys: a shop holds no such crowd of one picture.
            rows = rng.integers(0, n_rows, n_rows)
            for column, real in zip(columns, real_columns, strict=True):
                flips = (1 << rng.integers(0, 16, n_rows, dtype=np.uint16)).astype(np.uint16)
                column[c * n_rows : (c + 1) * n_rows] = real[rows] ^ flips
        next_id = int(real_photos.max()) + 1
        photo_ids = np.concatenate(
            [real_photos, np.arange(next_id, next_id + copies * len(real_photos), dtype=np.int64)]
        )
        counts = np.tile(real_counts, copies + 1)
        rss_inputs = _rss_mb()
        index = DescriptorIndex.from_groups(photo_ids, counts, columns)  # empties `columns`, as the store's does
        build_s = time.perf_counter() - t0
        rss_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        hashes = np.concatenate([real_hashes] * (len(index) // len(real_hashes) + 1))[: len(index)]
        hashes ^= rng.integers(0, 1 << 62, hashes.shape, dtype=np.uint64) & np.uint64(0x0101010101010101)
        rss_index = _rss_mb()
        bag = decode(read_source(TESTDATA / "product-photos" / "abo__B0799CK52K__528c608a.jpg")).image
        rows = []
        rng_py = random.Random(3)
        cases = {
            "crop 40% + rotate 10°": tf.rotate(tf.crop(bag, rng_py, 0.4), 10),
            "screenshot": tf.screenshot(bag, rng_py)[0],
        }
        bag_id = next(r.id for r in store.photos() if r.path.endswith("528c608a.jpg"))
        real_set = set(int(i) for i in real_photos)
        for name, im in cases.items():
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=70)
            path = tmp / "complaint.jpg"
            path.write_bytes(buf.getvalue())
            t0 = time.perf_counter()
            d = decode(read_source(path), max_side=1600)
            q = complaint_features(d.image, d.scale, COMPLAINT_SIDE)
            t_feat = time.perf_counter()
            best = np.full(len(hashes), 64)
            small = d.image.copy()
            small.thumbnail((256, 256))
            for variant in _dihedral(small):
                best = np.minimum(best, np.bitwise_count(hashes[:, 0] ^ image_hashes(variant)[0]))
            hash_top = np.argsort(best)[:6]
            t_hash = time.perf_counter()
            top = index.top(index_query_keys(q), 16)
            t_index = time.perf_counter()
            # The matcher verifies the index's top INDEX_SHORTLIST and the hash top HASH_SHORTLIST. A replica
            # has no stored features: it is verified with those of the real photo it copies (same cost).
            shortlisted = [pid for pid, _ in top[:INDEX_SHORTLIST]] + [int(index.ids[i]) for i in hash_top]
            shortlisted = list(dict.fromkeys([bag_id, *shortlisted]))[: INDEX_SHORTLIST + HASH_SHORTLIST]
            real_of = {
                pid: pid if pid in real_set else int(real_photos[(pid - next_id) % len(real_photos)])
                for pid in shortlisted
            }
            feats = store.features(set(real_of.values()))
            sizes = store.photo_sizes(set(real_of.values()))
            full = (q.width, q.height)
            geos = [verify_geometry(feats[real_of[pid]], q, full, sizes[real_of[pid]]) for pid in shortlisted]
            t_verify = time.perf_counter()
            listing = decode(read_source(store.photo_by_id(bag_id).path), max_side=1024)  # type: ignore[union-attr]
            g = geos[0]
            if g is not None:
                change_map(d.image, d.scale, listing.image, listing.scale, g.matrix)
            t_end = time.perf_counter()
            found = bag_id in [pid for pid, _ in top]
            rows.append(
                (
                    name,
                    t_feat - t0,
                    t_hash - t_feat,
                    t_index - t_hash,
                    t_verify - t_index,
                    t_end - t_verify,
                    t_end - t0,
                    found,
                    len(hash_top),
                    sum(x is not None for x in geos),
                )
            )
        rss_after = _rss_mb()
        rss_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\n## One complaint photo against {len(index):,} library photos (replicated features)\n")
    print(
        f"index build {build_s:.1f} s, index arrays {index.nbytes / 1e6:.0f} MB; RSS "
        f"{rss0:.0f} MB before, {rss_inputs:.0f} MB with the key rows read, peak {rss_peak:.0f} MB while "
        f"building, **{rss_index:.0f} MB** with the 100k index and hash table; after both queries "
        f"{rss_after:.0f} MB, **peak {rss_max:.0f} MB** over the whole run (build and queries)\n"
    )
    print(
        "| complaint | features | hash shortlist | index votes | verify 20 | dense diff | total | "
        "source in index top 16 |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, a, b, c, dd, e, tot, found, *_ in rows:
        print(
            f"| {name} | {1000 * a:.0f} ms | {1000 * b:.0f} ms | {1000 * c:.0f} ms | {1000 * dd:.0f} ms | "
            f"{1000 * e:.0f} ms | **{1000 * tot:.0f} ms** | {found} |"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="12 photos to index and a 20k library")
    ap.add_argument("--photos", type=int, default=None)
    ap.add_argument("--library-size", type=int, default=None)
    args = ap.parse_args()
    bench_query(args.library_size or (20_000 if args.quick else 100_000))  # first: RSS not inflated by 12 MP work
    bench_indexing(args.photos or (12 if args.quick else 40))


if __name__ == "__main__":
    main()
