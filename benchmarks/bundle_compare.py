"""Two builds of the bundle on the same cases: do their ``check --json`` results agree, and what do they cost?

For a change to how the bundle is built (a library swapped, data trimmed, a module rebuilt; installers/README.md),
not to ShopGuard's code: both executables should come from the same commit. Each bundle gets its own data home
with the demo library and 12 product photos, then checks every case in a new process, one case at a time:

- the two demo complaints; the smoke test's H.264 video and photo with Doubao's mark (installers/make-smoke-media.py);
- forgeries made here from ``--seed``: a stain and a scratch painted on demo-library photos (some scaled 0.6-0.8 and
  rotated a few degrees, JPEG 70-92), and a patch copied within product and camera photos;
- untouched photos from ``../shared/testdata``: product photos, camera photos with EXIF, AI-generator metadata, HEIF.

The JSON is compared after dropping what differs between any two runs (case ids, times, journal hashes, paths);
every other difference is printed with its path in the JSON. CPU is the children's user + sys time.

Usage: python benchmarks/bundle_compare.py EXE_A EXE_B [--seed N] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO.parent / "shared" / "testdata"
DEMO = REPO / "resources" / "demo"
# Keys whose values differ between any two runs of the same build.
VOLATILE = re.compile(
    r"(^|_)(id|at|time|times|path|paths|created|started|finished|elapsed_s|duration_s)$"
    r"|^(library_added|other_date|other_case_date|entry_hash|prev_hash)$"
)


def _forgeries(out: Path, seed: int) -> list[Path]:
    rng = random.Random(seed)
    made = []
    library = sorted((DEMO / "library").glob("*.jpg"))
    for i, src in enumerate(rng.sample(library, 9)):
        im = Image.open(src).convert("RGB")
        w, h = im.size
        draw = ImageDraw.Draw(im)
        x, y = rng.randint(w // 6, w // 2), rng.randint(h // 6, h // 2)
        draw.ellipse((x, y, x + w // 7, y + h // 9), fill=(rng.randint(40, 120), 60, 40))
        draw.line((x, y + h // 10, x + w // 5, y + h // 8), fill=(20, 20, 20), width=3)
        scale, angle = rng.choice([1.0, 0.8, 0.6]), rng.choice([0.0, 1.5, -3.0, 4.0])
        im = im.resize((int(w * scale), int(h * scale)), Image.Resampling.LANCZOS)
        im = im.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255))
        if i % 3 == 2:
            im = im.crop((w // 12, h // 12, im.width - w // 12, im.height - h // 12))
        made.append(out / f"painted-{i}.jpg")
        im.save(made[-1], quality=rng.choice([70, 85, 92]))
    photos = sorted((TESTDATA / "product-photos-more").glob("*.jpg")) + sorted((TESTDATA / "exif-camera").glob("*.jpg"))
    for i, src in enumerate(rng.sample(photos, 6)):
        im = Image.open(src).convert("RGB")
        w, h = im.size
        side = max(16, min(w, h) // 6)
        im.paste(im.crop((w // 5, h // 5, w // 5 + side, h // 5 + side)), (w // 2, h // 2))
        if i % 2:
            im = im.rotate(3).crop((w // 20, h // 20, w - w // 20, h - h // 20))
        made.append(out / f"pasted-{i}.jpg")
        im.save(made[-1], quality=88)
    return made


def cases(work: Path, seed: int) -> list[list[Path]]:
    """The cases, each a list of files checked together."""
    media = work / "media"
    subprocess.run([sys.executable, str(REPO / "installers" / "make-smoke-media.py"), str(media)], check=True)
    untouched = (
        sorted((TESTDATA / "product-photos").glob("*.jpg"))[12:20]
        + sorted((TESTDATA / "product-photos").glob("*.png"))[:2]
        + sorted((TESTDATA / "exif-camera").glob("*.jpg"))[:7]
        + sorted([*(TESTDATA / "ai-metadata").glob("*.jpg"), *(TESTDATA / "ai-metadata").glob("*.png")])[:6]
        + sorted((TESTDATA / "heic-avif").glob("*.hei*"))[:4]
    )
    return [
        [DEMO / "complaints" / "complaint-bag-stain.jpg"],
        [DEMO / "complaints" / "complaint-bulb-resaved.jpg"],
        [media / "complaint-bag-stain.mp4", media / "complaint-bulb-marked.jpg"],
        *([p] for p in _forgeries(work, seed)),
        *([p] for p in untouched),
    ]


def _normal(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _normal(v) for k, v in sorted(x.items()) if not VOLATILE.search(k)}
    if isinstance(x, list):
        return [_normal(v) for v in x]
    if isinstance(x, str):
        return re.sub(r"\d\d:\d\d", "<hh:mm>", re.sub(r"\d{8}-\d{6}-[0-9a-f]{4}", "<case>", x))
    return x


def _diff(a: Any, b: Any, where: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(set(a) | set(b))
        return [d for k in keys for d in _diff(a.get(k), b.get(k), f"{where}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _diff(x, y, f"{where}[{i}]")]
    return (
        []
        if a == b
        else [f"{where}: {json.dumps(a, ensure_ascii=False)[:80]} -> {json.dumps(b, ensure_ascii=False)[:80]}"]
    )


def run(exe: Path, all_cases: list[list[Path]], home: Path) -> tuple[list[Any], float, float]:
    """(normalised JSON of each case, children's CPU seconds, wall seconds)."""
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    subprocess.run(
        [str(exe), "--home", str(home), "library", "add", str(DEMO / "library")], check=True, capture_output=True
    )
    products = sorted((TESTDATA / "product-photos").glob("*.jpg"))[:12]
    subprocess.run(
        [str(exe), "--home", str(home), "library", "add", *map(str, products)], check=True, capture_output=True
    )
    results = []
    for files in all_cases:
        done = subprocess.run(
            [str(exe), "--home", str(home), "check", *map(str, files), "--json"], capture_output=True, text=True
        )
        results.append(_normal(json.loads(done.stdout)) if done.stdout.strip() else {"exit": done.returncode})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return results, cpu, time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("exe_a", type=Path)
    parser.add_argument("exe_b", type=Path)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write each bundle's normalised JSON here")
    args = parser.parse_args()
    if not TESTDATA.is_dir():
        sys.exit(f"bundle_compare: needs the shared test data at {TESTDATA}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        all_cases = cases(work, args.seed)
        (a, cpu_a, wall_a), (b, cpu_b, wall_b) = (
            run(args.exe_a, all_cases, work / "home-a"),
            run(args.exe_b, all_cases, work / "home-b"),
        )
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        (args.keep / "a.json").write_text(json.dumps(a, ensure_ascii=False, indent=1))
        (args.keep / "b.json").write_text(json.dumps(b, ensure_ascii=False, indent=1))
    identical = 0
    for files, x, y in zip(all_cases, a, b, strict=True):
        differences = _diff(x, y)
        identical += not differences
        for line in differences:
            print(f"{' + '.join(p.name for p in files)}{line}")
    print(f"seed {args.seed}: {identical} of {len(all_cases)} cases identical")
    print(f"CPU (user + sys): A {cpu_a:.1f} s, B {cpu_b:.1f} s; wall: A {wall_a:.0f} s, B {wall_b:.0f} s")
    return 0 if identical == len(all_cases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
