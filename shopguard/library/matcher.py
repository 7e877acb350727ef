"""Find the library photo(s) a complaint photo was made from, and prove it.

1. Shortlist: perceptual-hash distance over the 8 turns/mirrors of the complaint (and of the
   complaint with uniform borders trimmed), plus votes from the descriptor index
   (descriptor_index.py), which finds heavy crops and screenshots that global hashes miss.
2. Geometric verification (verification.py): ORB matches + RANSAC similarity transform.
3. Dense verification (region_diff.py): the aligned listing photo must agree with the complaint
   photo almost everywhere it covers. This is what separates a re-used photo from another photo of
   the same product, a look-alike, or a recoloured mockup of the same base render.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
from PIL import Image

from shopguard.library.descriptor_index import DescriptorIndex
from shopguard.library.features import COMPLAINT_SIDE, spread_index_keys
from shopguard.library.fingerprint import image_hashes
from shopguard.library.region_diff import ChangeMap, change_map
from shopguard.library.second_shot import SceneMotion, scene_motion
from shopguard.library.store import LibraryStore, PhotoRecord
from shopguard.library.verification import ComplaintFeatures, Geometry, complaint_features, verify_geometry
from shopguard.progress import CancelToken, check_cancel

log = logging.getLogger(__name__)

HASH_SHORTLIST = 6
INDEX_SHORTLIST = 14
QUERY_INDEX_KEYPOINTS = 1200
"""Complaint keypoints (per orientation, spread over the photo) that query the index: index time grows with them."""
VERIFY_ALL_BELOW = 24
"""Libraries this small are verified photo by photo (about 10 ms each); the shortlist is for big ones."""
DENSE_TRIES = 4
SIBLING_MARGIN = 0.03
"""How much more another verified candidate must differ before the closest one counts as the source."""
SIBLINGS_DIFFER = 40
"""Max-channel difference (0-255) above which two aligned library photos show different things at a pixel."""
SIDE_MAJORITY, SIDE_MINORITY = 0.6, 0.15
RIVAL_INLIER_SHARE = 0.3
SAME_PICTURE_SHARE = 0.01
"""Two aligned library photos that differ on under 1% of their common area are one picture."""
TWIN_COVERS_MORE = 0.03
"""Of two twins, one covering this much more of the complaint (share of its area) is named first."""
MIN_SIMILARITY_OUTSIDE = 0.96
"""Mean SSIM outside the changed regions: the same picture re-saved stays above ~0.96 even at JPEG q40 and
25% scale (benchmark p5), a second shot of the same scene from the same spot (parallax, light) mostly not."""
RECOLOUR_STRUCTURE = 0.85
RECOLOUR_INFORMATIVE = 0.4
"""A change over 40% or more of the listing's visible structure whose shapes agree (structure term >= 0.85) at
full contrast (>= OVERLAY_CONTRAST) is a recolour of the same render. A stain that dims the shapes under it is
no recolour, however small the part of the photo the alignment spans (a hat on a white backdrop)."""
MAX_COLOUR_CAST = 100.0
"""A global edit (brightness, contrast, white balance up to +-15% per channel) tints mid grey by < 50;
a fitted colour map that turns grey into a saturated colour is a recoloured product, not an edit."""
MAX_CHANGED_SHARE = 0.4
"""A derivation may differ in at most 40% of the area it covers: the issue's painted defects reach 25%,
plus the closing margin around them. Beyond that it is not the same picture..."""
MAX_OVERLAY_CHANGED_SHARE = 0.55
"""...unless the change is an overlay (see OVERLAY_CONTRAST) through which the listing still shows."""
MAX_INFORMATIVE_CHANGED = 0.6
"""A change may hide at most 60% of the listing's visible structure: beyond that, a different product on the
same backdrop cannot be told from a repainted one, so it is no proof of derivation..."""
MAX_OVERLAY_INFORMATIVE = 0.9
"""...unless the product's own shapes still show through the change (an overlay)."""
OVERLAY_STRUCTURE = 0.6
OVERLAY_CONTRAST = 0.6
"""A change is an overlay (a stain, mark or tint laid over the product) when the listing's shapes show through
it (SSIM structure term >= 0.6) at under 60% of their contrast. A recoloured variant of the same render keeps
its shading at full contrast (benchmark template siblings: 0.8-1.2); a semi-opaque painted stain leaves
~0.1-0.5. Where little contrast shows through, the structure term is noisy: a 25% stain on a white bottle
measures 0.56 (contrast 0.12), an opaque repaint of most of a tote 0.57 (contrast 0.23): the threshold stays
above both, as calling the repaint derived would be the worse error."""
OVERLAY_MIN_SPREAD = 0.25
"""An overlay excuses a large change only where the alignment is proven over a wide area (matched points spread
over >= 25% of the complaint photo, or of the part of it the listing covers, e.g. a photo inside a screenshot):
another photo showing the same label or package aligns on a small patch (benchmark: spread 0.04-0.13) and its
other differences must not pass as a stain."""
ERASED_CONTRAST = 0.05
ERASED_INFORMATIVE = 0.3
"""Where the complaint photo is blank (under 5% of the listing's local contrast) over 30% or more of the listing's
visible structure, the listing's content is missing, not painted over: another view of the product on the same
plain backdrop (a rendered bottle turned upright, measured contrast 0.01) aligns on its logo and leaves the rest
of the first view as a "changed" blank. A painted defect adds marks; the benchmark's painted and inpainted
defects keep >= 0.1 of the contrast wherever they hide that much structure. No proof of derivation then."""
MIN_CHROMA_BALANCE = 0.35
"""A colour map that keeps under 35% as much of one main print colour's colourfulness as of another's
(``chroma_balance``) bleached one colour of the product and kept the rest: another colour variant of one render
(a blue jersey made to look black, its red logo untouched; benchmark: 0.01-0.28), not a buyer's global edit
(brightness, contrast, white balance; benchmark colour shifts: >= 0.50)."""
MAX_HUE_SHIFT = 45.0
"""Degrees a global colour map may turn a saturated hue. A buyer's brightness/contrast/white-balance or filter
edit turns hues by < 20 degrees (gains of +-15% per channel: < 10); turning a green jersey red takes ~120."""
PRINT_SWAP_SHARE = 0.75
"""When at least 75% of the listing's print (its coloured pixels) lies inside the changed area while the blank
product around it agrees, the print was swapped: a mockup rendered from one template (issue 3's demo-store
steins and mugs), not a defect. A painted defect covers part of a product, rarely most of its print. (0.9 until
the stein's other view, its base turned over with the logo put on the right way round at the same place, came
within reach of verification: 79% of its print reads as changed.)"""
BLEACHED_PRINT_SHARE = 0.5
MIN_CHROMA_KEPT = 0.35
"""A fitted colour map that keeps under 35% of the listing print's colourfulness, while half the print or more
reads as changed, was bent to make a different print look alike; a buyer's colour edit keeps >= ~55%
(brightness 0.75 x contrast 0.8 in benchmarks/matching_transforms.py)."""
MIN_PRINT_CONTRAST_KEPT = 0.5
"""...and a map that also washes the print out to its surroundings' grey (under half its contrast kept: 0.11 for
a red logo mapped to the white of a mug's blank side) makes the print vanish from the comparison, so it is not
even seen as changed: such a match is no derivation. A buyer's colour edit keeps the print's colour or, turning
the photo grey, its contrast."""
PRINT_SWAP_MAX_STRUCTURE = 0.5
"""...and only when the shapes inside the changed area differ too (mean SSIM structure term < 0.5; the four
template mockups of the benchmark measure 0.13-0.26): a mark painted over the print that leaves the print's
shapes showing through (0.76 measured) is a change on top of the same print, not another print."""
SAME_BASE_STRUCTURE = 0.6
"""Mean SSIM structure term inside the changed area above which a big change is a recolour of the same
render (the shapes agree, only the colours differ) rather than a different scene."""

