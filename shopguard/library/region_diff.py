"""Where a complaint photo differs from the listing photo it was made from.

The listing photo is warped onto the complaint photo with the verified transform, global colour and
exposure changes are removed with a robust global colour map (colour_fit.py), and two maps are compared:
the colour difference and SSIM on grey (Wang, Bovik, Sheikh, Simoncelli, IEEE TIP 2004, Gaussian
window sigma 1.5, C1=(0.01*255)^2, C2=(0.03*255)^2). Both images are blurred first (sigma 1.2 px)
so JPEG blocking and resampling do not read as change. Pixels outside the listing photo's
footprint (screenshot bars, borders, the part the buyer cropped away) are never compared.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from shopguard.library.clarity import clarity
from shopguard.library.colour_fit import chroma_balance, colour_cast, fit_colour, hue_shift
from shopguard.library.faint_changes import PATCH_MIN_LEVELS, lines_in_residual, patches
from shopguard.library.gain_field import gain_field
from shopguard.library.local_tone import local_tone
from shopguard.library.sharpening import sharpening

WORK_SIDE = 1024
ECC_FILL_RIM = 2
"""Px around a corner fill also kept out of ECC (its border rings after JPEG)."""
ECC_RETRY_CC = 0.9
"""ECC correlation of a true copy is ~0.99 (re-saved, resized, recoloured); a stain over a quarter of the photo
pulled it to 0.23-0.40 in the benchmark's misses."""
DISAGREE_LEVELS = 30.0
"""Grey levels (after a 2 px blur and the median shift) beyond which a blob is kept out of ECC as a change: the
benchmark's stains differ by 50-150; a textured bag re-saved at q70 and 1 px off stays well under 30."""
FILL_HIDES_TEXTURE = 6.0
"""Local grey standard deviation (5x5 px) of the listing above which a flat corner fill hides its content."""
FILL_TOLERANCE = 12
"""Max-channel distance (0-255) from a corner's colour at which a pixel still counts as the fill a rotation left
there (JPEG rings near the photo's edge)."""
COLOUR_FLOOR = 30.0
"""Smallest RGB distance (0-441) counted as a change: JPEG q40 after the blur stays well below it."""
SSIM_FLOOR = 0.5
CHROMA_PRINT = 40.0
"""Channel spread (max - min of RGB, 0-255) above which a pixel is coloured ink rather than a white, grey
or black product surface; JPEG chroma noise on a grey render stays well below it."""
MIN_PRINT_SHARE = 0.01
"""A photo's coloured pixels must cover at least 1% of the compared area to count as a print."""
PRINT_STANDS_OUT = 20.0
"""Grey levels (0-255) by which a print must differ from its surroundings before its contrast can be lost."""
MIN_REGION_SHARE = 0.003
"""Changed blobs smaller than 0.3% of the compared area are noise, not a defect a buyer would show."""
_C1, _C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2


@dataclass(frozen=True)
class ChangeMap:
    """The comparison of one complaint photo with its aligned listing photo.

    Coordinates of ``regions`` are complaint-photo pixels at full oriented resolution; the arrays
    are at working size (``work_scale`` working px per full px).
    """

    regions: tuple[tuple[int, int, int, int], ...]
    overlap_share: float
    changed_share: float
    similarity_outside: float
    structure_in_changed: float
    informative_changed_share: float
    colour_cast: float
    """Channel spread (0-255) the fitted global colour map puts on dark and mid greys: small for a
    buyer's brightness/contrast/white-balance edit, large when a grey product became a red one."""
    heat: np.ndarray
    changed: np.ndarray
    overlap: np.ndarray
    complaint: np.ndarray
    aligned_listing: np.ndarray
    work_scale: float
    print_in_changed: float = 0.0
    """Share of the listing photo's coloured pixels (its print: logo, label, pattern; original colours)
    that lie inside the changed area; 0 when it has (almost) no print. Near 1 when the whole print
    differs while the blank product around it agrees: a mockup rendered from one template with another
    print, not a defect painted onto the product."""
    chroma_kept: float = 1.0
    """Mean colourfulness of the listing's print after the fitted global colour map over before. A buyer's
    colour edit keeps most of it; a map that bleaches a red logo to grey (fitted to make another print
    look alike) is no global edit."""
    hue_shift: float = 0.0
    """Median hue turn (degrees) the fitted global colour map gives the listing's print colours.
    Brightness, contrast, white balance and saturation edits turn hues by well under 30 degrees; a map that
    turns a green product red was fitted to make another colour variant look alike."""
    contrast_in_changed: float = 1.0
    """Median local contrast of the complaint over the aligned listing's inside the changed area (where the
    listing has texture). A stain or mark laid over the product keeps its shapes faintly (low ratio); a
    recoloured variant of the same render keeps its shading at full strength (near 1)."""
    raw_distance: float = 0.0
    """Mean RGB distance (0-441) between the complaint and the aligned listing over the compared area before any
    colour map: among versions of one picture that fit the complaint equally well, the one it is closest to
    as is needed the smallest edit."""
    chroma_balance: float = 1.0
    """Lowest over highest colourfulness the fitted colour map keeps among the print's main colours
    (``colour_fit.chroma_balance``): near 1 for a buyer's global edit, near 0 for a map that bleaches one
    colour of the product and keeps another."""
    faint: np.ndarray | None = None
    """The changed pixels found by the thin-stroke and faint-patch tests (``faint_changes.py``), working size."""
    listing_shown: np.ndarray | None = None
    """The aligned, colour-mapped listing photo WITHOUT the comparison's blur, for the evidence pictures: shown
    beside the complaint's own (unblurred) pixels, a blurred listing photo would look like the lesser copy.
    None: use ``aligned_listing``."""
    print_contrast_kept: float = 1.0
    """How far the listing's print stands out from the rest of the compared area in grey (mean difference) after
    the fitted colour map, over before. A buyer's colour edit, turning the photo grey included, keeps most of
    it; a map that washes a red logo out to the white of the mug around it (fitted to a blank side of the mug)
    keeps little. 1 when there is no print, or it is as light as its surroundings."""


def _moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(local mean, local variance) of a float32 grey image in the SSIM window (Gaussian, sigma 1.5)."""
    mu = cv2.GaussianBlur(x, (0, 0), 1.5)
    var: np.ndarray = np.maximum(cv2.GaussianBlur(x * x, (0, 0), 1.5) - mu * mu, 0)
    return mu, var


def _ssim_maps(
    a: np.ndarray,
    b: np.ndarray,
    moments_a: tuple[np.ndarray, np.ndarray] | None = None,
    moments_b: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(SSIM, structure term, textured mask) maps of two float32 grey images; their ``_moments`` may be passed in when
    already computed (the same blurs: the complaint's are shared by both comparisons of a change map)."""
    mu_a, var_a = moments_a if moments_a is not None else _moments(a)
    mu_b, var_b = moments_b if moments_b is not None else _moments(b)
    cov = cv2.GaussianBlur(a * b, (0, 0), 1.5) - mu_a * mu_b
    ssim = ((2 * mu_a * mu_b + _C1) * (2 * cov + _C2)) / ((mu_a**2 + mu_b**2 + _C1) * (var_a + var_b + _C2))
    structure = (cov + _C2 / 2) / (np.sqrt(var_a * var_b) + _C2 / 2)
    # The structure term only means something where both sides have texture (else C2 dominates).
    textured = np.minimum(var_a, var_b) > _C2 / 4
    return ssim, structure, textured


def _gauss_sd(grey: np.ndarray) -> np.ndarray:
    """Local grey standard deviation in the SSIM window (Gaussian, sigma 1.5) of a float32 grey image."""
    sd: np.ndarray = np.sqrt(_moments(grey)[1])
    return sd


def _contrast_ratio(c_var: np.ndarray, l_var: np.ndarray, changed: np.ndarray) -> float:
    """Median local contrast ratio complaint / listing over the changed pixels where the listing has texture, from
    the two photos' local variances in the SSIM window (``_moments``)."""
    l_sd = np.sqrt(l_var)
    where = changed & (l_sd * l_sd > _C2 / 4)
    if int(where.sum()) < 50:
        return 1.0
    return float(np.median(np.sqrt(c_var[where]) / l_sd[where]))


