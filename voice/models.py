"""Installing and listing Vosk models: data_dir()/voice/models/<lang>.

An install unpacks into a staging folder inside the data directory, checks the
result is a model, and only then swaps it in with one atomic rename of a
symlink: models/<lang> -> .store/<lang>-<digest>. A wrong checksum, a truncated
download or a bad archive changes nothing that was installed before.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kiosk.system.paths import data_dir
from voice.asr import looks_like_model, supports_grammar

META_FILE = "lantern-model.json"
CHUNK = 1 << 20
MAX_UNPACKED_BYTES = 8 << 30  # the largest Vosk models unpack to a few GB
DOWNLOAD_TIMEOUT = 60
MAX_DOWNLOAD_BYTES = 4 << 30  # the largest Vosk models are about 1.8 GB zipped


class ModelInstallError(Exception):
    """Nothing was installed; the message says why."""


@dataclass(frozen=True)
class InstalledModel:
    lang: str
    name: str
    path: Path
    size_mb: float
    grammar: bool
    sha256: str


def models_dir(base: Path | None = None) -> Path:
    return (base or data_dir()) / "voice" / "models"


def model_path(lang: str, base: Path | None = None) -> Path | None:
    """The installed model folder for `lang`, or None."""
    path = models_dir(base) / lang
    return path if path.is_dir() and looks_like_model(path) is None else None


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def folder_digest(root: Path) -> str:
    """SHA-256 of a folder: over each file's relative path and SHA-256, sorted.
    (Independent of timestamps and of how the folder was copied.)"""
    outer = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        inner = hashlib.sha256()
        with path.open("rb") as fh:
            while block := fh.read(CHUNK):
                inner.update(block)
        outer.update(f"{path.relative_to(root).as_posix()}\0{inner.hexdigest()}\n".encode())
    return outer.hexdigest()


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            h.update(block)
    return h.hexdigest()


def _check_digest(expected: str | None, actual: str, what: str) -> None:
    if expected is None:
        return
    want = expected.strip().lower()
    if len(want) != 64 or any(c not in "0123456789abcdef" for c in want):
        raise ModelInstallError(f"--sha256 must be 64 hex digits, not {expected!r}")
    if want != actual:
        raise ModelInstallError(f"checksum mismatch for {what}: expected {want}, got {actual}; "
                                "nothing was installed")


def _download(url: str, dest: Path) -> None:
    """Through Lantern's one downloader (kiosk.net): size cap, atomic write, progress on stderr
    (a bar on a terminal, a line every half minute in the journal)."""
    from kiosk.net import DownloadError, default_progress, download
    try:
        download(url, dest, limit=MAX_DOWNLOAD_BYTES, timeout=DOWNLOAD_TIMEOUT,
                 label=f"downloading {url.rsplit('/', 1)[-1]}", progress=default_progress())
    except DownloadError as exc:
        raise ModelInstallError(f"download failed or was cut off: {exc}; nothing was installed") from None


def _unzip(archive: Path, dest: Path) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            total = 0
            for info in zf.infolist():
                name = info.filename
                target = (dest / name).resolve()
                if not target.is_relative_to(dest.resolve()) or name.startswith("/"):
                    raise ModelInstallError(f"{archive.name}: unsafe path in archive: {name!r}")
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise ModelInstallError(f"{archive.name}: archive holds a symlink ({name!r})")
                total += info.file_size
                if total > MAX_UNPACKED_BYTES:
                    raise ModelInstallError(f"{archive.name}: unpacks to more than "
                                            f"{MAX_UNPACKED_BYTES >> 30} GB")
            bad = zf.testzip()
            if bad is not None:
                raise ModelInstallError(f"{archive.name}: damaged archive (bad data in {bad})")
            zf.extractall(dest)
    except zipfile.BadZipFile as exc:
        raise ModelInstallError(f"{archive.name}: not a valid zip archive ({exc}); "
                                "a truncated download?") from None
    except (OSError, EOFError) as exc:
        raise ModelInstallError(f"{archive.name}: cannot unpack ({exc})") from None


def _find_model_root(folder: Path) -> Path:
    """Archives usually hold one top folder (vosk-model-small-ko-0.22/)."""
    if looks_like_model(folder) is None:
        return folder
    for child in sorted(folder.iterdir()):
        if child.is_dir() and looks_like_model(child) is None:
            return child
    raise ModelInstallError(looks_like_model(folder) or "not a Vosk model")


def clean_staging(base: Path | None = None) -> None:
    """Leftovers of an install cut short (power loss) are removed."""
    store = models_dir(base) / ".staging"
    if store.is_dir():
        for child in store.iterdir():
            shutil.rmtree(child, ignore_errors=True)


def install_model(source: str, lang: str, sha256: str | None = None,
                  base: Path | None = None) -> InstalledModel:
    root = models_dir(base)
    staging_root = root / ".staging"
    store = root / ".store"
    staging_root.mkdir(parents=True, exist_ok=True)
    store.mkdir(parents=True, exist_ok=True)
    clean_staging(base)
    work = Path(tempfile.mkdtemp(prefix=f"{lang}-", dir=staging_root))
    try:
        unpacked = work / "unpacked"
        if source.startswith(("http://", "https://")):
            archive = work / "download.zip"
            _download(source, archive)
            digest = _file_digest(archive)
            _check_digest(sha256, digest, source)
            unpacked.mkdir()
            _unzip(archive, unpacked)
            archive.unlink()
            name = Path(source.split("?", 1)[0]).stem
        else:
            src = Path(source)
            if src.is_dir():
                digest = folder_digest(src)
                _check_digest(sha256, digest, str(src))
                problem = looks_like_model(_find_model_root(src))
                if problem:
                    raise ModelInstallError(problem)
                shutil.copytree(src, unpacked, symlinks=False)
                name = src.resolve().name
            elif src.is_file():
                digest = _file_digest(src)
                _check_digest(sha256, digest, str(src))
                unpacked.mkdir()
                _unzip(src, unpacked)
                name = src.stem
            else:
                raise ModelInstallError(f"{source}: no such file, folder or URL")
        model_root = _find_model_root(unpacked)
        if model_root != unpacked:
            name = model_root.name
        (model_root / META_FILE).write_text(json.dumps({
            "lang": lang, "name": name, "sha256": digest, "installed": date.today().isoformat(),
        }), "utf-8")
        final = store / f"{lang}-{digest[:16]}"
        if final.exists():
            shutil.rmtree(final)
        os.rename(model_root, final)
        _swap_link(root / lang, final)
    except ModelInstallError:
        raise
    except OSError as exc:
        raise ModelInstallError(f"cannot install the model: {exc}; nothing was installed") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _prune_store(root)
    return _describe(root / lang, lang)


def _swap_link(link: Path, target: Path) -> None:
    """Point models/<lang> at `target` in one atomic rename."""
    if link.exists() and not link.is_symlink():
        # A folder put there by hand: move it into the store first.
        aside = link.parent / ".store" / f"{link.name}-manual"
        if aside.exists():
            shutil.rmtree(aside)
        os.rename(link, aside)
    tmp = link.parent / f".{link.name}.link-new"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)


def _prune_store(root: Path) -> None:
    """Store entries no language points at any more."""
    store = root / ".store"
    live = {(root / p.name).resolve() for p in root.iterdir() if p.is_symlink()}
    for entry in store.iterdir():
        if entry.resolve() not in live:
            shutil.rmtree(entry, ignore_errors=True)


def _describe(path: Path, lang: str) -> InstalledModel:
    meta: dict[str, str] = {}
    try:
        meta = json.loads((path / META_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        pass
    return InstalledModel(lang, str(meta.get("name") or path.resolve().name), path,
                          _folder_size(path.resolve()) / 1e6, supports_grammar(path),
                          str(meta.get("sha256") or ""))


def installed_models(base: Path | None = None) -> list[InstalledModel]:
    root = models_dir(base)
    if not root.is_dir():
        return []
    out = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or not entry.is_dir():
            continue
        if looks_like_model(entry) is None:
            out.append(_describe(entry, entry.name))
    return out
