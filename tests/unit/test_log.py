"""Journal-style logging, and the rule that logs never say what a visitor did."""

from __future__ import annotations

import ast
import faulthandler
import io
import sys
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.system.log import VISITOR_LOGGERS, VisitorFilter, journal_connected, setup_logging

ROOT = Path(__file__).resolve().parents[2]
# The flow engine and the view know every tap, screen and language: they must not log at all.
NO_LOGGING_MODULES = ("kiosk/session.py", "kiosk/view.py")


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    kivy_level = logging.getLogger("kivy").level
    had_faulthandler = faulthandler.is_enabled()
    yield
    # setup_logging pointed faulthandler at the test's stream, which is closed now.
    if had_faulthandler:
        faulthandler.enable(file=sys.__stderr__, all_threads=True)
    else:
        faulthandler.disable()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("kivy").setLevel(kivy_level)


def _journal_stream(path: Path) -> tuple[io.TextIOWrapper, dict[str, str]]:
    stream = open(path, "w+", encoding="utf-8")  # noqa: SIM115 (closed by the test)
    st = os.fstat(stream.fileno())
    return stream, {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}


def test_journal_lines_carry_syslog_priorities(tmp_path: Path, restore_logging: None) -> None:
    stream, env = _journal_stream(tmp_path / "journal")
    with stream:
        assert journal_connected(stream, env)
        setup_logging(stream=stream, environ=env)
        assert faulthandler.is_enabled()  # a watchdog kill (SIGABRT) leaves the stuck stack here
        log = logging.getLogger("lantern.system")
        log.error("disk full")
        log.warning("no microphone")
        log.info("started")
        log.debug("not shown at info level")
        try:
            raise ValueError("broken")
        except ValueError:
            log.exception("check failed")
        stream.flush()
        lines = (tmp_path / "journal").read_text().splitlines()
    assert lines[:3] == ["<3>lantern.system: disk full", "<4>lantern.system: no microphone",
                         "<6>lantern.system: started"]
    # journald splits on newlines: every traceback line keeps the priority.
    assert len(lines) > 4 and all(line.startswith("<3>") for line in lines[3:])
    assert lines[-1] == "<3>ValueError: broken"


def test_plain_text_when_stderr_is_not_the_journal(tmp_path: Path, restore_logging: None) -> None:
    stream, env = _journal_stream(tmp_path / "journal")
    other = open(tmp_path / "terminal", "w+", encoding="utf-8")  # noqa: SIM115
    with stream, other:
        # $JOURNAL_STREAM inherited, but this stream is another file: no priorities.
        assert not journal_connected(other, env)
        assert not journal_connected(other, {})
        assert not journal_connected(other, {"JOURNAL_STREAM": "garbage"})
        setup_logging(stream=other, environ=env)
        logging.getLogger("lantern.system").warning("no microphone")
        other.flush()
        line = (tmp_path / "terminal").read_text().strip()
    assert not line.startswith("<") and line.endswith("WARNING lantern.system: no microphone")


def test_setting_up_twice_keeps_one_handler(restore_logging: None) -> None:
    first, second = io.StringIO(), io.StringIO()
    setup_logging(stream=first, journal=True)
    setup_logging(stream=second, journal=True)
    logging.getLogger("lantern.system").warning("once")
    assert first.getvalue() == "" and second.getvalue() == "<4>lantern.system: once\n"


def test_visitor_records_never_reach_the_output(restore_logging: None) -> None:
    out = io.StringIO()
    setup_logging(stream=out, journal=True, level=logging.DEBUG)
    for name in (*VISITOR_LOGGERS, "visitor.taps", "kiosk.session.history"):
        logging.getLogger(name).warning("visitor chose trafficking_help in es")
    logging.getLogger("lantern.metrics").warning("counts not saved: the disk is full")
    logging.getLogger("kiosk.sessionstore").warning("a different module, not the engine")
    text = out.getvalue()
    assert "trafficking_help" not in text
    assert "<4>lantern.metrics: counts not saved: the disk is full" in text
    assert "kiosk.sessionstore" in text  # the filter matches whole logger names, not prefixes of words


def test_visitor_filter_on_its_own() -> None:
    keep = VisitorFilter()
    record = logging.LogRecord("visitor", logging.ERROR, __file__, 1, "x", None, None)
    assert keep.filter(record) is False
    record.name = "lantern.system"
    assert keep.filter(record) is True


@pytest.mark.parametrize("relpath", NO_LOGGING_MODULES)
def test_flow_engine_and_view_do_not_log(relpath: str) -> None:
    """THE RULE in kiosk/system/log.py: no logging, printing or warnings where visitor actions live."""
    source = (ROOT / relpath).read_text(encoding="utf-8")
    tree = ast.parse(source, relpath)
    banned_modules = {"logging", "warnings", "kivy.logger", "traceback"}
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] in banned_modules
                      or a.name in banned_modules]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in banned_modules or node.module.split(".")[0] in {"logging", "warnings"}:
                found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name in {"print", "getLogger", "log", "debug", "info", "warning", "error", "exception",
                        "critical", "warn"}:
                found.append(f"{name}(...) at line {node.lineno}")
        elif isinstance(node, ast.Name) and node.id in {"Logger", "logging", "sys"}:
            # sys: sys.stderr.write would be logging by another name.
            found.append(f"{node.id} at line {node.lineno}")
    assert not found, f"{relpath} must not log (see kiosk/system/log.py): {found}"
