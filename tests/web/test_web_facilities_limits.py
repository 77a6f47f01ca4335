"""Facility CSV import in the web app: limits with one-line errors, work off the event loop,
and an export whose cells a spreadsheet cannot run as formulas."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid

from scalpmap.facilities.csv_io import COLUMNS
from scalpmap.store.models import Role
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