def _informative(gray: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Pixels near visible structure (edges/texture) of the listing: where a product can be seen."""
    grad = cv2.morphologyEx(gray, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    near = np.asarray(cv2.dilate((grad > 12).astype(np.uint8), np.ones((9, 9), np.uint8)) > 0)
    informative: np.ndarray = near & overlap
    return informative


def change_map(
    complaint: Image.Image,
    complaint_scale: float,
    listing: Image.Image,
    listing_scale: float,
    matrix: np.ndarray,
) -> ChangeMap:
    """Compare ``complaint`` with ``listing`` warped by ``matrix``.

    Args:
        complaint: complaint RGB pixels, decoded at ``complaint_scale`` (decoded px per full px).
        listing: listing RGB pixels, decoded at ``listing_scale``.
        matrix: 3x3 affine transform from listing full px to complaint full px.

    Returns:
        The change map with regions in full complaint coordinates.
    """
    c_rgb = np.asarray(complaint.convert("RGB"))
    fit = min(1.0, WORK_SIDE / max(c_rgb.shape[:2]))
    if fit < 1.0:
        c_rgb = cv2.resize(
            c_rgb, (round(c_rgb.shape[1] * fit), round(c_rgb.shape[0] * fit)), interpolation=cv2.INTER_AREA
        )
    work = complaint_scale * fit
    h, w = c_rgb.shape[:2]
    to_work = np.diag([work, work, 1.0]) @ matrix @ np.diag([1 / listing_scale, 1 / listing_scale, 1.0])
    l_rgb = np.asarray(listing.convert("RGB"))
    inside = cv2.warpAffine(
        np.full(l_rgb.shape[:2], 255, np.uint8), to_work[:2], (w, h), flags=cv2.INTER_NEAREST, borderValue=0
    )
    shrink = float(np.sqrt(abs(np.linalg.det(to_work[:2, :2]))))
    enlarged = float(np.sqrt(abs(np.linalg.det(matrix[:2, :2])))) / listing_scale
    # A listing the buyer's app enlarged (in full px): its resizer's interpolation, then the shrink to working size.
    made = _enlarged(c_rgb, l_rgb, to_work, enlarged, inside > 0) if enlarged * listing_scale >= ENLARGED else None
    if made is not None:
        l_rgb, to_work = made
        inside = cv2.warpAffine(
            np.full(l_rgb.shape[:2], 255, np.uint8), to_work[:2], (w, h), flags=cv2.INTER_NEAREST, borderValue=0
        )
    elif shrink < 0.8:  # anti-alias before shrinking, as the buyer's resize did
        resizer, to_work = _resampler(c_rgb, l_rgb, to_work, inside > 0)
        l_rgb = _antialiased(l_rgb, resizer, shrink)
        inside = cv2.warpAffine(
            np.full(l_rgb.shape[:2], 255, np.uint8), to_work[:2], (w, h), flags=cv2.INTER_NEAREST, borderValue=0
        )
    # The listing's edge pixels continue past its frame (not black): blurs and SSIM windows that reach over the
    # edge would otherwise read a dark band along it as change (a 90 px complaint is ~20% edge band).
    aligned = _warped(l_rgb, to_work, (w, h))
    margin = max(2, round(min(w, h) / 150))
    overlap = cv2.erode(inside, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8)) > 0
    if made is not None:
        overlap &= ~_cut_rim(to_work, l_rgb.shape[:2], (h, w), shrink)
    # The fill a rotation left in the corners is no part of the photo: it would pull ECC off, and it is not
    # compared (nor the rim where the photo's border blurs into the comparison).
    fill = _corner_fill(c_rgb, aligned, overlap) | _tilt_fill(c_rgb, aligned, overlap, to_work)
    overlap &= ~_grow(fill, ECC_FILL_RIM)
    unpolished = aligned, inside, to_work
    aligned, inside, to_work = _refine(c_rgb, l_rgb, unpolished, overlap)
    overlap &= inside > 0
    c_f = cv2.GaussianBlur(c_rgb.astype(np.float32), (0, 0), 1.2)
    l_f = cv2.GaussianBlur(aligned.astype(np.float32), (0, 0), 1.2)
    # Where the shapes agree (SSIM structure term, blind to colour) is where the photo is: compare only there.
    c_grey, l_grey_raw = cv2.cvtColor(c_f, cv2.COLOR_RGB2GRAY), cv2.cvtColor(l_f, cv2.COLOR_RGB2GRAY)
    c_moments = _moments(c_grey)
    _, pre_structure, pre_textured = _ssim_maps(c_grey, l_grey_raw, c_moments)
    # Flat areas agree when their grey levels are close once a global brightness shift is taken out (a plain
    # backdrop is part of the photo too, also in a brightened copy).
    grey_diff = c_grey - l_grey_raw
    shift = float(np.median(grey_diff[overlap][::7])) if overlap.any() else 0.0
    flat_agree = ~pre_textured & (np.abs(grey_diff - shift) < 25)
    agree = overlap & ((pre_textured & (pre_structure > 0.8)) | flat_agree)
    overlap &= ~_grow(fill, _rim(min(w, h)))
    # The app's bars and page beyond the photo's box are judged too (``_photo_place``): the box cuts them off, but the
    # rim along the photo's edge, where the screenshot's resize and JPEG blend the photo with them, is only cut as
    # the rim beside an app line.
    footprint = overlap.copy()
    overlap &= _inside_cuts(_photo_extent(agree & overlap), overlap, c_grey, l_grey_raw, _rim(min(w, h)))
    colour = fit_colour(l_f, c_f, overlap)
    l_fit = colour.apply(l_f)
    polished_on_photo = False
    for _ in range(UI_PASSES):
        place = _photo_place(c_grey, cv2.cvtColor(l_fit, cv2.COLOR_RGB2GRAY), footprint, agree)
        cut = int((overlap & ~place).sum())
        overlap &= place
        if cut <= UI_REFIT_SHARE * int(overlap.sum()):
            break
        if not polished_on_photo:
            # ECC polished over the whole footprint, the app's bars, page and caption text around a cropped photo in
            # a screenshot too: the listing's content under them pulled it (a 0.4% scale, 1.8 px at the far side of
            # the photo, outlined a jersey's sleeves). Polished again from the keypoint alignment on the photo alone.
            aligned, inside, to_work = _refine(c_rgb, l_rgb, unpolished, overlap)
            overlap &= inside > 0
            l_f = cv2.GaussianBlur(aligned.astype(np.float32), (0, 0), 1.2)
            l_grey_raw = cv2.cvtColor(l_f, cv2.COLOR_RGB2GRAY)
            polished_on_photo = True
        colour = fit_colour(l_f, c_f, overlap)  # the app's parts skewed the fit: again without them
        l_fit = colour.apply(l_f)
    # A vignette or light gradient over the whole copy (gain_field.py): the colour map is fitted without it and the
    # listing given it, so that a filtered copy's darkened corners are not read as change.
    gain = gain_field(c_grey, l_f, overlap)
    if gain is not None:
        colour = fit_colour(l_f, c_f / gain[..., None], overlap)
        l_fit = _with_gain(colour.apply(l_f), gain)
    # A tone curve that changes across the photo (local_tone.py: a gallery app's "auto enhance", CLAHE): the
    # listing's lightness is given the fitted field of curves, when it explains the whole copy. An editor's clarity
    # (clarity.py: a wide unsharp mask on lightness) moves a pixel by where it lies, not by its level: fitted on the
    # listing before the global map (fitted with clarity in the complaint, the map takes part of its contrast in), then
    # the map fitted again on the listing given it. When both explain the copy, the one that leaves less stands.
    tone = local_tone(c_f, _with_gain(l_f, gain), l_fit, overlap)
    wide = clarity(c_f if gain is None else c_f / gain[..., None], l_f, overlap)
    if wide is not None and tone is not None:
        if wide.spread_left < tone.spread_left:
            tone = None
        else:
            wide = None
    if wide is not None:
        l_wide = wide.apply(l_f)
        colour = fit_colour(l_wide, c_f if gain is None else c_f / gain[..., None], overlap)
        l_fit = _with_gain(colour.apply(l_wide), gain)
    if tone is not None:
        l_fit = tone.apply(_with_gain(l_f, gain))
    raw_distance = float(_rgb_distance(c_f, l_f)[overlap].mean()) if overlap.any() else 0.0
    source = aligned.astype(np.float32)
    if wide is not None:
        source = wide.apply(source)
    mapped = _with_gain(colour.apply(source), gain)
    if tone is not None:
        mapped = tone.apply(_with_gain(source, gain))
    # A sharpened copy (a phone's "enhance", an unsharp mask) differs by the listing's own detail: sharpen the listing
    # the same way (sharpening.py). The pictures shown keep the listing as it is.
    c_grey_raw = cv2.cvtColor(c_rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    sharpened = sharpening(c_grey_raw, cv2.cvtColor(mapped, cv2.COLOR_RGB2GRAY), overlap)
    l_shown, mapped_shown = l_fit, mapped
    if sharpened is not None:
        mapped, l_fit = sharpened.apply(mapped), sharpened.apply(l_fit)
        # Within two radii of the listing's frame the detail the mask adds is that of px beyond it, which the
        # alignment only repeated: not compared (a 1 px strip down a carton photo's last column otherwise).
        reach = int(np.ceil(2 * sharpened.sigma))
        framed = cv2.copyMakeBorder((inside > 0).astype(np.uint8), 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
        overlap &= cv2.erode(framed, np.ones((2 * reach + 1, 2 * reach + 1), np.uint8))[1:-1, 1:-1] > 0
    # The colour distance compares levels as the buyer's edit made them: the listing mapped first and blurred after.
    # A tone map that clips is not linear, so a blurred mix of a clipped white and a red print's edge, or of bright
    # specks and dark leaves, maps 20-35 levels brighter than the mix of its mapped parts (Jensen's inequality for a
    # concave curve; session 11: seed 7's colour-edited soy-sauce label and waterfall). SSIM stays on the listing
    # blurred first: its structure term compares shapes, which a tone map barely moves, and the classifier reads its
    # mean over the changed area (``structure_in_changed``) against fixed lines (a repainted tote, 0.57, moved to
    # 0.60 when SSIM was mapped first too, and read as a translucent overlay).
    dist = _rgb_distance(c_f, cv2.GaussianBlur(mapped, (0, 0), 1.2))
    l_grey = cv2.cvtColor(l_fit, cv2.COLOR_RGB2GRAY)
    l_moments = _moments(l_grey)
    ssim, structure, textured = _ssim_maps(c_grey, l_grey, c_moments, l_moments)
    noise = float(np.median(dist[overlap][::4])) if overlap.any() else 0.0  # thinned: the median barely moves
    # SSIM's luminance term is a ratio of grey levels; the colour distance above judges brightness in levels, with
    # a floor set for JPEG. In the darks the ratio reads a few levels as a change (a black crushed to 1 by a
    # contrast edit where the colour map says 6: 0.43), so the blob test reads only SSIM's contrast-structure
    # part, which is what the colour distance is blind to (texture lost or added).
    mu_c, mu_l = c_moments[0], l_moments[0]
    luminance = (2 * mu_c * mu_l + _C1) / (mu_c * mu_c + mu_l * mu_l + _C1)
    score = np.maximum(dist / max(COLOUR_FLOOR, 4 * noise), (1 - ssim / luminance) / (1 - SSIM_FLOOR))
    score[~overlap] = 0
    changed = _clean((score > 1).astype(np.uint8), min(w, h))
    c_raw = c_rgb.astype(np.float32)
    # Thin and faint changes the blob test above cannot keep (faint_changes.py), on the unblurred pixels.
    lines, existing_lines = lines_in_residual(c_raw, mapped, overlap, shrink, source)
    # The patch floor's cap (faint_changes._floor) only where no model of a neighbourhood edit was fitted: a tone field,
    # a clarity or a vignette is least certain at the frame's edge, where the editor's window and ours are cut off
    # (session 16: with the cap, strips along the frame on clarity, enhanced and filtered copies).
    uniform = tone is None and wide is None and gain is None
    faint = lines | patches(c_raw, mapped, overlap, lines | existing_lines, source, uniform=uniform)
    changed |= faint
    changed &= overlap
    changed &= ~_padding(c_rgb, changed)
    area = max(1, int(overlap.sum()))
    regions, changed = _regions(changed, area, work, faint)
    informative = _informative(cv2.cvtColor(l_fit, cv2.COLOR_RGB2GRAY).astype(np.uint8), overlap)
    outside = overlap & ~changed
    ink = _ink(l_f, overlap)
    print_share = float((ink & changed).sum()) / float(ink.sum()) if ink.any() else 0.0
    chroma_kept = float(_chroma(l_fit[ink]).mean() / _chroma(l_f[ink]).mean()) if ink.any() else 1.0
    shown = l_shown.astype(np.uint8)
    shown[inside == 0] = 0  # beyond the listing's frame: nothing (the compared copy ran its edge on)
    sharp = mapped_shown.astype(np.uint8)  # colour.apply clips to 0-255
    sharp[inside == 0] = 0
    return ChangeMap(
        regions=regions,
        overlap_share=float(overlap.sum()) / (w * h),
        changed_share=float(changed.sum()) / area,
        similarity_outside=float(ssim[outside].mean()) if outside.any() else 0.0,
        structure_in_changed=float(structure[changed & textured].mean()) if (changed & textured).sum() > 50 else 1.0,
        informative_changed_share=float((changed & informative).sum()) / max(1, int(informative.sum())),
        colour_cast=colour_cast(colour),
        heat=np.clip(score / 2, 0, 1).astype(np.float32),
        changed=changed,
        overlap=overlap,
        complaint=c_rgb,
        aligned_listing=shown,
        work_scale=work,
        print_in_changed=print_share,
        chroma_kept=chroma_kept,
        hue_shift=hue_shift(colour, l_f, ink),
        chroma_balance=chroma_balance(colour, l_f, ink),
        raw_distance=raw_distance,
        contrast_in_changed=_contrast_ratio(c_moments[1], l_moments[1], changed),
        print_contrast_kept=_print_contrast_kept(l_grey_raw, l_grey, ink, overlap),
        faint=faint & changed,
        listing_shown=sharp,
    )


ANTI_ALIAS: tuple[float | str, ...] = (0.15, 0.3, 0.5, 0.7, "lanczos", "bicubic")
"""Candidate resizers of a shrunk copy: anti-alias blurs (Gaussian sigma, in output px) and the two windowed
kernels with negative lobes that image libraries use for shrinking. Resizers differ: Lanczos keeps the most
detail (~0.15-0.3), area averaging is a box of one output px (sigma ~0.3), bilinear with a pre-blur and phone
apps soften more (0.5-0.7). Lanczos-3 (Pillow's and ImageMagick's shrinking default) and bicubic (Keys, a = -0.5)
also overshoot beside every edge (ringing: a light rim outside a dark label, a dark one inside), which no blur
reproduces. Mimicking the wrong one leaves a residual along every edge and texture, which raises the noise floor
of the thin and faint tests (a sub-pixel scratch or a dent's shading in a shrunk copy is lost under it)."""


def _kernel(resizer: str, shrink: float) -> np.ndarray:
    """The 1-D weights (listing px) with which the windowed kernel ``resizer`` makes one output px of a copy shrunk
    by ``shrink``: the kernel stretched by 1 / shrink, as an anti-aliasing resize applies it (Pillow's)."""
    support = 3.0 if resizer == "lanczos" else 2.0
    radius = int(np.ceil(support / shrink))
    x = np.abs(np.arange(-radius, radius + 1, dtype=np.float64) * shrink)
    if resizer == "lanczos":
        weights = np.where(x < 3.0, np.sinc(x) * np.sinc(x / 3.0), 0.0)
    else:  # Keys' cubic convolution, a = -0.5
        a = -0.5
        weights = np.where(
            x < 1.0,
            (a + 2) * x**3 - (a + 3) * x**2 + 1,
            np.where(x < 2.0, a * x**3 - 5 * a * x**2 + 8 * a * x - 4 * a, 0.0),
        )
    kernel: np.ndarray = (weights / weights.sum()).astype(np.float32)
    return kernel


def _antialiased(image: np.ndarray, resizer: float | str, shrink: float) -> np.ndarray:
    """``image`` (listing px) filtered as ``resizer`` filters it when it shrinks it by ``shrink``."""
    if not isinstance(resizer, str):
        blurred: np.ndarray = cv2.GaussianBlur(image, (0, 0), resizer / shrink)
        return blurred
    k = _kernel(resizer, shrink)
    filtered: np.ndarray = cv2.sepFilter2D(image, -1, k, k, borderType=cv2.BORDER_REFLECT)
    return filtered


def _resampler(
    complaint: np.ndarray, listing: np.ndarray, to_work: np.ndarray, inside: np.ndarray
) -> tuple[float | str, np.ndarray]:
    """(The resizer (``ANTI_ALIAS``) whose shrunk listing matches the complaint's fine detail best, the transform
    polished by ECC): the highest correlation of the two photos' high-pass grey over the compared area.
    Correlation is blind to the gain and offset of a buyer's colour edit, so the edit does not pass for sharpness.
    It is measured on the polished alignment: half a pixel off, every sharp candidate correlates less than a
    blurred one, and the blur chosen then smooths away the detail the two photos share."""
    shrink = float(np.sqrt(abs(np.linalg.det(to_work[:2, :2]))))
    size = (complaint.shape[1], complaint.shape[0])
    grey_l = cv2.cvtColor(listing, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey_c = cv2.cvtColor(complaint, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mask = cv2.erode(inside.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    if int(mask.sum()) < 400:
        return 0.5, to_work
    first = cv2.warpAffine(_antialiased(grey_l, 0.3, shrink), to_work[:2], size, flags=cv2.INTER_LINEAR)
    polish, cc = _ecc(grey_c, first, mask)
    if polish is not None and cc >= ECC_RETRY_CC:
        # ECC's warp maps complaint px to the warped listing's px: the listing -> complaint transform gains its inverse.
        to_work = np.linalg.inv(np.vstack([polish.astype(np.float64), [0, 0, 1]])) @ to_work
    fine_c = (grey_c - cv2.GaussianBlur(grey_c, (0, 0), 2.0))[mask]
    fine_c -= fine_c.mean()
    best: float | str = 0.5
    best_cc = -2.0
    for resizer in ANTI_ALIAS:
        warped = cv2.warpAffine(_antialiased(grey_l, resizer, shrink), to_work[:2], size, flags=cv2.INTER_LINEAR)
        fine_l = (warped - cv2.GaussianBlur(warped, (0, 0), 2.0))[mask]
        fine_l -= fine_l.mean()
        cc = float((fine_c * fine_l).sum()) / max(1e-6, float(np.sqrt((fine_c**2).sum() * (fine_l**2).sum())))
        if cc > best_cc:
            best, best_cc = resizer, cc
    return best, to_work


def _with_gain(rgb: np.ndarray, gain: np.ndarray | None) -> np.ndarray:
    """``rgb`` (float32) times the smooth ``gain`` field, clipped to 0-255 as an editor clips; as is without one."""
    if gain is None:
        return rgb
    shaded: np.ndarray = np.clip(rgb * gain[..., None], 0, 255).astype(np.float32)
    return shaded


ENLARGED = 1.25
"""Full-px scale (complaint over listing) from which a copy was enlarged: a phone app or an editor showed a small
listing photo larger (a 240 px photo across a 1080 px screen is 4.5 times its size). The enlarging resizer interpolates
between the listing's pixels with its own kernel, not stretched: bilinear (most phone views) has no overshoot,
bicubic (Keys, a = -0.5) and Lanczos-3 (Pillow's and ImageMagick's filters, browsers) overshoot beside every edge by
up to ~10% of the step, over a listing px on either side. A bilinear warp of the listing leaves that overshoot in the
residual along every edge: the stroke test read a jersey's sleeve edges and a carton's print as lines."""
UPSIZERS = (Image.Resampling.BILINEAR, Image.Resampling.BICUBIC, Image.Resampling.LANCZOS)
ENLARGED_OVERSAMPLE = 2.0
"""The enlarged listing is made at twice the working scale (not at the complaint's full size, up to 12 MP): the
resizer's interpolation is one continuous function of the listing's pixels whatever grid samples it, and twice the
working grid lets the shrink to working size (``_resampler``) average it as our decode's area resize did."""


def _enlarged(
    complaint: np.ndarray, listing: np.ndarray, to_work: np.ndarray, enlarged: float, inside: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """(The listing enlarged as the buyer's app enlarged it and filtered as the shrink to working px filtered it, the
    transform from it to working px), or None when it was hardly enlarged (under ``ENLARGED`` times) or its footprint
    is a sliver. ``enlarged``: complaint full px per listing decoded px.

    The listing is enlarged to ``ENLARGED_OVERSAMPLE`` times the working scale (or to the complaint's full size if
    that is less) by each resizer of ``UPSIZERS``; the one whose fine detail correlates best with the complaint's is
    kept, then the shrink's anti-alias filter (``ANTI_ALIAS``) is chosen the same way on it. Both are judged on the
    photo alone, polished by ECC: the app's bars and caption text over a cropped photo's footprint in a screenshot
    weigh a blurrier candidate up (and pulled the polish by 0.4% of scale), and half a pixel off every sharp
    candidate correlates less than a blurred one."""
    shrink = float(np.sqrt(abs(np.linalg.det(to_work[:2, :2]))))
    step = min(enlarged, ENLARGED_OVERSAMPLE * shrink)
    mask = cv2.erode(inside.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    if step < ENLARGED or int(mask.sum()) < 400:
        return None
    lh, lw = listing.shape[:2]
    big_size = (round(lw * step), round(lh * step))
    sx, sy = big_size[0] / lw, big_size[1] / lh
    # Pixel centres: listing px x lies at (x + 0.5) * s - 0.5 of the enlarged listing (Pillow's resize).
    to_big = np.array([[sx, 0, 0.5 * sx - 0.5], [0, sy, 0.5 * sy - 0.5], [0, 0, 1.0]])
    from_big = to_work @ np.linalg.inv(to_big)
    down = shrink / step  # the shrink from the enlarged listing to working px
    size = (complaint.shape[1], complaint.shape[0])
    grey_c = cv2.cvtColor(complaint, cv2.COLOR_RGB2GRAY).astype(np.float32)
    picture = Image.fromarray(np.ascontiguousarray(listing))
    bigs = [np.asarray(picture.resize(big_size, upsizer)) for upsizer in UPSIZERS]
    greys = [cv2.cvtColor(big, cv2.COLOR_RGB2GRAY).astype(np.float32) for big in bigs]
    first = cv2.warpAffine(_antialiased(greys[0], 0.3, down), from_big[:2], size, flags=cv2.INTER_LINEAR)
    mask &= ~_clear_disagreement(grey_c, first, mask)
    polish, cc = _ecc(grey_c, first, mask)
    if polish is not None and cc >= ECC_RETRY_CC:
        # ECC's warp maps complaint px to the warped listing's px: the listing -> complaint transform gains its inverse.
        from_big = np.linalg.inv(np.vstack([polish.astype(np.float64), [0, 0, 1]])) @ from_big
    fine_c = (grey_c - cv2.GaussianBlur(grey_c, (0, 0), 2.0))[mask]
    fine_c -= fine_c.mean()

    def agreement(grey: np.ndarray, resizer: float | str) -> float:
        warped = cv2.warpAffine(_antialiased(grey, resizer, down), from_big[:2], size, flags=cv2.INTER_LINEAR)
        fine_l = (warped - cv2.GaussianBlur(warped, (0, 0), 2.0))[mask]
        fine_l -= fine_l.mean()
        return float((fine_c * fine_l).sum()) / max(1e-6, float(np.sqrt((fine_c**2).sum() * (fine_l**2).sum())))

    chosen = int(np.argmax([agreement(grey, 0.3) for grey in greys]))
    resizer = ANTI_ALIAS[int(np.argmax([agreement(greys[chosen], r) for r in ANTI_ALIAS]))]
    return _antialiased(bigs[chosen], resizer, down), from_big


CUT_REACH = 2.0
"""Listing px over which an enlarging resizer's kernel reaches beyond the pixel it interpolates at: Lanczos-3's lobes
beyond 2 px weigh under 3%, bicubic's and bilinear's end at 2 and 1."""


def _cut_rim(to_work: np.ndarray, listing_size: tuple[int, int], size: tuple[int, int], shrink: float) -> np.ndarray:
    """The rim of the complaint's frame, ``CUT_REACH`` listing px deep (``shrink`` working px per listing decoded px),
    along the sides beyond which the listing's frame continues: a crop the buyer's app enlarged. The app had no pixels
    past the crop's cut, so near it its kernel weighed only the crop's own (an edge-extended interpolation), while the
    listing continues there: the last columns of an enlarged crop differed by 3-6 levels, read as a stroke along the
    frame."""
    h, w = size
    lh, lw = listing_size
    corners = np.array([[-0.5, -0.5, 1], [lw - 0.5, -0.5, 1], [-0.5, lh - 0.5, 1], [lw - 0.5, lh - 0.5, 1]]) @ to_work.T
    reach = int(np.ceil(CUT_REACH * shrink))
    rim = np.zeros((h, w), bool)
    if corners[:, 0].min() < -1:
        rim[:, :reach] = True
    if corners[:, 0].max() > w:
        rim[:, w - reach :] = True
    if corners[:, 1].min() < -1:
        rim[:reach, :] = True
    if corners[:, 1].max() > h:
        rim[h - reach :, :] = True
    return rim


def _print_contrast_kept(
    grey_before: np.ndarray, grey_after: np.ndarray, ink: np.ndarray, overlap: np.ndarray
) -> float:
    """``ChangeMap.print_contrast_kept`` of the aligned listing in grey, before and after the colour map."""
    rest = overlap & ~ink
    if int(ink.sum()) < 50 or int(rest.sum()) < 50:
        return 1.0
    stood_out = abs(float(grey_before[ink].mean()) - float(grey_before[rest].mean()))
    if stood_out < PRINT_STANDS_OUT:
        return 1.0
    return abs(float(grey_after[ink].mean()) - float(grey_after[rest].mean())) / stood_out


def _rgb_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per-pixel RGB distance of two float32 images (one fused OpenCV pass; numpy's reduction over a last axis of
    3 is slow)."""
    diff = cv2.subtract(a, b)
    distance: np.ndarray = cv2.sqrt(cv2.transform(cv2.multiply(diff, diff), np.ones((1, 3), np.float32)))
    return distance


def _chroma(rgb: np.ndarray) -> np.ndarray:
    """max - min of the RGB channels, per pixel (element-wise: a reduction over a last axis of 3 is slow)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    chroma: np.ndarray = np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)
    return chroma


def _ink(rgb: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """The coloured pixels (print) within ``overlap``; none when they cover under MIN_PRINT_SHARE of it."""
    ink: np.ndarray = (_chroma(rgb) > CHROMA_PRINT) & overlap
    if int(ink.sum()) < MIN_PRINT_SHARE * max(1, int(overlap.sum())):
        ink[:] = False
    return ink


def _refine(
    complaint: np.ndarray,
    listing: np.ndarray,
    start: tuple[np.ndarray, np.ndarray, np.ndarray],
    overlap: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(aligned listing, its footprint, listing -> working px transform) after a sub-pixel alignment by ECC
    (Evangelidis & Psarakis, IEEE TPAMI 2008) from ``start`` (the same three from the keypoint transform): half a
    pixel of misalignment would read as change on fine texture. When a painted stain pulls it (correlation under
    ECC_RETRY_CC, or no convergence), it is run again without the stain's blobs. The polish is composed with the
    keypoint transform and ``listing`` warped once (``_warped``): warping the aligned listing again would resample it
    twice, softening its finest detail (two bilinear passes half a pixel off are a [1/4, 1/2, 1/4] blur), which
    reads as change against a sharp (or sharpened) copy."""
    aligned, inside, to_work = start
    template = cv2.cvtColor(complaint, cv2.COLOR_RGB2GRAY).astype(np.float32)
    moving = cv2.cvtColor(aligned, cv2.COLOR_RGB2GRAY).astype(np.float32)
    warp, cc = _ecc(template, moving, overlap)
    if cc < ECC_RETRY_CC:
        stain = _clear_disagreement(template, moving, overlap)
        if stain.any():
            retried, retried_cc = _ecc(template, moving, overlap & ~stain)
            if retried_cc > cc:
                warp, cc = retried, retried_cc
    if cc < ECC_RETRY_CC:
        # A tone map that changes across the photo (a gallery app's local contrast, CLAHE) breaks ECC's model of one
        # gain and offset: it pulled an untouched "auto-enhanced" carpet 2.6 px off (cc 0.70). Each photo's grey
        # less its local mean, over its local spread, keeps the shapes and drops any smooth local tone change; a
        # true copy so seen correlates as a copy does.
        levelled, levelled_cc = _ecc(_levelled(template), _levelled(moving), overlap)
        if levelled is not None and levelled_cc >= ECC_RETRY_CC:
            warp = levelled
    if warp is None:
        return aligned, inside, to_work  # no convergence (flat or heavily changed photo), or more than a polish
    size = (aligned.shape[1], aligned.shape[0])
    # ECC's warp maps complaint px to the aligned listing's px: the listing -> complaint transform gains its inverse.
    to_work = np.linalg.inv(np.vstack([warp.astype(np.float64), [0, 0, 1]])) @ to_work
    frame = cv2.warpAffine(
        np.full(listing.shape[:2], 255, np.uint8), to_work[:2], size, flags=cv2.INTER_NEAREST, borderValue=0
    )
    return _warped(listing, to_work, size), frame, to_work


WARP_INTERPOLATION = cv2.INTER_CUBIC
"""How the listing is resampled onto the complaint's working grid (once: ``_refine``). When it is shrunk it was
filtered first as the buyer's resizer filtered it (``_antialiased``), so what is left is an interpolation between
samples of a band-limited image, at about the same scale: bilinear interpolation there is itself a low-pass filter
that depends on the sub-pixel phase (at half a pixel it averages two neighbours, -3 dB at a quarter of the
sampling rate), cubic convolution (Keys) passes the detail up to near Nyquist at every phase."""


def _warped(image: np.ndarray, to_work: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """``image`` warped by the 3x3 affine ``to_work`` onto a ``size`` (w, h) grid (``WARP_INTERPOLATION``), its edge
    pixels continued past its frame."""
    warped: np.ndarray = cv2.warpAffine(
        image, to_work[:2], size, flags=WARP_INTERPOLATION, borderMode=cv2.BORDER_REPLICATE
    )
    return warped


LEVELLED_SIGMA = 8.0
"""Gaussian sigma (working px) of the local mean and spread ``_levelled`` takes out: a CLAHE tile of an 8 x 8 grid on
a 1024 px photo is 128 px, its curves blend over that; 8 px is far below it and above the texture's grain."""
LEVELLED_FLOOR = 2.0
"""Grey levels of local spread under which a flat area is not stretched (JPEG noise, ~1-2 levels)."""


def _levelled(grey: np.ndarray) -> np.ndarray:
    """``grey`` less its local mean, over its local spread (``LEVELLED_SIGMA``): what a smooth tone change keeps."""
    mean = cv2.GaussianBlur(grey, (0, 0), LEVELLED_SIGMA)
    var = cv2.GaussianBlur(grey * grey, (0, 0), LEVELLED_SIGMA) - mean * mean
    out: np.ndarray = ((grey - mean) / np.sqrt(np.maximum(var, LEVELLED_FLOOR**2))).astype(np.float32)
    return out


def _ecc(template: np.ndarray, moving: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray | None, float]:
    """(ECC's affine polish, its correlation); (None, -1) without convergence or when it would move the photo
    (more than 3 px or 1%): ECC may only polish."""
    warp = np.eye(2, 3, dtype=np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 30, 1e-4)
    try:
        cc, found = cv2.findTransformECC(template, moving, warp, cv2.MOTION_AFFINE, criteria, mask.astype(np.uint8), 5)
    except cv2.error:
        return None, -1.0
    polish = np.asarray(found, dtype=np.float32)
    if np.abs(polish[:, 2]).max() > 3 or np.abs(polish[:, :2] - np.eye(2)).max() > 0.01:
        return None, -1.0
    return polish, float(cc)


def _clear_disagreement(grey_c: np.ndarray, grey_l: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Blobs of pixels whose grey level is far off the rest's (beyond 3 robust deviations of the difference after
    its median shift, and DISAGREE_LEVELS), grown by a few px: a painted stain, kept out of ECC so that it polishes
    on the photo. Nothing when that would leave under half the compared area or of its texture."""
    diff = cv2.GaussianBlur(grey_c - grey_l, (0, 0), 2.0)  # texture, JPEG noise and a px of misalignment average out
    sample = diff[overlap][::5]
    if sample.size < 100:
        return np.zeros_like(overlap)
    centre = float(np.median(sample))
    spread = 1.4826 * float(np.median(np.abs(sample - centre)))
    far = np.abs(diff - centre) > max(DISAGREE_LEVELS, 3 * spread)
    # A stain is a blob; a sub-pixel misalignment (what ECC is there to correct) leaves thin lines along edges.
    blob = max(5, min(diff.shape) // 80) | 1
    far = _grow(cv2.morphologyEx(far.astype(np.uint8), cv2.MORPH_OPEN, np.ones((blob, blob), np.uint8)) > 0, 3)
    # ECC needs texture: a stain over most of a small product would leave it a plain backdrop to drift on.
    textured = overlap & (_gauss_sd(grey_l) > 4.0)
    if int((far & overlap).sum()) > 0.5 * int(overlap.sum()) or int((far & textured).sum()) > 0.5 * int(textured.sum()):
        return np.zeros_like(overlap)
    return far


def _photo_extent(agree: np.ndarray) -> np.ndarray:
    """The box where the complaint photo still shows the listing photo (0.2-99.8 percentile of agreeing
    pixels). A screenshot of a cropped photo leaves the listing's footprint running on under the app's
    bars and background; those parts were never the photo, so they are not compared."""
    extent = np.zeros_like(agree)
    # The rows and columns of the agreeing pixels as multisets (each index repeated by its count): the same
    # percentiles as from np.nonzero's coordinates, without listing every pixel's two coordinates.
    per_row, per_col = np.count_nonzero(agree, axis=1), np.count_nonzero(agree, axis=0)
    if int(per_row.sum()) < 100:
        return extent | True
    y0, y1 = _counted_percentiles(per_row, (0.2, 99.8)).astype(int)
    x0, x1 = _counted_percentiles(per_col, (0.2, 99.8)).astype(int)
    extent[y0 : y1 + 1, x0 : x1 + 1] = True
    return extent


def _inside_cuts(
    extent: np.ndarray, overlap: np.ndarray, c_grey: np.ndarray, l_grey: np.ndarray, rim: int
) -> np.ndarray:
    """``extent`` (a box) less ``rim`` px on each side beyond which the compared footprint runs on straight across
    under an app: within ``rim`` lines of that side, the farthest line that holds the footprint over at least half
    of the side is an app's line there (``_ui_lines``: the complaint flat, the listing ``l_grey`` under it away).

    There the footprint ran on past the photo under the app's background (a crop shown in an app): the photo's edge
    lies at the box's side, and the screenshot's resize, its JPEG blocks and the comparison's blurs blend the app's
    background into the photo's outermost px (session 13: 3-7 px strips along the cuts, 15 levels off the listing),
    while the footprint's own edges keep the erosion of ``change_map``'s margin and the box none. The lines a box
    trims off an uncropped photo (its 0.2% percentile) show the photo (its content, or a backdrop that agrees with
    the listing's); a tilted crop's footprint corners beyond the box are triangles, under half of a side."""
    rows, cols = np.flatnonzero(extent.any(axis=1)), np.flatnonzero(extent.any(axis=0))
    if rows.size == 0 or cols.size == 0:
        return extent
    y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1

    def cut(box: tuple[slice, slice], axis: int, farthest_first: bool) -> bool:
        """Whether the lines in ``box`` beyond a side (``axis``: 1 for rows) show an app over the footprint."""
        footprint = overlap[box]
        across = np.count_nonzero(footprint, axis=axis) >= footprint.shape[axis] / 2
        lines = np.flatnonzero(across)
        if lines.size == 0:
            return False
        line = int(lines[0] if farthest_first else lines[-1])
        ui = _ui_lines(c_grey[box], l_grey[box], footprint, axis)
        return bool(ui[line])

    top = cut((slice(max(0, y0 - rim), y0), slice(x0, x1)), 1, True)
    bottom = cut((slice(y1, y1 + rim), slice(x0, x1)), 1, False)
    left = cut((slice(y0, y1), slice(max(0, x0 - rim), x0)), 0, True)
    right = cut((slice(y0, y1), slice(x1, x1 + rim)), 0, False)
    inner = np.zeros_like(extent)
    inner[y0 + rim * top : y1 - rim * bottom, x0 + rim * left : x1 - rim * right] = True
    inner &= extent
    return inner


UI_FLAT = 3.0
"""Grey range (0-255, after the 1.2 px blur) within which a whole row or column of the complaint counts as an app's
flat background: UI colours are exact and JPEG leaves a flat area within 1-2 levels, while a photographed surface
carries sensor noise and shading (a clipped white studio backdrop is flat too, and is told apart by the listing)."""
UI_LEVEL = 6.0
"""Mean grey levels by which the listing under a flat complaint line must differ from it (after the fitted colour
map) for the line to be the app's background rather than the photo's own backdrop: a flat area's JPEG error is
about one level (the DC step of its 8x8 blocks, q40: ~2.5 levels, spread over 64 px) and the map's residual on a
flat level a few more; the app grey next to a white backdrop differs by ~9 (246 vs 255), a product under an app
bar by tens of levels over its share of the line."""
BACKDROP_SHARE = 0.02
"""Levels the listing's own flat parts take on >= 2% of them (within UI_LEVEL) are its backdrop's
(``_photo_place``): a flat complaint line at such a level may be the photo's own backdrop; the app grey (246)
beside a white backdrop (255) is no level of the listing's backdrop."""
UI_TEXT_BANDS = 4
"""A screen stacks rows of UI text between flat gaps (status bar, title, the photo, caption lines): at least 4
separate runs of non-flat rows across the whole complaint show an app even where its colours are the backdrop's.
A product photo, with or without a backdrop, has one or two (the screenshot-context check's rule)."""
UI_MIN_PX = 16
"""A row or column judged for ``_photo_place`` crosses at least this many compared px (not a corner sliver)."""
UI_REFIT_SHARE = 0.005
UI_PASSES = 2
"""When the app's parts were over 0.5% of the compared area the colour map is fitted again without them, and the
photo's place judged again with it: the app's grey pulled the first fit's white towards it (255 -> 249 next to
an app grey of 246), which hid the cut along the photo's side."""


def _photo_place(c_grey: np.ndarray, l_grey: np.ndarray, overlap: np.ndarray, agree: np.ndarray) -> np.ndarray:
    """The rows and columns of the complaint that belong to the photo, not to the app around it.

    A buyer who crops the listing photo and then screenshots it leaves the listing's footprint running on under
    the app's bars, gaps and caption text. There, whole lines across the footprint are the app's flat background
    while the listing under them shows its product (texture) or a backdrop of another level. Such lines, and the
    rim beside them (``_rim``), cut the footprint; the photo is the run of lines between cuts holding most of the
    agreeing pixels (first across rows, then across columns within them). A line where both are flat at one level
    (a white backdrop beside a white app bar) does not cut: there the two agree and nothing is reported.

    Only a complaint with at least one such line at a level the listing's own backdrop never takes
    (``_backdrop_levels``: the app's grey beside a white backdrop, its white bar beside a grey one), or with a stack
    of UI rows (``UI_TEXT_BANDS``), is taken to show an app at all. Otherwise the flat lines may be the photo's own
    backdrop where content is missing: another view of a bottle on black leaves black where the first view's bottle
    was, and cutting that away would hide the missing content from the matcher's erased-content rule
    (``ERASED_INFORMATIVE``)."""
    place = overlap.copy()
    lines = {axis: _ui_lines(c_grey, l_grey, overlap, axis) for axis in (1, 0)}
    if not any(ui.any() for ui in lines.values()):
        return place
    backdrop = _backdrop_levels(l_grey, overlap)
    foreign = any((ui & ~_line_on_backdrop(c_grey, overlap, axis, backdrop)).any() for axis, ui in lines.items())
    if not foreign and _busy_bands(c_grey) < UI_TEXT_BANDS:
        return place  # every flat line could be the photo's own backdrop, and no stack of UI rows: no sign of an app
    rim = _rim(min(overlap.shape))
    for axis in (1, 0):
        ui = lines[axis] if axis == 1 else _ui_lines(c_grey, l_grey, place, axis)
        if not ui.any():
            continue
        # The photo's cut edge is smeared by the blurs, the SSIM window and the JPEG blocks beside it: those lines
        # are not flat, yet not photo either.
        ui = cv2.dilate(ui.astype(np.uint8)[:, None], np.ones((2 * rim + 1, 1), np.uint8)).ravel() > 0
        runs = np.cumsum(np.diff(ui.astype(np.int8), prepend=1) == -1) * ~ui  # run number of each photo line
        votes = np.bincount(runs, weights=np.count_nonzero(agree & place, axis=axis), minlength=int(runs.max()) + 1)
        votes[0] = 0  # cut lines
        keep = runs == int(np.argmax(votes))
        place &= keep[:, None] if axis == 1 else keep[None, :]
    # Where the listing's own frame ends inside the app (the crop's edge was the listing's edge), the photo's edge
    # meets the app's colours: the screenshot's resize and JPEG blend them over the same rim, while the listing
    # (its border replicated) does not. The complaint's own frame is no such edge (the erosion stops there).
    inner: np.ndarray = cv2.erode(overlap.astype(np.uint8), np.ones((2 * rim + 1, 2 * rim + 1), np.uint8)) > 0
    kept: np.ndarray = place & inner
    return kept


def _busy_bands(c_grey: np.ndarray) -> int:
    """How many separate runs of rows are not flat (UI_FLAT) across the complaint's whole width."""
    busy = (c_grey.max(axis=1) - c_grey.min(axis=1)) > UI_FLAT
    return int(np.count_nonzero(np.diff(busy.astype(np.int8), prepend=0) == 1))


def _backdrop_levels(l_grey: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """Per grey level 0-255: within UI_LEVEL of a level that the listing's own flat parts (its backdrop) take on
    at least BACKDROP_SHARE of them."""
    grey = np.clip(l_grey, 0, 255).astype(np.uint8)
    kernel = np.ones((5, 5), np.uint8)
    flat = overlap & ((cv2.dilate(grey, kernel).astype(np.int16) - cv2.erode(grey, kernel)) <= UI_FLAT)
    counts = np.bincount(grey[flat], minlength=256).astype(np.float64)
    taken = counts >= BACKDROP_SHARE * max(1.0, float(counts.sum()))
    reach = int(np.ceil(UI_LEVEL))
    near: np.ndarray = np.convolve(taken.astype(np.int32), np.ones(2 * reach + 1, np.int32), mode="same") > 0
    return near


def _line_on_backdrop(c_grey: np.ndarray, mask: np.ndarray, axis: int, backdrop: np.ndarray) -> np.ndarray:
    """Per line: its mean complaint level is one the listing's backdrop takes (``_backdrop_levels``)."""
    n = np.maximum(np.count_nonzero(mask, axis=axis), 1)
    level = np.clip(np.round(np.where(mask, c_grey, 0).sum(axis=axis) / n), 0, 255).astype(np.int64)
    on: np.ndarray = backdrop[level]
    return on


def _ui_lines(c_grey: np.ndarray, l_grey: np.ndarray, mask: np.ndarray, axis: int) -> np.ndarray:
    """Per row (axis 1) or column (axis 0): the complaint is flat across ``mask`` (UI_FLAT) while the listing
    under it is, on average, UI_LEVEL or more away from that level (its product, or a backdrop of another level).
    An average, not the listing's range: a gap between two items of a multipack is flat white in both, and one
    px of an item's edge along it (alignment to a px) must not make it the app's."""
    n = np.count_nonzero(mask, axis=axis)
    c_range = np.where(mask, c_grey, -np.inf).max(axis=axis) - np.where(mask, c_grey, np.inf).min(axis=axis)
    flat = (n >= UI_MIN_PX) & (c_range <= UI_FLAT)
    ui: np.ndarray = flat.copy()
    if ui.any():  # most photos have no line flat from end to end: the listing need not be read then
        away = np.where(mask, np.abs(c_grey - l_grey), 0).sum(axis=axis) / np.maximum(n, 1)
        ui &= away > UI_LEVEL
        ui |= _ui_steps(c_grey, l_grey, mask, axis, flat)
    return ui


UI_STEP_REACH = 3
"""Lines before and after a line between which ``_ui_steps`` measures a step: beyond the 1.2 px blur's reach (2.5 sigma)
and most of a resize's blend."""


def _ui_steps(c_grey: np.ndarray, l_grey: np.ndarray, mask: np.ndarray, axis: int, flat: np.ndarray) -> np.ndarray:
    """Per line: the complaint's mean level steps by more than UI_FLAT between the flat lines UI_STEP_REACH before and
    after it, beyond the step the listing (colour-mapped) takes there. A step across a whole line of a flat area that
    the listing does not have is where the app's colours meet the photo's backdrop or each other (a white title bar,
    its grey page at 246, a white studio backdrop at 255). The mean difference of ``_ui_lines`` misses it when the
    colour map, fitted with the app's white and grey both on the listing's white, puts that white between them (at
    251: the grey 5.5 levels off, the white bar 3.5). A photo's own backdrop changes as the listing's does (light
    falloff, a contrast edit: the map's gain), and JPEG keeps a flat line's mean within a level."""
    steps = np.zeros(flat.size, bool)
    k = UI_STEP_REACH
    if flat.size <= 2 * k or not flat.any():
        return steps
    n = np.maximum(np.count_nonzero(mask, axis=axis), 1)
    level_c = np.where(mask, c_grey, 0).sum(axis=axis) / n
    level_l = np.where(mask, l_grey, 0).sum(axis=axis) / n
    moved = np.abs((level_c[2 * k :] - level_c[: -2 * k]) - (level_l[2 * k :] - level_l[: -2 * k]))
    steps[k:-k] = flat[: -2 * k] & flat[2 * k :] & (moved > UI_FLAT)
    return steps


def _counted_percentiles(counts: np.ndarray, percents: tuple[float, float]) -> np.ndarray:
    """``np.percentile(np.repeat(np.arange(counts.size), counts), percents)`` (its default linear method, in its own
    float64 arithmetic: the same values) from the counts alone: the two order statistics around each percentile are
    found in the running count, instead of repeating every index and partitioning them (~6 ms at 1024 px)."""
    virtual = (int(counts.sum()) - 1) * np.true_divide(np.asarray(percents), 100)
    below = np.floor(virtual).astype(np.intp)
    gamma = virtual - below
    running = np.cumsum(counts)
    a = np.searchsorted(running, below, side="right").astype(np.int64)  # the index at sorted position ``below``
    b = np.searchsorted(running, below + 1, side="right").astype(np.int64)
    step = b - a
    # numpy's _lerp: from below for gamma < 0.5, from above otherwise
    value: np.ndarray = np.where(gamma >= 0.5, b - step * (1 - gamma), a + step * gamma)
    return value


def _flood_from_corner(image: np.ndarray, reached: np.ndarray, y: int, x: int) -> None:
    """Mark in ``reached`` (2 px larger than ``image``) the area of the corner's colour connected to corner (x, y),
    within ``FILL_TOLERANCE`` of it. The corner's colour is the median of its 3 x 3 px: JPEG's ringing and 4:2:0
    chroma put single off-colour pixels on a flat fill's border (a white corner read as (254, 255, 239)), and a
    flood measured from such a pixel stops at the fill's own white. ``image`` gets that colour at the corner."""
    ys, xs = slice(max(0, y - 1), y + 2), slice(max(0, x - 1), x + 2)
    image[y, x] = np.median(image[ys, xs].reshape(-1, image.shape[2]), axis=0)
    tolerance = (FILL_TOLERANCE,) * 3
    flags = 4 | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (1 << 8)
    cv2.floodFill(image, reached, (x, y), (0, 0, 0), tolerance, tolerance, flags)


def _corner_fill(complaint: np.ndarray, aligned: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    """The fill a rotation or canvas left in the complaint's corners: per frame corner, the area of the
    corner's colour connected to it, where (within the compared area) the listing mostly shows texture that the
    flat fill hides. A plain backdrop (also brightened or tinted), or an app's background around a screenshot,
    is no fill: the listing is flat there too, or it lies outside the compared area; nor is paper printed with
    text, textured in both."""
    h, w = overlap.shape
    fill = np.zeros((h, w), bool)
    hidden: np.ndarray | None = None
    image = np.ascontiguousarray(complaint).copy()  # cv2.floodFill wants a writable image even in mask-only mode
    for y, x in ((0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1)):
        if fill[y, x]:
            continue
        reached = np.zeros((h + 2, w + 2), np.uint8)  # flood fill from the corner, within the tolerance of its colour
        _flood_from_corner(image, reached, y, x)
        compared = reached[1:-1, 1:-1].astype(bool) & overlap
        if not compared.any():
            continue
        if hidden is None:  # the listing's texture where the complaint is flat
            hidden = (_local_sd(aligned) > FILL_HIDES_TEXTURE) & (_local_sd(complaint) <= FILL_HIDES_TEXTURE)
        if float(hidden[compared].mean()) >= 0.5:
            fill |= compared
    return fill


TILT_MIN_DEGREES = 0.3
"""A transform turned by less than this (off a quarter turn) leaves no fill wedge wider than a pixel or two at
working size along a 1024 px side (tan 0.3 degrees x 1024 = 5 px, inside the rim kept out anyway)."""
BAND_ALL_FILL = 0.98
"""Share of a band's compared pixels that must be the corner's fill for the band to lie beyond the crop: the
wedges of a tilted crop are fill from the photo's edge to the crop's; JPEG rings along the crop edge stay under
2% of a band only outside it."""
FILL_HIDES_COLOUR = PATCH_MIN_LEVELS
"""Max-channel distance (0-255) between the fill and the listing (its 5 x 5 px mean, JPEG's noise averaged out) beyond
which the fill hides the listing's content even where that content is flat (a grey shelf or a coloured backdrop
under a white wedge): the least offset the faint-patch test reports (``faint_changes.PATCH_MIN_LEVELS``), since a
wedge of flat fill that far off a flat backdrop is such a patch (a white 255 wedge over a 243 backdrop was one).
A listing backdrop of the fill's own colour is compared (it agrees), so a plain white backdrop keeps counting as
covered by the listing."""


INNER_SKIP, INNER_BANDS = 2, 8
"""The strip inside a crop's cut that must show the listing: from 2 bands past the cut (the reach of the rotation's
bicubic kernel, 2 px) over 8 bands, and a JPEG block's more (the blocks around the fill are left out of it)."""
JPEG_BLOCK = 8
"""Side (px of the saved photo) of a JPEG block (ITU-T T.81): quantising a block's cosine coefficients spreads the
error of a sharp step (the fill's edge) over the whole block, and no further."""
CUT_SHARE = 0.5
"""Share of a band's compared pixels under which the fill has ended: the crop's cut, in the middle of the 2-3 bands
over which the rotation's bicubic blend (and JPEG's ringing) fade the fill into the photo."""
WEDGE_SLACK, WEDGE_SLACK_PX = 1.15, 3.0
"""How much deeper than the geometry allows a band run of fill may be and still be a tilted crop's wedge. Beyond a
crop edge of length L turned by an angle t, the canvas' corner triangle reaches L |sin t cos t| into the listing's
frame; a deeper run of fill-coloured bands is the listing's (or another view's) own backdrop, not an editor's fill.
15% and 3 px cover the crop edge measured from the compared area and the rotation's interpolation blur."""
STRIP_CORRELATION = 0.6
"""Grey correlation from which the strip inside a cut shows the listing's content (brightness and contrast edits
keep it near 1; another view's or another product's content falls well below)."""


def _strip_agrees(c: np.ndarray, lst: np.ndarray) -> bool:
    """Whether a strip of the complaint shows the listing's content there: correlated, or both flat and alike."""
    if c.size < 20:
        return False
    c_sd, l_sd = float(c.std()), float(lst.std())
    if c_sd < FILL_HIDES_TEXTURE and l_sd < FILL_HIDES_TEXTURE:
        return abs(float(c.mean()) - float(lst.mean())) < DISAGREE_LEVELS
    if c_sd < 1e-3 or l_sd < 1e-3:
        return False
    return float(np.corrcoef(c, lst)[0, 1]) >= STRIP_CORRELATION


def _tilt_fill(
    complaint: np.ndarray, aligned: np.ndarray, overlap: np.ndarray, to_work: np.ndarray, work: float = 1.0
) -> np.ndarray:
    """The fill wedges of a tilted crop: a buyer crops the listing photo and turns it a few degrees (a phone's
    straighten tool, a re-posted photo) and the editor fills the canvas' corners with a flat colour. The crop's
    edges run along the listing's own axes, so in listing coordinates the wedges are whole bands along the crop's
    four sides where the complaint shows only the fill: scanned from each side inwards up to the first band with
    anything else. Within them, the fill is excluded where it hides the listing's content (texture, or another
    colour). ``_corner_fill`` misses these wedges when the fill joins a plain backdrop of the same colour: its
    flood then spreads over the backdrop, where most of the listing is plain too. A white blob painted over
    the product is never such a band: the product's pixels share its bands."""
    h, w = overlap.shape
    angle = float(np.degrees(np.arctan2(to_work[1, 0], to_work[0, 0])))
    off_quarter = abs((angle + 45.0) % 90.0 - 45.0)
    if off_quarter < TILT_MIN_DEGREES or not overlap.any():
        return np.zeros((h, w), bool)
    image = np.ascontiguousarray(complaint).copy()
    flood = np.zeros((h + 2, w + 2), np.uint8)
    for y, x in ((0, 0), (0, w - 1), (h - 1, 0), (h - 1, w - 1)):
        if not flood[y + 1, x + 1]:
            _flood_from_corner(image, flood, y, x)
    is_fill = flood[1:-1, 1:-1].astype(bool)
    if not (is_fill & overlap).any():
        return np.zeros((h, w), bool)
    grey_c = cv2.cvtColor(complaint, cv2.COLOR_RGB2GRAY).astype(np.float32)
    grey_l = cv2.cvtColor(aligned, cv2.COLOR_RGB2GRAY).astype(np.float32)
    block = max(ECC_FILL_RIM, round(JPEG_BLOCK * work))
    # The fill's step is where it covers something else of the listing: a fill on a backdrop of its own colour has
    # none (and shows the listing there).
    covering = is_fill & (np.abs(aligned.astype(np.int16) - complaint.astype(np.int16)).max(axis=2) > FILL_TOLERANCE)
    ringing = _grow(covering, block)[overlap]
    back = np.linalg.inv(to_work)  # complaint work px -> listing decoded px
    ys, xs = np.nonzero(overlap)
    beyond = np.zeros(ys.size, bool)
    turn = abs(np.sin(np.radians(angle)) * np.cos(np.radians(angle)))
    coords = [back[axis, 0] * xs + back[axis, 1] * ys + back[axis, 2] for axis in (0, 1)]
    for axis in (0, 1):
        coord = coords[axis]
        edge = float(np.ptp(coords[1 - axis]))
        deepest = WEDGE_SLACK * edge * turn + WEDGE_SLACK_PX
        band = np.floor(coord - coord.min()).astype(np.int64)
        total = np.bincount(band)
        filled = np.bincount(band, weights=is_fill[ys, xs])
        full = (total == 0) | (filled >= BAND_ALL_FILL * total)
        for order in (np.arange(full.size), np.arange(full.size)[::-1]):
            # The run of fill bands from this side up to the first band with anything else is beyond the crop's cut
            # if it is no deeper than a corner triangle reaches and the photo just inside the cut is the listing's
            # own content: a crop cuts through the listing, so the strip on the inside matches it; where the "fill"
            # is the backdrop of another view, the strip is that view's content.
            run = int(np.argmax(~full[order]))
            if run == 0 or run > deepest:  # no fill on this side, all fill (argmax 0), or too deep for a wedge
                continue
            first = int(order[run])
            inward = (band - first) * (1 if order[0] == 0 else -1)  # bands from the cut into the crop
            # The strip starts past the blend, from the cut: where the fill falls under half of a band (the
            # rotation's bicubic blend and a fitted transform's small turn spread it over several bands). It leaves
            # out the fill that covers the listing and the JPEG blocks around it (JPEG_BLOCK): the fill's step rings
            # through each block it crosses, the cut's and the other sides' wedges' across the strip's ends.
            cut = int(np.argmax(filled[order][run:] < CUT_SHARE * total[order][run:]))
            inner = (inward >= cut + INNER_SKIP) & (inward < cut + INNER_SKIP + INNER_BANDS + block) & ~ringing
            if _strip_agrees(grey_c[ys[inner], xs[inner]], grey_l[ys[inner], xs[inner]]):
                beyond |= inward < 0
    wedge = np.zeros((h, w), bool)
    wedge[ys[beyond], xs[beyond]] = True
    wedge &= is_fill
    fill_colour = np.median(complaint[wedge], axis=0) if wedge.any() else np.zeros(3)
    listing_mean = cv2.blur(aligned.astype(np.float32), (5, 5))
    hides = (_local_sd(aligned) > FILL_HIDES_TEXTURE) | (
        np.abs(listing_mean - fill_colour.astype(np.float32)).max(axis=2) > FILL_HIDES_COLOUR
    )
    # The fill beyond the listing's own frame (a crop along its edge) is not compared either, but its step into the
    # photo rings like any edge: returned with the wedges, so the rim around it is kept out of the comparison.
    excluded: np.ndarray = (wedge & hides) | (is_fill & ~overlap)
    return excluded


def _local_sd(rgb: np.ndarray) -> np.ndarray:
    """Grey standard deviation over 5 x 5 px."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    mean = cv2.blur(grey, (5, 5))
    sd: np.ndarray = np.sqrt(np.maximum(cv2.blur(grey * grey, (5, 5)) - mean * mean, 0))
    return sd


def _grow(mask: np.ndarray, radius: int) -> np.ndarray:
    if not mask.any():
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    grown: np.ndarray = cv2.dilate(mask.astype(np.uint8), kernel) > 0
    return grown


def _padding(rgb: np.ndarray, changed: np.ndarray) -> np.ndarray:
    """Changed blobs that touch the frame edge and are one flat colour in the complaint photo: the fill
    a rotation or canvas leaves around a photo, not something painted onto the product."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(changed.astype(np.uint8), connectivity=8)
    h, w = changed.shape
    flat = np.zeros(n, bool)
    for i in range(1, n):
        x, y, bw, bh, _px = (int(v) for v in stats[i])
        if x > 0 and y > 0 and x + bw < w and y + bh < h:
            continue
        pixels = rgb[labels == i].astype(np.float32)
        flat[i] = float(pixels.std(axis=0).max()) < 6.0
    padding: np.ndarray = flat[labels]
    return padding


def _rim(short_side: int) -> int:
    """How far (px) a comparison smears an edge: the closing in ``_clean`` plus the SSIM window and blurs."""
    return _close_size(short_side) // 2 + 6


def _close_size(short_side: int) -> int:
    return max(5, short_side // 40) | 1


def _clean(mask: np.ndarray, short_side: int) -> np.ndarray:
    """Open away specks, then close so one painted defect becomes one blob."""
    k_open = max(3, short_side // 200) | 1
    k_close = _close_size(short_side)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k_open, k_open)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k_close, k_close)))
    return mask.astype(bool)


def _regions(
    mask: np.ndarray, area: int, work: float, coherent: np.ndarray
) -> tuple[tuple[tuple[int, int, int, int], ...], np.ndarray]:
    """Boxes (full complaint px) of the blobs big enough to matter, or holding a thin or faint change that passed its
    own coherence test (``coherent``), biggest first, and the kept mask."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    keep = np.zeros(n, bool)
    has_coherent = np.zeros(n, bool)
    has_coherent[np.unique(labels[coherent & mask])] = True
    boxes = []
    for i in range(1, n):
        x, y, bw, bh, px = (int(v) for v in stats[i])
        if px < MIN_REGION_SHARE * area and not has_coherent[i]:
            continue
        keep[i] = True
        boxes.append((px, (round(x / work), round(y / work), max(1, round(bw / work)), max(1, round(bh / work)))))
    boxes.sort(key=lambda b: -b[0])
    return tuple(b for _, b in boxes), keep[labels]
