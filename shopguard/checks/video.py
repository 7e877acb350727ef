"""Check a complaint video the way a photo is checked.

1. The file's metadata, through the photo checks that read metadata only (GB 45438 label, C2PA, IPTC
   source type, XMP and QuickTime software and dates: movie_boxes.py feeds them), plus ``video-metadata``:
   the container's encoder and handler names, the recording device and the recording time against the
   order and delivery dates.
2. The library match on sampled frames (imaging/video.py picks them): each frame is matched like a photo.
   The listing photo matched by most frames gives one ``library-derived`` finding with the frame times, the
   changed region per frame and their track: a painted defect sits on the product, so mapped back into
   the listing photo's coordinates its box stays in place while the camera pans or zooms.
3. A contact sheet of the sampled frames, the matched ones marked, and a poster frame (the key frame)
   that the app and the report show in place of the video.

The verdict follows the photo rules (checks/verdict.py) over these findings.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image, ImageDraw

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, EvidenceImage, Finding, Strength
from shopguard.checks.library_match import LibraryMatchCheck
from shopguard.checks.registry import builtin_checks
from shopguard.checks.runner import PhotoChecks, run_checks
from shopguard.checks.software_table import SoftwareKind, classify
from shopguard.checks.verdict import photo_verdict
from shopguard.imaging.decode import DecodedImage, ImageFacts
from shopguard.imaging.video import VideoFacts, VideoFrame
from shopguard.progress import ProgressFn, report

log = logging.getLogger(__name__)

METADATA_CHECKS = frozenset(
    {"aigc-label", "content-credentials", "iptc-source-type", "generator-metadata", "editing-software", "capture-time"}
)
"""Photo checks that read only the file's metadata, so they apply to a video file as they are."""
MATCH_FRAMES = 8
"""Sampled frames matched against the library at most, spread over the clip (one every ~4 s of a 30 s clip: enough to
follow a region over the clip). Each costs ~0.5 s (the dense comparison), so 8 keep a 30 s clip within 10 s."""
TRACK_IOU = 0.3
"""Two frames' changed boxes, mapped into the listing photo, that overlap this much are one defect seen twice."""
POSTER_SIDE = 1600
SHEET_COLUMNS = 6
SHEET_THUMB = 200
_MATCHED = (0, 170, 80)
_CHANGED = (255, 0, 64)
_EPOCH_FLOOR = datetime(2000, 1, 1, tzinfo=UTC)
"""Container times before 2000 are unset clocks (QuickTime counts from 1904, many muxers write 0)."""


@dataclass
class FrameContext(CheckContext):
    """A CheckContext whose pixels are one sampled video frame (already decoded) instead of a file's."""

    frame: VideoFrame | None = None
    frame_facts: ImageFacts | None = None

    def pixels(self, max_side: int | None = None) -> DecodedImage:
        if self.frame is None or self.frame_facts is None:
            raise ValueError("FrameContext without a frame")
        key = max_side or 0
        if key not in self._decoded:
            image, scale = self.frame.image, self.frame.scale
            if max_side and max(image.size) > max_side:
                factor = max_side / max(image.size)
                image = image.resize(
                    (max(1, round(image.width * factor)), max(1, round(image.height * factor))),
                    Image.Resampling.LANCZOS,
                )
                scale *= factor
            self._decoded[key] = DecodedImage(image, self.frame_facts, scale)
        return self._decoded[key]


@dataclass(frozen=True)
class FrameMatch:
    frame: VideoFrame
    finding: Finding


def check_video(
    ctx: CheckContext, facts: VideoFacts, frames: Sequence[VideoFrame], progress: ProgressFn | None = None
) -> tuple[PhotoChecks, Path | None]:
    """Findings and verdict for one video, and the poster frame written for display (None without frames)."""
    metadata_checks = [c for c in builtin_checks() if c.id in METADATA_CHECKS]
    findings = list(run_checks(ctx, metadata_checks).findings)
    findings += VideoMetadataCheck().findings(ctx, facts)
    matches, library_note = _match_frames(ctx, facts, frames, progress)
    poster_frame = frames[0] if frames else None
    derived = _derived_finding(ctx, frames, matches)
    if derived is not None:
        findings.append(derived[0])
        poster_frame = derived[1]
    elif library_note is not None:
        findings.append(library_note)
    poster = _write_poster(ctx, poster_frame) if poster_frame is not None else None
    return PhotoChecks(tuple(findings), photo_verdict(findings)), poster


def _spread(frames: Sequence[VideoFrame], n: int) -> list[VideoFrame]:
    if len(frames) <= n:
        return list(frames)
    picks = np.linspace(0, len(frames) - 1, n).round().astype(int)
    return [frames[i] for i in sorted(set(picks.tolist()))]


