"""Which icon names a pack may use: the built-in set, plus PNGs the pack ships."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kiosk.content.builtin import builtin_root


@lru_cache(maxsize=1)
def builtin_icons() -> dict[str, int]:
    """Icon name -> codepoint in the bundled icon font."""
    from kiosk.content.packcache import cached

    # From the pack cache: the kiosk's first screen needs icons, and importing a YAML
    # parser for this one file was a noticeable part of start-up.
    folder = builtin_root() / "assets" / "icons"
    return cached([folder], lambda: _read_icons(folder / "icons.yaml"), keep=lambda _map: True,
                  kind="icons")


def _read_icons(path: Path) -> dict[str, int]:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ten times the pure-Python parser
    data = yaml.load(path.read_text("utf-8"), Loader=loader)
    return {name: int(spec["codepoint"][2:], 16) for name, spec in data["icons"].items()}


def icon_font_path() -> Path:
    return builtin_root() / "assets" / "fonts" / "MaterialIcons-Regular.ttf"


def pack_icon_path(name: str, pack_root: Path) -> Path | None:
    path = pack_root / "assets" / "icons" / f"{name}.png"
    return path if path.is_file() else None


def icon_exists(name: str, pack_root: Path) -> bool:
    return name in builtin_icons() or pack_icon_path(name, pack_root) is not None