ListingLoader = Callable[[PhotoRecord], tuple[Image.Image, float] | None]
"""Loads a library photo's oriented RGB pixels and their scale (None when the file is gone)."""


@dataclass(frozen=True)
class Match:
    """A verified relation between the complaint photo and one library photo.

    ``kind`` is ``derived`` (made from the listing photo), ``same-base`` (same base image, but a
    large area, typically the product, differs: a different product variant, not a proof of editing) or
    ``same-scene`` (another exposure of the listing photo's scene: what differs is the scene's own content
    moved, see second_shot.py; not a copy).
    """

    record: PhotoRecord
    kind: Literal["derived", "same-base", "same-scene"]
    geometry: Geometry
    change: ChangeMap
    found_by: str
    motion: SceneMotion | None = None
    """The scene-motion measure of a candidate that passed as derived with changed regions (None otherwise)."""

    def evidence(self, complaint_size: tuple[int, int]) -> dict[str, object]:
        g = self.geometry
        return {
            "inliers": g.inliers,
            "matches": g.matches,
            "inlier_ratio": round(g.inlier_ratio, 3),
            "inlier_spread": round(g.spread, 3),
            **({"guided_share": round(g.guided_share, 3)} if g.guided_share > 0 else {}),
            "transform": g.transform_json(self.record.width, self.record.height, complaint_size),
            "covered_share": round(self.change.overlap_share, 3),
            "changed_share": round(self.change.changed_share, 4),
            "similarity_outside": round(self.change.similarity_outside, 3),
            "print_in_changed": round(self.change.print_in_changed, 3),
            "chroma_kept": round(self.change.chroma_kept, 3),
            "hue_shift_deg": round(self.change.hue_shift, 1),
            "chroma_balance": round(self.change.chroma_balance, 3),
            "print_contrast_kept": round(self.change.print_contrast_kept, 3),
            "raw_distance": round(self.change.raw_distance, 1),
            "contrast_in_changed": round(self.change.contrast_in_changed, 3),
            "shortlist": self.found_by,
            **(
                {
                    "relation": self.kind,
                    "moved_share": round(self.motion.moved_share, 3),
                    "moved_area_share": round(self.motion.moved_area_share, 4),
                    "moved_shift_px": round(self.motion.shift_px, 1),
                }
                if self.kind == "same-scene" and self.motion is not None
                else {}
            ),
        }


