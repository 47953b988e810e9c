"""Signed packs for tests: the tiny fixture pack at any version, signed with any key."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from kiosk.content.archive import write_archive
from kiosk.content.overlay import load_any
from kiosk.content.signing import read_secret_key

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "packs" / "tiny"


def build_tiny(tmp: Path, key: Path, version: int, name: str | None = None) -> bytes:
    """The tiny fixture pack at `version`, signed with `key`: the file's bytes."""
    src = tmp / f"src-{name or version}-{key.stem}"
    shutil.copytree(TINY, src)
    manifest = src / "pack.yaml"
    manifest.write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", manifest.read_text()))
    pack = load_any(src).pack
    assert pack is not None
    out = tmp / f"{src.name}.lantern"
    write_archive(src, out, pack.manifest, read_secret_key(key), dt.date.today(), None)
    return out.read_bytes()
