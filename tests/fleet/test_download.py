"""kiosk.net.download, the one downloader for packs, trust statements and voice models."""

from __future__ import annotations

import io
import os
import pty
from pathlib import Path

import pytest

from kiosk.net import DownloadError, Validators, download
from tests.fleet.conftest import Served

BODY = bytes(range(256)) * 4096  # 1 MiB


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_full_then_conditional(tmp_path: Path, server: tuple[str, Served]) -> None:
    base, served = server
    served.put("model.zip", BODY, "m1")
    dest = tmp_path / "model.zip"
    got = download(f"{base}/model.zip", dest, limit=len(BODY))
    assert not got.not_modified and got.size == len(BODY) and dest.read_bytes() == BODY
    assert got.validators.etag == '"m1"' and got.validators.last_modified
    again = download(f"{base}/model.zip", dest, limit=len(BODY), validators=got.validators)
    assert again.not_modified and again.size == 0 and again.validators.etag == '"m1"'
    assert [status for _n, status, _s in served.log] == [200, 304]
    # The validators survive a round trip through update.json.
    assert Validators.from_json(got.validators.to_json()) == got.validators
    assert leftovers(tmp_path) == ["model.zip"]


def test_last_modified_alone_is_enough(tmp_path: Path, server: tuple[str, Served]) -> None:
    base, served = server
    served.put("pack", b"x" * 1000, None, "Tue, 01 Dec 2026 10:00:00 GMT")
    got = download(f"{base}/pack", tmp_path / "pack", limit=1000)
    assert got.validators == Validators(None, "Tue, 01 Dec 2026 10:00:00 GMT")
    assert download(f"{base}/pack", tmp_path / "pack", limit=1000, validators=got.validators).not_modified
    served.put("pack", b"y" * 1000, None, "Wed, 02 Dec 2026 10:00:00 GMT")
    changed = download(f"{base}/pack", tmp_path / "pack", limit=1000, validators=got.validators)
    assert not changed.not_modified and (tmp_path / "pack").read_bytes() == b"y" * 1000
    assert [status for _n, status, _s in served.log] == [200, 304, 200]


def test_the_cap_and_a_cut_leave_the_old_file(tmp_path: Path, server: tuple[str, Served]) -> None:
    base, served = server
    served.put("big", BODY, "b")
    dest = tmp_path / "dest"
    dest.write_bytes(b"old")
    with pytest.raises(DownloadError, match=f"is {len(BODY)} bytes; the limit is 1000"):
        download(f"{base}/big", dest, limit=1000)
    with pytest.raises(DownloadError, match="answered 404"):
        download(f"{base}/absent", dest, limit=1000)
    with pytest.raises(DownloadError, match="not an http"):
        download("file:///etc/passwd", dest, limit=1000)
    with pytest.raises(DownloadError, match="cannot reach"):
        download("http://127.0.0.1:9/x", dest, limit=1000, timeout=2)
    assert dest.read_bytes() == b"old" and leftovers(tmp_path) == ["dest"]


def test_plain_progress_lines_when_not_a_terminal(tmp_path: Path, server: tuple[str, Served]) -> None:
    base, served = server
    served.put("model.zip", BODY, "m1")
    journal = io.StringIO()
    download(f"{base}/model.zip", tmp_path / "m", limit=len(BODY), label="downloading model.zip",
             progress=journal, interval=0)
    lines = journal.getvalue().splitlines()
    assert len(lines) >= 2 and all(line.startswith("downloading model.zip: ") for line in lines)
    assert lines[-1] == "downloading model.zip: 1.0 MB of 1.0 MB (100%), done"
    assert "\r" not in journal.getvalue()  # no bar drawing in the journal
    quiet = io.StringIO()
    download(f"{base}/model.zip", tmp_path / "m", limit=len(BODY), progress=quiet)  # shorter than the interval
    assert quiet.getvalue() == ""


def test_a_bar_on_a_terminal(tmp_path: Path, server: tuple[str, Served]) -> None:
    base, served = server
    served.put("model.zip", BODY, "m1")
    master, slave = pty.openpty()
    try:
        with open(slave, "w", closefd=False) as terminal:
            download(f"{base}/model.zip", tmp_path / "m", limit=len(BODY), label="model", progress=terminal)
            terminal.flush()
        drawn = os.read(master, 65536).decode(errors="replace")
    finally:
        os.close(master)
        os.close(slave)
    assert "model" in drawn and "\r" in drawn and "%" in drawn  # tqdm redraws one line