def _dihedral(image: Image.Image) -> list[Image.Image]:
    out = []
    for base in (image, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)):
        out.extend([base, *(base.rotate(a, expand=True) for a in (90, 180, 270))])
    return out


def trim_uniform_borders(image: Image.Image, tolerance: float = 6.0) -> Image.Image:
    """Cut rows/columns at the edges that are one flat colour (letterboxing, screenshot margins)."""
    gray = np.asarray(image.convert("L"), dtype=np.float32)
    rows, cols = gray.std(axis=1) > tolerance, gray.std(axis=0) > tolerance
    if not rows.any() or not cols.any():
        return image
    y0, y1 = int(np.argmax(rows)), len(rows) - int(np.argmax(rows[::-1]))
    x0, x1 = int(np.argmax(cols)), len(cols) - int(np.argmax(cols[::-1]))
    if (x1 - x0) * (y1 - y0) < 0.2 * gray.size:
        return image
    return image.crop((x0, y0, x1, y1))


def hash_shortlist(store: LibraryStore, complaint: Image.Image, limit: int) -> list[tuple[int, int]]:
    """(photo id, best pHash distance) of the closest library photos over every turn/mirror."""
    ids, table = store.hash_table()
    if ids.size == 0:
        return []
    best = np.full(ids.size, 64, np.int64)
    small = complaint.copy()
    small.thumbnail((256, 256), Image.Resampling.BILINEAR)  # 8x8 hashes: 256 px is plenty, 8 turns are cheap
    for source in (small, trim_uniform_borders(small)):
        for variant in _dihedral(source):
            q = image_hashes(variant)[0]
            best = np.minimum(best, np.bitwise_count(table[:, 0] ^ q).astype(np.int64))
    order = np.argsort(best, kind="stable")[:limit]
    return [(int(ids[i]), int(best[i])) for i in order]


def build_index(store: LibraryStore) -> DescriptorIndex:
    """The descriptor index over every present library photo (cached by the store until it changes)."""
    return store.descriptor_index()


def index_query_keys(query: ComplaintFeatures) -> np.ndarray:
    """The keys the complaint photo queries the descriptor index with: QUERY_INDEX_KEYPOINTS spread over it, as is
    and mirrored."""
    return np.concatenate(
        [
            spread_index_keys(query.normal, QUERY_INDEX_KEYPOINTS),
            spread_index_keys(query.mirrored, QUERY_INDEX_KEYPOINTS),
        ]
    )


