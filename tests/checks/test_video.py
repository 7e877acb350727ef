"""Complaint videos end to end: clips made in code with PyAV from the demo shop's and the shared real photos."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from shopguard.cases.model import Case, CasePhoto
from shopguard.cases.service import CheckRequest, check_photos
from shopguard.checks.context import CaseFacts
from shopguard.checks.findings import Finding
from shopguard.cli.main import main
from shopguard.i18n import text as text_of
from shopguard.imaging import read_source
from shopguard.imaging.video import probe_video, sample_frames
from shopguard.imaging.video_sniff import is_video
from shopguard.library.indexer import index_paths
from shopguard.library.store import LibraryStore
from shopguard.paths import Home, resolve_home
from shopguard.report.builder import build_report
from shopguard.report.options import ReportOptions
from tests.checks.video_clips import audio_only_clip, paint_stain, pan_clip, recut_clip, slideshow_clip, stain_box_px
from tests.report.pdf_reading import pdf_text, squash

LISTING = "abo__B07GTFSCHB__7e487bec.jpg"  # a supplement label: print all over, as product photos have


def _case(demo: Path, clip: Path, facts: CaseFacts | None = None) -> Case:
    home = Home(resolve_home(None)).ensure()
    store = LibraryStore(home.library_db)
    index_paths(store, [demo / "library"], workers=1)
    return check_photos(home, CheckRequest(photos=(clip,), facts=facts or CaseFacts()), store)


def _check(demo: Path, clip: Path, facts: CaseFacts | None = None) -> CasePhoto:
    return _case(demo, clip, facts).photos[0]


def _load(path: Path) -> Image.Image:
    with Image.open(path) as im:
        return im.convert("RGB")


def _match(item: CasePhoto) -> Finding | None:
    found = [f for f in item.findings if f.category.value == "library-derived" and f.library_photo]
    return found[0] if found else None


def _iou(a: list[float], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / (a[2] * a[3] + b[2] * b[3] - ix * iy)


def test_pan_over_a_stained_listing_photo_is_found_with_its_region_track(demo: Path, tmp_path: Path) -> None:
    listing = _load(demo / "library" / LISTING)
    clip = pan_clip(paint_stain(listing), tmp_path / "complaint.mp4", seconds=4.0)
    case = _case(demo, clip)
    item = case.photos[0]
    assert item.media == "video" and item.is_readable
    assert (item.width, item.height) == (640, 480)
    finding = _match(item)
    assert finding is not None, [f.title_key for f in item.findings]
    assert finding.strength.value == "strong"
    assert finding.title_key == "finding.video.derived_changed.title"
    assert finding.library_photo is not None and finding.library_photo.endswith(LISTING)
    assert item.verdict.level.value == "strong"
    frames = finding.evidence["frames"]
    assert len(frames) >= 4
    times = [row["time_s"] for row in frames]
    assert times == sorted(times) and times[-1] - times[0] >= 2.0  # matches spread over the clip, not one moment
    # The stain is painted on the listing photo: wherever the camera is, its box maps back to one place there.
    track = finding.evidence["region_tracks"][0]
    assert len(track["frames"]) >= 3
    assert _iou(track["listing_box"], stain_box_px(listing)) > 0.3
    kinds = {img.kind for img in finding.images}
    assert {"side-by-side", "contact-sheet"} <= kinds
    assert all(Path(img.path).is_file() for img in finding.images)
    assert item.poster_path is not None and _load(Path(item.poster_path)).size == (640, 480)
    assert finding.detail("zh_CN") != finding.detail("en")
    # The report shows the key frame in place of the video and the contact sheet; per-frame rows stay in the JSON.
    report = build_report(case, tmp_path / "video.pdf", ReportOptions(lang="en"))
    text = squash(pdf_text(report))
    assert squash(text_of("image.video.contact_sheet", "en")) in text
    assert "region_tracks" not in text and "time_s=" not in text


def test_rotated_phone_clip_is_turned_upright_and_found_without_a_change(demo: Path, tmp_path: Path) -> None:
    listing = _load(demo / "library" / LISTING)
    clip = pan_clip(listing, tmp_path / "upright.mp4", seconds=3.0, rotation=90, crf=32)
    source = read_source(clip)
    facts = probe_video(source)
    assert facts.rotation == 90 and (facts.width, facts.height) == (640, 480)
    frames = sample_frames(source, facts)
    assert all(f.image.size == (640, 480) for f in frames)
    item = _check(demo, clip)
    finding = _match(item)
    assert finding is not None and finding.title_key == "finding.video.derived_unchanged.title"
    assert abs(finding.evidence["transform"]["rotation_deg"]) < 3  # upright: the listing photo is not turned
    assert finding.regions == ()


def test_unrelated_clip_finds_no_listing_photo(demo: Path, testdata: Path, tmp_path: Path) -> None:
    camera = sorted((testdata / "exif-camera").glob("*.jpg"))[:3]
    clip = slideshow_clip([_load(p) for p in camera], tmp_path / "unrelated.mp4")
    item = _check(demo, clip)
    assert _match(item) is None
    assert item.verdict.level.value in ("none", "weak")


@pytest.mark.parametrize("one_keyframe", [False, True], ids=["keyframes-at-cuts", "one-keyframe"])
def test_scene_cuts_are_sampled_and_stills_not_repeated(demo: Path, tmp_path: Path, one_keyframe: bool) -> None:
    pictures = [_load(p) for p in sorted((demo / "library").glob("*.jpg"))[:4]]
    clip = slideshow_clip(pictures, tmp_path / "cuts.mp4", seconds_each=1.5, one_keyframe=one_keyframe)
    source = read_source(clip)
    frames = sample_frames(source, probe_video(source))
    assert frames[0].key_frame and (one_keyframe or all(f.key_frame for f in frames))
    # One frame per still picture: the cuts are kept, the repeated frames of a still dropped as duplicates.
    assert [round(f.time_s, 1) for f in frames] == [0.0, 1.5, 3.0, 4.5]


def test_container_metadata_is_read_from_a_video(demo: Path, tmp_path: Path) -> None:
    clip = tmp_path / "labelled.mp4"
    container = av.open(str(clip), "w", options={"movflags": "use_metadata_tags"})
    container.metadata.update(
        {
            "creation_time": "2026-10-01T10:00:00.000000Z",
            "com.apple.quicktime.make": "Apple",
            "com.apple.quicktime.model": "iPhone 15",
            "com.apple.quicktime.software": "CapCut 12.1.0",
            "AIGC": json.dumps({"Label": "1", "ContentProducer": "001191110108MA01234567XXXXX", "ProduceID": "v1"}),
        }
    )
    stream = container.add_stream("libx264", rate=10)
    stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
    for i in range(10):
        frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), i * 20, np.uint8), format="rgb24")
        for packet in stream.encode(frame):
            container.mux(packet)
    for packet in stream.encode():
        container.mux(packet)
    container.close()
    item = _check(demo, clip, CaseFacts(order_date=date(2026, 11, 1)))
    by_category = {f.category.value: f for f in item.findings}
    assert by_category["ai-label"].strength.value == "strong"
    assert "mp4:mdta AIGC" in by_category["ai-label"].evidence["where"]
    assert by_category["editing-software"].evidence["program"] == "剪映 (CapCut)"
    recorded = by_category["capture-time"]
    assert recorded.title_key == "finding.capture.before_order.title" and recorded.strength.value == "moderate"
    assert by_category["metadata"].fields["device"] == "Apple iPhone 15"


@pytest.mark.parametrize("kind", ["truncated", "empty", "audio-only", "garbage"])
def test_bad_videos_exit_3_with_one_line(
    kind: str, tmp_path: Path, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clip = tmp_path / f"{kind}.mp4"
    if kind == "truncated":
        whole = pan_clip(_load(demo / "library" / LISTING), tmp_path / "whole.mp4", seconds=2.0)
        clip.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    elif kind == "empty":
        clip.write_bytes(b"")
    elif kind == "audio-only":
        audio_only_clip(clip)
    else:
        clip.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(range(256)) * 40)
    code = main(["check", str(clip)])
    err = capsys.readouterr().err
    assert code == 3
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err
    assert str(clip.name) in lines[0]


def test_no_photo_is_taken_for_a_video(testdata: Path) -> None:
    """HEIF/AVIF photos share ISO BMFF's ftyp box with MP4: none of the real photos may be taken for a video."""
    files = [p for p in testdata.rglob("*") if p.is_file() and p.suffix.lower() not in (".md", ".csv", ".txt")]
    assert len(files) > 50
    videos = [p.name for p in files if is_video(p.read_bytes()[:64])]
    assert videos == []


