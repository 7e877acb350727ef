"""Fixtures shared by the OCR-based check tests."""

from __future__ import annotations

import pytest

from shopguard.imaging.ocr import load_engine


@pytest.fixture(scope="session")
def ocr() -> None:
    """Load the bundled OCR models once per test session (about a second)."""
    load_engine()
