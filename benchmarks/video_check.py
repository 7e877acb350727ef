"""Speed and memory of checking a complaint video against a shop library.

1. Library: N photos (default 10,000) made from the real product photos in ../shared/testdata (random crops,
   mirror, colour and brightness shifts, sensor-like grain, so that every photo is distinct), 800x600 JPEG,
   indexed by ``index_paths`` into a real SQLite library; the listing photo the clip is made from is added at
   full size. Built once and kept in the cache folder (``--cache``).
2. Clip: a 30 s 1080p 30 fps H.264 phone-style clip (key frame every second, CRF 23) slowly zooming and panning
   over the listing photo with a painted stain, as AI video tools and editors make one.
3. Measured: the whole ``shopguard check clip.mp4 --json`` in a fresh process (wall time and peak RSS, cold:
   start-up, library open and descriptor index included), and in this process the parts: probing and sampling
   frames vs the floor of decoding only the sampled frames with PyAV (seek + decode each), and matching them.

Usage: python benchmarks/video_check.py [--library-size N] [--seconds S] [--cache DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from shopguard.checks.context import CheckContext  # noqa: E402
from shopguard.checks.video import MATCH_FRAMES, check_video  # noqa: E402
from shopguard.errors import ImageReadError  # noqa: E402
from shopguard.imaging import decode, read_source  # noqa: E402
from shopguard.imaging.decode import ImageFacts  # noqa: E402
from shopguard.imaging.video import decode_frames_at, probe_video, sample_frames  # noqa: E402
from shopguard.library.indexer import index_paths  # noqa: E402
from shopguard.library.store import LibraryStore  # noqa: E402
from tests.checks.video_clips import paint_stain, pan_clip  # noqa: E402

TESTDATA = Path(os.environ.get("SHOPGUARD_TESTDATA") or REPO.parent / "shared" / "testdata")
LISTING = TESTDATA / "product-photos" / "abo__B07GTFSCHB__7e487bec.jpg"


def _sources() -> list[Path]:
    return sorted(p for p in TESTDATA.glob("product-photos*/*.jpg")) + sorted(TESTDATA.glob("exif-camera/*.jpg"))


def build_library(folder: Path, n: int) -> Path:
    """The cached library home for ``n`` photos (made and indexed on first use)."""
    home = folder / f"home-{n}"
    done = home / "library-built"
    if done.exists():
        return home
    photos = folder / f"photos-{n}"
    photos.mkdir(parents=True, exist_ok=True)
    sources = []
    for path in _sources():
        try:
            sources.append(decode(read_source(path), max_side=1200).image)
        except ImageReadError:
            continue  # the shared folder holds deliberately broken files too
    rng = np.random.default_rng(7)
    for i in range(n):
        target = photos / f"p{i:05d}.jpg"
        if target.exists():
            continue
        im = sources[i % len(sources)]
        w, h = im.size
        f = rng.uniform(0.55, 1.0)
        x0, y0 = rng.uniform(0, 1 - f) * w, rng.uniform(0, 1 - f) * h
        out = im.resize((800, 600), Image.Resampling.BILINEAR, box=(x0, y0, x0 + f * w, y0 + f * h))
        if rng.random() < 0.5:
            out = out.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        out = ImageEnhance.Color(ImageEnhance.Brightness(out).enhance(rng.uniform(0.8, 1.2))).enhance(
            rng.uniform(0.6, 1.4)
        )
        grain = rng.normal(0, 4, (600, 800, 3))
        arr = np.clip(np.asarray(out, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
        Image.fromarray(arr).save(target, quality=88)
    listing_dir = folder / "listing"
    listing_dir.mkdir(exist_ok=True)
    (listing_dir / LISTING.name).write_bytes(LISTING.read_bytes())
    home.mkdir(parents=True, exist_ok=True)
    store = LibraryStore(home / "library.sqlite3")
    t0 = time.perf_counter()
    index_paths(store, [photos, listing_dir], workers=os.cpu_count() or 1)
    print(f"indexed {n + 1} photos in {time.perf_counter() - t0:.0f} s")
    done.write_text("ok")
    return home


def build_clip(folder: Path, seconds: float) -> Path:
    clip = folder / f"phone-clip-{int(seconds)}s-1080p.mp4"
    if not clip.exists():
        with Image.open(LISTING) as im:
            stained = paint_stain(im.convert("RGB"))
        pan_clip(stained, clip, seconds=seconds, fps=30, size=(1920, 1080), gop=30, crf=23)
    return clip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--library-size", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/shopguard-video-bench"))
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    home = build_library(args.cache, args.library_size)
    clip = build_clip(args.cache, args.seconds)

    # Cold, as a seller runs it: a fresh process, start-up included.
    env = {**os.environ, "SHOPGUARD_HOME": str(home)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from shopguard.launcher import main; sys.exit(main())",
            "check",
            str(clip),
            "--json",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    cold = time.perf_counter() - t0
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    doc = json.loads(done.stdout) if done.returncode == 0 else {}
    found = [
        f
        for p in doc.get("photos", [])
        for f in p["findings"]
        if f["category"] == "library-derived" and f.get("library_photo")
    ]

    # The parts, in this process.
    source = read_source(clip)
    t0 = time.perf_counter()
    facts = probe_video(source)
    frames = sample_frames(source, facts)
    sampling = time.perf_counter() - t0
    t0 = time.perf_counter()
    decode_frames_at(source, facts, [f.time_s for f in frames])
    floor = time.perf_counter() - t0
    store = LibraryStore(home / "library.sqlite3")
    store.descriptor_index()  # built once per process; the cold run above pays it
    ctx = CheckContext(
        source=source,
        facts=ImageFacts("video", facts.width, facts.height, 1, "RGB", facts.frame_count),
        library=store,
        artifact_dir=args.cache / "evidence",
    )
    t0 = time.perf_counter()
    check_video(ctx, facts, frames)
    matching = time.perf_counter() - t0

    print()
    print(f"clip: {args.seconds:.0f} s, {facts.width}x{facts.height}, {facts.fps:.0f} fps, {facts.codec}")
    print(f"library: {store.count()} photos")
    print()
    print("| what | time | note |")
    print("|---|---|---|")
    print(f"| `shopguard check clip.mp4 --json`, cold process | {cold:.2f} s | peak RSS {peak_mb:.0f} MB |")
    print(f"| probe + sample frames | {sampling:.2f} s | {len(frames)} frames kept |")
    print(f"| floor: seek + decode only those frames | {floor:.2f} s | PyAV, same run |")
    print(f"| match frames + metadata checks | {matching:.2f} s | {min(len(frames), MATCH_FRAMES)} frames matched |")
    ok = bool(found) and found[0]["library_photo"].endswith(LISTING.name)
    print()
    print(f"listing photo found: {'yes' if ok else 'NO'}; regions: {found[0]['regions'] if found else '-'}")
    if done.returncode != 0:
        print(done.stderr[-2000:])


if __name__ == "__main__":
    main()