def test_a_clip_cut_from_the_sellers_own_video_is_found(demo: Path, testdata: Path, tmp_path: Path) -> None:
    """The seller adds a product video to the library; its frames are indexed, and a buyer's clip cut out of it (a
    stain painted on, re-encoded smaller) is traced to a frame of that video."""
    shop = tmp_path / "shop"
    shop.mkdir()
    product = _load(testdata / "product-photos" / "abo__B074M5HPBD__9ea6992d.jpg")
    own = pan_clip(product, shop / "product video.mp4", seconds=6.0, zoom=(0.95, 0.6))
    home = Home(resolve_home(None)).ensure()
    store = LibraryStore(home.library_db)
    summary = index_paths(store, [shop], workers=1)
    names = [Path(r.path).name for r in store.photos()]
    assert summary.failed == [] and len(names) >= 4
    assert all(n.startswith("product video.mp4@") and n.endswith("s.jpg") for n in names)
    assert own.read_bytes() == (shop / "product video.mp4").read_bytes()  # the seller's video is only read
    again = index_paths(store, [shop], workers=1)
    assert again.added == 0 and again.unchanged == len(names)  # a re-scan does not decode the video again
    complaint = recut_clip(own, tmp_path / "buyer.mp4", 2.0, 4.0, painter=paint_stain)
    case = check_photos(home, CheckRequest(photos=(complaint,)), store)
    finding = _match(case.photos[0])
    assert finding is not None and finding.strength.value == "strong"
    assert finding.library_photo is not None and Path(finding.library_photo).name.startswith("product video.mp4@")
    assert finding.title_key == "finding.video.derived_changed.title"


