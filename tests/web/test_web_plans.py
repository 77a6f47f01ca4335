"""The hairline designer and plan pages: start, live update, save, versions, files and access."""

from __future__ import annotations

import copy
import re
import threading
import time

import pytest
from fastapi.testclient import TestClient

from scalpmap.planning.laser_rules import interval_rule
from scalpmap.services import photos
from scalpmap.store.models import Role

KIRBY_DESAI = ("skin_type", "location", "colour", "ink_amount", "scarring", "layering")
MM = 0.035


def _ajax(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf}


def _case_with_photo(client, csrf, jpeg, name="Casey Designer"):
    """Patient, case and an analysed photo through the JSON API (cookie session + CSRF)."""
    headers = _ajax(csrf)
    patient = client.post(
        "/api/patients", json={"name": name, "date_of_birth": "1994-05-06"}, headers=headers
    )
    assert patient.status_code == 201, patient.text
    case = client.post(
        "/api/cases",
        json={"patient_id": patient.json()["id"], "reason": "reposition"},
        headers=headers,
    )
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    upload = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": ("front.jpg", jpeg, "image/jpeg")},
        data={"view": "front"},
        headers=headers,
    )
    assert upload.status_code == 201, upload.text
    body = upload.json()
    assert body["status"] == "done"  # inline jobs
    return case_id, body["id"], body["analysis_id"]


def _moved(hairline: dict, dy_mm: float) -> dict:
    edited = copy.deepcopy(hairline)
    for segment in edited["segments"].values():
        segment["points_px"] = [[x, y + dy_mm / MM] for x, y in segment["points_px"]]
    return edited


