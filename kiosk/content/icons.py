"""Which icon names a pack may use: the built-in set, plus PNGs the pack ships."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from kiosk.content.builtin import builtin_root


@lru_cache(maxsize=1)
def builtin_icons() -> dict[str, int]:
    """Icon name -> codepoint in the bundled icon font."""
    data = yaml.safe_load((builtin_root() / "assets" / "icons" / "icons.yaml").read_text("utf-8"))
    return {name: int(spec["codepoint"][2:], 16) for name, spec in data["icons"].items()}


def icon_font_path() -> Path:
    return builtin_root() / "assets" / "fonts" / "MaterialIcons-Regular.ttf"


def pack_icon_path(name: str, pack_root: Path) -> Path | None:
    path = pack_root / "assets" / "icons" / f"{name}.png"
    return path if path.is_file() else None


def icon_exists(name: str, pack_root: Path) -> bool:
    return name in builtin_icons() or pack_icon_path(name, pack_root) is not None
