"""The laser facility directory in the web app: pages, API, CSV import/export, matching, roles.

The database is shared by the tests of a session, so every facility gets a unique name and no
test counts the whole directory.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from scalpmap.config import Settings
from scalpmap.store.models import Role
from scalpmap.web.app import create_app

_names = itertools.count(1)
HEADER = "name,city,country,lat,lon,lasers,treats_smp,fitzpatrick_types\n"


def unique(prefix: str) -> str:
    return f"{prefix} {next(_names)}-{uuid.uuid4().hex[:6]}"


@pytest.fixture
def app(web_settings: Settings, cheap_password_hashing: Any) -> FastAPI:
    """The app as ``scalpmap serve`` builds it."""
    return create_app(web_settings, inline_jobs=True)


def form(name: str, **changes: str) -> dict[str, str]:
    values = {
        "name": name,
        "address": "",
        "city": "Leeds",
        "country": "United Kingdom",
        "lat": "",
        "lon": "",
        "phone": "+44 113 496 0000",
        "email": "",
        "lasers": "Nd:YAG 1064 ps; Nd:YAG 1064/532 ns",
        "treats_smp": "yes",
        "fitzpatrick_types": "I-VI",
        "notes": "",
    }
    return values | changes


def find(client: TestClient, name: str, **kwargs: Any) -> dict[str, Any] | None:
    answer = client.get("/api/facilities", **kwargs)
    assert answer.status_code == 200, answer.text
    return next((f for f in answer.json() if f["name"] == name), None)


def test_pages_create_search_edit_delete(client, signed_in, parse):
    _user, csrf = signed_in(Role.PRACTITIONER)
    listing = parse(client.get("/facilities"))
    assert "/facilities" in listing.links() and "/facilities/new" in listing.links()
    assert parse(client.get("/facilities/new")).find("input", name="lasers")

    name = unique("Aire Laser")
    answer = client.post(
        "/facilities/new", data=form(name) | {"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303, answer.text
    created = find(client, name)
    assert created and created["geocoded"] and created["country"] == "GB"
    assert created["fitzpatrick_types"] == "I-VI" and created["treats_smp"] is True
    assert created["lasers_text"] == "Nd:YAG 1064 ps; Nd:YAG 1064/532 ns"

    found = client.get("/facilities", params={"country": "gb", "city": "LEE"})
    assert name in found.text
    assert name not in client.get("/facilities", params={"city": "Zzzz"}).text
    bad = client.get("/facilities", params={"country": "Narnia"})
    assert bad.status_code == 422 and "unknown country" in parse(bad).alerts()[0]

    edit = f"/facilities/{created['id']}/edit"
    shown = parse(client.get(edit))
    assert shown.find("input", name="fitzpatrick_types").get("value") == "I-VI"
    for field, value, words in (  # named as the form labels them
        ("fitzpatrick_types", "I-VII", "Fitzpatrick types treated: "),
        ("lasers", "a ruby", "Lasers: "),
        ("lat", "north", "Latitude must be a number: type degrees north, -90 to 90"),
        ("email", "not-an-email", "Email is not an email address"),
    ):
        answer = client.post(edit, data=form(name, **{field: value}) | {"csrf_token": csrf})
        assert answer.status_code == 422, (field, answer.text)
        (alert,) = parse(answer).alerts()
        assert alert.startswith(words) and "\n" not in alert, alert
    changed = form(name, lasers="PicoWay 1064/532 ps", lat="53.8", lon="-1.55")
    answer = client.post(edit, data=changed | {"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    saved = find(client, name)
    assert saved and saved["lasers_text"] == "PicoWay 1064/532 ps" and not saved["geocoded"]

    answer = client.post(
        f"/facilities/{created['id']}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert "deleted" in " ".join(parse(client.get(answer.headers["location"])).alerts())
    missing = client.get(edit)
    assert missing.status_code == 404 and parse(missing).alerts()
    gone = client.post(f"/facilities/{created['id']}/delete", data={"csrf_token": csrf})
    assert gone.status_code == 404


def test_api_crud(client, token_headers):
    headers = token_headers(Role.ADMIN)
    name = unique("Isar Pico")
    body = {
        "name": name,
        "city": "Munich",
        "country": "DE",
        "lasers": "Nd:YAG 1064 ps",
        "treats_smp": True,
        "fitzpatrick_min": 1,
        "fitzpatrick_max": 5,
    }
    answer = client.post("/api/facilities", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["geocoded"] and made["lasers"][0]["pulse"] == "ps"
    url = f"/api/facilities/{made['id']}"
    assert client.get(url, headers=headers).json()["name"] == name
    assert find(client, name, params={"country": "Germany"}, headers=headers)

    answer = client.patch(url, json={"lasers": "Nd:YAG 1064 ns"}, headers=headers)
    assert answer.status_code == 200 and answer.json()["lasers_text"] == "Nd:YAG 1064 ns"
    bad = client.patch(url, json={"fitzpatrick_min": 2}, headers=headers)
    assert bad.status_code == 422 and "fitzpatrick" in bad.json()["detail"]
    bad = client.post("/api/facilities", json=body | {"country": "Narnia"}, headers=headers)
    assert bad.status_code == 422 and "unknown country" in bad.json()["detail"]

    assert client.delete(url, headers=headers).status_code == 204
    for method in ("GET", "PATCH", "DELETE"):
        answer = client.request(method, url, json={"name": "x"}, headers=headers)
        assert answer.status_code == 404, method
        assert "facility" in answer.json()["detail"]


def test_import_page_good_and_bad_csv(client, signed_in, parse):
    _user, csrf = signed_in(Role.ADMIN)
    assert parse(client.get("/facilities/import")).find("input", type="file")
    first, second = unique("Import Leeds"), unique("Import Berlin")
    good = f"{HEADER}{first},Leeds,GB,53.8,-1.55,Nd:YAG 1064 ps,yes,I-VI\n"
    good += f"{second},Berlin,Germany,,,Nd:YAG 1064 ns,yes,\n"
    answer = client.post(
        "/facilities/import",
        data={"csrf_token": csrf},
        files={"file": ("good.csv", good.encode(), "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    assert "2 new, 0 updated, 1 placed at the centre" in " ".join(parse(answer).alerts())
    assert find(client, first) and find(client, second)

    kept = unique("Never imported")
    bad = f"{HEADER}{kept},Leeds,GB,,,Nd:YAG 1064 ps,yes,I-VI\n"
    bad += f"{unique('Bad lat')},Leeds,GB,91,-1.5,Nd:YAG 1064 ps,yes,I-VI\n"
    bad += f"{unique('Bad skin')},Leeds,GB,,,Nd:YAG 1064 ps,maybe,I-IX\n"
    answer = client.post(
        "/facilities/import",
        data={"csrf_token": csrf},
        files={"file": ("bad.csv", bad.encode(), "text/csv")},
    )
    assert answer.status_code == 422
    shown = parse(answer)
    assert "nothing imported" in shown.alerts()[0]
    problems = [" ".join(li.text.split()) for li in shown.find_all("li")]
    assert any(p.startswith("line 3:") and "lat" in p for p in problems), problems
    assert any(p.startswith("line 4:") and "treats_smp" in p for p in problems), problems
    assert any(p.startswith("line 4:") and "Fitzpatrick" in p for p in problems), problems
    assert find(client, kept) is None

    empty = client.post(
        "/facilities/import", data={"csrf_token": csrf}, files={"file": ("e.csv", b"", "text/csv")}
    )
    assert empty.status_code == 422 and "empty" in parse(empty).alerts()[0]


def test_api_import_and_export(client, token_headers, signed_in):
    headers = token_headers(Role.PRACTITIONER)
    name = unique("Api Import")
    good = f"{HEADER}{name},Manchester,GB,,,Nd:YAG 1064/532 ns,yes,I-IV\n"
    answer = client.post(
        "/api/facilities/import", files={"file": ("f.csv", good.encode())}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"created": 1, "updated": 0, "geocoded": 1}
    again = client.post(
        "/api/facilities/import", files={"file": ("f.csv", good.encode())}, headers=headers
    )
    assert again.json() == {"created": 0, "updated": 1, "geocoded": 1}

    kept = unique("Api Never")
    bad = f"{HEADER}{kept},Leeds,GB,,,,yes,\n,Leeds,GB,,,Nd:YAG 1064 ps,yes,\n"
    answer = client.post(
        "/api/facilities/import", files={"file": ("b.csv", bad.encode())}, headers=headers
    )
    assert answer.status_code == 422
    assert "nothing imported" in answer.json()["detail"]
    assert answer.json()["problems"][0].startswith("line 3:")
    assert find(client, kept, headers=headers) is None

    exported = client.get("/api/facilities/export.csv", headers=headers)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    assert "facilities.csv" in exported.headers["content-disposition"]
    assert f"{name},,Manchester,GB,,," in exported.text
    signed_in(Role.RECEPTION)
    page_export = client.get("/facilities/export.csv")
    assert page_export.status_code == 200 and name in page_export.text


def test_matching_page_ranks_and_explains(client, signed_in, parse):
    _user, csrf = signed_in(Role.PRACTITIONER)
    names = {key: unique(f"Match {key}") for key in ("pico", "nano", "nosmp", "alex", "skin")}
    rows = [
        f"{names['pico']},Leeds,GB,53.80,-1.55,Nd:YAG 1064 ps,yes,I-VI",
        f"{names['nano']},Manchester,GB,53.48,-2.24,Nd:YAG 1064/532 ns,yes,I-IV",
        f"{names['nosmp']},Leeds,GB,53.79,-1.54,Nd:YAG 1064 ps,no,I-VI",
        f"{names['alex']},York,GB,53.96,-1.08,Alexandrite 755 ps,yes,I-VI",
        f"{names['skin']},Leeds,GB,53.81,-1.56,Nd:YAG 1064 ps,yes,I-II",
    ]
    upload = (HEADER + "\n".join(rows) + "\n").encode()
    answer = client.post(
        "/facilities/import", data={"csrf_token": csrf}, files={"file": ("m.csv", upload)}
    )
    assert answer.status_code == 200, answer.text
    patient = client.post(
        "/api/patients",
        json={
            "name": "Sam Match",
            "date_of_birth": "1985-05-05",
            "address": "12 Park Row, Leeds LS1 5HD",
            "fitzpatrick_type": 3,
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert patient.status_code == 201, patient.text
    case = client.post(
        "/api/cases",
        json={"patient_id": patient.json()["id"], "reason": "total_removal"},
        headers={"X-CSRF-Token": csrf},
    )
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    assert f"/cases/{case_id}/facilities" in parse(client.get(f"/cases/{case_id}")).links()

    shown = parse(client.get(f"/cases/{case_id}/facilities"))
    ranking = shown.find("table", class_="table ranking")
    assert names["pico"] in ranking.text and names["nano"] in ranking.text
    assert "Picosecond" in ranking.text and "km" in ranking.text
    assert "picosecond usually needs about 25% fewer sessions" in " ".join(ranking.text.split())
    excluded = " ".join(shown.find("table", class_="table exclusions").text.split())
    assert f"{names['nosmp']}" in excluded and "excluded: does not treat SMP" in excluded
    assert "excluded: no 1064 nm laser" in excluded
    assert "excluded: treats Fitzpatrick I-II, not type III" in excluded
    assert "Leeds" in " ".join(li.text for li in shown.find_all("li"))
    assert "Fitzpatrick type III" in shown.find("p", class_="subtitle").text

    result = client.get(f"/api/cases/{case_id}/facilities").json()
    ranked = {entry["facility"]["name"]: entry for entry in result["ranked"]}
    pico, nano = ranked[names["pico"]], ranked[names["nano"]]
    assert pico["picosecond"] and not nano["picosecond"] and pico["rank"] < nano["rank"]
    assert pico["score"] > nano["score"] and pico["distance_km"] < 5
    out = {entry["facility"]["name"]: entry["reasons"] for entry in result["excluded"]}
    assert out[names["alex"]][0].startswith("excluded: no 1064 nm laser")
    assert client.get("/api/cases/2147483000/facilities").status_code == 404
    assert client.get("/cases/2147483000/facilities").status_code == 404


def test_reception_may_view_but_not_edit(client, signed_in, token_headers, parse):
    admin = token_headers(Role.ADMIN)
    name = unique("Reception View")
    body = {"name": name, "city": "Leeds", "country": "GB", "lasers": "1064 ps", "treats_smp": True}
    made = client.post("/api/facilities", json=body, headers=admin).json()

    _user, csrf = signed_in(Role.RECEPTION)
    listing = client.get("/facilities")
    assert listing.status_code == 200 and name in listing.text
    assert "/facilities/new" not in parse(listing).links()
    for path in ("/facilities/new", "/facilities/import", f"/facilities/{made['id']}/edit"):
        assert client.get(path).status_code == 403, path
    for path in ("/facilities/new", f"/facilities/{made['id']}/edit"):
        answer = client.post(path, data=form(unique("Nope")) | {"csrf_token": csrf})
        assert answer.status_code == 403 and parse(answer).alerts(), path
    answer = client.post(f"/facilities/{made['id']}/delete", data={"csrf_token": csrf})
    assert answer.status_code == 403
    answer = client.post(
        "/facilities/import", data={"csrf_token": csrf}, files={"file": ("r.csv", b"x")}
    )
    assert answer.status_code == 403

    reception = token_headers(Role.RECEPTION)
    url = f"/api/facilities/{made['id']}"
    assert client.get(url, headers=reception).status_code == 200
    assert client.post("/api/facilities", json=body, headers=reception).status_code == 403
    assert client.patch(url, json={"notes": "x"}, headers=reception).status_code == 403
    assert client.delete(url, headers=reception).status_code == 403
    imported = client.post(
        "/api/facilities/import", files={"file": ("r.csv", b"x")}, headers=reception
    )
    assert imported.status_code == 403 and "reception" in imported.json()["detail"]
    assert client.get(url, headers=admin).json()["notes"] is None


def test_anonymous_and_missing_csrf_are_refused(client, signed_in, parse):
    for path in ("/facilities", "/facilities/new", "/cases/1/facilities"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")
    for method, path in (
        ("GET", "/api/facilities"),
        ("POST", "/api/facilities"),
        ("GET", "/api/facilities/export.csv"),
        ("POST", "/api/facilities/import"),
        ("DELETE", "/api/facilities/1"),
        ("GET", "/api/cases/1/facilities"),
    ):
        assert client.request(method, path).status_code == 401, (method, path)

    _user, csrf = signed_in(Role.ADMIN)
    name = unique("No Csrf")
    answer = client.post("/facilities/new", data=form(name))
    assert answer.status_code == 403 and "security token" in parse(answer).alerts()[0]
    forged = client.post("/facilities/new", data=form(name) | {"csrf_token": "forged"})
    assert forged.status_code == 403
    answer = client.post("/facilities/import", files={"file": ("c.csv", HEADER.encode())})
    assert answer.status_code == 403
    answer = client.post("/api/facilities", json={"name": name, "city": "Leeds", "country": "GB"})
    assert answer.status_code == 403
    assert find(client, name) is None