def shortlist(
    store: LibraryStore,
    complaint: Image.Image,
    query: ComplaintFeatures,
    index: DescriptorIndex | None = None,
) -> list[tuple[int, str]]:
    """Candidate photo ids for verification with how each was found ("hash", "index", "all")."""
    ids, _ = store.hash_table()
    if ids.size <= VERIFY_ALL_BELOW:
        return [(int(i), "all") for i in ids]
    found: dict[int, str] = {}
    for pid, _distance in hash_shortlist(store, complaint, HASH_SHORTLIST):
        found.setdefault(pid, "hash")
    index = index if index is not None else build_index(store)
    for pid, _score in index.top(index_query_keys(query), INDEX_SHORTLIST):
        found.setdefault(pid, "index")
    return list(found.items())


def find_sources(
    store: LibraryStore,
    complaint: Image.Image,
    complaint_scale: float,
    listing_loader: ListingLoader,
    cancel: CancelToken | None = None,
    index: DescriptorIndex | None = None,
    only: tuple[int, ...] | None = None,
) -> list[Match]:
    """Verified library sources of ``complaint``, best first (derived before same-base).

    Args:
        complaint: oriented RGB pixels of the complaint photo (any reduced size).
        complaint_scale: decoded px per full-resolution px of ``complaint``.
        listing_loader: gives a library photo's pixels for the dense comparison.
        cancel: checked between candidates.
        index: a prebuilt descriptor index (built from the store when None).
        only: verify just these library photo ids, no shortlist (a video's next frame tried against the source
            its earlier frames showed).
    """
    query = complaint_features(complaint, complaint_scale, COMPLAINT_SIDE)
    full_size = (round(complaint.width / complaint_scale), round(complaint.height / complaint_scale))
    candidates = [(pid, "track") for pid in only] if only else shortlist(store, complaint, query, index)
    features = store.features(pid for pid, _ in candidates)
    sizes = store.photo_sizes(pid for pid, _ in candidates)
    geometric: list[tuple[Geometry, int, str]] = []
    for pid, how in candidates:
        check_cancel(cancel)
        if pid not in features:
            continue
        geometry = verify_geometry(features[pid], query, full_size, sizes.get(pid))
        if geometry is not None:
            geometric.append((geometry, pid, how))
    geometric.sort(key=lambda g: -g[0].inliers)
    compared: list[tuple[PhotoRecord, Geometry, ChangeMap, str]] = []
    for geometry, pid, how in _dense_tries(geometric):
        check_cancel(cancel)
        if compared and geometry.inliers < RIVAL_INLIER_SHARE * compared[0][1].inliers:
            break  # this one and the rest can be no source nor rival (``_decide``): ~200 ms each saved
        record = store.photo_by_id(pid)
        loaded = listing_loader(record) if record is not None else None
        if record is None or loaded is None:
            continue
        change = change_map(complaint, complaint_scale, loaded[0], loaded[1], geometry.matrix)
        log.info(
            "candidate %s: %d inliers, changed %.3f (informative %.2f), structure %.2f, outside %.3f",
            record.path,
            geometry.inliers,
            change.changed_share,
            change.informative_changed_share,
            change.structure_in_changed,
            change.similarity_outside,
        )
        compared.append((record, geometry, change, how))
    return _decide(compared)


def _dense_tries(geometric: list[tuple[Geometry, int, str]]) -> list[tuple[Geometry, int, str]]:
    """The verified candidates worth a dense comparison, most inliers first: the DENSE_TRIES with the most, and
    the one whose inliers span the widest part of the complaint if it is not among them. Mockups rendered from
    one template share the model and backdrop: a shop's other products can each outnumber the true source in
    inliers, all on that shared patch, while only the source aligns over the whole photo."""
    tries = geometric[:DENSE_TRIES]
    if len(geometric) > DENSE_TRIES:
        widest = max(geometric, key=lambda g: g[0].best_spread)
        if all(widest is not t for t in tries):
            tries = [*tries, widest]
    return tries


