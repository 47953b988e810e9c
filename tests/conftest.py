"""Shared test set-up: every test writes only under a temporary data directory."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# One data directory per run, removed at the end; prepared fonts (slow to make,
# identical every time) are kept between runs beside the venv.
if "LANTERN_DATA" not in os.environ:
    _RUN_DATA = Path(tempfile.mkdtemp(prefix="lantern-test-data-"))
    os.environ["LANTERN_DATA"] = str(_RUN_DATA)
    atexit.register(shutil.rmtree, _RUN_DATA, ignore_errors=True)
os.environ.setdefault("LANTERN_FONT_CACHE", str(ROOT / ".venv" / "font-cache"))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def kiosk_cmd() -> list[str]:
    """The `kiosk` command as a subprocess argv, using this interpreter."""
    return [sys.executable, "-m", "kiosk.cli"]
