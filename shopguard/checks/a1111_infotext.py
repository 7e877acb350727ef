"""The AUTOMATIC1111 "infotext" family: generation parameters as ``prompt / Negative prompt / key: value`` text.

Many Stable Diffusion front ends write the same text shape into a PNG ``parameters`` chunk or a JPEG
EXIF UserComment, each with its own field list. What they share, read from each writer's source:

- AUTOMATIC1111 ``create_infotext`` (modules/processing.py) and its fork Forge: the prompt, then a
  line ``Negative prompt: ...`` (left out when empty), then one line of ``Key: value`` pairs joined
  by ", ". A value holding a comma, colon or newline is written as a JSON string (``quote``), so
  the tail stays on one line and a quoted value may hold commas. A key equal to its value is
  written bare. Forge's ``Version`` starts with ``f`` (``f2.0.1v1.10.1-...``).
- SD.Next (modules/processing_info.py): the same three parts, but ``Seed`` comes before
  ``Sampler`` and it adds ``App: SD.Next``, ``Backend``, ``Operations``...
- Fooocus "a1111" metadata scheme (modules/meta_parser.py): the same shape with ``Sharpness``,
  ``ADM Guidance``, ``Performance``, ``Version: Fooocus v2...``; written to the PNG chunk or to
  the EXIF UserComment of IFD0.

So a text belongs to the family when its last key-value line parses completely as pairs and
carries at least two of the core generation fields (``Steps``, ``Seed``, ``Sampler``,
``CFG scale``, ``Size``) with values of the right shape. No camera or editor writes that line:
cameras put free text or nothing in UserComment, and a caption that merely says "Steps" or
"Sampler" does not have the numeric shape of two fields at once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

_KEY = re.compile(r"[A-Za-z][\w .\-/()]{0,40}")
_CORE_SHAPES = {
    "steps": re.compile(r"\d{1,4}"),
    "seed": re.compile(r"-?\d{1,20}"),
    "sampler": re.compile(r"\S.{0,60}"),
    "cfg scale": re.compile(r"\d{1,3}(\.\d+)?"),
    "size": re.compile(r"\d{2,5}x\d{2,5}"),
}
MIN_CORE_FIELDS = 2
"""Two independent generation fields with the right value shape: one alone ("Size: 800x600",
"Steps: 3") can appear in a human note; two on a fully parsed key-value line cannot by chance."""
MIN_PAIRS = 3
"""Every writer emits at least Steps, Sampler/Seed and CFG scale or Size; fewer pairs is not this format."""
NEGATIVE = "Negative prompt:"


@dataclass(frozen=True)
class InfoText:
    """One parsed infotext: the prompts and the key-value tail in order of appearance."""

    prompt: str
    negative_prompt: str
    params: dict[str, str] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        """A parameter's value by case-insensitive key."""
        for name, value in self.params.items():
            if name.lower() == key.lower():
                return value
        return None


def _split_pairs(line: str) -> list[str] | None:
    """Split a tail line at commas outside JSON-quoted values and outside JSON lists/objects
    (Civitai writes ``Civitai resources: [{...}, ...]`` unquoted); None if a quote never closes."""
    parts: list[str] = []
    start, i, n, depth = 0, 0, len(line), 0
    while i < n:
        ch = line[i]
        if ch == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
            if i >= n:
                return None
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(0, depth - 1)
        elif ch == "," and depth == 0:
            parts.append(line[start:i])
            start = i + 1
        i += 1
    parts.append(line[start:])
    return [p.strip() for p in parts if p.strip()]


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        try:
            decoded = json.loads(value)
        except ValueError:
            return value
        return decoded if isinstance(decoded, str) else value
    return value


def parse_tail(line: str) -> dict[str, str] | None:
    """The ``Key: value, Key: value`` line as a dict, or None when any part is not a pair.

    A bare word (a key written without value because it equalled its value) is kept with itself
    as value. Returns None when fewer than ``MIN_PAIRS`` pairs are found.
    """
    parts = _split_pairs(line.strip())
    if not parts:
        return None
    params: dict[str, str] = {}
    pairs = 0
    for part in parts:
        key, sep, value = part.partition(":")
        key = key.strip()
        if not sep:
            if not _KEY.fullmatch(key):
                return None
            params.setdefault(key, key)
            continue
        if not _KEY.fullmatch(key):
            return None
        params.setdefault(key, _unquote(value.strip()))
        pairs += 1
    return params if pairs >= MIN_PAIRS else None


def core_fields(params: dict[str, str]) -> list[str]:
    """The core generation fields present with a value of the right shape."""
    lowered = {k.lower(): v for k, v in params.items()}
    return [k for k, shape in _CORE_SHAPES.items() if k in lowered and shape.fullmatch(lowered[k].strip())]


def parse_infotext(text: str) -> InfoText | None:
    """Parse one A1111-family infotext, or None when ``text`` does not have the family's structure.

    The key-value tail is the last line that parses completely as pairs with at least
    ``MIN_CORE_FIELDS`` core fields; lines before it are the prompt and, from a line starting
    with ``Negative prompt:``, the negative prompt. Lines after it (some savers append notes)
    are ignored.
    """
    lines = text.replace("\r\n", "\n").strip().split("\n")
    for index in range(len(lines) - 1, -1, -1):
        params = parse_tail(lines[index])
        if params is None or len(core_fields(params)) < MIN_CORE_FIELDS:
            continue
        prompt: list[str] = []
        negative: list[str] = []
        for head in lines[:index]:
            if head.startswith(NEGATIVE) and not negative:
                negative.append(head[len(NEGATIVE) :].strip())
            elif negative:
                negative.append(head)
            else:
                prompt.append(head)
        return InfoText("\n".join(prompt).strip(), "\n".join(negative).strip(), params)
    return None


_FORGE_VERSION = re.compile(r"f\d+\.\d+")
FAMILY = "AUTOMATIC1111-style parameters"


def writer_name(info: InfoText) -> str:
    """Which writer of the family made ``info``, from the fields that writer alone adds.

    SD.Next writes ``App: SD.Next``; Fooocus (and forks keeping its name) write ``Version: Fooocus
    v...``; Forge's version starts with ``f<digit>``; Civitai's generator adds ``Civitai resources``
    or ``Civitai metadata``. Anything else keeps the family name.
    """
    app = (info.get("App") or "").strip()
    version = (info.get("Version") or "").strip()
    if app:
        return f"{app} ({FAMILY})"
    if "fooocus" in version.lower():
        return f"Fooocus ({FAMILY})"
    if _FORGE_VERSION.match(version):
        return f"Stable Diffusion WebUI Forge ({FAMILY})"
    if info.get("Civitai resources") is not None or info.get("Civitai metadata") is not None:
        return "Civitai"
    return f"Stable Diffusion ({FAMILY})"
