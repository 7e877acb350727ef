"""``content-credentials``: C2PA Content Credentials (the manifest store inside the file).

Read with c2pa-python from the bytes already in memory (never from or next to the original), with
network use switched off: no remote manifest fetch, no OCSP fetch. Three questions are kept apart:

1. What the manifest *says*: claim generator, actions, ``digitalSourceType`` (AI-created or
   AI-edited per the manifest is ``strong``), ingredients.
2. Whether the file still *matches* what was signed (hash / signature / assertion checks). A mismatch
   means the file changed after signing; it is shown as such, never as "untrusted content".
3. Whether the signer is on a trust list. We ship no trust list, so "signer not in trust list" is
   normal and says nothing against the content.
"""

from __future__ import annotations

import io
import json
import logging
from typing import Any, ClassVar

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import register
from shopguard.checks.source_types import AI_SOURCE_TYPES, source_type_term, title_key
from shopguard.imaging.photo_metadata import read_metadata

log = logging.getLogger(__name__)

# c2pa-rs settings (sdk/src/settings): never touch the network while reading.
OFFLINE_SETTINGS = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
_MIME = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heif": "image/heif",
    "tiff": "image/tiff",
    "video": "video/mp4",
}
_TRUST_CODES = frozenset({"signingCredential.untrusted"})


def read_store(data: bytes, fmt: str) -> dict[str, Any]:
    """The manifest store as JSON (offline).

    Raises:
        c2pa.C2paError: the store is present but unreadable (unknown algorithm, prerelease, ...).
    """
    import c2pa  # ~80 ms to load: only for a file that carries a manifest store

    context = c2pa.Context.builder().with_settings(c2pa.Settings.from_dict(OFFLINE_SETTINGS)).build()
    with c2pa.Reader(_MIME.get(fmt), io.BytesIO(data), context=context) as reader:
        store: dict[str, Any] = json.loads(reader.json())
    return store


def _failures(store: dict[str, Any]) -> list[str]:
    results = store.get("validation_results") or {}
    active = results.get("activeManifest") or {}
    return [str(item.get("code")) for item in active.get("failure") or []]


def _source_types(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(action, digitalSourceType URI) for every action that states a source type."""
    out: list[tuple[str, str]] = []
    for assertion in manifest.get("assertions") or []:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in (assertion.get("data") or {}).get("actions") or []:
            if isinstance(action, dict) and action.get("digitalSourceType"):
                out.append((str(action.get("action", "")), str(action["digitalSourceType"])))
    return out


def _generator(manifest: dict[str, Any]) -> str:
    info = manifest.get("claim_generator_info") or []
    if info and isinstance(info[0], dict) and info[0].get("name"):
        return " ".join(str(info[0].get(k, "")) for k in ("name", "version")).strip()
    return str(manifest.get("claim_generator") or "-")


def _summary_key(integrity_failures: list[str], credential_failures: list[str], trusted: bool) -> str:
    if integrity_failures:
        return "finding.c2pa.summary.detail.mismatch"
    if credential_failures:
        return "finding.c2pa.summary.detail.credential"
    return "finding.c2pa.summary.detail.trusted" if trusted else "finding.c2pa.summary.detail.untrusted"


@register
class ContentCredentialsCheck:
    id: ClassVar[str] = "content-credentials"
    order: ClassVar[int] = 41

    def run(self, ctx: CheckContext) -> list[Finding]:
        meta = read_metadata(ctx.source)
        if not meta.container.jumbf_bytes:
            return []  # no manifest store in the file: most photos have none, so nothing to say
        import c2pa

        try:
            store = read_store(ctx.source.data, meta.container.format)
        except (c2pa.C2paError, ValueError, OSError) as exc:
            log.info("C2PA store unreadable in %s: %s", ctx.source.path, exc)
            return [
                Finding(
                    self.id,
                    Category.METADATA,
                    Strength.INFO,
                    "finding.c2pa.unreadable.title",
                    "finding.c2pa.unreadable.detail",
                    fields={"reason": str(exc)[:200]},
                    evidence={"jumbf_bytes": meta.container.jumbf_bytes, "error": str(exc)[:500]},
                )
            ]
        manifests = store.get("manifests") or {}
        active = manifests.get(store.get("active_manifest") or "") or {}
        failures = _failures(store)
        integrity_failures = [c for c in failures if c not in _TRUST_CODES and not c.startswith("signingCredential.")]
        # signingCredential.invalid/expired/revoked: the certificate was not accepted (e.g. OpenAI's lacks an
        # EKU the validator wants); that is about the certificate profile, not a change of content.
        credential_failures = [c for c in failures if c.startswith("signingCredential.") and c not in _TRUST_CODES]
        signer = (active.get("signature_info") or {}).get("issuer") or "-"
        state = str(store.get("validation_state") or "-")
        trusted = state == "Trusted"
        evidence = {
            "validation_state": state,
            "failure_codes": failures,
            "signer": signer,
            "claim_generator": _generator(active),
            "manifests": len(manifests),
            "ingredients": len(active.get("ingredients") or []),
            "actions": [a for a, _ in _source_types(active)],
        }
        findings = [
            Finding(
                self.id,
                Category.METADATA,
                Strength.INFO,
                "finding.c2pa.summary.title",
                _summary_key(integrity_failures, credential_failures, trusted),
                fields={
                    "generator": _generator(active),
                    "signer": signer,
                    "state": state,
                    "codes": ", ".join(integrity_failures or credential_failures) or "-",
                    "ingredients": evidence["ingredients"],
                },
                evidence=evidence,
                limits_key="finding.c2pa.limits",
            )
        ]
        if integrity_failures:
            findings.append(
                Finding(
                    self.id,
                    Category.METADATA,
                    Strength.WEAK,
                    "finding.c2pa.mismatch.title",
                    "finding.c2pa.mismatch.detail",
                    fields={"codes": ", ".join(integrity_failures)},
                    evidence={"failure_codes": integrity_failures},
                    limits_key="finding.c2pa.mismatch.limits",
                )
            )
        seen: set[str] = set()
        findings.extend(self._ai_findings(active, signer, integrity_failures, seen, "finding.c2pa.ai.detail"))
        for label, manifest in manifests.items():  # earlier manifests: the history of the ingredients
            if label != store.get("active_manifest"):
                findings.extend(
                    self._ai_findings(manifest, signer, integrity_failures, seen, "finding.c2pa.ai_ingredient.detail")
                )
        return findings

    def _ai_findings(
        self, active: dict[str, Any], signer: str, integrity: list[str], seen: set[str], detail_key: str
    ) -> list[Finding]:
        out: list[Finding] = []
        for action, uri in _source_types(active):
            term = source_type_term(uri)
            if term in seen or term not in AI_SOURCE_TYPES:
                continue
            seen.add(term)
            strength = AI_SOURCE_TYPES[term]
            if integrity and strength is Strength.STRONG:
                strength = Strength.MODERATE  # the statement no longer verifiably belongs to this file
            out.append(
                Finding(
                    self.id,
                    Category.AI_LABEL,
                    strength,
                    title_key(term),
                    detail_key,
                    fields={
                        "term": term,
                        "value": uri,
                        "action": action,
                        "signer": signer,
                        "generator": _generator(active),
                    },
                    evidence={
                        "field": "C2PA c2pa.actions digitalSourceType",
                        "value": uri,
                        "action": action,
                        "signer": signer,
                    },
                    limits_key="finding.c2pa.ai.limits",
                )
            )
        return out
