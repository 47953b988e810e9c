"""`kiosk intent` and `kiosk voice ...`.

Imported by kiosk/cli.py at start-up, so only argparse lives at module level;
each command imports what it needs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from voice import LANGUAGES

LANGS_HELP = "BCP 47 language tag: " + ", ".join(LANGUAGES)


def _err(message: str) -> None:
    print(f"kiosk: {message}", file=sys.stderr)


def _check_lang(lang: str) -> bool:
    if lang not in LANGUAGES:
        _err(f"unknown language '{lang}'; use one of {', '.join(LANGUAGES)}")
        return False
    return True


def _options(text: str | None) -> list[str]:
    return [o.strip() for o in text.split("|")] if text else []


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False))


def cmd_intent(args: argparse.Namespace) -> int:
    from voice.intents import VoiceTemplateError, matcher_for
    if not _check_lang(args.lang):
        return 2
    try:
        matcher = matcher_for(args.lang)
    except VoiceTemplateError as exc:
        _err(str(exc))
        return 1
    result = matcher.recognize(" ".join(args.text), _options(args.options))
    _print_json(result.as_json())
    return 0


def cmd_transcribe(args: argparse.Namespace) -> int:
    from voice.asr import AsrError
    from voice.audio import AudioError, WavSource
    from voice.intents import VoiceTemplateError, matcher_for
    from voice.pipeline import hear
    from voice.policy import Context, decide
    if not _check_lang(args.lang):
        return 2
    try:
        matcher = matcher_for(args.lang)
        source = WavSource(Path(args.file), realtime=args.realtime)
        from voice.asr import Recognizer
        from voice.pipeline import model_vocabulary
        model = Path(args.model)
        with Recognizer() as recognizer:
            recognizer.load(args.lang, model)
            heard = hear(source, recognizer, matcher, _options(args.options), model_vocabulary(model))
    except (VoiceTemplateError, AudioError, AsrError) as exc:
        _err(str(exc))
        return 1
    # `confirm` and `decision` are voice.policy's, for a screen with no question open.
    decision = decide(heard, Context(asking=False, node=""))
    _print_json({"text": heard.text, "intent": heard.intent, "confirm": decision == "ask",
                 "decision": decision, "slots": heard.slots, "score": round(heard.score, 3),
                 "margin": round(heard.margin, 3), "rivals": list(heard.rivals)})
    return 0


def cmd_install_model(args: argparse.Namespace) -> int:
    from voice.models import ModelInstallError, install_model
    if not _check_lang(args.lang):
        return 2
    try:
        installed = install_model(args.source, args.lang, sha256=args.sha256)
    except ModelInstallError as exc:
        _err(str(exc))
        return 1
    print(f"installed {installed.name} for {installed.lang} at {installed.path} "
          f"({installed.size_mb:.0f} MB, sha256 {installed.sha256})")
    if not installed.grammar:
        print("warning: this model has no runtime grammar support (a large model?): "
              "recognition will be slower and less precise; see docs/voice.md", file=sys.stderr)
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    from voice.models import installed_models
    models = installed_models()
    if not models:
        print("no voice models installed (see `kiosk voice install-model --help`)")
        return 0
    print(f"{'lang':8} {'name':32} {'size':>8}  grammar")
    for m in models:
        grammar = "runtime grammar" if m.grammar else "no runtime grammar"
        print(f"{m.lang:8} {m.name[:32]:32} {m.size_mb:6.0f} MB  {grammar}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from voice.service import voice_status
    langs = [args.lang] if args.lang else list(LANGUAGES)
    for lang in langs:
        if not _check_lang(lang):
            return 2
    ok = True
    for line in voice_status(langs, model_dir=Path(args.model) if args.model else None):
        print(line.format())
        ok = ok and line.level != "error"
    return 0 if ok else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("intent", help="recognise a voice command in text; prints JSON")
    p.add_argument("--lang", required=True, help=LANGS_HELP)
    p.add_argument("--options", help='the screen\'s option labels, "label1|label2"')
    p.add_argument("text", nargs="+", help="what was said")
    p.set_defaults(func=cmd_intent)

    voice = sub.add_parser("voice", help="offline speech: transcribe, models, checks")
    vsub = voice.add_subparsers(dest="voice_command", metavar="VOICE_COMMAND")
    voice.set_defaults(func=lambda _args: (voice.print_help(), 2)[1])

    p = vsub.add_parser("transcribe", help="recognise a WAV file through the microphone's "
                                           "pipeline; prints JSON")
    p.add_argument("--lang", required=True, help=LANGS_HELP)
    p.add_argument("--model", required=True, help="Vosk model folder")
    p.add_argument("--options", help='the screen\'s option labels, "label1|label2"')
    p.add_argument("--realtime", action="store_true", help="feed the audio at real-time pace")
    p.add_argument("file", help="WAV file, 16-bit mono")
    p.set_defaults(func=cmd_transcribe)

    p = vsub.add_parser("install-model", help="install a Vosk model from a zip, a folder or "
                                              "an http(s) URL")
    p.add_argument("source", help="zip file, folder or http(s) URL")
    p.add_argument("--lang", required=True, help=LANGS_HELP)
    p.add_argument("--sha256", help="expected SHA-256 of the zip or download (or of the folder, "
                                    "see docs/voice.md)")
    p.set_defaults(func=cmd_install_model)

    p = vsub.add_parser("models", help="list installed voice models")
    p.set_defaults(func=cmd_models)

    p = vsub.add_parser("check", help="voice status: templates, models, vocabulary, audio devices")
    p.add_argument("--lang", help=LANGS_HELP)
    p.add_argument("--model", help="check this model folder instead of the installed one")
    p.set_defaults(func=cmd_check)
