"""``jpeg-compression``: what the JPEG quantisation tables and the picture size say about its history.

Encoders built on the IJG library (libjpeg, libjpeg-turbo: Pillow, GIMP, most apps and chat services)
scale the example tables of ITU-T T.81 Annex K by a quality factor (IJG ``jcparam.c``); cameras and
Photoshop use tables of their own. So "standard tables at quality Q" means the last save was done by
software, and "custom tables" fits a camera (or Photoshop). A camera-labelled photo (EXIF Make/Model)
whose tables are software tables was re-saved after capture: ``weak``, because resizing for upload
does exactly that. Everything else is ``info``: a chat-app re-encode (software tables, no metadata,
long side ≤ 2560) or a screenshot (PNG at a phone/desktop screen size) is shown as context only.
"""

from __future__ import annotations

from typing import ClassVar

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.imaging.photo_metadata import read_metadata

# ITU-T T.81 Annex K, tables K.1 (luminance) and K.2 (chrominance), natural (row-major) order.
_LUMA = [
    16,
    11,
    10,
    16,
    24,
    40,
    51,
    61,
    12,
    12,
    14,
    19,
    26,
    58,
    60,
    55,
    14,
    13,
    16,
    24,
    40,
    57,
    69,
    56,
    14,
    17,
    22,
    29,
    51,
    87,
    80,
    62,
    18,
    22,
    37,
    56,
    68,
    109,
    103,
    77,
    24,
    35,
    55,
    64,
    81,
    104,
    113,
    92,
    49,
    64,
    78,
    87,
    103,
    121,
    120,
    101,
    72,
    92,
    95,
    98,
    112,
    100,
    103,
    99,
]
_CHROMA = [
    17,
    18,
    24,
    47,
    99,
    99,
    99,
    99,
    18,
    21,
    26,
    66,
    99,
    99,
    99,
    99,
    24,
    26,
    56,
    99,
    99,
    99,
    99,
    99,
    47,
    66,
    99,
    99,
    99,
    99,
    99,
    99,
] + [99] * 32
# Zig-zag scan order (T.81 Figure A.6): position k in a DQT segment is natural index _ZIGZAG[k].
_ZIGZAG = [
    0,
    1,
    8,
    16,
    9,
    2,
    3,
    10,
    17,
    24,
    32,
    25,
    18,
    11,
    4,
    5,
    12,
    19,
    26,
    33,
    40,
    48,
    41,
    34,
    27,
    20,
    13,
    6,
    7,
    14,
    21,
    28,
    35,
    42,
    49,
    56,
    57,
    50,
    43,
    36,
    29,
    22,
    15,
    23,
    30,
    37,
    44,
    51,
    58,
    59,
    52,
    45,
    38,
    31,
    39,
    46,
    53,
    60,
    61,
    54,
    47,
    55,
    62,
    63,
]
CHAT_MAX_SIDE = 2560
"""WeChat/QQ/Taobao chat send "compressed" photos at up to ~1080-2560 px on the long side."""
SCREEN_SIZES = frozenset(
    {
        (720, 1280),
        (750, 1334),
        (828, 1792),
        (1080, 1920),
        (1080, 2340),
        (1080, 2400),
        (1125, 2436),
        (1170, 2532),
        (1179, 2556),
        (1242, 2208),
        (1242, 2688),
        (1284, 2778),
        (1290, 2796),
        (1440, 2560),
        (1440, 3200),
        (1366, 768),
        (1440, 900),
        (1536, 864),
        (1920, 1080),
        (2560, 1440),
        (2880, 1800),
    }
)


def ijg_table(base: list[int], quality: int) -> list[int]:
    """The IJG table for ``quality`` (jcparam.c jpeg_quality_scaling, baseline-clamped), zig-zag order."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    natural = [min(255, max(1, (v * scale + 50) // 100)) for v in base]
    return [natural[i] for i in _ZIGZAG]


def natural_order(zigzag_table: list[int]) -> list[int]:
    """A DQT table (zig-zag order, as stored) in natural row-major 8×8 order."""
    natural = [0] * 64
    for position, value in enumerate(zigzag_table[:64]):
        natural[_ZIGZAG[position]] = value
    return natural


def estimate_quality(tables: dict[int, list[int]]) -> tuple[int, bool]:
    """(closest IJG quality 1-100, whether the tables are exactly IJG's at that quality)."""
    luma = tables.get(0)
    if luma is None:
        return 0, False
    chroma = tables.get(1)
    best_q, best_err = 0, -1
    for q in range(1, 101):
        err = sum(abs(a - b) for a, b in zip(luma, ijg_table(_LUMA, q), strict=True))
        if chroma is not None:
            err += sum(abs(a - b) for a, b in zip(chroma, ijg_table(_CHROMA, q), strict=True))
        if best_err < 0 or err < best_err:
            best_q, best_err = q, err
    return best_q, best_err == 0


@register
class JpegCompressionCheck:
    id: ClassVar[str] = "jpeg-compression"
    order: ClassVar[int] = 53

    def run(self, ctx: CheckContext) -> list[Finding]:
        meta = read_metadata(ctx.source)
        width, height = ctx.facts.width, ctx.facts.height
        if meta.container.format == "png" and (min(width, height), max(width, height)) in SCREEN_SIZES:
            return [
                Finding(
                    self.id,
                    Category.COMPRESSION,
                    Strength.INFO,
                    "finding.compression.screenshot.title",
                    "finding.compression.screenshot.detail",
                    fields={"size": f"{width}×{height}"},
                    evidence={"format": "png", "size": [width, height]},
                    limits_key="finding.compression.limits",
                )
            ]
        if meta.container.format != "jpeg" or 0 not in meta.container.quant_tables:
            return []
        quality, standard = estimate_quality(meta.container.quant_tables)
        camera = meta.exif.camera
        evidence = {
            "field": "JPEG DQT",
            "estimated_quality": quality,
            "ijg_standard_tables": standard,
            "tables": {str(k): v for k, v in meta.container.quant_tables.items()},
            "exif_camera": camera or None,
            "size": [width, height],
        }
        fields = {"quality": quality, "camera": camera or "-", "size": f"{width}×{height}"}
        if standard and camera:
            return [
                Finding(
                    self.id,
                    Category.COMPRESSION,
                    Strength.WEAK,
                    "finding.compression.resaved.title",
                    "finding.compression.resaved.detail",
                    fields=fields,
                    evidence=evidence,
                    limits_key="finding.compression.limits",
                )
            ]
        if standard and meta.is_empty and max(width, height) <= CHAT_MAX_SIDE:
            key = "chat"
        else:
            key = "standard" if standard else "custom"
        return [
            Finding(
                self.id,
                Category.COMPRESSION,
                Strength.INFO,
                f"finding.compression.{key}.title",
                f"finding.compression.{key}.detail",
                fields=fields,
                evidence=evidence,
                limits_key="finding.compression.limits",
            )
        ]