def test_designer_starts_updates_and_refuses_bad_input(
    client, signed_in, parse, scalp_jpeg, other_jpeg, app, design_state
):
    user, csrf = signed_in()
    case_id, photo_id, analysis_id = _case_with_photo(client, csrf, scalp_jpeg)

    plans_page = parse(client.get(f"/cases/{case_id}/plans"))
    assert f"/cases/{case_id}/designer?photo={photo_id}" in plans_page.links()
    assert f"/cases/{case_id}/plans" in parse(client.get(f"/cases/{case_id}")).links()

    page = parse(client.get(f"/cases/{case_id}/designer?photo={photo_id}"))
    state = design_state(page)
    width, height = state["photo"]["width"], state["photo"]["height"]
    assert page.find("svg", id="design-svg").get("viewbox") == f"0 0 {width} {height}"
    assert (width, height) == (900, 700)
    templates = [b.get("data-template") for b in page.find_all("button") if b.get("data-template")]
    assert templates == ["keep", "soften", "mature", "remove-all"]
    assert page.find("input", id="age").get("value") and page.find("button", id="save-plan")
    removal_shown = page.find("span", id="removal-area").text
    assert removal_shown == f"{state['zones']['removal']['area_cm2']:.2f}"
    assert state["analysis_id"] == analysis_id and state["template"] == "soften"

    start = client.post(
        f"/api/cases/{case_id}/designs",
        json={"photo_id": photo_id, "template": "keep"},
        headers=_ajax(csrf),
    )
    assert start.status_code == 200, start.text
    keep = start.json()
    assert keep["analysis_id"] == analysis_id and keep["photo_id"] == photo_id
    assert set(keep["zones"]) == {"removal", "touch_up", "keep"}
    assert keep["zones"]["removal"]["area_cm2"] == 0
    mature = client.post(
        f"/api/cases/{case_id}/designs",
        json={"analysis_id": analysis_id, "template": "mature"},  # age from the date of birth
        headers=_ajax(csrf),
    ).json()
    assert mature["zones"]["removal"]["area_cm2"] > 1.0
    everything = client.post(
        f"/api/cases/{case_id}/designs",
        json={"analysis_id": analysis_id, "template": "remove-all"},
        headers=_ajax(csrf),
    ).json()
    assert everything["hairline"] is None and everything["zones"]["keep"]["polygons"] == []

    # Moving the points up (smaller y) moves the line into the pigment: more is removed.
    url = f"/api/designs/{analysis_id}/update"
    same = client.post(url, json=keep["hairline"], headers=_ajax(csrf)).json()
    up = client.post(url, json=_moved(keep["hairline"], -2.0), headers=_ajax(csrf)).json()
    down = client.post(url, json=_moved(keep["hairline"], +2.0), headers=_ajax(csrf)).json()
    removal = [s["zones"]["removal"] for s in (down, same, up)]
    assert same["template"] == "custom"
    assert removal[0]["area_cm2"] <= removal[1]["area_cm2"] < removal[2]["area_cm2"] - 0.1
    assert removal[2]["impressions"] > removal[1]["impressions"]

    # Bad input: one line each, with the matching status.
    def refused(answer, status, fragment):
        assert answer.status_code == status, answer.text
        detail = answer.json()["detail"]
        assert fragment in detail and "\n" not in detail, detail

    refused(
        client.post(
            f"/api/cases/{case_id}/designs",
            json={"analysis_id": analysis_id, "template": "punk"},
            headers=_ajax(csrf),
        ),
        422,
        "Template must be one of: keep, soften, mature or remove-all",
    )
    refused(client.post(url, json={"points": []}, headers=_ajax(csrf)), 422, "segments")
    broken = copy.deepcopy(keep["hairline"])
    broken["segments"]["frontal"]["points_px"] = "abc"
    refused(client.post(url, json=broken, headers=_ajax(csrf)), 422, "[x, y] points")
    refused(client.post(url, json=[1, 2], headers=_ajax(csrf)), 422, "must be a JSON object")
    bad_json = client.post(
        url, content=b"{not json", headers={**_ajax(csrf), "Content-Type": "application/json"}
    )
    assert bad_json.status_code == 422
    refused(client.post("/api/designs/999999/update", json={}, headers=_ajax(csrf)), 404, "999999")

    # A photo without a finished analysis: 409. Another case's analysis: 404.
    other_case, _other_photo, other_analysis = _case_with_photo(
        client, csrf, scalp_jpeg, name="Other Case"
    )
    with app.state.scalpmap.session_factory() as session:
        bare = photos.add_photo(
            session, app.state.scalpmap.store, other_jpeg, case_id=case_id, actor=user,
            mm_per_px=MM,
        )  # fmt: skip
    refused(
        client.post(
            f"/api/cases/{case_id}/designs",
            json={"photo_id": bare.id, "template": "keep"},
            headers=_ajax(csrf),
        ),
        409,
        "not been analysed",
    )
    assert client.get(f"/cases/{case_id}/designer?photo={bare.id}").status_code == 409
    refused(
        client.post(
            f"/api/cases/{case_id}/designs",
            json={"analysis_id": other_analysis, "template": "keep"},
            headers=_ajax(csrf),
        ),
        404,
        f"no analysis {other_analysis}",
    )
    assert client.get(f"/cases/{other_case}/designer?photo={photo_id}").status_code == 404