def _decide(compared: list[tuple[PhotoRecord, Geometry, ChangeMap, str]]) -> list[Match]:
    """Classify each densely compared candidate, then settle ties between siblings of one template.

    A shop's mockups of several products are often made from one base render, and a shop may list one
    photo in several near-identical versions. When two library photos each pass as the complaint's source
    on their own, and the complaint is about as far from one as from the other (changed share within
    SIBLING_MARGIN), it is only *derived* from the one it sides with where the two differ (``_sides_with``);
    if it sides with neither, it is "same base image" for both.
    """
    distinct: dict[str, tuple[PhotoRecord, Geometry, ChangeMap, str]] = {}
    for item in compared:  # the same file added under two paths is one source
        if item[0].sha256 not in distinct or item[2].changed_share < distinct[item[0].sha256][2].changed_share:
            distinct[item[0].sha256] = item
    most = max((it[1].inliers for it in distinct.values()), default=0)
    # A candidate with a fraction of the best one's inliers is a partial look-alike, not a rival source.
    items = sorted(
        (it for it in distinct.values() if it[1].inliers >= RIVAL_INLIER_SHARE * most),
        key=lambda it: it[2].changed_share,
    )
    kinds: list[Literal["derived", "same-base", "same-scene"] | None] = [_classify(it[2], it[1]) for it in items]
    # A candidate that passes as derived but whose changed area is the scene's own content moved is another
    # exposure of the scene (second_shot.py): it takes no part in the sibling rules below.
    motions = [
        _motion(it[2]) if kind == "derived" and it[2].regions else None for it, kind in zip(items, kinds, strict=True)
    ]
    kinds = [
        "same-scene" if motion is not None and motion.second_exposure else kind
        for kind, motion in zip(kinds, motions, strict=True)
    ]
    matches: list[Match] = []
    for i, (record, geometry, change, how) in enumerate(items):
        kind = kinds[i]
        if kind == "derived" and change.regions:
            rivals = [
                it[2]
                for j, it in enumerate(items)
                if j != i
                and kinds[j] == "derived"
                and it[2].changed_share < change.changed_share + SIBLING_MARGIN
                and not _same_picture(change, it[2])
            ]
            if any(not _sides_with(change, rival) for rival in rivals):
                kind = "same-base"
        if kind is not None:
            matches.append(Match(record, kind, geometry, change, how, motions[i]))
    # Versions of one picture that differ by under SAME_PICTURE_SHARE are no rivals above; where they do
    # differ (a price tag, a numeral), the one the complaint does not show is not its source.
    derived = [m for m in matches if m.kind == "derived"]
    beaten = {id(m) for m in derived if any(o is not m and _sides_with(o.change, m.change) for o in derived)}
    matches = [replace(m, kind="same-base") if id(m) in beaten else m for m in matches]
    # Among about equally close ones (twins: a photo stored again mirrored, turned or recoloured, identical
    # where the complaint shows it once a colour map is fitted) the one needing the simpler edit comes first:
    # no mirror, fewer quarter turns, then the one the complaint is closest to before any colour map.
    matches.sort(
        key=lambda m: (
            m.kind != "derived",
            round(m.change.changed_share, 2),
            m.geometry.mirrored,
            round(abs(m.geometry.rotation_deg) / 90),
            round(m.change.raw_distance),
            m.change.changed_share,
            -m.geometry.inliers,
        )
    )
    return _fuller_twin_first(matches)


def _motion(change: ChangeMap) -> SceneMotion:
    return scene_motion(change.complaint, change.aligned_listing, change.overlap, change.changed, change.work_scale)


def _fuller_twin_first(matches: list[Match]) -> list[Match]:
    """The first derived match, or the next twin of it that covers clearly more of the complaint (TWIN_COVERS_MORE):
    a copy stored turned by a free angle has filled corners, so it explains less of what the complaint shows,
    and its smaller compared area can make its changed share look the smaller one. Covered means compared and
    unchanged (``_agreeing_share``): where a twin compares its own filled corners with the complaint's photo, or
    its photo with the fill of a turned complaint, it covers more and explains none of it."""
    derived = [m for m in matches if m.kind == "derived"]
    if len(derived) < 2:
        return matches
    first = derived[0]
    covers = _agreeing_share(first.change) + TWIN_COVERS_MORE
    fuller = next(
        (m for m in derived[1:] if _agreeing_share(m.change) >= covers and _same_picture(first.change, m.change)), None
    )
    if fuller is None:
        return matches
    return [fuller, *(m for m in matches if m is not fuller)]


def _agreeing_share(change: ChangeMap) -> float:
    """Share of the complaint that is compared and agrees with the listing photo (not changed)."""
    return change.overlap_share * (1.0 - change.changed_share)


