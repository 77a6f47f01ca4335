"""The progress report rendered from plain data: consent, sessions, clearance, pictures."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re

import numpy as np
import pytest
from PIL import Image

from scalpmap.clinic_identity import ClinicIdentity
from scalpmap.errors import InputError
from scalpmap.reports.progress import (
    OVERLAY_WIDTH_PX,
    LaserRow,
    NextDue,
    ProgressData,
    ReferralSummary,
    SmpRow,
    render_progress_html,
)
from scalpmap.reports.referral import LetterPatient

PLAN = {
    "format": "scalpmap-plan/1",
    "created": "2026-03-01",
    "zones": {"removal": {"area_cm2": 3.25, "impressions": 140}},
    "skin": {"fitzpatrick": 4, "source": "given"},
    "sessions": {"laser": {"likely": 3, "range": [2, 4], "interval_weeks": [6, 8]}},
}
REASON = "too few skin features match the baseline (3, at least 20 needed)"


def picture(width: int, height: int, fmt: str = "PNG") -> bytes:
    rgb = np.random.default_rng(1).integers(0, 255, (height, width, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format=fmt)
    return buffer.getvalue()


def laser(number: int, **values) -> LaserRow:
    base = {
        "number": number,
        "session_date": dt.date(2026, 3, 10) + dt.timedelta(weeks=6 * (number - 1)),
        "facility": "Laser One",
        "device": "PicoWay",
        "wavelength_nm": 1064,
        "pulse": "ps",
        "fluence_j_cm2": 2.5,
        "spot_mm": 4.0,
        "passes": 2,
    }
    return LaserRow(**{**base, **values})


def data(**values) -> ProgressData:
    base = {
        "case_id": 7,
        "report_date": dt.date(2026, 6, 1),
        "plan": PLAN,
        "plan_version": 2,
        "referral": ReferralSummary("Laser One", dt.date(2026, 3, 2), "accepted"),
        "laser_sessions": [
            laser(1, percent=40.2, outside_lost_percent=0.5, adverse_effects="mild redness"),
            laser(2, not_measured=REASON),
            laser(3),
        ],
        "smp_sessions": [
            SmpRow(dt.date(2026, 5, 20), "Alex P.", "3RL 0.25", ["frontal", "temporal_left"])
        ],
        "chart_png": picture(320, 240),
        "overlay": picture(1800, 1200),
        "overlay_caption": "Follow-up of 2026-04-01 after laser session 1",
        "recommendation": "only 40% of the removal zone is clear: book another laser session",
        "due": [NextDue("laser", dt.date(2026, 6, 10), dt.date(2026, 6, 24), "40% clear")],
    }
    return ProgressData(**{**base, **values})


def rows(html: str) -> list[str]:
    """The laser sessions' rows, each with the line below it saying why it is not measured."""
    body = html.split("<h2>Laser sessions</h2>")[1].split("<tbody>")[1].split("</tbody>")[0]
    found = re.findall(r'<tr( class="reason-row")?[^>]*>(.*?)</tr>', body, flags=re.DOTALL)
    result: list[str] = []
    for reason_row, cells in found:
        if reason_row:
            result[-1] += cells
        else:
            result.append(cells)
    return result


def test_without_consent_the_patient_is_withheld_with_the_letters_wording():
    html = render_progress_html(data(), clinic=ClinicIdentity(name="Inkless SMP"))
    assert "Patient details withheld: no consent recorded." in html
    assert "Inkless SMP" in html and "Case 7" in html and "Treatment progress" in html


def test_with_consent_the_patient_is_shown():
    person = LetterPatient("Sam Example", dt.date(1980, 5, 4), "+44 113 000", "sam@example.org")
    html = render_progress_html(data(patient=person))
    assert "withheld" not in html
    assert "Sam Example" in html and "Sun 4 May 1980" in html and "sam@example.org" in html


def test_the_plan_referral_and_next_step_are_shown():
    html = render_progress_html(data())
    assert "3.2 cm²" in html and ">140<" in html and "range 2–4" in html and "6–8 wk" in html
    assert "Laser One" in html and "Mon 2 Mar 2026" in html and "accepted" in html
    assert "Only 40% of the removal zone is clear" in html
    assert "Laser session" in html and "Wed\u00a010\u00a0Jun\u00a02026" in html
    assert "Alex P." in html and "frontal, temporal left" in html


def test_measured_rows_show_a_percentage_and_not_measured_rows_none():
    measured, failed, pending = rows(render_progress_html(data()))
    assert "40.2%" in measured and "mild redness" in measured and "0.5%" in measured
    assert f"not measured: {REASON}" in failed
    assert not re.search(r"\d%", failed)
    assert "no follow-up yet" in pending and not re.search(r"\d%", pending)
    assert "none reported" in pending


def test_flagged_outside_loss_is_marked():
    flagged = laser(1, percent=80.0, outside_lost_percent=12.5, outside_flagged=True)
    html = render_progress_html(data(laser_sessions=[flagged]))
    [row] = rows(html)
    assert "12.5%" in row and "flagged" in row


def test_the_chart_and_a_reduced_overlay_are_inline():
    html = render_progress_html(data())
    uris = re.findall(r'src="data:(image/\w+);base64,([^"]+)"', html)
    assert [mime for mime, _ in uris] == ["image/png", "image/jpeg"]
    with Image.open(io.BytesIO(base64.b64decode(uris[1][1]))) as overlay:
        assert overlay.width <= OVERLAY_WIDTH_PX
    assert "after laser session 1" in html


def test_an_empty_case_renders_without_pictures():
    empty = ProgressData(case_id=3, report_date=dt.date(2026, 6, 1))
    html = render_progress_html(empty)
    assert "No plan has been saved" in html and "has not been referred" in html
    assert "No laser session has been logged yet" in html and "No SMP session" in html
    assert "Nothing is due" in html and "data:" not in html and "<h2>Clearance</h2>" not in html


def test_text_is_escaped():
    html = render_progress_html(data(laser_sessions=[laser(1, adverse_effects="<b>x</b>")]))
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_a_picture_that_is_not_png_or_jpeg_is_refused():
    with pytest.raises(InputError):
        render_progress_html(data(chart_png=b"GIF89a"))