def _match_frames(
    ctx: CheckContext, facts: VideoFacts, frames: Sequence[VideoFrame], progress: ProgressFn | None
) -> tuple[list[FrameMatch], Finding | None]:
    """Library-match findings per matched frame, and the check's own note when no frame matched (empty library)."""
    check = LibraryMatchCheck()
    frame_facts = ImageFacts("video-frame", facts.width, facts.height, 1, "RGB", 1)
    chosen = _spread(frames, MATCH_FRAMES)
    matches: list[FrameMatch] = []
    note: Finding | None = None
    tracked: tuple[int, ...] | None = None
    for i, frame in enumerate(chosen):
        report(progress, i, len(chosen), "progress.video_frame", time=f"{frame.time_s:.1f}")

        def run(only: tuple[int, ...] | None, frame: VideoFrame = frame) -> list[Finding]:
            fctx = FrameContext(
                source=ctx.source,
                facts=ctx.facts,
                case=ctx.case,
                library=ctx.library,
                artifact_dir=(ctx.artifact_dir / f"frame-{frame.index:02d}") if ctx.artifact_dir else None,
                case_id=ctx.case_id,
                cancel=ctx.cancel,
                library_only=only,
                frame=frame,
                frame_facts=frame_facts,
            )
            return check.run(fctx)

        # A clip keeps showing the same picture: try the source the last matched frame showed first (one
        # verification instead of a shortlist), and search the whole library only when it is not there.
        found = run(tracked) if tracked else []
        if not any(f.library_photo for f in found):
            found = run(None)
        for finding in found:
            if finding.library_photo:
                matches.append(FrameMatch(frame, finding))
                record = ctx.library.photo_by_path(finding.library_photo) if ctx.library else None
                tracked = (record.id,) if record is not None and record.id is not None else None
            else:
                return matches, finding  # "no library" note: the same for every frame
    return matches, note


def _listing_box(finding: Finding, region: tuple[int, int, int, int]) -> list[float] | None:
    """A frame region mapped into the listing photo's pixels (through the verified transform)."""
    transform = finding.evidence.get("transform")
    if not isinstance(transform, dict) or "matrix" not in transform:
        return None
    m = np.vstack([np.asarray(transform["matrix"], dtype=np.float64), [0.0, 0.0, 1.0]])
    x, y, w, h = region
    corners = np.array([[x, y, 1], [x + w, y, 1], [x + w, y + h, 1], [x, y + h, 1]], dtype=np.float64).T
    back = (np.linalg.inv(m) @ corners)[:2]
    x0, y0 = back.min(axis=1)
    x1, y1 = back.max(axis=1)
    return [round(float(x0), 1), round(float(y0), 1), round(float(x1 - x0), 1), round(float(y1 - y0), 1)]


def _iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def region_track(matches: Sequence[FrameMatch]) -> list[dict[str, Any]]:
    """Changed regions that recur in the listing photo's coordinates across frames, most frames first.

    Each track: ``listing_box`` (x, y, w, h in listing px, of its first sighting), ``frames`` (times in s) and the
    frame boxes. A box seen in one frame only is still listed (``frames`` of length 1): one frame may be all a
    fast cut shows, but a reader should weigh it less than a defect that stays in place.
    """
    tracks: list[dict[str, Any]] = []
    for m in matches:
        for region in m.finding.regions:
            box = _listing_box(m.finding, tuple(region))  # type: ignore[arg-type]
            if box is None:
                continue
            for track in tracks:
                if _iou(track["listing_box"], box) >= TRACK_IOU and m.frame.time_s not in track["frames"]:
                    track["frames"].append(round(m.frame.time_s, 2))
                    track["frame_regions"].append(list(region))
                    break
            else:
                tracks.append(
                    {"listing_box": box, "frames": [round(m.frame.time_s, 2)], "frame_regions": [list(region)]}
                )
    tracks.sort(key=lambda t: -len(t["frames"]))
    return tracks


