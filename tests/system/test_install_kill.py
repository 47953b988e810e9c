"""Kill `kiosk pack install` with SIGKILL at random moments: the device must always start
with the old pack or the new one, complete and valid, never with neither."""

from __future__ import annotations

import datetime as dt
import os
import random
import re
import shutil
import signal
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk.content.archive import write_archive
from kiosk.content.install import choose_start_pack, install_file, packs_dir
from kiosk.content.overlay import load_any
from kiosk.content.signing import generate_keypair, read_secret_key, trust_key

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "fixtures" / "packs" / "tiny"
KILLS = 50


def test_install_killed_at_random_points_never_leaves_the_device_without_a_pack(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kiosk_cmd: list[str]) -> None:
    data = tmp_path / "device"
    monkeypatch.setenv("LANTERN_DATA", str(data))
    env = {**os.environ, "LANTERN_DATA": str(data)}
    secret_path, public_path = generate_keypair(str(tmp_path / "facility"))
    trust_key(public_path)
    secret = read_secret_key(secret_path)

    src = tmp_path / "tiny"
    shutil.copytree(TINY, src)
    base = load_any(src).pack
    assert base is not None
    pack_text = (src / "pack.yaml").read_text()

    def pack_file(version: int) -> Path:
        (src / "pack.yaml").write_text(re.sub(r"(?m)^version: .*$", f"version: {version}", pack_text))
        out = tmp_path / "files" / f"v{version}.lantern"
        out.parent.mkdir(exist_ok=True)
        write_archive(src, out, replace(base.manifest, version=version), secret, dt.date.today(), None)
        return out

    install_file(pack_file(1))
    # How long an install takes here, uncut: the kills are spread over that time.
    started = time.monotonic()
    subprocess.run([*kiosk_cmd, "pack", "install", str(pack_file(2))], env=env, check=True,
                   capture_output=True)
    full = time.monotonic() - started

    seed = int(os.environ.get("LANTERN_KILL_SEED", random.randrange(10**6)))
    rng = random.Random(seed)
    good = 2
    outcomes = {"old": 0, "new": 0}
    for attempt in range(KILLS):
        version = 3 + attempt
        path = pack_file(version)
        # Most kills land after Python has started, where the install does its work.
        delay = rng.uniform(0, 0.3 * full) if rng.random() < 0.2 else rng.uniform(0.3 * full, 1.1 * full)
        proc = subprocess.Popen([*kiosk_cmd, "pack", "install", str(path)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        choice = choose_start_pack()
        context = f"seed {seed}, attempt {attempt}, killed after {delay:.3f}s of ~{full:.3f}s"
        assert choice.path is not None and choice.installed is not None, (context, choice.warnings)
        assert choice.warnings == [], (context, choice.warnings)
        assert choice.pack is not None and choice.pack.manifest.id == "tiny", context
        running = choice.installed.manifest.version
        assert running in (good, version), (context, running)
        assert choice.pack.manifest.version == running, context
        outcomes["new" if running == version else "old"] += 1
        good = running
    leftovers = [p.name for p in packs_dir().iterdir() if p.name.startswith(".staging")]
    install_file(pack_file(3 + KILLS))  # the next install clears what killed ones left behind
    assert not [p for p in packs_dir().iterdir() if p.name.startswith(".staging")]
    slots = [p for p in packs_dir().iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    assert len(slots) <= 2
    print(f"\nkill test: seed {seed}, full install {full:.2f}s, outcomes {outcomes}, "
          f"staging folders left by kills before clean-up: {len(leftovers)}")
