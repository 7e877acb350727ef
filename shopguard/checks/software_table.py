"""The table of programs that name themselves in photo metadata (not a check; used by editing-software).

Patterns are matched case-insensitively against EXIF Software / XMP CreatorTool / history agents.
The names are the ones these programs write (checked against public sample files where we had
them: GIMP "GIMP 2.4.5", Photoshop "Adobe Photoshop CS2 Macintosh", Lightroom "Adobe Lightroom 5.3").
Chinese apps are listed by both their Chinese and their pinyin / English names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class SoftwareKind(StrEnum):
    AI_APP = "ai-app"  # generates or repaints content as its main feature
    EDITOR = "editor"  # general photo editor / beauty app
    VENDOR = "vendor"  # camera maker's transfer / RAW tool, photo site uploader
    FIRMWARE = "firmware"  # a camera or phone firmware / OS version: not an editor
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class SoftwareMatch:
    name: str
    kind: SoftwareKind


_TABLE: list[tuple[str, str, SoftwareKind]] = [
    # AI generation / AI editing apps (checked first: "Meitu AI" must not fall through to Meitu).
    (r"豆包|doubao", "豆包 (Doubao)", SoftwareKind.AI_APP),
    (r"即梦|jimeng|dreamina", "即梦 (Jimeng / Dreamina)", SoftwareKind.AI_APP),
    (r"可灵|kling", "可灵 (Kling)", SoftwareKind.AI_APP),
    (r"通义万相|wanxiang|tongyi", "通义万相 (Tongyi Wanxiang)", SoftwareKind.AI_APP),
    (r"文心一格|yige", "文心一格 (ERNIE-ViLG Yige)", SoftwareKind.AI_APP),
    (r"midjourney", "Midjourney", SoftwareKind.AI_APP),
    (r"dall[\s·-]?e|openai|chatgpt|gpt-image", "OpenAI (DALL·E / ChatGPT)", SoftwareKind.AI_APP),
    (r"firefly", "Adobe Firefly", SoftwareKind.AI_APP),
    (r"novelai", "NovelAI", SoftwareKind.AI_APP),
    (r"comfyui", "ComfyUI", SoftwareKind.AI_APP),
    (r"invokeai", "InvokeAI", SoftwareKind.AI_APP),
    (r"fooocus", "Fooocus", SoftwareKind.AI_APP),
    (r"stable[\s-]?diffusion", "Stable Diffusion", SoftwareKind.AI_APP),
    (r"ideogram", "Ideogram", SoftwareKind.AI_APP),
    (r"leonardo\.?ai", "Leonardo.Ai", SoftwareKind.AI_APP),
    (r"\bwhee\b|美图.?ai|meitu ai", "美图 AI (WHEE)", SoftwareKind.AI_APP),
    (r"\bgemini\b|made with google ai|edited with google ai", "Google AI (Gemini)", SoftwareKind.AI_APP),
    # AI video generators (names as their apps and exports spell them).
    (r"runway(ml)?\b|\bgen-?[234]\b", "Runway", SoftwareKind.AI_APP),
    (r"\bpika(\s?labs|\.art)?\b", "Pika", SoftwareKind.AI_APP),
    (r"\bsora\b", "OpenAI Sora", SoftwareKind.AI_APP),
    (r"海螺|hailuo|minimax video", "海螺 (Hailuo / MiniMax)", SoftwareKind.AI_APP),
    (r"luma ai|dream machine", "Luma Dream Machine", SoftwareKind.AI_APP),
    (r"\bvidu\b", "Vidu", SoftwareKind.AI_APP),
    (r"pixverse", "PixVerse", SoftwareKind.AI_APP),
    (r"\bveo\s?\d", "Google Veo", SoftwareKind.AI_APP),
    # Photo editors and beauty apps.
    (r"lightroom", "Adobe Lightroom", SoftwareKind.EDITOR),
    (r"photoshop", "Adobe Photoshop", SoftwareKind.EDITOR),
    (r"\bgimp\b", "GIMP", SoftwareKind.EDITOR),
    (r"snapseed", "Snapseed", SoftwareKind.EDITOR),
    (r"picsart", "PicsArt", SoftwareKind.EDITOR),
    (r"美图秀秀|meitu|mtxx", "美图秀秀 (Meitu)", SoftwareKind.EDITOR),
    (r"samsung gallery photo editor", "Samsung Gallery photo editor", SoftwareKind.EDITOR),
    (r"美颜相机|beautycam", "美颜相机 (BeautyCam)", SoftwareKind.EDITOR),
    (r"醒图|hypic|xingtu", "醒图 (Hypic)", SoftwareKind.EDITOR),
    (r"剪映|capcut|jianying", "剪映 (CapCut)", SoftwareKind.EDITOR),
    (
        r"premiere|after effects|final cut|davinci resolve|imovie|必剪|快影|kwaiying|\bvn video editor|videoleap"
        r"|filmora|kinemaster|power ?director",
        "video editor",
        SoftwareKind.EDITOR,
    ),
    (
        r"轻颜|faceu|黄油相机|b612|snow\b|vsco|polarr|facetune|inshot|fotor|pixlr|photopea|canva",
        "photo / beauty app",
        SoftwareKind.EDITOR,
    ),
    (
        r"pixelmator|affinity photo|paint\.net|krita|paint ?tool sai|photoscape|picasa|luminar|capture one"
        r"|acdsee|irfanview|xnview|photo ?director|corel|windows photo|microsoft photos|photos app"
        r"|preview\b|darktable|rawtherapee|digikam",
        "photo editor",
        SoftwareKind.EDITOR,
    ),
    # Camera makers' transfer / RAW tools and upload services: no editing implied.
    (
        r"nikon transfer|viewnx|capture nx|camedia|digital photo professional|zoombrowser|pmb\b|playmemories"
        r"|silkypix|imaging edge|olympus (viewer|master)|fujifilm|photo ?uploader",
        "camera vendor software",
        SoftwareKind.VENDOR,
    ),
]
_COMPILED = [(re.compile(p, re.IGNORECASE), n, k) for p, n, k in _TABLE]
# Firmware / OS strings: "Ver.1.00", "Digital Camera X Ver1.39", "14.4.2", "HDR+ 1.0.x", build ids
# like "J320FXXU0AQL1" or "V06P-74". Phones write their OS version or build id into Software.
_FIRMWARE = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bver\.?\s*\d",
        r"firmware",
        r"^v?\d+(\.\d+)+\w*$",
        r"^hdr\+",
        r"^(?=.*\d)[A-Z0-9][A-Z0-9._-]{4,}$",
        r"^(ios|android|miui|hyperos|harmonyos|coloros|oneui|emui|magicos|originos|flyme)\b",
    )
]


def classify(value: str) -> SoftwareMatch:
    """What kind of program a metadata software string names."""
    text = value.strip()
    for pattern, name, kind in _COMPILED:
        if pattern.search(text):
            return SoftwareMatch(
                name
                if name not in ("photo editor", "photo / beauty app", "video editor", "camera vendor software")
                else text[:80],
                kind,
            )
    if any(p.search(text) for p in _FIRMWARE):
        return SoftwareMatch(text[:80], SoftwareKind.FIRMWARE)
    return SoftwareMatch(text[:80], SoftwareKind.UNKNOWN)
