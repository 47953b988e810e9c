"""`kiosk print review`: every screen, drawn by the real Kivy UI, captioned for sign-off."""

from __future__ import annotations

import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

from tests.paper import reader

pytest.importorskip("weasyprint")


@pytest.mark.ui
@pytest.mark.timeout(600)
def test_review_sheet_has_every_screen_of_each_language(tmp_path: Path) -> None:
    if importlib.util.find_spec("kivy") is None:  # found, not imported: Kivy runs only in the subprocess
        pytest.skip("needs the 'ui' extra (Kivy)")
    from kiosk.content.packs import open_pack
    pack = open_pack(None).pack
    assert pack is not None
    tags = ("en", "ar")
    out = tmp_path / "review.pdf"
    done = reader.kiosk(tmp_path, "print", "review", "--lang", ",".join(tags), "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    text = reader.text(out)
    for tag in tags:
        for node_id in pack.nodes:
            assert re.search(rf"\b{re.escape(node_id)} · {re.escape(tag)} ·", text), (node_id, tag)
    # Each screen that shows a number carries it with the day it was checked.
    for contact in pack.contacts.values():
        if any(contact.id in n.contacts for n in pack.nodes.values()) and contact.verified:
            assert f"(verified {contact.verified.isoformat()})" in text, contact.id
    assert f"{pack.manifest.id} v{pack.manifest.version}" in text
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len(images) == len(pack.nodes) * len(tags)
    assert all(" 800 " in row and " 480 " in row for row in images)  # the kiosk's own screen size
    assert reader.outside(out, 0.25 * 72) == []  # the header and page number stay printable
    # A drawn screen, not a blank: page 1's pictures hold many colours.
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(out), str(tmp_path / "p")],
                   check=True)
    from PIL import Image
    page = Image.open(next(tmp_path.glob("p-*.png"))).convert("RGB")
    assert len(page.getcolors(maxcolors=1 << 20) or ()) > 50
    # Nothing of the screens is left on disk but the PDF itself.
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".png" and not p.name.startswith("p-")) == []


def test_review_without_kivy_says_which_extra(tmp_path: Path) -> None:
    """With Kivy missing, the kiosk's one line naming the `ui` extra, exit 3, and no file."""
    done = reader.kiosk_without("kivy", tmp_path, "print", "review", "--lang", "en", "--out",
                                str(tmp_path / "r.pdf"))
    assert done.returncode == 3, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "'ui' extra" in lines[0], done.stderr
    assert not (tmp_path / "r.pdf").exists()
