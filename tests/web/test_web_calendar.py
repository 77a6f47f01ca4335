"""The case's ICS calendar download."""

from __future__ import annotations


def test_case_calendar_downloads_without_the_patient_name(client, token_headers):
    headers = token_headers()
    patient_id = client.post(
        "/api/patients",
        json={"name": "Robin Icsname", "date_of_birth": "1980-02-03"},
        headers=headers,
    ).json()["id"]
    case_id = client.post(
        "/api/cases", json={"patient_id": patient_id, "reason": "reposition"}, headers=headers
    ).json()["id"]
    answer = client.get(f"/cases/{case_id}/calendar.ics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/calendar")
    assert f'filename="case-{case_id}.ics"' in answer.headers["content-disposition"]
    text = answer.text
    assert text.startswith("BEGIN:VCALENDAR") and text.rstrip().endswith("END:VCALENDAR")
    assert "Icsname" not in text


def test_case_calendar_needs_a_user_and_a_real_case(client, token_headers):
    assert client.get("/cases/1/calendar.ics", follow_redirects=False).status_code in (303, 401)
    assert client.get("/cases/2147483000/calendar.ics", headers=token_headers()).status_code == 404
