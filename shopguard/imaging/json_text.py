"""JSON found inside a photo (AIGC labels, ComfyUI graphs, stealth pnginfo), read as data with caps.

A photo is untrusted input: its text may be megabytes long or nested thousands of levels deep, which makes
CPython's decoder raise ``RecursionError`` (not a ``ValueError``) and makes every recursive reader of the
result a crash waiting to happen. ``parse_json_text`` refuses both before anything walks the value.
"""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_CHARS = 8 * 1024 * 1024
"""Largest JSON text read (the PNG text cap: ComfyUI workflows reach a few hundred KB)."""
MAX_JSON_DEPTH = 64
"""Deepest nesting accepted: a ComfyUI workflow nests about 6 levels, an AIGC label 2."""


def json_depth(value: Any) -> int:
    """Nesting depth of a decoded JSON value (a scalar is 0), computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_json_text(value: str, max_chars: int = MAX_JSON_CHARS) -> Any | None:
    """The decoded value of ``value``, or None when it is not JSON, longer than ``max_chars`` or nested deeper
    than ``MAX_JSON_DEPTH`` (such text is kept and shown as plain text by the callers, never interpreted)."""
    if len(value) > max_chars:
        return None
    try:
        data = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if json_depth(data) > MAX_JSON_DEPTH:
        return None
    return data
