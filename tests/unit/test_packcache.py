"""The pack cache: a checked pack is reused only while nothing it came from has changed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kiosk.content import packcache
from kiosk.content.packs import load_and_check, open_pack

TINY = Path(__file__).resolve().parents[1] / "fixtures" / "packs" / "tiny"


@pytest.fixture()
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LANTERN_DATA", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture()
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "tiny"
    shutil.copytree(TINY, target)
    return target


def entries() -> list[Path]:
    return sorted(packcache.cache_dir().glob("*.pickle"))


def test_a_second_open_comes_from_the_cache_and_equals_a_fresh_load(data: Path, pack_dir: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first = open_pack(pack_dir)
    assert first.pack is not None and len(entries()) == 1
    calls: list[Path] = []
    monkeypatch.setattr("kiosk.content.packs.load_and_check", lambda root: calls.append(root))
    second = open_pack(pack_dir)
    assert calls == []  # not loaded again
    assert second == first == load_and_check(pack_dir)


def test_a_changed_file_is_loaded_again(data: Path, pack_dir: Path) -> None:
    before = open_pack(pack_dir).pack
    assert before is not None
    locale = pack_dir / "locales" / "en.yaml"
    text = locale.read_text("utf-8")
    title_key = next(k for k in before.locales["en"].strings if k.endswith(".title"))
    old_title = before.locales["en"].strings[title_key]
    locale.write_text(text.replace(old_title, "A changed title"), "utf-8")
    after = open_pack(pack_dir).pack
    assert after is not None and after.locales["en"].strings[title_key] == "A changed title"
    assert len(entries()) == 2


def test_a_new_error_is_reported_not_hidden_by_the_cache(data: Path, pack_dir: Path) -> None:
    assert open_pack(pack_dir).pack is not None
    (pack_dir / "pack.yaml").write_text((pack_dir / "pack.yaml").read_text("utf-8") + "\nbogus_key: 1\n", "utf-8")
    broken = open_pack(pack_dir)
    assert broken.pack is None and any(p.severity == "error" for p in broken.problems)
    assert len(entries()) == 1  # a pack with errors is never stored


@pytest.mark.parametrize("damage", [b"", b"\x80\x05garbage", None])
def test_a_damaged_entry_means_a_slower_start_not_a_failed_one(data: Path, pack_dir: Path,
                                                               damage: bytes | None) -> None:
    good = open_pack(pack_dir)
    (entry,) = entries()
    if damage is None:
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])  # a power cut mid-write
    else:
        entry.write_bytes(damage)
    again = open_pack(pack_dir)
    assert again == good
    assert entry.read_bytes()[:2] == b"\x80\x05" and len(entry.read_bytes()) > 1000  # written again


def test_an_unwritable_cache_still_opens_the_pack(tmp_path: Path, pack_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("LANTERN_DATA", str(blocker))
    opened = open_pack(pack_dir)
    assert opened.pack is not None and opened == open_pack(pack_dir)


def test_old_entries_are_pruned_but_the_ones_in_use_stay(data: Path, pack_dir: Path, tmp_path: Path) -> None:
    in_use = open_pack(None)  # the built-in pack, opened at every start
    assert in_use.pack is not None
    builtin_entry = entries()[0]
    for i in range(packcache.KEEP + 2):
        copy = tmp_path / f"copy{i}"
        shutil.copytree(pack_dir, copy)
        assert open_pack(copy).pack is not None
        assert open_pack(None) == in_use  # used again: marked so
    assert len(entries()) == packcache.KEEP
    assert builtin_entry in entries()


def test_the_key_follows_the_code_and_the_path_it_was_opened_by(data: Path, pack_dir: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    key = packcache.fingerprint([pack_dir])
    assert packcache.fingerprint([pack_dir], salt="other") != key
    fake_code = pack_dir.parent / "code"
    fake_code.mkdir()
    (fake_code / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(packcache, "CODE", fake_code)
    changed = packcache.fingerprint([pack_dir])
    (fake_code / "a.py").write_text("x = 22\n")  # an upgrade of the kiosk's code
    assert packcache.fingerprint([pack_dir]) != changed
    os.utime(pack_dir / "pack.yaml", ns=(1, 1))
    assert packcache.fingerprint([pack_dir]) != changed


def test_never_write_uses_entries_but_stores_none(data: Path, pack_dir: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert open_pack(pack_dir).pack is not None
    (entry,) = entries()
    used = entry.stat().st_mtime_ns
    monkeypatch.setitem(packcache._writes, "allowed", True)  # restored after the test
    packcache.never_write()
    assert open_pack(pack_dir).pack is not None
    other = tmp_path / "other"
    shutil.copytree(pack_dir, other)
    assert open_pack(other).pack is not None
    assert entries() == [entry] and entry.stat().st_mtime_ns == used  # not even marked used
