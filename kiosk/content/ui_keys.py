"""The kiosk's own words: every language of every pack needs these keys."""

UI_KEYS: tuple[str, ...] = (
    "ui.exit", "ui.back", "ui.home", "ui.language", "ui.call", "ui.text", "ui.text_keyword",
    "ui.tty", "ui.chat", "ui.hours", "ui.always_open", "ui.languages", "ui.interpreters",
    "ui.say_again", "ui.show_qr", "ui.qr_warning", "ui.qr_confirm", "ui.qr_cancel", "ui.speak",
    "ui.listening", "ui.read_aloud", "ui.stop", "ui.option_n", "ui.idle_countdown", "ui.verified",
    "ui.did_you_mean", "ui.yes", "ui.no", "ui.staff_phrase", "ui.remember", "ui.free",
    "ui.language_name",
)
