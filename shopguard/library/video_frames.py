"""A seller's own product videos in the library: their sampled frames are stored as JPEGs and indexed like photos.

A complaint video (or photo) cut from the seller's video then matches one of these frames, named after the video
and the time: ``<video name>@<seconds>s.jpg``. Frames are taken the way complaint videos are sampled
(imaging/video.py: key frames and scene changes, near-duplicates dropped), at most ``LIBRARY_VIDEO_SAMPLES`` per
video, and written once per video content (a folder named by the video's SHA-256 in the data home), so a re-scan
does not decode the video again. The seller's video file is only read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from shopguard.errors import ImageReadError, ShopGuardError
from shopguard.imaging import read_source
from shopguard.imaging.video import probe_video, sample_frames
from shopguard.imaging.video_sniff import VIDEO_SUFFIXES
from shopguard.library.file_walk import iter_named_files
from shopguard.progress import CancelToken, check_cancel

FRAMES_FOLDER = "library-video-frames"
"""Folder in the data home (next to the library database) holding the frames of the seller's videos."""
LIBRARY_VIDEO_SAMPLES = 24
"""Frames kept per product video: enough to cover the views a 30-60 s product video shows."""
_DONE = ".complete"


def is_video_name(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def iter_video_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Video files named directly, plus those found recursively in named folders (hidden ones skipped)."""
    return (p for p in iter_named_files(paths, VIDEO_SUFFIXES) if is_video_name(p))


def frame_photos(
    frames_root: Path,
    videos: Iterable[Path],
    failed: list[tuple[str, ShopGuardError]],
    cancel: CancelToken | None = None,
) -> list[Path]:
    """The frame JPEGs of ``videos`` (written on first sight), for indexing; unreadable videos go to ``failed``."""
    out: list[Path] = []
    for video in videos:
        check_cancel(cancel)
        try:
            out.extend(_frames_of(frames_root, video, cancel))
        except ImageReadError as exc:
            failed.append((str(video), exc))
    return out


def _frames_of(frames_root: Path, video: Path, cancel: CancelToken | None) -> list[Path]:
    source = read_source(video)
    folder = frames_root / source.sha256[:24]
    if (folder / _DONE).is_file():
        return sorted(folder.glob("*.jpg"))
    facts = probe_video(source)
    frames = sample_frames(source, facts, max_samples=LIBRARY_VIDEO_SAMPLES, cancel=cancel)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for frame in frames:
            target = folder / f"{video.name}@{frame.time_s:07.2f}s.jpg"
            partial = target.with_suffix(".part")
            frame.image.save(partial, "JPEG", quality=92)
            partial.replace(target)  # a killed run leaves no half-written frame to index
            paths.append(target)
        (folder / _DONE).write_text(str(video), encoding="utf-8")
    except OSError as exc:
        raise ImageReadError("error.video.frames_unwritable", path=str(video), reason=exc.strerror or str(exc)) from exc
    return paths
