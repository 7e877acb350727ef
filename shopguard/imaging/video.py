"""Complaint videos: recognise, probe and sample frames, with PyAV (FFmpeg ships in its wheels).

A video is read from the bytes already read once by ``read_source`` (never from the path again), so
the frames checked are the frames of the file whose SHA-256 the case records.

Sampling (``sample_frames``) keeps a bounded number of frames worth checking:
- key frames: encoders start a new group of pictures at a scene cut (x264's scenecut) and every 1-2 s
  on phones, so key frames already follow the content;
- when key frames are sparse (a long GOP, a screen recording), every frame is decoded and a frame is
  kept at a scene change (a 32x18 grey thumbnail moves by more than ``SCENE_CHANGE`` grey levels on
  average: a cut or a fast pan) or after ``gap`` seconds without one;
- near-duplicates are dropped: a frame whose thumbnail is within ``NEAR_DUPLICATE`` grey levels of the
  last kept one shows the same picture (a still shot, a pause), and checking it again adds nothing.
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
from PIL import Image

from shopguard.errors import ImageReadError
from shopguard.imaging.decode import SourceFile
from shopguard.imaging.video_sniff import VIDEO_SUFFIXES, is_video
from shopguard.progress import CancelToken, check_cancel

log = logging.getLogger(__name__)

__all__ = ["VIDEO_SUFFIXES", "VideoFacts", "VideoFrame", "is_video", "probe_video", "sample_frames"]

MAX_VIDEO_SECONDS = 15 * 60
"""Platforms take complaint clips of seconds to a few minutes; a longer file is refused, not sampled thinly."""
MAX_FRAME_PIXELS = 8192 * 4352
"""8K (DCI 8192x4320 rounded to whole macroblocks): larger frame sizes are crafted headers, not phone video."""
MAX_DECLARED_FRAMES = 240 * MAX_VIDEO_SECONDS
"""240 fps slow motion over the longest clip; a header declaring more is refused."""
MAX_SAMPLES = 48
"""Frames checked at most (about one every 1.25 s of a 60 s clip)."""
FRAME_SIDE = 1600
"""Sampled frames are kept at most this long on the long side: the library match works at 1600 px."""
SCENE_CHANGE = 12.0
"""Mean absolute change of the 32x18 grey thumbnail (grey levels) that counts as a new shot or a fast pan.
Sensor noise and compression move a 32x18 average by 1-2 levels; a cut moves most of it by tens."""
NEAR_DUPLICATE = 3.0
"""Thumbnail change (grey levels) under which two frames show the same picture."""
DENSE_KEYFRAMES_S = 2.0
"""Key frames at most this far apart are enough to follow the content; sparser ones mean decoding all frames."""


@dataclass(frozen=True)
class VideoFacts:
    """What the container says about a video, without decoding frames.

    ``width``/``height`` are the displayed size (after the rotation the file asks for); ``rotation`` is the
    counter-clockwise turn in degrees applied for display (FFmpeg's display matrix convention).
    """

    container: str
    codec: str
    width: int
    height: int
    rotation: int
    duration_s: float
    fps: float
    frame_count: int
    container_tags: dict[str, str] = field(default_factory=dict)
    stream_tags: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "codec": self.codec,
            "width": self.width,
            "height": self.height,
            "rotation": self.rotation,
            "duration_s": round(self.duration_s, 3),
            "fps": round(self.fps, 3),
            "frame_count": self.frame_count,
            "container_tags": dict(self.container_tags),
            "stream_tags": dict(self.stream_tags),
        }


@dataclass(frozen=True)
class VideoFrame:
    """One sampled frame: display-oriented RGB pixels at most FRAME_SIDE long, ``scale`` = kept px / full px."""

    index: int
    time_s: float
    image: Image.Image = field(repr=False)
    scale: float
    key_frame: bool


def _unreadable(source: SourceFile, reason: str) -> ImageReadError:
    return ImageReadError("error.video.unreadable", path=str(source.path), reason=reason)


def _open(source: SourceFile) -> Any:
    import av  # lazy: PyAV loads FFmpeg's libraries (~70 MB), only needed for videos

    try:
        return av.open(io.BytesIO(source.data), mode="r", metadata_errors="ignore")
    except av.FFmpegError as exc:
        raise _unreadable(source, str(exc)) from exc


def _tags(meta: Any) -> dict[str, str]:
    return {str(k): str(v)[:500] for k, v in dict(meta or {}).items()}


def _quarter_turns(degrees: float) -> int:
    return round(degrees / 90.0) % 4 * 90


def probe_video(source: SourceFile) -> VideoFacts:
    """Read the container header and the first frame's rotation; refuse absurd videos.

    Raises:
        ImageReadError: not decodable, no video stream, too long, frames too large or too many.
    """
    import av

    container = _open(source)
    try:
        if not container.streams.video:
            raise ImageReadError("error.video.no_stream", path=str(source.path))
        stream = container.streams.video[0]
        width, height = int(stream.codec_context.width or 0), int(stream.codec_context.height or 0)
        duration = _duration_s(container, stream)
        rate = stream.average_rate or stream.guessed_rate or Fraction(0)
        fps = float(rate) if rate else 0.0
        frames = int(stream.frames or 0) or round(duration * fps)
        if duration > MAX_VIDEO_SECONDS:
            raise ImageReadError(
                "error.video.too_long", path=str(source.path), seconds=round(duration), max_seconds=MAX_VIDEO_SECONDS
            )
        if width * height > MAX_FRAME_PIXELS:
            raise ImageReadError("error.video.too_large", path=str(source.path), width=width, height=height)
        if frames > MAX_DECLARED_FRAMES:
            raise ImageReadError("error.video.too_many_frames", path=str(source.path), frames=frames)
        rotation = 0
        try:
            first = next(container.decode(stream), None)
        except av.FFmpegError as exc:
            raise _unreadable(source, str(exc)) from exc
        if first is None:
            raise ImageReadError("error.video.no_frames", path=str(source.path))
        rotation = _quarter_turns(first.rotation or 0)
        if rotation in (90, 270):
            width, height = height, width
        return VideoFacts(
            container=str(container.format.name).split(",")[0],
            codec=str(stream.codec_context.name),
            width=width,
            height=height,
            rotation=rotation,
            duration_s=duration,
            fps=fps,
            frame_count=frames,
            container_tags=_tags(container.metadata),
            stream_tags=_tags(stream.metadata),
        )
    finally:
        container.close()


def _duration_s(container: Any, stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration) / 1_000_000  # AV_TIME_BASE
    return 0.0


def _thumb(frame: Any) -> np.ndarray:
    return np.asarray(frame.reformat(width=32, height=18, format="gray").to_ndarray(), dtype=np.float32)


def _picture(frame: Any, rotation: int) -> tuple[Image.Image, float]:
    """Display-oriented RGB at most FRAME_SIDE long, and its scale against the full frame."""
    w, h = frame.width, frame.height
    scale = min(1.0, FRAME_SIDE / max(w, h))
    if scale < 1.0:
        frame = frame.reformat(width=max(1, round(w * scale)), height=max(1, round(h * scale)))
    image = frame.to_image()
    if rotation:
        image = image.rotate(rotation, expand=True)
    return image.convert("RGB"), scale


def _keyframe_gaps_dense(container: Any, stream: Any, duration: float) -> bool:
    """True when key frames are at most DENSE_KEYFRAMES_S apart all through (read from packets, not decoded)."""
    times: list[float] = []
    for packet in container.demux(stream):
        if packet.is_keyframe and packet.pts is not None and packet.time_base:
            times.append(float(packet.pts * packet.time_base))
    if not times:
        return False
    edges = [0.0, *sorted(times), duration]
    return max(b - a for a, b in itertools.pairwise(edges)) <= DENSE_KEYFRAMES_S


def _decoded_frames(source: SourceFile, keys_only: bool) -> Iterator[Any]:
    import av

    container = _open(source)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        if keys_only:
            stream.codec_context.skip_frame = "NONKEY"
        try:
            yield from container.decode(stream)
        except av.FFmpegError as exc:  # a truncated tail: keep what decoded
            log.info("video %s stops decoding: %s", source.path, exc)
    finally:
        container.close()


def sample_frames(
    source: SourceFile, facts: VideoFacts, max_samples: int = MAX_SAMPLES, cancel: CancelToken | None = None
) -> list[VideoFrame]:
    """The frames worth checking (module docstring), in time order, at most ``max_samples``.

    Raises:
        ImageReadError: no frame could be decoded.
    """
    container = _open(source)
    try:
        dense = _keyframe_gaps_dense(container, container.streams.video[0], facts.duration_s)
    finally:
        container.close()
    gap = max(facts.duration_s / max_samples, 0.5)
    kept: list[VideoFrame] = []
    last_thumb: np.ndarray | None = None
    prev_thumb: np.ndarray | None = None
    last_time = -1e9
    for number, frame in enumerate(_decoded_frames(source, keys_only=dense)):
        if number % 16 == 0:
            check_cancel(cancel)
        time_s = float(frame.time or 0.0)
        thumb = _thumb(frame)
        cut = prev_thumb is not None and float(np.abs(thumb - prev_thumb).mean()) > SCENE_CHANGE
        prev_thumb = thumb
        due = cut or time_s - last_time >= gap - 1e-3 or not kept
        if not due:
            continue
        if last_thumb is not None and float(np.abs(thumb - last_thumb).mean()) < NEAR_DUPLICATE:
            continue
        image, scale = _picture(frame, facts.rotation)
        kept.append(VideoFrame(len(kept), time_s, image, scale, bool(frame.key_frame)))
        last_thumb, last_time = thumb, time_s
        if len(kept) >= max_samples:
            break
    if not kept:
        raise ImageReadError("error.video.no_frames", path=str(source.path))
    return kept


def decode_frames_at(source: SourceFile, facts: VideoFacts, times: list[float]) -> int:
    """Decode only the frames at ``times`` by seeking (the benchmark's floor); returns how many were decoded."""
    container = _open(source)
    decoded = 0
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for t in times:
            container.seek(int(t / float(stream.time_base)), stream=stream, backward=True)
            for frame in container.decode(stream):
                if float(frame.time or 0.0) >= t - 1e-3:
                    _picture(frame, facts.rotation)
                    decoded += 1
                    break
    finally:
        container.close()
    return decoded
