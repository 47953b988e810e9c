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
        return f"{self.where}: {self.severity}: {self.message}"


def has_errors(problems: list[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (p.where, p.severity, p.message))
