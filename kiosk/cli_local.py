"""`kiosk metrics export` and `kiosk admin set-pin`: the facility's own data on the device.

Also the sound and voice probe's child process (`python -m kiosk.cli_local
sound-probe`, started by kiosk.system.voiceprobe): it asks the voice package,
which only the command layer may import.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import json
import sys

from kiosk.system.paths import metrics_path, pin_path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-01-31") from None


def cmd_metrics_export(args: argparse.Namespace) -> int:
    from kiosk.metrics import Metrics, export_rows
    rows = export_rows(Metrics(metrics_path()).rows(args.since))
    if args.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["period", "counter", "count"])
        for row in rows:
            writer.writerow([row.period, row.counter, row.shown])
        return 0
    if not rows:
        print("no counts yet")
        return 0
    width = max(len(r.counter) for r in rows)
    print(f"{'period':<12} {'counter':<{width}} count")
    for row in rows:
        print(f"{row.period:<12} {row.counter:<{width}} {row.shown}")
    return 0


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New admin PIN (6-12 digits): ")
    if getpass.getpass("Same PIN again: ") != first:
        raise ValueError("the two PINs differ")
    return first


def cmd_admin_set_pin(args: argparse.Namespace) -> int:
    from kiosk.admin import PinError, PinStore
    try:
        PinStore(pin_path()).set_pin(_read_pin(args.stdin))
    except (PinError, ValueError) as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 1
    except (EOFError, OSError) as exc:
        print(f"kiosk: could not set the PIN: {exc}", file=sys.stderr)
        return 1
    print(f"admin PIN set in {pin_path()}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    metrics = sub.add_parser("metrics", help="daily usage counts (no times, nothing per visitor)")
    msub = metrics.add_subparsers(dest="metrics_command", metavar="ACTION", required=True)
    p = msub.add_parser("export", help="print the counts; small counts show as <5, quiet days "
                                       "are summed per week")
    p.add_argument("--csv", action="store_true", help="CSV with a header row")
    p.add_argument("--since", type=_date, help="first day, e.g. 2026-01-01")
    p.set_defaults(func=cmd_metrics_export)

    admin = sub.add_parser("admin", help="admin mode settings")
    asub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    p = asub.add_parser("set-pin", help="set the admin PIN (6-12 digits), asked twice")
    p.add_argument("--stdin", action="store_true", help="read the PIN from standard input once")
    p.set_defaults(func=cmd_admin_set_pin)


# --- the sound and voice probe: the child process kiosk.system.voiceprobe starts ---------

def _direct(kind: str) -> tuple[bool, str]:
    try:
        import sounddevice as sd
    except ImportError:
        return False, "the sounddevice package is not installed (Lantern's 'voice' extra)"
    except OSError as exc:  # the package is there, the PortAudio library is not
        return False, f"PortAudio is missing ({exc}); install libportaudio2"
    try:
        info = sd.query_devices(kind=kind)
    except Exception as exc:  # PortAudioError, or ValueError when there is no default device
        return False, f"no audio {kind} device ({exc})"
    if not info.get(f"max_{kind}_channels", 0):
        return False, f"the default device has no {kind} channels"
    return True, f"{kind}: {info['name']}"


def _devices() -> dict[str, list[object]]:
    try:
        from voice.audio import microphone_status, speaker_status
    except ImportError:
        return {"microphone": list(_direct("input")), "speaker": list(_direct("output"))}
    return {"microphone": list(microphone_status()), "speaker": list(speaker_status())}


def _voice() -> dict[str, object]:
    try:
        from voice import LANGUAGES
        from voice.service import voice_status
    except ImportError as exc:
        return {"available": False, "reason": f"not available in this build ({exc})"}
    try:
        lines = voice_status(list(LANGUAGES))
    except Exception as exc:  # a broken model folder must not take the other answers down
        return {"available": False, "reason": f"the voice status failed: {type(exc).__name__}: {exc}"}
    return {"available": True,
            "lines": [[str(getattr(line, "level", "info")),
                       line.format() if hasattr(line, "format") else str(line)] for line in lines]}


def sound_probe_answer() -> dict[str, object]:
    """Microphone, speaker and voice status as kiosk.system.voiceprobe.collect reads it (one JSON line)."""
    return {**_devices(), "voice": _voice()}


if __name__ == "__main__" and sys.argv[1:] == ["sound-probe"]:
    print(json.dumps(sound_probe_answer()))
    sys.exit(0)
