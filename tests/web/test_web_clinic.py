"""The Clinic settings page, the clinic on /enquire, and times in the clinic's time zone."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import delete

from scalpmap.store.models import ClinicSettings, Role

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" onload="alert(1)">'
    b"<script>alert(2)</script>"
    b'<image href="https://tracker.example/p.png" width="1" height="1"/>'
    b'<rect width="40" height="40" fill="#246"/></svg>'
)


def png(width: int = 160, height: int = 50) -> bytes:
    out = io.BytesIO()
    Image.fromarray(np.full((height, width, 3), 90, dtype=np.uint8)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_clinic_settings_left(db_engine):
    """The web tests share one database: leave the clinic unset for the others."""
    yield
    with db_engine.begin() as connection:
        connection.execute(delete(ClinicSettings))


@pytest.fixture
def admin(signed_in):
    return signed_in(Role.ADMIN)


def save(client, csrf, **values):
    data = {"csrf_token": csrf, "report_language": "en", **values}
    return client.post("/admin/clinic", data=data)


def test_an_admin_sets_the_clinic_and_it_shows_on_the_page(client, admin, parse):
    _user, csrf = admin
    answer = save(
        client,
        csrf,
        name="Northside Hair Clinic",
        address="12 Mill Lane",
        city="Leeds",
        country="united kingdom",
        phone="+44 113 496 0000",
        email="reception@northside.example",
        website="northside.example",
        time_zone="Europe/London",
    )
    assert answer.status_code == 200, answer.text
    shown = parse(answer)
    assert any("saved" in alert for alert in shown.alerts())
    assert shown.find("input", id="country").get("value") == "United Kingdom"
    assert shown.find("input", id="website").get("value") == "https://northside.example"
    assert shown.find("input", id="time_zone").get("value") == "Europe/London"
    assert "/admin/clinic" in shown.links()  # the menu's Clinic entry


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("time_zone", "Europe/Leeds", "time zone 'Europe/Leeds' is unknown"),
        ("country", "Atlantis", "Country 'Atlantis' is unknown"),
        ("email", "reception", "Email 'reception' is not an email address"),
        ("phone", "ring us", "Phone 'ring us' is not a phone number"),
        ("website", "javascript:alert(1)", "is not a web address"),
        ("report_language", "tlh", "report language 'tlh' is not available"),
    ],
)
def test_a_wrong_setting_is_one_line_422_and_the_form_keeps_what_was_typed(
    client, admin, parse, field, value, says
):
    _user, csrf = admin
    answer = save(client, csrf, name="Typed but not kept", **{field: value})
    assert answer.status_code == 422
    shown = parse(answer)
    assert [alert for alert in shown.alerts() if says in alert], shown.alerts()
    assert shown.find("input", id="name").get("value") == "Typed but not kept"
    assert parse(client.get("/admin/clinic")).find("input", id="name").get("value") == ""


def test_logos_are_checked_cleaned_and_refused_with_the_matching_status(client, admin, parse):
    _user, csrf = admin

    def upload(name: str, data: bytes, kind: str):
        files = {"logo": (name, data, kind)}
        return client.post("/admin/clinic/logo", data={"csrf_token": csrf}, files=files)

    assert upload("logo.png", png(), "image/png").status_code == 200
    answer = upload("logo.svg", SVG, "image/svg+xml")
    assert answer.status_code == 200
    assert "removed from the SVG: onload attribute, &lt;script&gt;" in answer.text or any(
        "removed from the SVG: onload attribute, <script>" in alert
        for alert in parse(answer).alerts()
    )
    with app_session(client) as session:
        stored = session.get(ClinicSettings, 1)
        assert stored.logo_media_type == "image/svg+xml"
        assert b"script" not in stored.logo and b"tracker" not in stored.logo
    gif = upload("logo.gif", b"GIF89a" + bytes(64), "image/gif")
    assert gif.status_code == 422 and "neither a PNG nor an SVG" in gif.text
    big = upload("big.png", b"\x89PNG\r\n\x1a\n" + bytes(1_100_000), "image/png")
    assert big.status_code == 413 and "the limit is 1 MB" in big.text
    empty = client.post("/admin/clinic/logo", data={"csrf_token": csrf})
    assert empty.status_code == 422 and "choose a PNG or SVG file" in empty.text
    removed = client.post("/admin/clinic/logo/remove", data={"csrf_token": csrf})
    assert removed.status_code == 200
    with app_session(client) as session:
        assert session.get(ClinicSettings, 1).logo is None


def app_session(client):
    return client.app.state.scalpmap.session_factory()


def test_only_admins_reach_the_clinic_settings(client, signed_in):
    _user, csrf = signed_in(Role.PRACTITIONER)
    assert client.get("/admin/clinic").status_code == 403
    assert save(client, csrf, name="Not allowed").status_code == 403


def test_enquire_carries_the_clinic_and_no_staff_menu_or_footer(client, admin, parse):
    _user, csrf = admin
    saved = save(client, csrf, name="Northside Hair Clinic", email="reception@northside.example")
    assert saved.status_code == 200, saved.text[-3000:]
    files = {"logo": ("logo.png", png(), "image/png")}
    client.post("/admin/clinic/logo", data={"csrf_token": csrf}, files=files)
    for visitor_signed_in in (True, False):
        if not visitor_signed_in:
            client.cookies.clear()
        answer = client.get("/enquire")
        assert answer.status_code == 200
        shown = parse(answer)
        assert shown.title == "Enquiry · Northside Hair Clinic", answer.text[:1200]
        assert "Ask Northside Hair Clinic about your scalp micropigmentation" in answer.text
        logo = shown.find("img", **{"class": "public-logo"})
        assert logo.get("src", "").startswith("data:image/png;base64,")
        assert "mailto:reception@northside.example" in answer.text
        assert "Patient records are health data" not in answer.text
        assert "/patients" not in shown.links() and "/admin/users" not in shown.links()
        assert "scalpmap" not in shown.title


def test_times_show_in_the_clinic_s_time_zone(client, admin, parse):
    user, csrf = admin
    rows = lambda: parse(client.get("/admin/users")).find_all("td")  # noqa: E731
    utc_cells = [cell.text for cell in rows() if cell.text.endswith(" UTC")]
    assert utc_cells, "the users page shows the admin's last sign-in in UTC by default"
    save(client, csrf, time_zone="Asia/Tokyo")
    tokyo_cells = [cell.text for cell in rows() if cell.text.endswith(" JST")]
    assert len(tokyo_cells) == len(utc_cells)
    # The same instants, nine hours later on the clock.
    first_utc, first_tokyo = utc_cells[0].split(), tokyo_cells[0].split()
    hour_utc, hour_tokyo = int(first_utc[1][:2]), int(first_tokyo[1][:2])
    assert (hour_utc + 9) % 24 == hour_tokyo