def _sides_with(own: ChangeMap, rival: ChangeMap) -> bool:
    """Whether, where the two aligned library photos differ from each other, the complaint photo shows what
    ``own`` shows: its pixels there are clearly closer to ``own`` (half the distance or less) for at least
    SIDE_MAJORITY of them, and clearly closer to ``rival`` for hardly any. Pixels the complaint changed against
    both (a painted defect) side with neither and are left out, unless that leaves too few to tell."""
    if own.aligned_listing.shape != rival.aligned_listing.shape:
        return False
    a, b = own.aligned_listing.astype(np.int16), rival.aligned_listing.astype(np.int16)
    differ = own.overlap & rival.overlap & (np.abs(a - b).max(axis=2) > SIBLINGS_DIFFER)
    # Where the complaint differs from both (painted over) it shows neither: no vote there. (Not "changed against
    # ``own``" alone: that would drop exactly the pixels that speak against ``own``.)
    unpainted = differ & ~(own.changed & rival.changed)
    if int(unpainted.sum()) >= 50:
        differ = unpainted
    if int(differ.sum()) < 50:
        return False
    complaint = own.complaint.astype(np.int16)
    to_own = np.abs(complaint - a).max(axis=2)[differ]
    to_rival = np.abs(complaint - b).max(axis=2)[differ]
    closer = float((2 * to_own <= to_rival).mean())
    farther = float((2 * to_rival <= to_own).mean())
    return closer >= SIDE_MAJORITY and farther <= SIDE_MINORITY


def _same_picture(a: ChangeMap, b: ChangeMap) -> bool:
    """Whether two library photos show the same picture where both cover the complaint (e.g. one photo
    stored twice with different EXIF orientations or re-saved): such twins are not rival sources."""
    both = a.overlap & b.overlap
    if both.sum() < 100 or a.aligned_listing.shape != b.aligned_listing.shape:
        return False
    diff = np.abs(a.aligned_listing.astype(np.int16) - b.aligned_listing.astype(np.int16)).max(axis=2)
    return float((diff[both] > 40).mean()) < SAME_PICTURE_SHARE


def _classify(change: ChangeMap, geometry: Geometry) -> Literal["derived", "same-base"] | None:
    """Derived when the aligned listing photo agrees nearly everywhere it covers the complaint."""
    if change.overlap_share < 0.05:
        return None
    overlay = (
        change.structure_in_changed >= OVERLAY_STRUCTURE
        and change.contrast_in_changed < OVERLAY_CONTRAST
        and geometry.best_spread >= OVERLAY_MIN_SPREAD
    )
    recoloured = (
        change.colour_cast > MAX_COLOUR_CAST
        or change.hue_shift > MAX_HUE_SHIFT
        or change.chroma_balance < MIN_CHROMA_BALANCE
        or (change.chroma_kept < MIN_CHROMA_KEPT and change.print_contrast_kept < MIN_PRINT_CONTRAST_KEPT)
        or (
            change.structure_in_changed >= RECOLOUR_STRUCTURE
            and change.informative_changed_share >= RECOLOUR_INFORMATIVE
            and change.contrast_in_changed >= OVERLAY_CONTRAST
        )
    )
    erased = change.contrast_in_changed < ERASED_CONTRAST and change.informative_changed_share >= ERASED_INFORMATIVE
    print_swapped = (
        not overlay
        and change.structure_in_changed < PRINT_SWAP_MAX_STRUCTURE
        and (
            change.print_in_changed >= PRINT_SWAP_SHARE
            or (change.print_in_changed >= BLEACHED_PRINT_SHARE and change.chroma_kept < MIN_CHROMA_KEPT)
        )
    )
    if (
        change.changed_share <= (MAX_OVERLAY_CHANGED_SHARE if overlay else MAX_CHANGED_SHARE)
        and change.informative_changed_share <= (MAX_OVERLAY_INFORMATIVE if overlay else MAX_INFORMATIVE_CHANGED)
        and change.similarity_outside >= MIN_SIMILARITY_OUTSIDE
        and not recoloured
        and not erased
    ):
        return "same-base" if print_swapped and change.regions else "derived"
    if change.structure_in_changed >= SAME_BASE_STRUCTURE and change.similarity_outside >= 0.7:
        return "same-base"
    return None
