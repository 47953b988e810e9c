"""The kiosk on screen: the controller between the session and Kivy, and the ways to start it.

`run_kiosk` is the one start-up path (the `kiosk run` command, the systemd
service and the README all go through it); `render_preview` draws one screen
offscreen for `kiosk preview`, `render_all` every screen and overlay in every
language for `kiosk preview --all` (a contact sheet for content reviewers). Both configure Kivy before importing it, so
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


# --- the contact sheet: every screen and overlay, every language, one process ---------

@dataclass(frozen=True)
class Sheet:
    """What `kiosk preview --all` wrote: images by language, the index page, and any failures."""

    index: Path
    images: dict[str, list[Path]]  # language -> PNGs, in the order drawn
    failed: list[str]  # "LANG/NODE: why", for screens that could not be drawn
    seconds: float

    @property
    def count(self) -> int:
        return sum(len(paths) for paths in self.images.values())


_FROZEN_NOW = 1_000.0  # the preview's clock never moves: no idle reset mid-sheet


def render_all(out_dir: Path, pack_path: str | Path | None = None, langs: list[str] | None = None,
               size: tuple[int, int] = (800, 480)) -> Sheet:
    """Every screen, and every overlay, in every language (or `langs`), through the real UI
    offscreen in this one process, as `out_dir/LANG/NODE.png` and `LANG/NODE+OVERLAY.png`,
    with `out_dir/index.html` linking them.

    Overlays: the language list and "Did you mean ...?" on the neutral screen (they look
    the same over any page), the QR warning and the codes for the first contact of each
    screen that has contacts.
    """
    started = time.monotonic()
    first = prepare(pack_path, None)
    pack = first.pack
    tags = langs or list(pack.manifest.languages)
    unknown = [tag for tag in tags if tag not in pack.manifest.languages]
    if unknown:
        raise StartError(f"unknown language '{unknown[0]}'; this pack has: {', '.join(pack.manifest.languages)}")
    if out_dir.exists() and not out_dir.is_dir():
        raise StartError(f"{out_dir}: exists and is not a folder")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StartError(f"{out_dir}: cannot make the folder ({exc.strerror})") from None
    configure_kivy(WindowMode(fullscreen=False, size=size, offscreen=True))

    from kiosk.screen import AskQr, CloseOverlay, OpenLanguages, Overlay, ShowQr
    from kiosk.session import GoTo, Session
    from kiosk.services_view import directory_query
    from kiosk.ui.kiosk import Kiosk, settle, window_png
    from kiosk.view import fill

    images: dict[str, list[Path]] = {}
    failed: list[str] = []
    for tag in tags:
        prepared = prepare(None, tag, Chosen(pack, first.directory))
        folder = out_dir / tag
        folder.mkdir(exist_ok=True)
        session = Session(prepared.pack, clock=lambda: _FROZEN_NOW)
        kiosk = Kiosk(session, clock=lambda: _FROZEN_NOW, directory=directory_query(prepared.directory))
        kiosk.attach()
        start = session.node_id
        drawn: list[Path] = []

        def shot(name: str) -> None:
            settle()
            path = folder / f"{name}.png"
            path.write_bytes(window_png())
            drawn.append(path)

        try:
            for node in [start] + sorted(n for n in pack.nodes if n != start):
                kiosk.send(GoTo(node))
                if kiosk.view is None or kiosk.view.node_id != node:
                    failed.append(f"{tag}/{node}: the kiosk would not show this screen")
                    continue
                shot(node)
                if node == start:
                    kiosk.send(OpenLanguages())
                    shot(f"{node}+languages")
                    kiosk.send(CloseOverlay())
                    view = kiosk.view
                    sentence = view.options[0].label if view.options else view.title
                    kiosk._show_overlay(Overlay("did_you_mean", sentence=sentence,
                                                question=fill(view.ui["did_you_mean"], text=sentence)))
                    shot(f"{node}+did_you_mean")
                    kiosk._show_overlay(None)  # shown here, not by the controller: uncovered here
                if kiosk.view.contacts:
                    contact = kiosk.view.contacts[0].id
                    kiosk.send(AskQr(contact))
                    shot(f"{node}+qr_warning")
                    kiosk.send(ShowQr(contact))
                    shot(f"{node}+qr")
                    kiosk.send(CloseOverlay())
        finally:
            kiosk.detach()
        images[tag] = drawn
    index = out_dir / "index.html"
    index.write_text(contact_sheet_html(images, out_dir, size), "utf-8")
    return Sheet(index, images, failed, time.monotonic() - started)


def contact_sheet_html(images: dict[str, list[Path]], out_dir: Path, size: tuple[int, int]) -> str:
    """One page for reviewers: a section per language, each image a thumbnail linking to itself."""
    from html import escape

    width = min(320, size[0] // 2)
    parts = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Lantern screens at {size[0]}x{size[1]}</title>",
             "<style>body{font-family:sans-serif;margin:1em}figure{display:inline-block;margin:.4em;"
             f"vertical-align:top;width:{width}px}}img{{width:{width}px;border:1px solid #999}}"
             "figcaption{font-size:12px;word-break:break-all}</style></head><body>",
             f"<h1>Lantern: every screen at {size[0]}x{size[1]}</h1>",
             "<p>" + " · ".join(f'<a href="#{escape(tag)}">{escape(tag)}</a>' for tag in images) + "</p>"]
    for tag, paths in images.items():
        parts.append(f'<h2 id="{escape(tag)}">{escape(tag)} ({len(paths)} images)</h2>')
        for path in paths:
            rel = escape(path.relative_to(out_dir).as_posix())
            parts.append(f'<figure><a href="{rel}"><img src="{rel}" loading="lazy" alt="{rel}"></a>'
                         f"<figcaption>{escape(path.stem)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
