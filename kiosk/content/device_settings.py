"""Settings one device adds over its pack: where it is placed, the staff's private phrase.

`kiosk config apply` writes them from the boot partition's lantern.toml into
data_dir()/device.json (kiosk.system.bootconfig); the kiosk lays them over the
pack it starts with (kiosk.content.install.choose_start_pack). The same signed
pack can then serve a waiting room and a restroom, each with its own phrase,
without re-signing anything. A missing or unreadable file changes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.content.model import MODES, Pack

SETTINGS_NAME = "device.json"
PLACEMENTS = MODES


@dataclass(frozen=True)
class DeviceSettings:
    placement: str | None = None
    staff_phrase: dict[str, str] = field(default_factory=dict)


def read_settings(data_dir: Path) -> DeviceSettings:
    """The settings in a data directory; none when the file is missing or unreadable."""
    try:
        data = json.loads((data_dir / SETTINGS_NAME).read_text("utf-8"))
    except (OSError, ValueError):
        return DeviceSettings()
    if not isinstance(data, dict):
        return DeviceSettings()
    placement = data.get("placement")
    phrases = data.get("staff_phrase")
    return DeviceSettings(
        placement if placement in PLACEMENTS else None,
        {str(k): str(v) for k, v in phrases.items() if isinstance(v, str)} if isinstance(phrases, dict) else {},
    )


def with_settings(pack: Pack, settings: DeviceSettings) -> Pack:
    """The pack as this device shows it. Phrases for languages the pack lacks are left out."""
    m = pack.manifest
    phrases = {**m.staff_phrase, **{k: v for k, v in settings.staff_phrase.items() if k in m.languages}}
    mode = settings.placement or m.mode
    if phrases == m.staff_phrase and mode == m.mode:
        return pack
    return dataclasses.replace(pack, manifest=dataclasses.replace(m, mode=mode, staff_phrase=phrases))
