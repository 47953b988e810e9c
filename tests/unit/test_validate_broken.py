"""`kiosk validate` against packs with exactly one fault each.

Every folder under tests/fixtures/broken/ is a copy of tests/fixtures/packs/tiny
with one thing wrong, plus an `expect.yaml`:

    fault: what is wrong (for people)
    exit: 1                  # 0 when the pack only has warnings
    generate:                # optional: a file the test writes into a temporary
      file: flows/big.yaml   # copy first (so that no 1 MiB file sits in git)
      bytes: 1048577
    problems:                # every problem the validator must print, and no others
      - file: yaml-syntax/flows/main.yaml   # as printed: relative to the fixture's parent
        line: 6
        col: 5               # optional
        severity: error
        message: YAML syntax # a substring of the message

The listed problems are exhaustive on purpose: a fault that drags a screenful of
follow-on errors with it is a validator bug too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kiosk.content.problems import has_errors
from kiosk.content.validate import validate_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BROKEN = FIXTURES / "broken"
TINY = FIXTURES / "packs" / "tiny"
LINE_RE = re.compile(r"^[^:]+:\d+:\d+: (error|warning): .+$")
# The fixtures' contacts were verified on 2026-11-01. The CLI checks against the real
# clock, which one day makes them stale (a warning); the in-process tests pin the day.
TODAY = dt.date(2026, 11, 22)
STALE = "more than a year ago; check it again"


@dataclass(frozen=True)
class Expected:
    file: str
    line: int
    severity: str
    message: str
    col: int | None = None

    def matches(self, printed: str) -> bool:
        where = f"{self.file}:{self.line}:" + (f"{self.col}:" if self.col is not None else "")
        return printed.startswith(where) and f": {self.severity}: " in printed \
            and self.message in printed.split(f": {self.severity}: ", 1)[1]

    def __str__(self) -> str:
        col = self.col if self.col is not None else "*"
        return f"{self.file}:{self.line}:{col}: {self.severity}: ...{self.message}..."


@dataclass(frozen=True)
class Case:
    name: str
    exit: int
    problems: tuple[Expected, ...]
    generate: dict | None


def _load_case(folder: Path) -> Case:
    doc = yaml.safe_load((folder / "expect.yaml").read_text("utf-8"))
    return Case(folder.name, doc["exit"], tuple(Expected(**p) for p in doc["problems"]),
                doc.get("generate"))


FOLDERS = sorted(p for p in BROKEN.iterdir() if p.is_dir())
CASES = [_load_case(p) for p in FOLDERS]


def tree_digest(root: Path) -> dict[str, str]:
    """Every file and folder under `root`, with a hash of each file's bytes."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        out[rel] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
    return out


def pack_for(case: Case, tmp_path: Path) -> Path:
    """The fixture itself, or a temporary copy with the generated file written in."""
    folder = BROKEN / case.name
    if not case.generate:
        return folder
    copy = tmp_path / case.name
    shutil.copytree(folder, copy)
    (copy / case.generate["file"]).write_bytes(b"#" * case.generate["bytes"])
    return copy


def check_output(case: Case, lines: list[str], tolerate_stale: bool) -> None:
    for line in lines:
        assert LINE_RE.match(line), f"not FILE:LINE:COL: severity: MESSAGE: {line!r}"
    for expected in case.problems:
        assert any(expected.matches(line) for line in lines), \
            f"{case.name}: expected {expected}\nprinted:\n" + "\n".join(lines)
    for line in lines:
        if tolerate_stale and STALE in line:
            continue
        assert any(e.matches(line) for e in case.problems), \
            f"{case.name}: unexpected problem: {line}"


def test_there_are_enough_faults() -> None:
    assert len(CASES) >= 30
    assert {"yaml-syntax", "yaml-bomb", "oversized", "fictional-not-sample"} <= {c.name for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_reports_the_fault(case: Case, tmp_path: Path) -> None:
    pack = pack_for(case, tmp_path)
    before = tree_digest(pack)
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", str(pack)],
                          capture_output=True, text=True, timeout=60)
    assert "Traceback" not in proc.stderr
    assert "unexpected problem" not in proc.stderr
    assert proc.returncode == case.exit, proc.stdout + proc.stderr
    check_output(case, proc.stdout.splitlines(), tolerate_stale=True)
    if case.exit == 0:
        assert "pack is valid" in proc.stderr
    assert tree_digest(pack) == before, "validate changed the pack on disk"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_validate_path_reports_the_fault(case: Case, tmp_path: Path) -> None:
    pack = pack_for(case, tmp_path)
    before = tree_digest(pack)
    problems = validate_path(pack, today=TODAY)
    check_output(case, [p.format() for p in problems], tolerate_stale=False)
    assert has_errors(problems) == (case.exit == 1)
    assert tree_digest(pack) == before


def test_relative_path_prints_the_same_files(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "bad-mode")
    absolute = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", str(BROKEN / case.name)],
                              capture_output=True, text=True, timeout=60)
    relative = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", case.name],
                              capture_output=True, text=True, timeout=60, cwd=BROKEN)
    assert relative.returncode == absolute.returncode == 1, absolute.stderr + relative.stderr
    assert relative.stdout == absolute.stdout
    assert relative.stdout.startswith("bad-mode/pack.yaml:8:7: error: ")


def test_valid_pack_prints_no_problem_lines() -> None:
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", str(TINY)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout
    assert [line for line in proc.stdout.splitlines() if STALE not in line] == []
    assert "pack is valid" in proc.stderr
    quiet = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", "-q", str(TINY)],
                           capture_output=True, text=True, timeout=60)
    assert quiet.returncode == 0 and quiet.stderr == ""


@pytest.mark.parametrize("make", ["missing", "file"])
def test_path_that_is_not_a_pack_folder(make: str, tmp_path: Path) -> None:
    target = tmp_path / "nowhere"
    if make == "file":
        target.write_text("id: tiny\n", "utf-8")
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", str(target)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1 and LINE_RE.match(lines[0]), proc.stdout
    assert "not a folder" in lines[0]


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    pack = tmp_path / "tiny"
    shutil.copytree(TINY, pack)
    # A folder where a file should be: unreadable even for root, unlike chmod 000.
    (pack / "contacts.yaml").unlink()
    (pack / "contacts.yaml").mkdir()
    lines = [p.format() for p in validate_path(pack, today=TODAY)]
    assert lines and all(LINE_RE.match(line) for line in lines)
    assert any(line.startswith("tiny/contacts.yaml:1:1: error: cannot read file") for line in lines), lines


def test_validate_imports_nothing_heavy() -> None:
    code = ("import sys; from kiosk.cli import main; main(['validate', '-q', sys.argv[1]]); "
            "print(sorted(m for m in ('kivy', 'vosk', 'sounddevice', 'numpy', 'pyttsx3') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code, str(TINY)], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
