"""Opening a pack for use: load, check, and refuse one that has errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kiosk.content.builtin import builtin_root
from kiosk.content.model import Pack
from kiosk.content.packcache import cached
from kiosk.content.problems import Problem


@dataclass(frozen=True)
class Opened:
    pack: Pack | None  # None when the pack has errors
    problems: list[Problem]


def open_pack(path: Path | None = None) -> Opened:
    """Load and check a pack (the built-in one when `path` is None).

    A pack that opened cleanly before, unchanged since, comes from the pack cache."""
    root = Path(path) if path is not None else builtin_root()
    roots = [root] if root == builtin_root() else [root, builtin_root()]
    # The pack keeps the path it was opened by (messages show it), so that is part of the key.
    opened_as = str(root) if root.is_absolute() else f"{Path.cwd()} {root}"
    return cached(roots, lambda: load_and_check(root), keep=lambda opened: opened.pack is not None,
                  salt=opened_as)


def load_and_check(root: Path) -> Opened:
    """Load and check a pack folder, with no cache."""
    # Imported here: a cached start needs neither the YAML loaders nor the checks.
    from kiosk.content.builtin import ui_defaults
    from kiosk.content.overlay import load_any
    from kiosk.content.problems import has_errors, sort_problems
    from kiosk.content.validate import check_pack

    # A regional overlay is merged over the built-in pack. Its services are not
    # parsed here (start-up stays fast): see directory.ensure_directory().
    result = load_any(root, ui_defaults)
    problems = list(result.problems)
    if result.pack is not None:
        problems.extend(check_pack(result.pack))
    problems = sort_problems(problems)
    return Opened(None if has_errors(problems) or result.pack is None else result.pack, problems)
