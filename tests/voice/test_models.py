"""`kiosk voice install-model`: zip, folder, URL; bad checksums and cut downloads change nothing."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from voice.models import ModelInstallError, folder_digest, install_model, installed_models, model_path

ROOT = Path(__file__).resolve().parents[2]


def make_model(root: Path, flavour: bytes = b"a") -> Path:
    """A folder shaped like a small Vosk model (install never loads it)."""
    for rel, size in [("am/final.mdl", 3000), ("conf/model.conf", 40), ("graph/HCLr.fst", 5000),
                      ("graph/Gr.fst", 4000), ("ivector/final.ie", 1000), ("README", 20)]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((flavour * size)[:size])
    return root


def make_zip(folder: Path, dest: Path) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, f"{folder.name}/{p.relative_to(folder).as_posix()}")
    return dest


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(base: Path) -> dict[str, str]:
    """Everything under the models folder: files with their digests, links with targets."""
    root = base / "voice" / "models"
    out = {}
    for p in sorted(root.rglob("*")) if root.exists() else []:
        rel = p.relative_to(root).as_posix()
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            out[rel] = sha(p)
    return out


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def installed(tmp_path: Path, base: Path) -> Path:
    """A first model already installed for ko."""
    z = make_zip(make_model(tmp_path / "vosk-model-small-ko-0.22"), tmp_path / "ko.zip")
    install_model(str(z), "ko", sha(z), base)
    return z


class _Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    cut: set[str] = set()

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        data = self.files.get(self.path)
        if data is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.path in self.cut:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.connection.shutdown(2)  # the connection drops halfway
            return
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"files": {}, "cut": set()})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


def test_install_from_zip(installed: Path, base: Path) -> None:
    [m] = installed_models(base)
    assert (m.lang, m.name, m.grammar, m.sha256) == ("ko", "vosk-model-small-ko-0.22", True, sha(installed))
    assert model_path("ko", base) == base / "voice" / "models" / "ko"
    assert (m.path / "am" / "final.mdl").is_file() and (m.path).is_symlink()
    assert not any((base / "voice" / "models" / ".staging").iterdir())


def test_install_from_folder_and_replace(tmp_path: Path, base: Path, installed: Path) -> None:
    folder = make_model(tmp_path / "vosk-model-small-ko-0.23", b"b")
    install_model(str(folder), "ko", folder_digest(folder), base)
    [m] = installed_models(base)
    assert m.name == "vosk-model-small-ko-0.23"
    assert (m.path / "am" / "final.mdl").read_bytes()[:1] == b"b"
    # The old version is gone from the store: one model per language on disk.
    assert len(list((base / "voice" / "models" / ".store").iterdir())) == 1


def test_install_from_url(tmp_path: Path, base: Path, server) -> None:  # noqa: ANN001
    url, handler = server
    z = make_zip(make_model(tmp_path / "vosk-model-small-es-0.42"), tmp_path / "es.zip")
    handler.files["/models/vosk-model-small-es-0.42.zip"] = z.read_bytes()
    install_model(f"{url}/models/vosk-model-small-es-0.42.zip", "es", sha(z), base)
    assert [m.lang for m in installed_models(base)] == ["es"]


def test_wrong_checksum_changes_nothing(tmp_path: Path, base: Path, installed: Path, server) -> None:  # noqa: ANN001
    before = snapshot(base)
    other = make_zip(make_model(tmp_path / "other", b"z"), tmp_path / "other.zip")
    with pytest.raises(ModelInstallError, match="checksum mismatch.*nothing was installed"):
        install_model(str(other), "ko", "0" * 64, base)
    url, handler = server
    handler.files["/m.zip"] = other.read_bytes()
    with pytest.raises(ModelInstallError, match="checksum mismatch"):
        install_model(f"{url}/m.zip", "ko", sha(installed), base)
    folder = make_model(tmp_path / "folder", b"y")
    with pytest.raises(ModelInstallError, match="checksum mismatch"):
        install_model(str(folder), "ko", "f" * 64, base)
    assert snapshot(base) == before


def test_truncated_download_changes_nothing(tmp_path: Path, base: Path, installed: Path, server) -> None:  # noqa: ANN001
    before = snapshot(base)
    url, handler = server
    z = make_zip(make_model(tmp_path / "new", b"n"), tmp_path / "new.zip")
    handler.files["/cut.zip"] = z.read_bytes()
    handler.cut.add("/cut.zip")
    with pytest.raises(ModelInstallError, match="truncated|cut off"):
        install_model(f"{url}/cut.zip", "ko", None, base)
    with pytest.raises(ModelInstallError, match="404"):
        install_model(f"{url}/missing.zip", "ko", None, base)
    assert snapshot(base) == before


def test_bad_archives_change_nothing(tmp_path: Path, base: Path, installed: Path) -> None:
    before = snapshot(base)
    z = make_zip(make_model(tmp_path / "m"), tmp_path / "m.zip")
    half = tmp_path / "half.zip"
    half.write_bytes(z.read_bytes()[: len(z.read_bytes()) // 2])
    with pytest.raises(ModelInstallError, match="not a valid zip"):
        install_model(str(half), "ko", None, base)
    notmodel = tmp_path / "notmodel"
    (notmodel / "docs").mkdir(parents=True)
    (notmodel / "docs" / "readme.txt").write_text("hi")
    with pytest.raises(ModelInstallError, match="not a Vosk model"):
        install_model(str(make_zip(notmodel, tmp_path / "nm.zip")), "ko", None, base)
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../../escape.txt", "x")
    with pytest.raises(ModelInstallError, match="unsafe path"):
        install_model(str(evil), "ko", None, base)
    with pytest.raises(ModelInstallError, match="no such file"):
        install_model(str(tmp_path / "nothing.zip"), "ko", None, base)
    assert snapshot(base) == before
    assert not (tmp_path / "escape.txt").exists()


def kiosk(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LANTERN_DATA=str(data))
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True,
                          text=True, timeout=60, cwd=ROOT, env=env)


def test_cli_install_and_list(tmp_path: Path, base: Path) -> None:
    r = kiosk("voice", "models", data=base)
    assert r.returncode == 0 and "no voice models installed" in r.stdout
    z = make_zip(make_model(tmp_path / "vosk-model-small-fr-0.22"), tmp_path / "fr.zip")
    r = kiosk("voice", "install-model", str(z), "--lang", "fr", "--sha256", sha(z), data=base)
    assert r.returncode == 0, r.stderr
    assert "installed vosk-model-small-fr-0.22 for fr" in r.stdout
    r = kiosk("voice", "install-model", str(z), "--lang", "fr", "--sha256", "1" * 64, data=base)
    assert r.returncode == 1 and r.stderr.startswith("kiosk: checksum mismatch")
    assert "Traceback" not in r.stderr
    r = kiosk("voice", "models", data=base)
    line = [l for l in r.stdout.splitlines() if l.startswith("fr ")]
    assert line and "vosk-model-small-fr-0.22" in line[0] and "runtime grammar" in line[0]
    meta = json.loads((base / "voice" / "models" / "fr" / "lantern-model.json").read_text())
    assert meta["sha256"] == sha(z) and len(meta["installed"]) == 10  # a day, no time
