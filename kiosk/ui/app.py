"""The kiosk on screen: the controller between the session and Kivy, and the ways to start it.

`run_kiosk` is the one start-up path (the `kiosk run` command, the systemd
service and the README all go through it); `render_preview` draws one screen
offscreen for `kiosk preview`. Both configure Kivy before importing it, so
nothing here may import Kivy at module level: the Kivy side lives in
`Kiosk`, imported inside the functions.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kiosk.content.model import Pack
from kiosk.session import SessionSummary
from kiosk.speech import Listener, Speaker
from kiosk.ui.env import WindowMode, configure_kivy


class StartError(Exception):
    """The kiosk cannot start with what it was given (bad pack, unknown language or node)."""


@dataclass(frozen=True)
class Prepared:
    pack: Pack
    language: str
    directory: Path | None = None  # the pack's services database; None: no services, or unusable


def directory_for(pack: Pack) -> Path | None:
    """The pack's services database, built now if its files changed (an installed pack's was
    built at install). A broken directory leaves the services screen saying so, never no kiosk."""
    from kiosk.content.layout import services_files

    if not any(services_files(root) for root in pack.layers or (pack.root,)):
        return None  # no services: nothing to build, and no loaders to import at start-up
    from kiosk.content.directory import ensure_directory
    from kiosk.content.problems import has_errors

    log = logging.getLogger("lantern.services")
    try:
        status = ensure_directory(pack)
    except (OSError, sqlite3.Error) as exc:
        log.warning("the services directory cannot be built: %s", exc)
        return None
    if has_errors(status.problems):
        log.warning("the services directory has errors (see `kiosk validate`): %s", status.problems[0].format())
    return status.path


@dataclass(frozen=True)
class Chosen:
    """A pack the caller has already opened and checked, and its services database."""
    pack: Pack
    directory: Path | None


def prepare(pack_path: str | Path | None, lang: str | None, chosen: Chosen | None = None) -> Prepared:
    """Open and check the pack (unless `chosen` is it); make `lang` the language its neutral
    screen starts in."""
    from kiosk.content.packs import open_pack

    if chosen is not None:
        pack = chosen.pack
    else:
        path = Path(pack_path) if pack_path else None
        if path is not None and not (path / "pack.yaml").is_file():
            raise StartError(f"{path}: no pack here (a pack is a folder with pack.yaml at its root)")
        opened = open_pack(path)
        if opened.pack is None:
            lines = [p.format() for p in opened.problems]
            raise StartError("the pack has errors; fix them (see `kiosk validate`):\n" + "\n".join(lines))
        pack = opened.pack
    language = lang or pack.manifest.default_language
    if language not in pack.manifest.languages:
        raise StartError(f"unknown language '{language}'; this pack has: {', '.join(pack.manifest.languages)}")
    if language != pack.manifest.default_language:
        # Every reset returns to the device's language, not the pack author's first one.
        pack = dataclasses.replace(pack, manifest=dataclasses.replace(pack.manifest, default_language=language))
    return Prepared(pack, language, chosen.directory if chosen is not None else directory_for(pack))


def run_kiosk(pack_path: str | Path | None = None, lang: str | None = None, windowed: bool = False,
              speaker: Speaker | None = None, on_first_frame: Callable[[], None] | None = None,
              on_session_end: Callable[[SessionSummary], None] | None = None,
              clock: Callable[[], float] = time.monotonic, size: tuple[int, int] = (800, 480),
              listener: Listener | None = None, chosen: Chosen | None = None) -> int:
    """Run the kiosk until the process is stopped. Raises StartError before any window opens."""
    import gc
    collecting = gc.isenabled()
    gc.disable()  # until the first frame is drawn (kiosk.ui.memory)
    try:
        return _run(pack_path, lang, windowed, speaker, on_first_frame, on_session_end, clock, size,
                    listener, chosen)
    finally:
        if collecting:
            gc.enable()


def _run(pack_path: str | Path | None, lang: str | None, windowed: bool, speaker: Speaker | None,
         on_first_frame: Callable[[], None] | None, on_session_end: Callable[[SessionSummary], None] | None,
         clock: Callable[[], float], size: tuple[int, int], listener: Listener | None,
         chosen: Chosen | None) -> int:
    prepared = prepare(pack_path, lang, chosen)
    from kiosk.i18n.fonts import prepare_fonts
    from kiosk.system.notify import extend_timeout
    # Slow on a first start only; done here, not under a visitor's first tap on Language.
    prepare_fonts(prepared.pack.manifest.languages, keep_alive=lambda: extend_timeout(120))
    configure_kivy(WindowMode(fullscreen=not windowed, size=size))

    from kiosk.ui.kiosk import LanternApp
    from kiosk.services_view import directory_query

    app = LanternApp(prepared.pack, clock=clock, speaker=speaker, on_session_end=on_session_end,
                     on_first_frame=on_first_frame, directory=directory_query(prepared.directory),
                     listener=listener)

    def stop(_signum: int, _frame: object) -> None:
        app.stop()  # systemd's stop (SIGTERM) and Ctrl+C end the kiosk cleanly
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app.run()
    return app.exit_code  # 0, or admin mode's Restart code (kiosk.ui.admin_status)


def render_preview(out: Path, pack_path: str | Path | None = None, node: str | None = None,
                   lang: str | None = None, size: tuple[int, int] = (800, 480)) -> Path:
    """Draw one screen through the real UI, offscreen, and write it as a PNG."""
    prepared = prepare(pack_path, lang)
    pack = prepared.pack
    if node is not None and node not in pack.nodes:
        raise StartError(f"no screen '{node}' in this pack; it has: {', '.join(sorted(pack.nodes))}")
    if not out.parent.is_dir():
        raise StartError(f"{out.parent}: no such folder")
    configure_kivy(WindowMode(fullscreen=False, size=size, offscreen=True))

    from kiosk.session import GoTo, Session
    from kiosk.ui.kiosk import Kiosk, settle, window_png
    from kiosk.services_view import directory_query

    session = Session(pack, clock=time.monotonic)
    kiosk = Kiosk(session, clock=time.monotonic, directory=directory_query(prepared.directory))
    kiosk.attach()
    if node is not None and node != session.node_id:
        kiosk.send(GoTo(node))
    settle()
    out.write_bytes(window_png())
    kiosk.detach()
    return out
