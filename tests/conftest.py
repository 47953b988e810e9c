"""Shared test set-up: every test writes only under a temporary data directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# Font extraction and Kivy's home are costly to redo per test: one per run.
_RUN_DATA = Path(os.environ.setdefault("LANTERN_DATA", str(Path(
    __import__("tempfile").mkdtemp(prefix="lantern-test-data-")))))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def kiosk_cmd() -> list[str]:
    """The `kiosk` command as a subprocess argv, using this interpreter."""
    return [sys.executable, "-m", "kiosk.cli"]
