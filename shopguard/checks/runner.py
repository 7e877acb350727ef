"""Run every registered check on one photo and collect findings and a verdict."""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

from shopguard.checks.context import CheckContext
from shopguard.checks.findings import Category, Finding, Strength
from shopguard.checks.registry import Check, builtin_checks
from shopguard.checks.verdict import Verdict, photo_verdict
from shopguard.errors import Cancelled, HomeError, ImageReadError
from shopguard.progress import ProgressFn, check_cancel, report

log = logging.getLogger(__name__)

_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})
STRICT_ENV = "SHOPGUARD_STRICT"
"""When set (the test suite sets it), a crashing check re-raises instead of becoming a finding."""


@dataclass(frozen=True)
class PhotoChecks:
    findings: tuple[Finding, ...]
    verdict: Verdict


def run_checks(
    ctx: CheckContext, checks: Sequence[Check] | None = None, progress: ProgressFn | None = None
) -> PhotoChecks:
    """Run ``checks`` (default: all registered) on the photo in ``ctx``.

    A check that fails on this photo's pixels (``ImageReadError``) adds an ``input`` finding; a check
    that crashes is logged with its traceback and reported as not finished, so one faulty check never
    costs the seller the other results.

    Raises:
        Cancelled: when ``ctx.cancel`` is set between checks.
    """
    checks = list(checks) if checks is not None else builtin_checks()
    findings: list[Finding] = []
    for i, check in enumerate(checks):
        check_cancel(ctx.cancel)
        report(progress, i, len(checks), "progress.check", check=check.id)
        try:
            findings.extend(check.run(ctx))
        except Cancelled:
            raise
        except OSError as exc:
            if exc.errno not in _STORAGE_ERRNOS:
                if os.environ.get(STRICT_ENV):
                    raise
                log.exception("check %s crashed on %s", check.id, ctx.source.path)
                findings.append(_not_finished(check.id, exc))
                continue
            # The case folder cannot take the evidence images (disk full, read-only): no check can finish and
            # the case could not be stored either, so the whole check stops with the storage error.
            raise HomeError(
                "error.case.write", path=str(ctx.artifact_dir or ""), reason=exc.strerror or str(exc)
            ) from exc
        except ImageReadError as exc:
            findings.append(
                Finding(
                    check=check.id,
                    category=Category.INPUT,
                    strength=Strength.INFO,
                    title_key="finding.input.pixels_unreadable.title",
                    detail_key="finding.input.pixels_unreadable.detail",
                    fields={"check": check.id, "reason": exc.message("en")},
                )
            )
        except Exception as exc:
            if os.environ.get(STRICT_ENV):
                raise
            log.exception("check %s crashed on %s", check.id, ctx.source.path)
            findings.append(_not_finished(check.id, exc))
    report(progress, len(checks), len(checks), "progress.check_done")
    return PhotoChecks(tuple(findings), photo_verdict(findings))


def _not_finished(check_id: str, exc: BaseException) -> Finding:
    """The ``input`` finding for a check that crashed: the others' results still count."""
    return Finding(
        check=check_id,
        category=Category.INPUT,
        strength=Strength.INFO,
        title_key="finding.input.check_failed.title",
        detail_key="finding.input.check_failed.detail",
        fields={"check": check_id, "reason": type(exc).__name__},
    )
