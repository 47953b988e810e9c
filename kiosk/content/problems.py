"""Problems found in a pack, reported as FILE:LINE:COL: severity: MESSAGE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Where:
    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# C0/C1 control characters (tab aside) and the Unicode line/paragraph separators.
_ESCAPES = {c: ascii(chr(c))[1:-1] for c in [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]
            if c != 0x09}


@dataclass(frozen=True)
class Problem:
    severity: Severity
    where: Where
    message: str

    @classmethod
    def error(cls, where: Where, message: str) -> "Problem":
        return cls("error", where, message)

    @classmethod
    def warning(cls, where: Where, message: str) -> "Problem":
        return cls("warning", where, message)

    def format(self) -> str:
        """One line, always: messages quote pack text, which may hold line breaks or
        terminal escape codes."""
        return f"{self.where}: {self.severity}: {self.message.translate(_ESCAPES)}"


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.where, p.severity, p.message))