def _derived_finding(
    ctx: CheckContext, frames: Sequence[VideoFrame], matches: Sequence[FrameMatch]
) -> tuple[Finding, VideoFrame] | None:
    if not matches:
        return None
    groups: dict[str, list[FrameMatch]] = defaultdict(list)
    for m in matches:
        groups[str(m.finding.library_photo)].append(m)

    def weight(group: list[FrameMatch]) -> tuple[int, int, int]:
        best = max(g.finding.strength.rank for g in group)
        return best, len(group), sum(int(g.finding.evidence.get("inliers", 0)) for g in group)

    group = max(groups.values(), key=weight)
    strongest = max(m.finding.strength.rank for m in group)
    group = [m for m in group if m.finding.strength.rank == strongest]
    tracks = region_track(group)
    with_change = [m for m in group if m.finding.regions]
    key_match = max(
        with_change or group,
        key=lambda m: (len(m.finding.regions), int(m.finding.evidence.get("inliers", 0))),
    )
    base = key_match.finding
    times = [round(m.frame.time_s, 2) for m in group]
    frame_rows = [
        {
            "time_s": round(m.frame.time_s, 2),
            "strength": m.finding.strength.value,
            "inliers": m.finding.evidence.get("inliers"),
            "changed_share": m.finding.evidence.get("changed_share"),
            "similarity_outside": m.finding.evidence.get("similarity_outside"),
            "regions": [list(r) for r in m.finding.regions],
        }
        for m in group
    ]
    steady = [t for t in tracks if len(t["frames"]) >= 2]
    if base.strength is Strength.INFO and base.evidence.get("relation") == "same-scene":
        kind = "same_scene"  # another shot of the listing's scene (library/second_shot.py), not a mockup variant
    elif base.strength is Strength.INFO:
        kind = "same_base"
    elif with_change:
        kind = "derived_changed"
    else:
        kind = "derived_unchanged"
    sheet = _write_contact_sheet(ctx, frames, {m.frame.index: bool(m.finding.regions) for m in group})
    images = [
        *base.images,
        *([EvidenceImage("contact-sheet", str(sheet), "image.video.contact_sheet")] if sheet else []),
    ]
    fields = {
        **dict(base.fields),
        "frames_matched": len(group),
        "frames_checked": min(len(frames), MATCH_FRAMES),
        "frames_sampled": len(frames),
        "times": ", ".join(f"{t:.1f}" for t in times),
        "key_time": f"{key_match.frame.time_s:.1f}",
        "track_frames": len(steady[0]["frames"]) if steady else (1 if tracks else 0),
    }
    evidence = {
        **dict(base.evidence),
        "key_frame_time_s": round(key_match.frame.time_s, 2),
        "frames": frame_rows,
        "region_tracks": tracks,
        "frames_sampled": len(frames),
        "frames_checked": min(len(frames), MATCH_FRAMES),
    }
    finding = Finding(
        "library-match",
        Category.LIBRARY_DERIVED,
        base.strength,
        f"finding.video.{kind}.title",
        f"finding.video.{kind}.detail",
        fields=fields,
        regions=tuple(base.regions),
        library_photo=base.library_photo,
        evidence=evidence,
        images=tuple(images),
        limits_key=base.limits_key if kind in ("same_base", "same_scene") else "limits.video.derived",
    )
    return finding, key_match.frame


def _write_poster(ctx: CheckContext, frame: VideoFrame) -> Path | None:
    if ctx.artifact_dir is None:
        return None
    path = ctx.artifact_path("poster.jpg")
    image = frame.image
    if max(image.size) > POSTER_SIDE:
        image = image.copy()
        image.thumbnail((POSTER_SIDE, POSTER_SIDE), Image.Resampling.LANCZOS)
    image.save(path, "JPEG", quality=90)
    return path


