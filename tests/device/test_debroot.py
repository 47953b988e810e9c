"""The device tests' helpers that need no root: finding apt's mirror, reading ELF headers, the lock."""

from __future__ import annotations

import sys
from pathlib import Path

from debroot import EM_AARCH64, EM_X86_64, elf_machine, mirror_from

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "packaging"))
from lockfile import parse_lock  # noqa: E402


def test_mirror_from_deb822_and_one_line_sources() -> None:
    deb822 = ("Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\n\n"
              "Types: deb deb-src\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n"
              "Components: main\n")
    assert mirror_from({"debian.sources": deb822}) == "http://mirror.example/debian"
    one_line = "# comment\ndeb [arch=amd64] http://ftp.example/debian bookworm main\n"
    assert mirror_from({"sources.list": one_line}) == "http://ftp.example/debian"
    assert mirror_from({"sources.list": "deb http://x/debian trixie main\n"}) is None
    disabled = "Types: deb\nURIs: http://off/debian\nSuites: bookworm\nEnabled: no\n"
    assert mirror_from({"a.sources": disabled}) is None


def test_elf_machine_of_this_python_and_of_non_elf(tmp_path: Path) -> None:
    assert elf_machine(Path("/usr/bin/python3").resolve()) in (EM_X86_64, EM_AARCH64)
    text = tmp_path / "x.so"
    text.write_text("INPUT(libc.so.6)\n")  # a linker script named .so
    assert elf_machine(text) is None


def test_lock_entries_keep_hashes_and_markers() -> None:
    text = ("# header\nfoo-Bar==1.2 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via x\n"
            "colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:cc\n")
    entries = parse_lock(text)
    assert [(e.name, e.version) for e in entries] == [("foo-bar", "1.2"), ("colorama", "0.4.6")]
    assert entries[0].text.count("--hash") == 2 and "win32" in entries[1].text
    real = parse_lock((Path(__file__).resolve().parents[2] / "requirements" / "device.txt").read_text())
    assert any(e.name == "kivy" for e in real)
