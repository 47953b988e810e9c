"""Every code scans (issue 15): every QR code the kiosk can show (each contact with a phone or
text number, on every screen that shows one, in every language) is opened through the real
window, its rendered pixels are written to the test's tmp_path and decoded with a real decoder
(zxing-cpp), and the payload must be the contact's tel:/sms: URI, as a full QR code."""

from __future__ import annotations

from pathlib import Path

from tests.ui.uihelp import widgets

zxingcpp = __import__("pytest").importorskip("zxingcpp")


def decode(png: Path) -> list[tuple[str, str]]:
    from PIL import Image
    with Image.open(png) as image:
        return [(r.text, r.format.name) for r in zxingcpp.read_barcodes(image.convert("L"))]


def contacts_by_node(pack) -> dict[str, list[str]]:  # noqa: ANN001
    """Each contact once, on the first screen that shows it."""
    seen: dict[str, str] = {}
    for node_id, node in pack.nodes.items():
        for c in node.contacts:
            contact = pack.contacts.get(c)
            if contact is not None and (contact.call or contact.text):
                seen.setdefault(c, node_id)
    out: dict[str, list[str]] = {}
    for c, node_id in seen.items():
        out.setdefault(node_id, []).append(c)
    return out


def test_every_code_the_kiosk_shows_scans_in_every_language(make_kiosk, built_in_pack, tmp_path: Path) -> None:
    from kiosk.screen import AskQr, CloseOverlay, ShowQr
    from kiosk.session import GoTo, SetLanguage
    from kiosk.ui.kiosk import settle, window_png
    pack = built_in_pack
    where = contacts_by_node(pack)
    assert {"nhth", "emergency", "lifeline988"} <= {c for cs in where.values() for c in cs}
    kiosk = make_kiosk()
    failures, decoded = [], 0
    for tag in pack.manifest.languages:
        kiosk.send(SetLanguage(tag))
        for node_id, contact_ids in where.items():
            kiosk.send(GoTo(node_id))
            for contact_id in contact_ids:
                contact = next(c for c in kiosk.view.contacts if c.id == contact_id)
                kiosk.send(AskQr(contact_id))
                kiosk.send(ShowQr(contact_id))
                assert kiosk.overlay == "qr"
                expected = {u for u in (contact.tel_uri, contact.sms_uri) if u}
                images = widgets(kiosk.stage, where=lambda w: hasattr(w, "qr_uri"))
                assert {i.qr_uri for i in images} == expected, (tag, contact_id)
                settle(3)
                png = tmp_path / f"{tag}-{contact_id}.png"
                png.write_bytes(window_png())
                found = decode(png)
                decoded += len(found)
                if sorted(text for text, _ in found) != sorted(expected):
                    failures.append(f"{tag} {contact_id}: decoded {found}, expected {sorted(expected)}")
                if any(kind != "QRCode" for _, kind in found):
                    failures.append(f"{tag} {contact_id}: not a full QR code: {found}")
                kiosk.send(CloseOverlay())
                assert kiosk.overlay is None
    assert decoded >= 12 * 5
    assert not failures, "\n".join(failures)