def test_a_clip_of_another_shot_of_the_scene_is_same_scene_not_same_base(testdata: Path, tmp_path: Path) -> None:
    """A clip panning over a second shot of the listing's scene (the product turned between two exposures) is
    worded as the photo check words it, "same scene, not that photo", not as another variant of a mockup."""
    more = testdata / "product-photos-more"
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "listing.jpg").write_bytes((more / "grocerystore__Arla-Lactose-Medium-Fat-Milk__3.jpg").read_bytes())
    second = _load(more / "grocerystore__Arla-Lactose-Medium-Fat-Milk__4.jpg")
    clip = pan_clip(second, tmp_path / "buyer.mp4", zoom=(1.0, 0.9), size=(960, 720))
    home = Home(resolve_home(None)).ensure()
    store = LibraryStore(home.library_db)
    index_paths(store, [shop], workers=1)
    finding = _match(check_photos(home, CheckRequest(photos=(clip,)), store).photos[0])
    assert finding is not None and finding.strength.value == "info"
    assert finding.evidence["relation"] == "same-scene"
    assert finding.title_key == "finding.video.same_scene.title"
    assert finding.limits_key == "limits.library.same_scene"
    assert "same scene" in finding.title("en") and "{" not in finding.detail("en") + finding.detail("zh_CN")
