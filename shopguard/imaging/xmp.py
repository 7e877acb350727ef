"""Safe XMP parsing into a flat list of properties (namespace, name, value).

XMP is RDF/XML (ISO 16684-1). We need values, not the RDF graph, so every simple property is
emitted whether written as an element (``<ns:Prop>v</ns:Prop>``), as an attribute of
``rdf:Description`` (``ns:Prop="v"``), or as an item of an ``rdf:Seq/Bag/Alt`` (named after the
enclosing property). Struct fields (e.g. ``stEvt:softwareAgent`` inside ``xmpMM:History``) come out
under their own names.

Safety: a packet with a DOCTYPE or ENTITY declaration is refused (XMP never needs one, and refusing
rules out entity-expansion bombs and external entities), packets over ``MAX_XMP_CHARS`` are
refused, and the tree is walked without recursion, at most ``MAX_XMP_DEPTH`` elements deep (expat itself
nests without limit). Refusal raises ``XmpError``; callers turn it into a "metadata unreadable" note.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

MAX_XMP_CHARS = 16 * 1024 * 1024
MAX_XMP_DEPTH = 256
"""Deepest element nesting read: real packets nest under 12 (x:xmpmeta/rdf:RDF/Description/History/Seq/li/...)."""
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_FORBIDDEN = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_CONTAINERS = {f"{{{RDF_NS}}}{n}" for n in ("Seq", "Bag", "Alt", "Description", "li")}


class XmpError(ValueError):
    """The packet is not safe or not well-formed XML."""


@dataclass(frozen=True)
class XmpProperty:
    """One simple value: its namespace URI (as written), local name and text."""

    namespace: str
    name: str
    value: str


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def parse_xmp(packet: str) -> list[XmpProperty]:
    """All simple properties of an XMP packet, in document order.

    Raises:
        XmpError: DOCTYPE/ENTITY present, too large, or not well-formed.
    """
    if len(packet) > MAX_XMP_CHARS:
        raise XmpError(f"XMP packet of {len(packet)} characters exceeds the cap")
    if _FORBIDDEN.search(packet):
        raise XmpError("XMP packet declares a DOCTYPE or ENTITY (refused)")
    text = packet.strip().lstrip("\ufeff")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise XmpError(f"XMP is not well-formed XML ({exc})") from exc
    out: list[XmpProperty] = []
    _walk(root, None, out)
    return out


def _walk(root: ET.Element, root_owner: tuple[str, str] | None, out: list[XmpProperty]) -> None:
    """Emit properties in document order with an explicit stack (a hostile packet may nest 100k deep)."""
    stack: list[tuple[ET.Element, tuple[str, str] | None, int]] = [(root, root_owner, 0)]
    while stack:
        element, owner, depth = stack.pop()
        if depth > MAX_XMP_DEPTH:
            raise XmpError(f"XMP nests deeper than {MAX_XMP_DEPTH} elements (refused)")
        for attr, value in element.attrib.items():
            ns, local = _split(attr)
            if ns and ns != RDF_NS and not ns.startswith("http://www.w3.org/XML/1998/namespace"):
                out.append(XmpProperty(ns, local, value))
        is_container = element.tag in _CONTAINERS
        name = owner if is_container else _split(element.tag)
        children = list(element)
        if not children:
            value = (element.text or "").strip()
            resource = element.attrib.get(f"{{{RDF_NS}}}resource")
            if resource:
                value = resource
            if value and name is not None and name[0] and name[0] != RDF_NS:
                out.append(XmpProperty(name[0], name[1], value))
            continue
        stack.extend((child, name, depth + 1) for child in reversed(children))


def values(props: list[XmpProperty], name: str, namespaces: tuple[str, ...] = ()) -> list[str]:
    """Values of property ``name`` (case-sensitive), optionally only in the given namespaces."""
    return [p.value for p in props if p.name == name and (not namespaces or p.namespace in namespaces)]
