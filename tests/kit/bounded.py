"""Run a `kiosk` command as a child under hard limits and report what it cost.

The attack tests (tests/security/, tests/attacks/) assert that a hostile input is
refused within a time and memory bound. The bound is measured from the child's
own rusage (CPU seconds and peak resident memory), not the wall clock, so a busy
machine does not make a test fail; the wall-clock timeout is only a backstop that
turns a hang into a clear failure, with generous margins. The child also runs
under RLIMIT_AS and RLIMIT_FSIZE so that an unbounded read ends in the child, not
in the test machine's OOM killer.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

KIOSK = [sys.executable, "-m", "kiosk.cli"]
ROOT = Path(__file__).resolve().parents[2]

# Backstops only: far above what a well-behaved refusal costs.
ADDRESS_SPACE = 3 * 1024**3  # bytes of virtual memory the child may map
FILE_SIZE = 512 * 1024**2  # bytes any one file the child writes may reach
WALL_BACKSTOP = 240.0  # seconds before a hang is reported as one


@dataclass(frozen=True)
class Bounded:
    """A finished child: its exit code, output and what it cost."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    cpu_seconds: float  # user + system time of the child (and its children)
    max_rss_mib: float  # peak resident memory of the largest child
    hung: bool  # killed by the wall-clock backstop

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def describe(self) -> str:
        return (f"{' '.join(self.argv[2:])}: exit {self.returncode}, {self.cpu_seconds:.1f} s CPU, "
                f"{self.max_rss_mib:.0f} MiB peak, hung={self.hung}\n--- stdout\n{self.stdout[-2000:]}"
                f"\n--- stderr\n{self.stderr[-2000:]}")


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE, FILE_SIZE))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run_bounded(args: list[str] | tuple[str, ...], data: Path, *, env: dict[str, str] | None = None,
                cwd: Path | None = None, stdin: str | None = None,
                wall_backstop: float = WALL_BACKSTOP) -> Bounded:
    """Run `kiosk ARGS` with LANTERN_DATA=data (and TMPDIR inside it), under hard limits.

    Each call measures only its own child (and what it started): rusage comes from
    os.wait4 on that pid.
    """
    tmp = data / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    child_env = {**os.environ, "LANTERN_DATA": str(data), "TMPDIR": str(tmp), "PYTHONPATH": str(ROOT),
                 **(env or {})}
    argv = (*KIOSK, *args)
    proc = subprocess.Popen(argv, cwd=cwd or ROOT, env=child_env, preexec_fn=_limits,
                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err, usage, hung = _reap(proc, stdin, wall_backstop)
    return Bounded(argv=argv, returncode=proc.returncode, stdout=out, stderr=err,
                   cpu_seconds=usage.ru_utime + usage.ru_stime, max_rss_mib=usage.ru_maxrss / 1024,
                   hung=hung)


def _reap(proc: subprocess.Popen[str], stdin: str | None,
          wall_backstop: float) -> tuple[str, str, resource.struct_rusage, bool]:
    """Collect the output, then reap the child with wait4: its own rusage, nobody else's."""
    chunks: dict[str, list[str]] = {"out": [], "err": []}

    def drain(stream: IO[str], into: list[str]) -> None:
        into.append(stream.read())

    readers = [threading.Thread(target=drain, args=(proc.stdout, chunks["out"]), daemon=True),
               threading.Thread(target=drain, args=(proc.stderr, chunks["err"]), daemon=True)]
    for reader in readers:
        reader.start()
    if proc.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(stdin or "")
        proc.stdin.close()
    hung = False
    deadline = time.monotonic() + wall_backstop
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            hung = True
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            break
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join(timeout=10)
    return "".join(chunks["out"]), "".join(chunks["err"]), usage, hung


def assert_refused_within(result: Bounded, *, cpu_seconds: float, max_rss_mib: float,
                          codes: tuple[int, ...] | None = None) -> None:
    """A refusal: not a hang, not a crash, a one-line reason, within the bounds."""
    assert not result.hung, "hung: " + result.describe()
    assert result.returncode != 0, "accepted: " + result.describe()
    if codes is not None:
        assert result.returncode in codes, "unexpected exit code: " + result.describe()
    assert result.returncode != 70, "unexpected problem (exit 70): " + result.describe()
    assert "Traceback" not in result.output, result.describe()
    assert result.cpu_seconds <= cpu_seconds, "too much CPU: " + result.describe()
    assert result.max_rss_mib <= max_rss_mib, "too much memory: " + result.describe()
