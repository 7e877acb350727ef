"""The check registry: every check registers itself here; GUI, CLI and runner list them from it.

Check modules are the modules of ``shopguard.checks`` that define a class decorated with
``@register``; ``builtin_checks()`` imports them all, so adding a check is adding a module.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, ClassVar, Protocol

if TYPE_CHECKING:
    from shopguard.checks.context import CheckContext
    from shopguard.checks.findings import Finding


class Check(Protocol):
    """A check: a stable kebab-case ``id`` and ``run`` returning findings for one photo."""

    id: ClassVar[str]
    order: ClassVar[int]

    def run(self, ctx: CheckContext) -> list[Finding]: ...


_REGISTERED: dict[str, type[Check]] = {}
_INFRASTRUCTURE = {"context", "findings", "registry", "runner", "verdict"}


def register(cls: type[Check]) -> type[Check]:
    """Class decorator adding a check; ids must be unique and never change."""
    existing = _REGISTERED.get(cls.id)
    if existing is not None and existing is not cls:
        raise ValueError(f"check id {cls.id!r} registered twice")
    _REGISTERED[cls.id] = cls
    return cls


def builtin_checks() -> list[Check]:
    """Import every check module and return one instance of each check, in run order."""
    package = importlib.import_module("shopguard.checks")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name not in _INFRASTRUCTURE and not info.name.startswith("_"):
            importlib.import_module(f"shopguard.checks.{info.name}")
    return [cls() for cls in sorted(_REGISTERED.values(), key=lambda c: (c.order, c.id))]
