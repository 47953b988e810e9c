"""The one call start-up makes: what speech this device can offer, and why not.

`start_voice()` gives a Speaker and a Listener (kiosk/speech.py) or None for
each, plus status lines for `kiosk doctor` and the admin screen. Voice is
optional: any missing piece (espeak-ng, PortAudio, a device, a model) turns the
matching half off with a reason, never an error on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Sequence

from voice import LANGUAGES
from voice.audio import probe_devices
from voice.duplex import HalfDuplex

Level = Literal["ok", "warning", "error"]


@dataclass(frozen=True)
class StatusLine:
    level: Level
    message: str

    def format(self) -> str:
        return f"voice: {self.level}: {self.message}"


@dataclass
class VoiceSetup:
    speaker: object | None  # voice.tts.EspeakSpeaker (a kiosk.speech.Speaker)
    listener: object | None  # voice.listener.VoiceListener (a kiosk.speech.Listener)
    status: list[StatusLine] = field(default_factory=list)


def start_voice(base: Path | None = None, language: str = "en") -> VoiceSetup:
    """Speaker and listener for this device (either may be None), with status lines."""
    from voice.models import installed_models, model_path
    from voice.tts import EspeakSpeaker, espeak_binary

    status: list[StatusLine] = []
    duplex = HalfDuplex()
    speaker = listener = None

    devices = probe_devices()
    out_ok, out_reason = devices["output"]
    if espeak_binary() is None:
        status.append(StatusLine("warning", "read-aloud off: espeak-ng is not installed"))
    elif not out_ok:
        status.append(StatusLine("warning", f"read-aloud off: {out_reason}"))
    else:
        speaker = EspeakSpeaker(duplex)
        status.append(StatusLine("ok", f"read-aloud on ({out_reason})"))

    in_ok, in_reason = devices["input"]
    models = installed_models(base)
    if not in_ok:
        status.append(StatusLine("warning", f"voice commands off: {in_reason}"))
    elif not models:
        status.append(StatusLine("warning", "voice commands off: no speech model installed "
                                            "(kiosk voice install-model)"))
    else:
        try:
            import vosk  # noqa: F401 (present?)
        except ImportError as exc:
            status.append(StatusLine("warning", f"voice commands off: Vosk is not installed ({exc})"))
        else:
            from voice.listener import VoiceListener
            listener = VoiceListener(lambda lang: model_path(lang, base), duplex)
            langs = ", ".join(m.lang for m in models)
            status.append(StatusLine("ok", f"voice commands on for {langs} ({in_reason})"))
            if model_path(language, base) is not None:
                listener.prepare(language)
    return VoiceSetup(speaker, listener, status)


def voice_status(langs: Sequence[str] = LANGUAGES, model_dir: Path | None = None,
                 base: Path | None = None) -> list[StatusLine]:
    """Everything `kiosk voice check` / doctor reports: templates, voices, models,
    vocabulary, devices."""
    from voice.intents import VoiceTemplateError, matcher_for
    from voice.models import model_path
    from voice.pipeline import build_grammar
    from voice.tts import choose_voice, espeak_binary
    from voice.vocab import VocabularyError, open_vocabulary

    lines: list[StatusLine] = []
    for lang in langs:
        try:
            matcher = matcher_for(lang)
        except VoiceTemplateError as exc:
            lines.append(StatusLine("error", f"{lang}: voice commands: {exc}"))
            continue
        review = matcher.templates.review
        lines.append(StatusLine("ok" if review == "native" else "warning",
                                f"{lang}: {len(matcher.phrases())} voice command sentences "
                                f"(review: {review})"))
        if espeak_binary() is not None:
            choice = choose_voice(lang)
            lines.append(StatusLine("ok", f"{lang}: read-aloud voice {choice.voice} ({choice.note})")
                         if choice else StatusLine("warning", f"{lang}: no espeak-ng voice"))
        path = model_dir or model_path(lang, base)
        if path is None:
            lines.append(StatusLine("warning", f"{lang}: no speech model installed"))
            continue
        from voice.asr import looks_like_model, supports_grammar
        problem = looks_like_model(path)
        if problem:
            lines.append(StatusLine("error", f"{lang}: {problem}"))
            continue
        if not supports_grammar(path):
            lines.append(StatusLine("warning", f"{lang}: model {path.name} takes no runtime grammar "
                                               "(a large model): commands are matched after free "
                                               "recognition"))
        try:
            vocab = open_vocabulary(path)
        except VocabularyError as exc:
            lines.append(StatusLine("warning", f"{lang}: {exc}"))
            continue
        grammar = build_grammar(matcher, (), vocab)
        vocab.close()
        if grammar.missing_words:
            shown = ", ".join(grammar.missing_words[:12])
            more = f" and {len(grammar.missing_words) - 12} more" if len(grammar.missing_words) > 12 else ""
            lines.append(StatusLine("warning", f"{lang}: {len(grammar.missing_words)} template words "
                                               f"are not in the model's vocabulary (their sentences "
                                               f"are left out of the grammar): {shown}{more}"))
        lines.append(StatusLine("ok", f"{lang}: grammar of {len(grammar.phrases)} sentences for "
                                      f"model {path.name}"))
    if espeak_binary() is None:
        lines.append(StatusLine("warning", "espeak-ng is not installed: no read-aloud"))
    devices = probe_devices()
    for what, (ok, reason) in (("microphone", devices["input"]), ("speaker", devices["output"])):
        lines.append(StatusLine("ok" if ok else "warning", f"{what}: {reason}"))
    return lines
