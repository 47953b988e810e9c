"""Where the built-in national pack lives, installed or in a checkout."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


@lru_cache(maxsize=1)
def builtin_root() -> Path:
    """The built-in pack: inside the wheel (kiosk/_builtin) or at the top of a checkout."""
    for candidate in (_PACKAGE / "_builtin", _PACKAGE.parent):
        if (candidate / "pack.yaml").is_file() and (candidate / "flows").is_dir():
            return candidate
    raise FileNotFoundError("the built-in pack is missing: reinstall Lantern")


def samples_root() -> Path | None:
    """The sample regional packs (fictional 555 numbers): in the wheel or the checkout."""
    for candidate in (_PACKAGE / "_builtin" / "examples" / "packs", _PACKAGE.parent / "examples" / "packs"):
        if candidate.is_dir():
            return candidate
    return None


def sample_packs() -> dict[str, Path]:
    """Sample pack name -> its folder."""
    root = samples_root()
    if root is None:
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if (p / "pack.yaml").is_file()}


def language_chain(tag: str) -> list[str]:
    """es-MX -> [es-MX, es]; zh-Hant-TW -> [zh-Hant-TW, zh-Hant, zh]."""
    parts = tag.split("-")
    return ["-".join(parts[:i]) for i in range(len(parts), 0, -1)]


@lru_cache(maxsize=64)
def _builtin_ui_strings(tag: str) -> dict[str, str]:
    import yaml  # here: a start from the pack cache never parses YAML

    path = builtin_root() / "locales" / f"{tag}.yaml"
    if not path.is_file():
        return {}
    try:
        # libyaml: the pure-Python parser made this the slowest step of every start.
        data = yaml.load(path.read_text("utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    strings = data.get("strings") or {}
    return {k: str(v) for k, v in strings.items() if isinstance(k, str) and k.startswith("ui.")}


def ui_defaults(tag: str) -> dict[str, str]:
    """The kiosk's own words (ui.*) for a language, from the built-in pack."""
    merged: dict[str, str] = {}
    for candidate in reversed(language_chain(tag)):
        merged.update(_builtin_ui_strings(candidate))
    return merged
