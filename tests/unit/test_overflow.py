"""`kiosk validate` warns about text that will not fit the screen at 800x480 (kiosk.content.overflow)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.content.builtin import builtin_root
from kiosk.content.overflow import geometry, wrap
from kiosk.content.problems import Problem
from kiosk.content.validate import validate_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TINY = FIXTURES / "packs" / "tiny"
TODAY = dt.date(2026, 11, 22)  # the fixture's contacts were verified on 2026-11-01
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 2  # ~1100 px at 24 px


def pack_copy(tmp_path: Path, source: Path = TINY) -> Path:
    root = tmp_path / "pack"
    if source == TINY:
        shutil.copytree(source, root)
    else:  # the built-in pack's own files, not the whole checkout it sits in
        root.mkdir()
        for name in ("pack.yaml", "contacts.yaml"):
            shutil.copy(source / name, root / name)
        for folder in ("flows", "locales"):
            shutil.copytree(source / folder, root / folder)
    return root


def set_strings(root: Path, tag: str, **strings: str) -> Path:
    """Replace strings in locales/<tag>.yaml, keeping the file's other lines where they were."""
    path = root / "locales" / f"{tag}.yaml"
    lines = path.read_text("utf-8").splitlines()
    for key, value in strings.items():
        text = f"  {key}: {yaml.safe_dump(value, allow_unicode=True, width=10**6).strip()}"
        if text.endswith("\n..."):
            text = text[:-4]
        at = next((i for i, line in enumerate(lines) if line.startswith(f"  {key}:")), None)
        if at is None:
            lines.append(text)
            continue
        end = at + 1
        while end < len(lines) and lines[end].startswith("    "):  # a block scalar's lines
            end += 1
        lines[at:end] = [text]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def where_of(path: Path, key: str) -> tuple[int, int]:
    """(line, col) of a string's value in a locale file, as the loader reports it."""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if line.startswith(f"  {key}:"):
            return number, len(f"  {key}: ") + 1
    raise AssertionError(f"{key} not in {path}")


def fit_warnings(root: Path) -> list[Problem]:
    return [p for p in validate_path(root, today=TODAY)
            if p.severity == "warning" and ("px" in p.message or "screenful" in p.message
                                            or "alone on its last line" in p.message)]


def test_the_packs_we_ship_fit(tmp_path: Path) -> None:
    assert fit_warnings(pack_copy(tmp_path, builtin_root())) == []
    assert validate_path(TINY, today=TODAY) == []