def _write_contact_sheet(ctx: CheckContext, frames: Sequence[VideoFrame], matched: dict[int, bool]) -> Path | None:
    """Every sampled frame in time order; green frame = shows the listing photo, red = with a changed region."""
    if ctx.artifact_dir is None or not frames:
        return None
    aspect = frames[0].image.height / max(1, frames[0].image.width)
    tw, th = SHEET_THUMB, max(1, round(SHEET_THUMB * aspect))
    label_h, pad = 18, 10
    cols = min(SHEET_COLUMNS, len(frames))
    rows = (len(frames) + cols - 1) // cols
    sheet = Image.new("RGB", (cols * (tw + pad) + pad, rows * (th + label_h + pad) + pad), (245, 245, 245))
    draw = ImageDraw.Draw(sheet)
    for n, frame in enumerate(frames):
        x = pad + (n % cols) * (tw + pad)
        y = pad + (n // cols) * (th + label_h + pad)
        thumb = frame.image.copy()
        thumb.thumbnail((tw, th), Image.Resampling.BILINEAR)
        sheet.paste(thumb, (x, y))
        if frame.index in matched:
            colour = _CHANGED if matched[frame.index] else _MATCHED
            draw.rectangle((x - 3, y - 3, x + thumb.width + 2, y + thumb.height + 2), outline=colour, width=4)
        draw.text((x + 2, y + th + 3), f"{frame.time_s:.1f} s", fill=(20, 20, 20))
    path = ctx.artifact_path("contact-sheet.jpg")
    sheet.save(path, "JPEG", quality=88)
    return path


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if parsed >= _EPOCH_FLOOR else None


_SOFTWARE_TAGS = (
    ("container", "encoder"),
    ("container", "com.apple.quicktime.software"),
    ("container", "software"),
    ("stream", "handler_name"),
    ("stream", "encoder"),
)
_DEVICE_TAGS = (
    ("com.apple.quicktime.make", "com.apple.quicktime.model"),
    ("com.android.manufacturer", "com.android.model"),
    ("make", "model"),
)
_TIME_TAGS = ("com.apple.quicktime.creationdate", "creation_time", "date")
_SOFTWARE_STRENGTH = {SoftwareKind.AI_APP: Strength.MODERATE, SoftwareKind.EDITOR: Strength.WEAK}


class VideoMetadataCheck:
    """``video-metadata``: what the video container says about its making (FFmpeg's reading of its tags)."""

    id: ClassVar[str] = "video-metadata"

    def findings(self, ctx: CheckContext, facts: VideoFacts) -> list[Finding]:
        return [*self._software(facts), *self._device(facts), *self._recorded(ctx, facts)]

    def _software(self, facts: VideoFacts) -> list[Finding]:
        out: list[Finding] = []
        seen: set[str] = set()
        for scope, tag in _SOFTWARE_TAGS:
            value = (facts.container_tags if scope == "container" else facts.stream_tags).get(tag)
            if not value:
                continue
            match = classify(value)
            field = f"video {scope} tag '{tag}'"
            if match.kind in _SOFTWARE_STRENGTH and match.name not in seen:
                seen.add(match.name)
                key = "ai_app" if match.kind is SoftwareKind.AI_APP else "editor"
                out.append(
                    Finding(
                        self.id,
                        Category.EDITING_SOFTWARE,
                        _SOFTWARE_STRENGTH[match.kind],
                        f"finding.software.{key}.title",
                        "finding.software.detail",
                        fields={"name": match.name, "field": field, "value": value},
                        evidence={"field": field, "value": value, "program": match.name, "kind": match.kind.value},
                        limits_key="finding.software.limits",
                    )
                )
            elif value.startswith(("Lavf", "Lavc")) and "ffmpeg" not in seen:
                seen.add("ffmpeg")
                out.append(
                    Finding(
                        self.id,
                        Category.EDITING_SOFTWARE,
                        Strength.INFO,
                        "finding.video.reencoded.title",
                        "finding.video.reencoded.detail",
                        fields={"field": field, "value": value},
                        evidence={"field": field, "value": value},
                        limits_key="finding.video.reencoded.limits",
                    )
                )
        return out

    def _device(self, facts: VideoFacts) -> list[Finding]:
        tags = facts.container_tags
        for make_key, model_key in _DEVICE_TAGS:
            make, model = tags.get(make_key, "").strip(), tags.get(model_key, "").strip()
            if make or model:
                return [
                    Finding(
                        self.id,
                        Category.METADATA,
                        Strength.INFO,
                        "finding.video.device.title",
                        "finding.video.device.detail",
                        fields={"device": f"{make} {model}".strip(), "field": f"{make_key} / {model_key}"},
                        evidence={"make": make, "model": model, "fields": [make_key, model_key]},
                    )
                ]
        return []

    def _recorded(self, ctx: CheckContext, facts: VideoFacts) -> list[Finding]:
        for tag in _TIME_TAGS:
            raw = facts.container_tags.get(tag) or facts.stream_tags.get(tag)
            when = _parse_time(raw) if raw else None
            if raw and when is not None:
                return [self._against_case(ctx, tag, raw, when.date())]
        return []

    def _against_case(self, ctx: CheckContext, tag: str, raw: str, recorded: date) -> Finding:
        """A recording before the goods arrived cannot show them as delivered. Moderate, not strong: editing and
        transcoding apps rewrite or copy these tags, and a phone's clock can be wrong."""
        case = ctx.case
        field = f"video tag '{tag}'"
        evidence: dict[str, Any] = {"field": field, "value": raw, "recorded_date": recorded.isoformat()}
        for label, when in (("delivery", case.delivery_date), ("order", case.order_date)):
            if when is not None and (when - recorded).days > 1:
                return Finding(
                    self.id,
                    Category.CAPTURE_TIME,
                    Strength.MODERATE,
                    f"finding.capture.before_{label}.title",
                    f"finding.capture.before_{label}.detail",
                    fields={"field": field, "taken": raw, "date": when.isoformat(), "days": (when - recorded).days},
                    evidence={**evidence, f"{label}_date": when.isoformat(), "days_before": (when - recorded).days},
                    limits_key="limits.video.recorded",
                )
        key = "consistent" if (case.delivery_date or case.order_date) else "no_case"
        return Finding(
            self.id,
            Category.CAPTURE_TIME,
            Strength.INFO,
            f"finding.capture.{key}.title",
            f"finding.capture.{key}.detail",
            fields={"field": field, "taken": raw},
            evidence=evidence,
            limits_key="limits.video.recorded",
        )
