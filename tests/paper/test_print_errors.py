"""Bad input to `kiosk print`: one line on stderr, exit 1, and no file (not even half a one)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paper import reader

pytest.importorskip("weasyprint")


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kiosk: ") and "Traceback" not in done.stderr
    assert done.stdout == ""
    return lines[0]


def left_behind(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in ("data", "tmp"))


@pytest.mark.parametrize("what", ["notice", "card"])
def test_unknown_language(tmp_path: Path, what: str) -> None:
    out = tmp_path / "x.pdf"
    line = one_line_error(reader.kiosk(tmp_path, "print", what, "--lang", "en,xx", "--out", str(out)))
    assert "unknown language 'xx'" in line and "es" in line  # says which languages there are
    assert left_behind(tmp_path) == []


def test_pack_that_does_not_validate(tmp_path: Path, fixtures: Path) -> None:
    broken = fixtures / "broken" / "invalid-phone"
    line = one_line_error(reader.kiosk(tmp_path, "print", "notice", "--pack", str(broken), "--lang", "en",
                                       "--out", str(tmp_path / "x.pdf")))
    assert "does not validate" in line and "contacts.yaml:" in line
    assert left_behind(tmp_path) == []


def test_folder_that_is_not_a_pack(tmp_path: Path) -> None:
    line = one_line_error(reader.kiosk(tmp_path, "print", "card", "--pack", str(tmp_path / "tmp"),
                                       "--out", str(tmp_path / "x.pdf")))
    assert "no pack here" in line


@pytest.mark.parametrize("size", ["legal", "A5", "card"])
def test_size_that_does_not_exist(tmp_path: Path, size: str) -> None:
    line = one_line_error(reader.kiosk(tmp_path, "print", "notice", "--lang", "en", "--size", size,
                                       "--out", str(tmp_path / "x.pdf")))
    assert f"unknown size '{size.lower()}'" in line and "letter, a4, tabloid" in line
    assert left_behind(tmp_path) == []


def test_review_size_that_does_not_exist(tmp_path: Path) -> None:
    line = one_line_error(reader.kiosk(tmp_path, "print", "review", "--size", "tabloid",
                                       "--out", str(tmp_path / "x.pdf")))
    assert "unknown size 'tabloid'" in line


def test_output_folder_missing(tmp_path: Path) -> None:
    line = one_line_error(reader.kiosk(tmp_path, "print", "card", "--out", str(tmp_path / "nope" / "x.pdf")))
    assert "no such folder" in line
    assert not (tmp_path / "nope").exists()


def test_output_folder_not_writable(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        folder = Path("/proc")  # root may write anywhere else; nobody can create a file here
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    try:
        line = one_line_error(reader.kiosk(tmp_path, "print", "notice", "--lang", "en,es",
                                           "--out", str(folder / "x.pdf")))
    finally:
        if folder != Path("/proc"):
            folder.chmod(0o700)
    assert "not writable" in line
    assert not (folder / "x.pdf").exists()
    if folder != Path("/proc"):
        assert list(folder.iterdir()) == []


def test_output_not_a_pdf(tmp_path: Path) -> None:
    line = one_line_error(reader.kiosk(tmp_path, "print", "card", "--out", str(tmp_path / "card.png")))
    assert ".pdf" in line


def test_a_failed_run_leaves_the_old_file_alone(tmp_path: Path) -> None:
    out = tmp_path / "notice.pdf"
    done = reader.kiosk(tmp_path, "print", "notice", "--lang", "en,es", "--out", str(out))
    assert done.returncode == 0, done.stderr
    before = out.read_bytes()
    one_line_error(reader.kiosk(tmp_path, "print", "notice", "--lang", "en,zz", "--out", str(out)))
    assert out.read_bytes() == before
    assert left_behind(tmp_path) == ["notice.pdf"]  # no temp file beside it


def test_help_stays_light(tmp_path: Path) -> None:
    """`kiosk --help` and `kiosk print --help` load neither WeasyPrint nor Kivy."""
    code = ("import sys\nfrom kiosk.cli import main\n"
            "for argv in (['--help'], ['print', '--help'], ['print', 'notice', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
            "heavy = [m for m in ('weasyprint', 'kivy', 'segno', 'vosk', 'sounddevice') if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=reader.ROOT,
                          env={**os.environ, "LANTERN_DATA": str(tmp_path)}, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout
    assert "print" in done.stdout and "notice" in done.stdout


def test_without_weasyprint_says_which_extra(tmp_path: Path) -> None:
    """With WeasyPrint missing, the kiosk's one line naming the `print` extra, exit 3, no file."""
    done = reader.kiosk_without("weasyprint", tmp_path, "print", "card", "--out", str(tmp_path / "c.pdf"))
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "'print' extra" in lines[0], done.stderr
    assert not (tmp_path / "c.pdf").exists()
