"""The kiosk's own words: every language of every pack needs these keys."""

UI_KEYS: tuple[str, ...] = (
    "ui.exit", "ui.back", "ui.home", "ui.language", "ui.call", "ui.text", "ui.text_keyword",
    "ui.tty", "ui.chat", "ui.hours", "ui.always_open", "ui.languages", "ui.interpreters",
    "ui.say_again", "ui.show_qr", "ui.qr_warning", "ui.qr_confirm", "ui.qr_cancel", "ui.speak",
    "ui.listening", "ui.read_aloud", "ui.stop", "ui.option_n", "ui.idle_countdown", "ui.verified",
    "ui.did_you_mean", "ui.yes", "ui.no", "ui.staff_phrase", "ui.remember", "ui.free",
    "ui.language_name",
    # the local services screen
    "ui.services_all", "ui.cat_shelter", "ui.cat_legal", "ui.cat_medical", "ui.cat_mental_health",
    "ui.cat_labour_rights", "ui.cat_immigration_legal", "ui.cat_youth", "ui.help_type",
    "ui.any_language", "ui.open_now", "ui.closed_now", "ui.every_day", "ui.service_free",
    "ui.service_fee", "ui.service_interpreters", "ui.service_checked", "ui.no_services",
    "ui.services_more", "ui.services_unavailable",
    # the visitor's screens (issue 15): an overlay's one Done, the Talk to someone bar, Stay
    "ui.done", "ui.talk", "ui.more_below", "ui.stay",
    # read aloud through an open speaker (issue 15)
    "ui.others_may_hear",
)
