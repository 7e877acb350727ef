"""pHash without SciPy: the same 64 bits as ``imagehash.phash``, from numpy alone.

Sellers' libraries store pHashes made by imagehash 4.3 (``scipy.fftpack.dct`` on a 32x32 LANCZOS grey
copy, the low 8x8 block against its median). A library photo is "the same picture" when its stored hash
is a few bits from a complaint's, so a hash computed differently would split old and new photos apart.
The bits must therefore be *identical*, not just close: a coefficient that equals the median in exact
arithmetic (flat or symmetric images give many exact zeros) falls on one side or the other depending on
rounding. So this is SciPy's own DCT-II algorithm (pocketfft's ``T_dcst23``: a half-length real FFT,
which numpy runs with the same pocketfft code, plus one twiddle pass), step for step, with pocketfft's
cosine table for n=32 read back bit for bit from SciPy 1.17.1. ``tests/imaging/test_phash.py`` compares
every coefficient, and the hashes of every photo in the test data and the demo shop, with imagehash's.

Dropping SciPy keeps ~35 MB of SciPy and its OpenBLAS out of the installer (installers/README.md).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image

HASH_SIZE = 8
"""8x8 low-frequency coefficients: imagehash's default, the size stored in libraries."""
SIDE = HASH_SIZE * 4
"""imagehash's highfreq_factor 4: the DCT runs on a 32x32 grey copy."""

# cos(pi * (i + 1) / 64) for i = 0..30, exactly as pocketfft tabulates them (its own sin/cos generator, which
# differs from numpy's cos in the last bit for some entries).
_TWIDDLE = np.array(
    [
        float.fromhex(h)
        for h in (
            "0x1.ff621e3796d7ep-1",
            "0x1.fd88da3d12526p-1",
            "0x1.fa7557f08a517p-1",
            "0x1.f6297cff75cb0p-1",
            "0x1.f0a7efb9230d7p-1",
            "0x1.e9f4156c62ddap-1",
            "0x1.e212104f686e5p-1",
            "0x1.d906bcf328d46p-1",
            "0x1.ced7af43cc773p-1",
            "0x1.c38b2f180bdb1p-1",
            "0x1.b728345196e3ep-1",
            "0x1.a9b66290ea1a3p-1",
            "0x1.9b3e047f38741p-1",
            "0x1.8bc806b151741p-1",
            "0x1.7b5df226aafafp-1",
            "0x1.6a09e667f3bccp-1",
            "0x1.57d69348cec9fp-1",
            "0x1.44cf325091dd6p-1",
            "0x1.30ff7fce17034p-1",
            "0x1.1c73b39ae68c8p-1",
            "0x1.073879922ffedp-1",
            "0x1.e2b5d3806f639p-2",
            "0x1.b5d1009e15cbfp-2",
            "0x1.87de2a6aea961p-2",
            "0x1.58f9a75ab1fdbp-2",
            "0x1.294062ed59f04p-2",
            "0x1.f19f97b215f1cp-3",
            "0x1.8f8b83c69a60ap-3",
            "0x1.2c8106e8e6136p-3",
            "0x1.917a6bc29b424p-4",
            "0x1.91f65f10dd810p-5",
        )
    ],
    dtype=np.float64,
)
_T_K = _TWIDDLE[: SIDE // 2 - 1]  # twiddle[k-1] for k = 1..15
_T_KC = _TWIDDLE[SIDE - 2 : SIDE // 2 - 1 : -1]  # twiddle[kc-1] for kc = 31..17
_K = slice(1, SIDE // 2)  # 1..15
_KC = slice(SIDE - 1, SIDE // 2, -1)  # 31..17, paired with k
_ODD = slice(1, SIDE - 1, 2)  # 1, 3, ..., 29
_EVEN = slice(2, SIDE, 2)  # 2, 4, ..., 30: each odd k's k + 1


def dct_ii(x: npt.ArrayLike, axis: int) -> npt.NDArray[np.float64]:
    """Unnormalised DCT-II of length 32 along ``axis``: bit-identical to ``scipy.fftpack.dct(x, axis=axis)``.

    Each step is one of pocketfft's, in its order, so every float rounds the same way (numpy applies the same
    operation to every element, so working on whole rows at once changes no rounding).
    """
    c = np.swapaxes(np.asarray(x), axis, -1).astype(np.float64)  # a copy: the caller's array is never changed
    if c.shape[-1] != SIDE:
        raise ValueError(f"dct_ii works on length {SIDE}, got {c.shape[-1]}")
    c[..., 0] *= 2
    c[..., SIDE - 1] *= 2
    # MPINPLACE(c[k+1], c[k]) for odd k: the pair's difference and sum.
    upper = c[..., _EVEN].copy()
    c[..., _EVEN] = upper - c[..., _ODD]
    c[..., _ODD] = upper + c[..., _ODD]
    # c is now a half-complex spectrum (r0, r1, i1, ..., r16): its inverse real FFT, unscaled.
    spectrum = np.zeros((*c.shape[:-1], SIDE // 2 + 1), dtype=np.complex128)
    spectrum.real[..., 0] = c[..., 0]
    spectrum.real[..., 1 : SIDE // 2] = c[..., _ODD]
    spectrum.imag[..., 1 : SIDE // 2] = c[..., _EVEN]
    spectrum.real[..., SIDE // 2] = c[..., SIDE - 1]
    r = np.fft.irfft(spectrum, n=SIDE, axis=-1, norm="forward")
    out = r.copy()
    t1 = _T_K * r[..., _KC] + _T_KC * r[..., _K]
    t2 = _T_K * r[..., _K] - _T_KC * r[..., _KC]
    out[..., _K] = 0.5 * (t1 + t2)
    out[..., _KC] = 0.5 * (t1 - t2)
    out[..., SIDE // 2] = r[..., SIDE // 2] * _TWIDDLE[SIDE // 2 - 1]
    return np.swapaxes(out, -1, axis)


def phash(image: Image.Image) -> int:
    """The 64-bit pHash of ``image`` as an integer, equal to ``int(str(imagehash.phash(image)), 16)``."""
    small = image.convert("L").resize((SIDE, SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(small, dtype=np.float64)
    low = dct_ii(dct_ii(pixels, axis=0), axis=1)[:HASH_SIZE, :HASH_SIZE]
    bits = (low > np.median(low)).ravel()
    return int.from_bytes(np.packbits(bits).tobytes(), "big")
