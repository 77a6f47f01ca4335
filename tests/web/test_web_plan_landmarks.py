"""The plan designer page with facial landmarks: shown, moved, saved as given; the iris scale."""

from __future__ import annotations

import copy

import pytest


def _ajax(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf}


# --- facial landmarks in the designer, and an estimated scale --------------------------------

NAMES = ("glabella", "left_canthus", "right_canthus")


def test_designer_shows_landmarks_and_saves_a_moved_one_as_given(
    client, signed_in, parse, face_case, saved_plan, design_state
):
    _user, csrf = signed_in()
    case_id, photo_id, analysis_id = face_case(csrf)

    page = parse(client.get(f"/cases/{case_id}/designer?photo={photo_id}&template=mature"))
    state = design_state(page)
    assert state["landmarks"]["sources"] == dict.fromkeys(NAMES, "detected")
    assert set(state["guides"]) >= {"midfrontal", "left_vertical", "right_vertical", "midline"}
    assert page.find("g", id="landmarks-layer") and page.find("g", id="guides-layer")
    note = page.find("p", id="landmark-note")
    assert note.get("hidden") is None and "Glabella: detected" in note.text
    assert not page.find_all("p", id="scale-estimate")  # a given scale is not flagged

    # Move the glabella 1 cm up: the mature template follows it, and it is given.
    mm = state["mm_per_px"]
    gx, gy = state["landmarks"]["glabella"]
    body = {
        "analysis_id": analysis_id,
        "template": "mature",
        "landmarks": {"glabella": [gx, gy - 10 / mm]},
    }
    moved = client.post(f"/api/cases/{case_id}/designs", json=body, headers=_ajax(csrf))
    assert moved.status_code == 200, moved.text
    after = moved.json()
    assert after["landmarks"]["sources"]["glabella"] == "given"
    assert after["landmarks"]["sources"]["left_canthus"] == "detected"
    shift = (state["guides"]["midfrontal_xy"][1] - after["guides"]["midfrontal_xy"][1]) * mm
    assert shift == pytest.approx(10.0, abs=0.05)
    assert after["zones"]["removal"]["area_cm2"] > state["zones"]["removal"]["area_cm2"]

    for bad, status in (
        ({"glabella": [1e7, 0.0]}, 422),
        ({"glabella": [1.0, 2.0, 3.0]}, 422),
        ({"nose": [1.0, 2.0]}, 422),
        ({"glabella": [0.0, 0.0], "left_canthus": [10.0, 0.0]}, 422),
    ):
        refused = client.post(
            f"/api/cases/{case_id}/designs",
            json={"analysis_id": analysis_id, "template": "mature", "landmarks": bad},
            headers=_ajax(csrf),
        )
        assert refused.status_code == status, (bad, refused.text)

    # Saving records the moved landmark as given and the others as detected.
    rx, ry = state["landmarks"]["right_canthus"]
    save = {
        "analysis_id": analysis_id, "template": "mature", "skin_type": 3,
        "landmarks": {"right_canthus": [rx + 20.0, ry]},
    }  # fmt: skip
    created = client.post(f"/api/cases/{case_id}/plans", json=save, headers=_ajax(csrf))
    plan_id = saved_plan(created)["id"]
    document = client.get(f"/api/plans/{plan_id}").json()
    recorded = document["options"]["landmarks"]
    assert recorded["sources"] == {
        "glabella": "detected", "left_canthus": "detected", "right_canthus": "given"
    }  # fmt: skip
    assert recorded["right_canthus"] == [rx + 20.0, ry]
    plan_page = parse(client.get(f"/plans/{plan_id}"))
    basis = " ".join(plan_page.find("p", id="plan-basis").text.split())
    assert (
        "value given" in basis and "right canthus given; glabella, left canthus detected" in basis
    )
    assert not plan_page.find_all("p", id="scale-estimate")

    # Editing the saved plan brings its given landmark back.
    edit = design_state(parse(client.get(f"/cases/{case_id}/designer?plan={plan_id}")))
    assert edit["landmarks"]["sources"]["right_canthus"] == "given"
    assert edit["landmarks"]["right_canthus"] == [rx + 20.0, ry]


def test_an_iris_scale_is_said_to_be_an_estimate_on_the_designer_and_plan_pages(
    app, client, signed_in, parse, face_case, saved_plan, design_state
):
    from scalpmap.store.models import PhotoAnalysis

    _user, csrf = signed_in()
    case_id, photo_id, analysis_id = face_case(csrf)
    # The analysis as an iris scale stores it (analysis.json: source iris, its uncertainty).
    with app.state.scalpmap.session_factory() as session:
        row = session.get(PhotoAnalysis, analysis_id)
        document = copy.deepcopy(row.document)
        document["scale"].update(source="iris", uncertainty_percent=4.9, iris_diameter_px=76.0)
        row.document = document
        session.commit()
    page = parse(client.get(f"/cases/{case_id}/designer?photo={photo_id}"))
    assert design_state(page)["scale"] == {"source": "iris", "uncertainty_percent": 4.9}
    alert = " ".join(page.find("p", id="scale-estimate").text.split()).replace("\u00a0", " ")
    assert "Estimated sizes" in alert and "lengths ± 4.9 %, areas ± 9.8 %" in alert
    assert "printed marker" in alert
    assert "estimated from the iris, ± 4.9 %" in page.find("p", class_="subtitle").text
    created = client.post(
        f"/api/cases/{case_id}/plans",
        json={"analysis_id": analysis_id, "template": "keep", "skin_type": 3},
        headers=_ajax(csrf),
    )
    plan_page = parse(client.get(saved_plan(created)["url"]))
    assert "estimated from the iris, ± 4.9 %" in plan_page.find("p", id="plan-basis").text
    estimate = plan_page.find("p", id="scale-estimate").text.replace("\u00a0", " ")
    assert "areas ± 9.8" in estimate
