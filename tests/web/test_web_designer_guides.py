"""The designer's guide lines come from the server, and a whole head's state carries its scalp."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Polygon


def _ajax(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf}


def test_guide_lines_follow_a_dragged_landmark_and_the_line_stays_on_the_head(
    client, signed_in, parse, face_case
):
    _user, csrf = signed_in()
    case_id, photo_id, analysis_id = face_case(csrf, name="Gus Guide")
    page = parse(client.get(f"/cases/{case_id}/designer?photo={photo_id}&template=soften"))
    state = json.loads(page.find("script", id="design-state").text)
    mm = state["mm_per_px"]

    # The same guide lines as the state's, for the detected landmarks.
    url = f"/api/designs/{analysis_id}/guides"
    same = client.post(url, json={}, headers=_ajax(csrf))
    assert same.status_code == 200, same.text
    assert same.json() == state["guides"]

    # The glabella dragged 1 cm up: the mid-frontal line moves 1 cm up, the verticals stay.
    gx, gy = state["landmarks"]["glabella"]
    moved = client.post(url, json={"glabella": [gx, gy - 10 / mm]}, headers=_ajax(csrf)).json()
    shift = (state["guides"]["midfrontal_xy"][1] - moved["midfrontal_xy"][1]) * mm
    assert shift == pytest.approx(10.0, abs=0.05)
    assert moved["left_vertical"] == state["guides"]["left_vertical"]
    for bad in ({"glabella": [1e7, 0.0]}, {"nose": [1.0, 2.0]}, {"glabella": [1.0]}):
        refused = client.post(url, json=bad, headers=_ajax(csrf))
        assert refused.status_code == 422, (bad, refused.text)
        assert "\n" not in refused.json()["detail"]
    assert client.post(url, json={}).status_code == 403  # no CSRF token

    # The scalp area: the soften line lies inside it, and the photo's corners do not.
    rings = state["scalp_area"]
    assert rings, "a whole head's state carries its scalp area"
    scalp = shapely.union_all([Polygon(p[0], p[1:]) for p in rings])
    width, height = state["photo"]["width"], state["photo"]["height"]
    corners = shapely.points([[1, 1], [width - 2, 1], [1, height - 2], [width - 2, height - 2]])
    assert not shapely.contains(scalp, corners).any()
    for piece in state["target_lines"]:
        line = LineString(piece)
        assert line.difference(scalp.buffer(1.0)).length * mm < 0.5
    assert np.ptp([p[0] for piece in state["target_lines"] for p in piece]) > 0.3 * width


def test_a_close_up_state_has_no_scalp_area_and_no_guides(client, signed_in, scalp_jpeg):
    _user, csrf = signed_in()
    headers = _ajax(csrf)
    patient = client.post(
        "/api/patients", json={"name": "Cleo Close", "date_of_birth": "1990-01-01"}, headers=headers
    ).json()
    case = client.post(
        "/api/cases", json={"patient_id": patient["id"], "reason": "reposition"}, headers=headers
    ).json()
    upload = client.post(
        f"/api/cases/{case['id']}/photos",
        files={"file": ("front.jpg", scalp_jpeg, "image/jpeg")},
        data={"view": "front"},
        headers=headers,
    ).json()
    start = client.post(
        f"/api/cases/{case['id']}/designs",
        json={"analysis_id": upload["analysis_id"], "template": "soften"},
        headers=headers,
    )
    assert start.status_code == 200, start.text
    assert start.json()["scalp_area"] is None
    guides = client.post(f"/api/designs/{upload['analysis_id']}/guides", json={}, headers=headers)
    assert guides.status_code == 200 and guides.json() is None