def test_save_plan_page_versions_and_downloads(
    app, client, signed_in, parse, scalp_jpeg, token_headers, saved_plan, design_state
):
    _user, csrf = signed_in()
    case_id, photo_id, analysis_id = _case_with_photo(client, csrf, scalp_jpeg, name="Pat Planner")
    first = client.post(
        f"/api/cases/{case_id}/plans",
        json={"analysis_id": analysis_id, "template": "mature", "age": 32, "skin_type": 3},
        headers=_ajax(csrf),
    )
    v1 = saved_plan(first)
    assert v1["version"] == 1 and v1["url"] == f"/plans/{v1['id']}"
    start = client.post(
        f"/api/cases/{case_id}/designs",
        json={"analysis_id": analysis_id, "template": "soften"},
        headers=_ajax(csrf),
    ).json()
    # While the plan is made (seconds) in the threadpool, the designer's updates still answer
    # at once: saving holds no database lock (on SQLite) and does not block the event loop.
    bearer = token_headers(Role.PRACTITIONER)
    other = TestClient(app)  # a second browser; the app is already started by ``client``
    body = {
        "analysis_id": analysis_id,
        "template": "soften",
        "hairline": _moved(start["hairline"], -1.0),
        "note": "one millimetre higher",
        "start_date": "2026-09-01",
    }
    saved: list = []
    saving = threading.Thread(
        target=lambda: saved.append(
            client.post(f"/api/cases/{case_id}/plans", json=body, headers=_ajax(csrf))
        )
    )
    began_saving = time.monotonic()
    saving.start()
    waits = []
    while saving.is_alive():
        began = time.monotonic()
        update = other.post(
            f"/api/designs/{analysis_id}/update", json=start["hairline"], headers=bearer
        )
        waits.append(time.monotonic() - began)
        assert update.status_code == 200, update.text
    saving.join()
    took = time.monotonic() - began_saving
    # A held lock would make an update wait for (nearly) the whole save.
    assert len(waits) >= 3 and max(waits) < took / 2, (took, waits)
    v2 = saved_plan(saved[0])
    assert v2["version"] == 2

    listed = client.get(f"/api/cases/{case_id}/plans").json()
    assert [v["version"] for v in listed] == [2, 1]
    assert listed[0]["template"] == "custom" and listed[0]["note"] == "one millimetre higher"
    document = client.get(f"/api/plans/{v2['id']}").json()
    assert document["format"] == "scalpmap-plan/1"
    assert document["files"]["patient_pdf"] == f"/api/plans/{v2['id']}/files/patient_pdf"
    assert document["timeline"]["start"] == "2026-09-01"
    assert client.get(f"/api/plans/{v1['id']}").json()["options"]["template"] == "mature"

    page = parse(client.get(v2["url"]))
    assert page.title.startswith("Plan v2")
    factors = [row.get("data-factor") for row in page.find_all("tr") if row.get("data-factor")]
    assert tuple(factors) == KIRBY_DESAI
    for row in page.find_all("tr"):
        if row.get("data-factor"):
            cells = [" ".join(c.text.split()) for c in _cells(page, row)]
            assert cells[2].isdigit(), cells  # points
            assert cells[3] and cells[4], cells  # source and explanation
    measures = [row.get("data-measure") for row in page.find_all("tr") if row.get("data-measure")]
    assert measures == [m["name"] for m in document["assessment"]["measures"]]
    assert len(measures) == 6
    rule = " ".join(page.find("dd", id="interval-rule").text.split())
    assert rule == interval_rule(document["sessions"]["laser"]["interval_weeks"])
    links = page.links()
    for role in ("patient_pdf", "facility_pdf", "patient_html", "facility_html"):
        assert f"/plans/{v2['id']}/files/{role}" in links
    assert f"/cases/{case_id}/designer?plan={v2['id']}" in links
    versions = [o.get("data-url") for o in page.find_all("option") if o.get("data-url")]
    assert versions == [f"/plans/{v2['id']}", f"/plans/{v1['id']}"]
    after = page.find("img", id="compare-after").get("src")
    assert after == f"/plans/{v2['id']}/files/after_touch_up"
    assert page.find("input", id="compare-range", type="range")
    for src in [img.get("src") for img in page.find_all("img")]:
        picture = client.get(src)
        assert picture.status_code == 200, src
        assert picture.headers["content-type"] in ("image/png", "image/jpeg"), src
    assert "Pat" not in " ".join(links)  # no patient name in any URL

    pdf = client.get(f"/plans/{v2['id']}/files/patient_pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    disposition = pdf.headers["content-disposition"]
    assert disposition == f'attachment; filename="case-{case_id}-plan-v2-plan.pdf"'
    facility = client.get(f"/api/plans/{v1['id']}/files/facility_pdf")
    assert facility.content.startswith(b"%PDF")
    html = client.get(f"/plans/{v1['id']}/files/facility_html")
    assert html.headers["content-type"].startswith("text/html")
    assert client.get(f"/plans/{v1['id']}/files/../../etc/passwd").status_code == 404
    assert client.get(f"/plans/{v1['id']}/files/nonsense").status_code == 404
    assert client.get("/api/plans/999999").status_code == 404

    # Old versions stay viewable; the selector without JavaScript redirects.
    old = parse(client.get(v1["url"]))
    assert "older version" in " ".join(old.alerts())
    redirect = client.get(f"/cases/{case_id}/plans?version=1", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == v1["url"]
    # Edit in designer starts from the version's hairline.
    again = design_state(parse(client.get(f"/cases/{case_id}/designer?plan={v2['id']}")))
    assert again["template"] == "custom" and again["photo_id"] == photo_id

    # Reception: may view the plan, may not design or save.
    _reception, rcsrf = signed_in(Role.RECEPTION)
    assert client.get(v2["url"]).status_code == 200
    viewed = parse(client.get(v2["url"]))
    assert f"/cases/{case_id}/designer?plan={v2['id']}" not in viewed.links()
    assert client.get(f"/plans/{v2['id']}/files/patient_pdf").status_code == 200
    assert client.get(f"/cases/{case_id}/designer").status_code == 403
    for url, body in (
        (f"/api/cases/{case_id}/designs", {"analysis_id": analysis_id}),
        (f"/api/designs/{analysis_id}/update", start["hairline"]),
        (f"/api/cases/{case_id}/plans", {"analysis_id": analysis_id}),
    ):
        answer = client.post(url, json=body, headers=_ajax(rcsrf))
        assert answer.status_code == 403, (url, answer.text)
        assert "reception cannot do this" in answer.json()["detail"]
    assert [v["version"] for v in client.get(f"/api/cases/{case_id}/plans").json()] == [2, 1]


def _cells(page, row):
    """The <td> elements of a table row (the parser keeps a flat list in document order)."""
    index = page.elements.index(row)
    cells = []
    for element in page.elements[index + 1 :]:
        if element.tag == "tr":
            break
        if element.tag == "td":
            cells.append(element)
    return cells


def test_anonymous_and_missing_csrf_are_refused(client, signed_in, scalp_jpeg, token_headers):
    _user, csrf = signed_in()
    case_id, _photo_id, analysis_id = _case_with_photo(client, csrf, scalp_jpeg, name="Sam Csrf")
    hairline = client.post(
        f"/api/cases/{case_id}/designs",
        json={"analysis_id": analysis_id, "template": "keep"},
        headers=_ajax(csrf),
    ).json()["hairline"]
    for url, body in (
        (f"/api/cases/{case_id}/designs", {"analysis_id": analysis_id}),
        (f"/api/designs/{analysis_id}/update", hairline),
        (f"/api/cases/{case_id}/plans", {"analysis_id": analysis_id}),
    ):
        answer = client.post(url, json=body)  # the session cookie, without the CSRF header
        assert answer.status_code == 403, (url, answer.text)
        assert "security token" in answer.json()["detail"]
        wrong = client.post(url, json=body, headers=_ajax("not-the-token"))
        assert wrong.status_code == 403
    # An API token needs no CSRF token.
    bearer = token_headers(Role.PRACTITIONER)
    update = client.post(f"/api/designs/{analysis_id}/update", json=hairline, headers=bearer)
    assert update.status_code == 200 and update.json()["template"] == "custom"

    client.cookies.clear()
    for url in (f"/api/cases/{case_id}/designs", f"/api/designs/{analysis_id}/update"):
        answer = client.post(url, json={})
        assert answer.status_code == 401 and answer.json()["detail"]
    assert client.get(f"/api/cases/{case_id}/plans").status_code == 401
    page = client.get(f"/cases/{case_id}/designer", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/signin")


@pytest.mark.parametrize("role", ["zones", "patient_pdf"])
def test_file_routes_refuse_anonymous(client, role):
    answer = client.get(f"/plans/1/files/{role}", follow_redirects=False)
    assert answer.status_code == 303
    assert re.match(r"/signin\?next=", answer.headers["location"])
    assert client.get(f"/api/plans/1/files/{role}").status_code == 401
