"""Fifty devices polling one update server on 127.0.0.1, as lantern-pack-update.timer does.

Each device is its own data directory; one in-process HTTP server counts every
request and every byte it serves. A new signed pack reaches all of them, a
tampered or an older one reaches none, and an unchanged pack costs each device
one conditional request answered "304 Not Modified" with no body.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from kiosk.content.archive import PackRefused
from kiosk.content.install import CURRENT, linked
from kiosk.content.signing import trust_key
from kiosk.content.update import last_update, update_from
from tests.fleet.conftest import Served, build_tiny

DEVICES = 50


def tampered(pack: bytes) -> bytes:
    """The same signed pack with one file's content changed after signing (a swapped number)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pack)) as zin, zipfile.ZipFile(out, "w") as zout:
        changed = False
        for info in zin.infolist():
            data = zin.read(info)
            if not changed and info.filename.startswith("pack/") and info.filename.endswith(".yaml"):
                data = data + b"\n# 555-0199\n"
                changed = True
            zout.writestr(info, data)
    assert changed
    return out.getvalue()


def poll_all(devices: list[Path], url: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Every device runs one update check; how many ended which way."""
    outcomes: dict[str, int] = {}
    for data in devices:
        monkeypatch.setenv("LANTERN_DATA", str(data))
        try:
            result = update_from(url)
            outcome = result.status
        except PackRefused:
            outcome = "refused"
        last = last_update(data)
        assert last is not None
        key = f"{outcome}/{last.result}"
        outcomes[key] = outcomes.get(key, 0) + 1
    return outcomes


def versions(devices: list[Path], monkeypatch: pytest.MonkeyPatch) -> set[int]:
    found = set()
    for data in devices:
        monkeypatch.setenv("LANTERN_DATA", str(data))
        current = linked(CURRENT)
        assert current is not None
        found.add(current.manifest.version)
    return found


def statuses(served: Served) -> dict[int, int]:
    counts: dict[int, int] = {}
    for _name, status, _size in served.log:
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_fifty_devices_one_server(tmp_path: Path, keys: dict[str, Path], server: tuple[str, Served],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    base, served = server
    url = f"{base}/region.lantern"
    devices = [tmp_path / f"device-{i:02d}" for i in range(DEVICES)]
    for data in devices:
        monkeypatch.setenv("LANTERN_DATA", str(data))
        trust_key(keys["A"].with_suffix(".pub"))
    packs = tmp_path / "packs"
    packs.mkdir()
    v2, v3, v1 = (build_tiny(packs, keys["A"], v) for v in (2, 3, 1))

    # A first pack reaches every device: one full download each.
    served.put("region.lantern", v2, "v2")
    assert poll_all(devices, url, monkeypatch) == {"installed/installed": DEVICES}
    assert versions(devices, monkeypatch) == {2}
    assert statuses(served) == {200: DEVICES}
    assert sum(size for _n, _s, size in served.log) == DEVICES * len(v2)
    full_bytes = served.bytes_served()

    # Unchanged: each device asks once, conditionally, and gets a bodiless 304.
    served.reset_log()
    assert poll_all(devices, url, monkeypatch) == {"unchanged/not-modified": DEVICES}
    assert statuses(served) == {304: DEVICES}
    assert sum(size for _n, _s, size in served.log) == 0
    unchanged_bytes = served.bytes_served()
    assert 0 < unchanged_bytes < DEVICES * 300  # status line and a few headers each
    print(f"\n{DEVICES} devices, pack of {len(v2)} bytes: a full round served {full_bytes} bytes, "
          f"an unchanged round {unchanged_bytes} bytes in {len(served.log)} answers of 304")

    # Tampered after signing: every device downloads it and refuses it; all keep version 2.
    served.reset_log()
    served.put("region.lantern", tampered(v3), "v3-tampered")
    assert poll_all(devices, url, monkeypatch) == {"refused/refused": DEVICES}
    assert versions(devices, monkeypatch) == {2}
    # A refused download is not remembered: the next check downloads again rather than trusting it.
    served.reset_log()
    assert poll_all(devices, url, monkeypatch) == {"refused/refused": DEVICES}
    assert statuses(served) == {200: DEVICES}

    # Signed, but older than what the devices run (a replay): refused everywhere.
    served.put("region.lantern", v1, "v1")
    assert poll_all(devices, url, monkeypatch) == {"refused/refused": DEVICES}
    assert versions(devices, monkeypatch) == {2}

    # A signed outsider's pack: refused everywhere.
    served.put("region.lantern", build_tiny(packs, keys["X"], 4), "x4")
    assert poll_all(devices, url, monkeypatch) == {"refused/refused": DEVICES}

    # A new signed pack reaches all fifty, one full download each.
    served.reset_log()
    served.put("region.lantern", v3, "v3")
    assert poll_all(devices, url, monkeypatch) == {"installed/installed": DEVICES}
    assert versions(devices, monkeypatch) == {3}
    assert statuses(served) == {200: DEVICES}

    # And then costs one small conditional request each again.
    served.reset_log()
    assert poll_all(devices, url, monkeypatch) == {"unchanged/not-modified": DEVICES}
    assert statuses(served) == {304: DEVICES}


def device_with_pack_from_url(tmp_path: Path, keys: dict[str, Path], server: tuple[str, Served],
                              monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """One device (its data directory) that trusts key A and installed version 2 from the
    server's a.lantern; also the folder where the test builds packs."""
    base, served = server
    data = tmp_path / "device"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    trust_key(keys["A"].with_suffix(".pub"))
    packs = tmp_path / "packs"
    packs.mkdir()
    served.put("a.lantern", build_tiny(packs, keys["A"], 2), "a2")
    assert update_from(f"{base}/a.lantern").status == "installed"
    return data, packs


def test_validators_are_forgotten_when_the_installed_pack_changes(
        tmp_path: Path, keys: dict[str, Path], server: tuple[str, Served], monkeypatch: pytest.MonkeyPatch) -> None:
    """A device whose pack was replaced by hand must not be told "not modified" about the URL's pack."""
    base, served = server
    _, packs = device_with_pack_from_url(tmp_path, keys, server, monkeypatch)
    from kiosk.content.install import install_file
    local = packs / "by-hand.lantern"
    local.write_bytes(build_tiny(packs, keys["A"], 5, name="hand"))
    assert install_file(local).status == "installed"
    served.reset_log()
    with pytest.raises(PackRefused, match="not newer"):
        update_from(f"{base}/a.lantern")
    assert statuses(served) == {200: 1}  # asked unconditionally: the validators belonged to version 2


def test_a_damaged_update_state_costs_a_full_download_not_a_crash(
        tmp_path: Path, keys: dict[str, Path], server: tuple[str, Served], monkeypatch: pytest.MonkeyPatch) -> None:
    base, served = server
    data, _ = device_with_pack_from_url(tmp_path, keys, server, monkeypatch)
    (data / "update.json").write_text('{"validators": ["not", "a", "table"], "trust_validators": 7}')
    served.reset_log()
    assert update_from(f"{base}/a.lantern").status == "unchanged"  # the same pack, downloaded again
    assert statuses(served) == {200: 1}
    assert update_from(f"{base}/a.lantern", trust_url=f"{base}/none.json").status == "unchanged"
