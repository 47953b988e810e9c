"""Logging for a device: to the journal under systemd, plain text in a terminal.

Under systemd, stderr is a stream into journald ($JOURNAL_STREAM says so). A line
that starts with "<N>" gets syslog priority N (3 error, 4 warning, 6 info), so
`journalctl -u lantern-kiosk -p warning` works; journald adds the time itself.

THE RULE: log records never say what a visitor did. No node ids of help
screens, no language choices, no taps, no voice transcripts, no timing of a
session. Logs are for the device (a missing font, a full disk, a crash), and a
journal is kept for weeks and copied off devices by support staff: a line like
"showing trafficking_help in es at 14:02" would be a record of a person's
visit. Nor should a line be written *because* a visitor did something (a
"counts not saved" warning at each session end time-stamps every visit): code
on a visitor's path keeps a problem as state for admin mode and `kiosk doctor`
(as kiosk.system.storage.safe_write does), or logs it once. What is logged is
policed three ways:
- the flow engine (kiosk/session.py) and the view (kiosk/view.py) do no
  logging at all (a test scans them);
- anything logged under the "visitor" namespace, or by kiosk.session /
  kiosk.view, is dropped by `VisitorFilter` before it reaches any output;
- Kivy's own logger (KIVY_LOG_MODE=PYTHON, set by kiosk/ui/env.py) propagates
  into this set-up at "warning" level; Kivy does not log touches there.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

# Loggers whose records are about a visitor's session and must never be written.
VISITOR_LOGGERS: tuple[str, ...] = ("visitor", "kiosk.session", "kiosk.view")

# Python levels to syslog priorities (sd-daemon.h: SD_CRIT .. SD_DEBUG).
_PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4),
               (logging.INFO, 6), (logging.DEBUG, 7))

_HANDLER_NAME = "lantern"


def syslog_priority(levelno: int) -> int:
    for threshold, priority in _PRIORITIES:
        if levelno >= threshold:
            return priority
    return 7


class VisitorFilter(logging.Filter):
    """Drops every record from a visitor-session logger (see THE RULE above)."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        return not any(name == banned or name.startswith(banned + ".") for banned in VISITOR_LOGGERS)


class JournalFormatter(logging.Formatter):
    """"<N>logger: message", with the prefix on every line (journald splits lines)."""

    def __init__(self) -> None:
        super().__init__("%(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{syslog_priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).splitlines() or [""])


def journal_connected(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """True when `stream` is systemd's journal stream ($JOURNAL_STREAM is "DEV:INODE" of it).

    Checking the device and inode (not just that the variable is set) is what
    systemd asks: a child whose stderr was redirected inherits the variable too.
    """
    value = (os.environ if environ is None else environ).get("JOURNAL_STREAM", "")
    dev, sep, ino = value.partition(":")
    if not sep:
        return False
    try:
        st = os.fstat(stream.fileno())
        return (st.st_dev, st.st_ino) == (int(dev), int(ino))
    except (OSError, ValueError, AttributeError):
        return False


def setup_logging(level: int = logging.INFO, stream: TextIO | None = None,
                  environ: Mapping[str, str] | None = None, journal: bool | None = None) -> logging.Handler:
    """Send Lantern's (and Kivy's) log records to stderr, journal-style under systemd.

    Replaces a handler installed by an earlier call, so it is safe to call twice.
    Also turns on `faulthandler`: when the watchdog kills a frozen kiosk
    (SIGABRT), the stack of every thread lands in the journal, which says where
    it hung and nothing about who was using it.
    """
    out = stream if stream is not None else sys.stderr
    to_journal = journal_connected(out, environ) if journal is None else journal
    handler = logging.StreamHandler(out)
    handler.set_name(_HANDLER_NAME)
    handler.addFilter(VisitorFilter())
    handler.setFormatter(JournalFormatter() if to_journal
                         else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Kivy is chatty at info level (GL details on every start); warnings are enough.
    logging.getLogger("kivy").setLevel(max(level, logging.WARNING))
    # fontTools logs a line per table while the first start prepares CJK and Arabic fonts.
    logging.getLogger("fontTools").setLevel(max(level, logging.WARNING))
    try:
        faulthandler.enable(file=out, all_threads=True)
    except (ValueError, OSError, AttributeError):
        pass  # a stream without a real file descriptor (tests with StringIO)
    return handler
