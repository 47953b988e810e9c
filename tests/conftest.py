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

# The run's own temp folder, set before any test starts a process (Vosk worker,
# espeak-ng, the kiosk): everything the suite and its children write to "the temp
# folder" lands here, and the privacy tests scan only this, so other programs
# writing to the system's /tmp cannot make them fail.
_RUN_TMP = Path(tempfile.mkdtemp(prefix="lantern-test-tmp-"))
os.environ["TMPDIR"] = str(_RUN_TMP)
tempfile.tempdir = str(_RUN_TMP)
atexit.register(shutil.rmtree, _RUN_TMP, ignore_errors=True)

# One data directory per run, removed at the end; prepared fonts (slow to make,
# identical every time) are kept between runs beside the venv.
if "LANTERN_DATA" not in os.environ:
    _RUN_DATA = Path(tempfile.mkdtemp(prefix="lantern-test-data-"))
    os.environ["LANTERN_DATA"] = str(_RUN_DATA)
    atexit.register(shutil.rmtree, _RUN_DATA, ignore_errors=True)
# Fonts prepared by `lantern.sh` (python -m kiosk.i18n.prepare) beside the venv.
os.environ.setdefault("LANTERN_FONT_CACHE", str(Path(sys.prefix) / "share" / "lantern" / "fonts"))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def kiosk_cmd() -> list[str]:
    """The `kiosk` command as a subprocess argv, using this interpreter."""
    return [sys.executable, "-m", "kiosk.cli"]
