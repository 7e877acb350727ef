"""One complaint video in a case: probe it, sample its frames, run the video checks, describe it as a CasePhoto.

The video's bytes were read once (``read_source``) and are stored unchanged, like a photo's; the frames are
decoded from those bytes, so what was checked is exactly the file whose SHA-256 the case records.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from shopguard.cases.model import CasePhoto
from shopguard.cases.store import CaseStore
from shopguard.checks.context import CaseFacts, CheckContext
from shopguard.checks.video import check_video
from shopguard.imaging.decode import ImageFacts, SourceFile
from shopguard.imaging.video import probe_video, sample_frames
from shopguard.library.store import LibraryStore
from shopguard.progress import CancelToken, ProgressFn


def check_video_item(
    store: CaseStore,
    case_id: str,
    index: int,
    path: Path,
    source: SourceFile,
    facts: CaseFacts,
    library: LibraryStore | None,
    received_at: str,
    cancel: CancelToken | None = None,
    progress: ProgressFn | None = None,
) -> tuple[CasePhoto, CheckContext]:
    """Check one video (its bytes in ``source``, named after ``path``) and store its copy.

    Raises:
        ImageReadError: the video cannot be decoded, has no video stream or no frame, or is beyond the limits.
        HomeError: the copy cannot be stored.
    """
    video = probe_video(source)
    frames = sample_frames(source, video, cancel=cancel)
    ctx = CheckContext(
        source=source,
        facts=ImageFacts("video", video.width, video.height, 1, "RGB", video.frame_count),
        case=facts,
        library=library,
        artifact_dir=store.evidence_dir(case_id, index),
        case_id=case_id,
        cancel=cancel,
    )
    stored = store.write_photo_copy(case_id, index, path.name, source.data)
    result, poster = check_video(ctx, video, frames, progress)
    photo = CasePhoto(
        name=path.name,
        original_path=str(path),
        stored_path=str(stored),
        sha256=source.sha256,
        format=video.container,
        width=video.width,
        height=video.height,
        size_bytes=source.size_bytes,
        received_at=received_at,
        file_mtime=datetime.fromtimestamp(source.mtime, UTC).replace(microsecond=0).isoformat(),
        findings=result.findings,
        verdict=result.verdict,
        media="video",
        poster_path=str(poster) if poster else None,
        video={**video.to_json(), "frames_sampled": [round(f.time_s, 3) for f in frames]},
    )
    return photo, ctx
