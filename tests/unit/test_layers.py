"""The house's layers (pyproject.toml, [tool.importlinter]) hold: `lint-imports` keeps every contract."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_contract_is_kept() -> None:
    lint = Path(sys.executable).parent / "lint-imports"
    command = str(lint) if lint.exists() else shutil.which("lint-imports")
    assert command, "lint-imports is not installed (import-linter, a dev dependency)"
    run = subprocess.run([command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report[report.find("Broken contracts"):] or report
    assert "0 broken" in report and " kept" in report
