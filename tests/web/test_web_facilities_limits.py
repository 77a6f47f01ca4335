"""Facility CSV import in the web app: limits with one-line errors, work off the event loop,
and an export whose cells a spreadsheet cannot run as formulas."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid

import pytest
from sqlalchemy import select

from scalpmap.errors import InputError
from scalpmap.facilities.csv_io import COLUMNS, FacilityCsvError
from scalpmap.services.facility_import import import_csv_in_child
from scalpmap.services.limited import Limits
from scalpmap.store.models import AuditEvent, Facility, Role
from scalpmap.web.facilities import api as facility_api
from scalpmap.web.facilities import routes as facility_pages

HEADER = ",".join(COLUMNS)


def test_import_routes_are_plain_functions_run_in_the_thread_pool() -> None:
    for endpoint in (facility_api.import_facilities, facility_pages.import_facilities):
        assert callable(endpoint) and not asyncio.iscoroutinefunction(endpoint)


def test_api_refuses_too_many_columns_in_one_line(client, token_headers) -> None:
    headers = token_headers(Role.PRACTITIONER)
    wide = (HEADER + ",x" * 200 + "\n").encode()
    answer = client.post("/api/facilities/import", files={"file": ("w.csv", wide)}, headers=headers)
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": f"w.csv has 212 columns; a facility CSV has at most 100 (the columns are "
        f"{HEADER}); nothing imported",
        "problems": [],
    }


def test_page_refuses_too_many_columns(client, signed_in, parse) -> None:
    _user, csrf = signed_in(Role.ADMIN)
    wide = (HEADER + ",x" * 200 + "\n").encode()
    answer = client.post(
        "/facilities/import", data={"csrf_token": csrf}, files={"file": ("w.csv", wide)}
    )
    assert answer.status_code == 422
    assert parse(answer).alerts()[0].startswith("w.csv has 212 columns")


def test_export_neutralises_formulas(client, token_headers) -> None:
    headers = token_headers(Role.PRACTITIONER)
    name = f'=HYPERLINK("http://evil.example","{uuid.uuid4().hex[:8]}")'
    body = {
        "name": name,
        "city": "Leeds",
        "country": "GB",
        "address": "+cmd|' /C calc'!A0",
        "notes": "@SUM(1+1)",
        "lasers": "Nd:YAG 1064 ps",
        "treats_smp": True,
    }
    created = client.post("/api/facilities", json=body, headers=headers)
    assert created.status_code == 201, created.text
    exported = client.get("/api/facilities/export.csv", headers=headers).text
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    (row,) = [r for r in rows if r["name"].endswith(name)]
    assert row["name"] == "'" + name
    assert row["address"] == "'+cmd|' /C calc'!A0" and row["notes"] == "'@SUM(1+1)"
    again = client.post(
        "/api/facilities/import", files={"file": ("x.csv", exported.encode())}, headers=headers
    )
    assert again.status_code == 200, again.text
    stored = client.get(f"/api/facilities/{created.json()['id']}", headers=headers).json()
    assert stored["name"] == name and stored["address"] == body["address"]


def test_the_web_import_runs_in_a_child_process(app, make_user) -> None:
    settings = app.state.scalpmap.settings
    user = make_user(Role.ADMIN)
    name = f"Child Import {uuid.uuid4().hex[:8]}"
    good = f"{HEADER}\n{name},,Leeds,GB,53.8,-1.55,,,Nd:YAG 1064 ps,yes,I-VI,\n".encode()
    counts = import_csv_in_child(settings, good, source="good.csv", actor_id=user.id)
    assert (counts.created, counts.updated) == (1, 0)
    with app.state.scalpmap.session_factory() as session:
        (facility,) = session.scalars(select(Facility).where(Facility.name == name)).all()
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "facility", AuditEvent.entity_id == facility.id
            )
        ).all()
        assert [(e.action, e.user_id) for e in events] == [("create", user.id)]
    bad = f"{HEADER}\n{name} 2,,Leeds,GB,91,0,,,Nd:YAG 1064 ps,yes,,\n".encode()
    with pytest.raises(FacilityCsvError) as raised:  # sent back whole, with its problems
        import_csv_in_child(settings, bad, source="bad.csv", actor_id=user.id)
    assert raised.value.problems == ("line 2: lat must be -90..90; got 91",)
    with pytest.raises(InputError, match="the import ran out of its limits"):
        import_csv_in_child(
            settings, good, source="slow.csv", actor_id=user.id, limits=Limits(64, 0.001)
        )
