"""An absurd scale (mm per pixel) is refused by the upload form and the API, before any work."""

from __future__ import annotations

import pytest


def _case_id(client, headers) -> int:
    patient = client.post(
        "/api/patients", json={"name": "Sam Scale", "date_of_birth": "1979-03-04"}, headers=headers
    )
    assert patient.status_code == 201, patient.text
    case = client.post(
        "/api/cases", json={"patient_id": patient.json()["id"], "reason": "faded"}, headers=headers
    )
    assert case.status_code == 201, case.text
    return int(case.json()["id"])


@pytest.mark.parametrize("scale", ["0", "-0.03", "0.001", "1.5", "35", "nan", "0,0.2"])
def test_the_api_refuses_an_absurd_scale_in_one_line(client, token_headers, scalp_jpeg, scale):
    headers = token_headers()
    case_id = _case_id(client, headers)
    answer = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": ("x.jpg", scalp_jpeg, "image/jpeg")},
        data={"view": "top", "mm_per_px": scale},
        headers=headers,
    )
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert (
        detail.startswith("Scale, mm per pixel must be 0.005 to 1 (a close-up")
        and "\n" not in detail
    )
    assert answer.json()["errors"][0]["field"] == "mm_per_px"


def test_the_api_accepts_the_edges_of_the_range(client, token_headers, scalp_jpeg):
    headers = token_headers()
    case_id = _case_id(client, headers)
    for scale in ("0.005", "1.0"):
        answer = client.post(
            f"/api/cases/{case_id}/photos",
            files={"file": (f"{scale}.jpg", scalp_jpeg, "image/jpeg")},
            data={"view": "top", "mm_per_px": scale},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text


@pytest.mark.parametrize("scale", [0.0, 0.001, 2.0])
def test_reanalysing_with_an_absurd_scale_is_refused(client, token_headers, scalp_jpeg, scale):
    headers = token_headers()
    case_id = _case_id(client, headers)
    photo = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": ("x.jpg", scalp_jpeg, "image/jpeg")},
        data={"view": "top"},
        headers=headers,
    )
    assert photo.status_code == 201, photo.text
    again = client.post(
        f"/api/photos/{photo.json()['id']}/analysis", json={"mm_per_px": scale}, headers=headers
    )
    assert again.status_code == 422


def test_the_upload_form_refuses_an_absurd_scale(
    client, signed_in, parse, scalp_jpeg, case_by_form
):
    _user, csrf = signed_in()
    case_id = case_by_form(csrf, name="Sky Form", reason="faded", title="Scale")
    answer = client.post(
        f"/cases/{case_id}/photos",
        data={"view": "front", "mm_per_px": "3.5", "csrf_token": csrf},
        files=[("files", ("front.jpg", scalp_jpeg, "image/jpeg"))],
        follow_redirects=False,
    )
    assert answer.status_code == 422
    (alert,) = parse(answer).alerts()
    assert alert == (
        "Scale, mm per pixel must be 0.005 to 1 (a close-up is about 0.02-0.08, a whole head "
        "0.1-0.25), or empty when the printed marker is in the photo; got '3.5'"
    )
    page = parse(client.get(f"/cases/{case_id}"))
    assert page.find_all("a", class_="thumb") == []
