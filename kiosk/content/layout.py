"""Where things are in a pack folder (docs/content-format.md), with nothing to import:
the kiosk's start-up asks these questions before it needs any loader."""

from __future__ import annotations

from pathlib import Path

MAX_FILES = 200  # files read from one folder of a pack (flows/, locales/, services/)
PACK_FOLDERS = ("flows", "locales", "assets", "services")  # everything a pack is made of


def services_files(root: Path) -> list[Path]:
    """A pack's services directory: `services.yaml` and/or `services/*.yaml`."""
    root = Path(root)
    files = [root / "services.yaml"] if (root / "services.yaml").is_file() else []
    folder = root / "services"
    if folder.is_dir():
        files.extend(sorted(folder.glob("*.yaml"))[:MAX_FILES])
    return files
