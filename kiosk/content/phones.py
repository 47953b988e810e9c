"""Phone numbers: is this a real number for the pack's region, or a fictional one?"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["ok", "fictional", "invalid"]


@dataclass(frozen=True)
class NumberCheck:
    verdict: Verdict
    reason: str = ""


def country_of(region: str) -> str:
    return region.split("-", 1)[0]


def is_fictional(national_digits: str) -> bool:
    """North American 555-0100..0199 numbers are reserved for fiction."""
    local = national_digits[-7:]
    return len(local) == 7 and local.startswith("55501")


def check_number(raw: str, region: str) -> NumberCheck:
    """Check a number as written in a pack (call, text or TTY)."""
    if not re.fullmatch(r"[0-9+()\-. ]{2,30}", raw):
        return NumberCheck("invalid", "use digits with optional spaces, dashes, dots, brackets or a leading +")
    digits = re.sub(r"\D", "", raw)
    if is_fictional(digits):
        return NumberCheck("fictional", "555-0100 to 555-0199 numbers are fictional")
    import phonenumbers  # here, not at the top: the kiosk's start never needs it (tens of ms)

    try:
        parsed = phonenumbers.parse(raw, country_of(region))
    except phonenumbers.NumberParseException as exc:
        return NumberCheck("invalid", str(exc))
    if phonenumbers.is_valid_number(parsed):
        return NumberCheck("ok")
    if not raw.startswith("+") and phonenumbers.is_valid_short_number_for_region(parsed, country_of(region)):
        return NumberCheck("ok")
    return NumberCheck("invalid", f"not a valid phone number or short code in {country_of(region)}")


def digits_of(raw: str) -> str:
    return re.sub(r"\D", "", raw)