def test_a_word_wider_than_the_page_is_reported_at_its_string(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    path = set_strings(root, "en", **{"tip_water.body": f"Drink {LONG_WORD} water with each meal."})
    [problem] = fit_warnings(root)
    line, col = where_of(path, "tip_water.body")
    assert (problem.where.file.endswith("locales/en.yaml"), problem.where.line, problem.where.col) == \
        (True, line, col)
    assert f"'{LONG_WORD}'" in problem.message and "800x480" in problem.message
    assert problem.format().startswith(f"{problem.where.file}:{line}:{col}: warning: en: 'tip_water.body'")


def test_option_buttons_get_fewer_columns_before_a_word_is_cut(tmp_path: Path) -> None:
    g = geometry()
    assert g.option_label(3) < 200 < g.option_label(2)  # the columns the UI can choose from
    root = pack_copy(tmp_path, builtin_root())
    # Six options on who_help: three columns; a 250 px word still fits two.
    set_strings(root, "en", **{"line_dv.label": "Hurt by a partner, extraordinarily"})
    assert fit_warnings(root) == []
    path = set_strings(root, "en", **{"line_dv.label": f"Hurt by {LONG_WORD}"})
    [problem] = fit_warnings(root)
    assert problem.where.line == where_of(path, "line_dv.label")[0]
    assert "option button on 'who_help'" in problem.message and "one to a row" in problem.message


def test_header_words_that_crowd_out_the_controls(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    # Back's word, too wide even with every other control as an icon.
    path = set_strings(root, "en", **{"ui.back": "Go back to the screen you saw before this one"})
    [problem] = fit_warnings(root)
    assert problem.where.line == where_of(path, "ui.back")[0] and "only its icon shows" in problem.message
    # Close always keeps its word: too long, and nothing else fits (one warning says so).
    set_strings(root, "en", **{"ui.exit": "Close this screen and forget everything now"})
    [problem] = fit_warnings(root)
    assert problem.where.line == where_of(path, "ui.exit")[0]
    assert "Close always shows its word" in problem.message


def test_contact_screen_whose_number_falls_below_the_first_screenful(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    long_text = " ".join(["Someone listens first and asks about your safety."] * 10)
    path = set_strings(root, "en", **{"hotline.body": long_text})
    [problem] = fit_warnings(root)
    assert problem.where.line == where_of(path, "hotline.body")[0]
    assert "on 'hotline' the phone number ends" in problem.message


def test_arabic_and_chinese_are_measured_as_drawn(tmp_path: Path) -> None:
    root = pack_copy(tmp_path, builtin_root())
    # Arabic lines are half again as tall as Latin ones: a body that fits in English
    # pushes the number down in Arabic.
    arabic = "يمكنك الاتصال أو إرسال رسالة أو الدردشة مع شخص يستطيع مساعدتك. ليس عليك ذكر اسمك."
    ar = set_strings(root, "ar", **{"hotline.body": "\n\n".join([arabic] * 3)})
    # Chinese has no spaces: a long sentence is no long "word" (it breaks between characters)...
    zh = set_strings(root, "zh-Hans", **{"anyone.body": "有些人被逼着干活。" * 30})
    problems = fit_warnings(root)
    assert [(p.where.file.rsplit("/", 1)[-1], p.where.line) for p in problems] == \
        [("ar.yaml", where_of(ar, "hotline.body")[0])]
    # ...but a Latin word inside it is, and is measured in the Chinese face.
    set_strings(root, "zh-Hans", **{"anyone.body": f"有些人{LONG_WORD}被逼着干活。"})
    assert {p.where.file.rsplit("/", 1)[-1] for p in fit_warnings(root)} == {"ar.yaml", "zh-Hans.yaml"}
    assert zh.is_file()


def test_wrapping_follows_the_ui() -> None:
    g = geometry()
    lines = wrap("热线每天 24 小时开放，白天晚上都可以打。你可以说英语或西班牙语。" * 3, "zh-Hans", g.s.body, False, g.page)
    assert len(lines) > 1 and not any(line.startswith(("，", "。")) for line in lines)
    assert all(len(line) > 5 for line in lines[:-1])  # no short line left by a stray space


def test_cli_prints_the_warning_and_exits_zero(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    set_strings(root, "en", **{"tip_water.body": f"Drink {LONG_WORD} water."})
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "validate", str(root)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(line.endswith("it will be broken mid-word") and ": warning: en: 'tip_water.body'" in line
               for line in proc.stdout.splitlines())


@pytest.mark.parametrize("size", [(800, 480), (1280, 800), (480, 800)])
def test_geometry_is_the_uis(size: tuple[int, int]) -> None:
    # The same numbers tests/ui/test_languages_render.py finds on the real widgets at 800x480.
    g = geometry(*size)
    assert g.page == size[0] - 2 * g.s.pad
    assert g.contact_row < g.card < g.page


def test_a_lone_last_word_no_balancing_can_avoid_is_reported(tmp_path: Path) -> None:
    root = pack_copy(tmp_path)
    word = "Extraordinarily"  # ~300 px in the bold title face: two fit a line, three do not
    path = set_strings(root, "en", **{"tip_water.title": f"{word} {word} {word}"})
    [problem] = fit_warnings(root)
    assert (problem.where.line, problem.where.col) == where_of(path, "tip_water.title")
    assert f"ends with '{word}' alone on its last line at 800x480" in problem.message
    # A title that balancing can fix is not reported: "Danje / kounye a", not "Danje kounye / a".
    set_strings(root, "en", **{"tip_water.title": "Drink water often during the day when it is hot outside a"})
    assert fit_warnings(root) == []
