"""The public enquiry form's bounds (pixels from the header, a daily photo quota) and the
deletion of an enquiry with its photos by staff."""

from __future__ import annotations

import io
import struct
import uuid
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from scalpmap.store.models import AuditEvent, Enquiry, Photo, Role
from scalpmap.web.app import create_app

FIELDS = {"name": "Ezra Enquirer", "email": "ezra@example.org", "reason": "reposition"}


def declared_10000_square_jpeg() -> bytes:
    """A 692-byte JPEG whose header declares 10000 x 10000 pixels (100 megapixels)."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (20, 20, 20)).save(buffer, "JPEG", quality=50)
    data = bytearray(buffer.getvalue())
    at = data.index(b"\xff\xc0")
    data[at + 5 : at + 9] = struct.pack(">HH", 10_000, 10_000)
    padding = 692 - len(data) - 4
    comment = b"\xff\xfe" + struct.pack(">H", padding + 2) + b"x" * padding
    return bytes(data[:2] + comment + data[2:])


def unique_jpeg() -> bytes:
    """A small photo no other test sends (the web tests share one database and photo names)."""
    rng = np.random.default_rng(uuid.uuid4().int)
    buffer = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)).save(buffer, "JPEG")
    return buffer.getvalue()


def send(client: TestClient, csrf: str, photos: list[bytes]) -> Any:
    files = [("photos", (f"p{i}.jpg", p, "image/jpeg")) for i, p in enumerate(photos)]
    data = {**FIELDS, "consent": "on", "csrf_token": csrf}
    return client.post("/enquire", data=data, files=files or None, follow_redirects=False)


def enquiry_count(app) -> int:
    with app.state.scalpmap.session_factory() as session:
        return len(session.scalars(select(Enquiry.id)).all())


def test_a_tiny_jpeg_declaring_100_megapixels_is_refused_without_decoding(
    app, client, parse, monkeypatch
) -> None:
    bomb = declared_10000_square_jpeg()
    with pytest.warns(Image.DecompressionBombWarning):
        assert len(bomb) == 692 and Image.open(io.BytesIO(bomb)).size == (10_000, 10_000)

    def no_decoding(*args: object, **kwargs: object) -> None:
        raise AssertionError("the photo was decoded")

    monkeypatch.setattr(Image.Image, "load", no_decoding)
    form = parse(client.get("/enquire"))
    assert "each at most 40 megapixels" in form.find("label", for_="photos").text
    before = enquiry_count(app)
    answer = send(client, form.csrf, [bomb] * 5)
    assert answer.status_code == 413
    assert parse(answer).alerts() == [
        "the photo has 100,000,000 pixels, above the limit of 40,000,000; downscale it"
    ]
    assert enquiry_count(app) == before
    assert parse(answer).find("input", name="name").get("value") == FIELDS["name"]  # kept


def test_photos_within_the_limits_are_taken(client, parse, scalp_jpeg) -> None:
    answer = send(client, parse(client.get("/enquire")).csrf, [scalp_jpeg])
    assert answer.status_code == 303 and answer.headers["location"] == "/enquire/thanks"


@pytest.fixture
def quota_client(web_settings, cheap_password_hashing):
    settings = web_settings.model_copy(update={"enquiry_photo_bytes_per_day": 0})
    with TestClient(create_app(settings, inline_jobs=True)) as client:
        yield client


def test_past_the_daily_quota_photos_are_refused_with_a_clear_message(
    quota_client, parse, scalp_jpeg
) -> None:
    csrf = parse(quota_client.get("/enquire")).csrf
    answer = send(quota_client, csrf, [scalp_jpeg])
    assert answer.status_code == 429
    (message,) = parse(answer).alerts()
    assert message.startswith("the clinic cannot take more photos by this form today")
    assert "without photos" in message
    without = send(quota_client, csrf, [])
    assert without.status_code == 303


def test_staff_delete_an_enquiry_and_its_photos(app, client, parse, signed_in) -> None:
    answer = send(client, parse(client.get("/enquire")).csrf, [unique_jpeg(), unique_jpeg()])
    assert answer.status_code == 303
    state = app.state.scalpmap
    with state.session_factory() as session:
        enquiry = session.scalars(select(Enquiry).order_by(Enquiry.id.desc())).first()
        assert enquiry is not None and enquiry.name == FIELDS["name"]
        enquiry_id, shas = enquiry.id, [p.sha256 for p in enquiry.photos]
    assert len(shas) == 2 and all(state.store.exists(sha) for sha in shas)

    user, csrf = signed_in(Role.RECEPTION)
    detail = parse(client.get(f"/enquiries/{enquiry_id}"))
    form = detail.find("form", action=f"/enquiries/{enquiry_id}/delete")
    assert "cannot be undone" in (form.get("data-confirm") or "")
    refused = client.post(f"/enquiries/{enquiry_id}/delete", follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token
    deleted = client.post(
        f"/enquiries/{enquiry_id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/enquiries?done=deleted"
    inbox = parse(client.get(deleted.headers["location"]))
    assert inbox.alerts() == ["The enquiry and its photos were deleted."]
    assert client.get(f"/enquiries/{enquiry_id}").status_code == 404
    assert not any(state.store.exists(sha) for sha in shas)
    with state.session_factory() as session:
        assert session.scalars(select(Photo).where(Photo.sha256.in_(shas))).all() == []
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "enquiry", AuditEvent.entity_id == enquiry_id
            )
        ).all()[-1]
        assert (event.action, event.user_id) == ("delete", user.id)
    again = client.post(f"/enquiries/{enquiry_id}/delete", data={"csrf_token": csrf})
    assert again.status_code == 404


def test_anonymous_cannot_delete_an_enquiry(app, client, parse) -> None:
    send(client, parse(client.get("/enquire")).csrf, [])
    with app.state.scalpmap.session_factory() as session:
        enquiry_id = session.scalars(select(Enquiry.id).order_by(Enquiry.id.desc())).first()
    answer = client.post(f"/enquiries/{enquiry_id}/delete", follow_redirects=False)
    assert answer.status_code in (303, 401)
    with app.state.scalpmap.session_factory() as session:
        assert session.get(Enquiry, enquiry_id) is not None
