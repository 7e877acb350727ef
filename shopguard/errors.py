"""The ShopGuard error tree: every expected failure has a message key and an exit code.

Exit codes are part of the public CLI contract (docs/cli.md): 2 usage, 3 unreadable image,
4 home or library unusable, 5 case archive refused. Bugs are not ShopGuardErrors; they crash loudly and are logged.
"""

from __future__ import annotations

from typing import Any

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_BAD_IMAGE = 3
EXIT_HOME = 4
EXIT_BAD_ARCHIVE = 5
EXIT_CANCELLED = 130


class ShopGuardError(Exception):
    """Base of every expected failure.

    Args:
        message_key: i18n catalogue key describing the problem.
        **fields: values for the message placeholders (e.g. ``path``, ``reason``).
    """

    exit_code = 1
    default_key = "error.generic"

    def __init__(self, message_key: str | None = None, **fields: Any) -> None:
        self.message_key = message_key or self.default_key
        self.fields = fields
        super().__init__(self.message(lang="en"))

    def message(self, lang: str = "en") -> str:
        """Render the message in ``lang`` from the shared catalogue."""
        from shopguard.i18n import text  # local import: i18n is a sibling base layer

        return text(self.message_key, lang, **self.fields)


class UsageError(ShopGuardError):
    """The command line or call was malformed."""

    exit_code = EXIT_USAGE
    default_key = "error.usage"


class ImageReadError(ShopGuardError):
    """A file could not be read as an image (missing, unreadable, corrupt, unsupported, too big)."""

    exit_code = EXIT_BAD_IMAGE
    default_key = "error.image.unreadable"


class HomeError(ShopGuardError):
    """The data home, the library database or the case store cannot be used."""

    exit_code = EXIT_HOME
    default_key = "error.home"


class CaseNotFoundError(HomeError):
    """No stored case has the given id."""

    default_key = "error.case.not_found"


class ReportError(ShopGuardError):
    """The report could not be written."""

    exit_code = EXIT_HOME
    default_key = "error.report"


class ArchiveError(ShopGuardError):
    """A case archive is not one, is unsafe (paths, size) or failed its SHA-256 verification."""

    exit_code = EXIT_BAD_ARCHIVE
    default_key = "error.archive.not_case"


class Cancelled(ShopGuardError):
    """The user cancelled a long-running task."""

    exit_code = EXIT_CANCELLED
    default_key = "error.cancelled"
