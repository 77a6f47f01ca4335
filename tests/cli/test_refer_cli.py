"""`scalpmap refer CASE_ID --facility ID --out DIR`: the letter, the stage, and user errors."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.facilities.schemas import FacilityCreate
from scalpmap.services import cases, facilities, patients, plans, users
from scalpmap.store import testing
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import Case, CaseReason, CaseStage, Role
from scalpmap.store.testing import temporary_database

backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing

runner = CliRunner()
PLAN = {
    "format": "scalpmap-plan/1",
    "zones": {"removal": {"area_cm2": 3.25, "impressions": 140}},
    "skin": {"fitzpatrick": 4, "source": "given"},
    "sessions": {"laser": {"likely": 1, "range": [1, 2], "interval_weeks": [3, 4]}},
}


@pytest.fixture
def setup(backend, tmp_path, monkeypatch, cheap_password_hashing):
    """A database with a facility and two cases of a patient, one with a plan."""
    with temporary_database(backend, tmp_path) as url:
        monkeypatch.setenv("SCALPMAP_DATABASE_URL", url)
        monkeypatch.delenv("SCALPMAP_DATA_DIR", raising=False)
        settings = get_settings(data_dir=tmp_path / "data", database_url=url, secret_key="k")
        engine = create_engine_for(settings)
        try:
            ensure_schema(engine)
            with make_session_factory(engine)() as session:
                staff = users.create_user(
                    session, "p@clinic.example", "correct horse battery", Role.PRACTITIONER
                )
                data = patients.PatientCreate(full_name="Sam Example", fitzpatrick_type=4)
                patient = patients.create_patient(session, data, staff)
                planned = cases.open_case(session, patient.id, CaseReason.REPOSITION, staff)
                bare = cases.open_case(session, patient.id, CaseReason.REPOSITION, staff)
                plans.save_plan(session, planned.id, PLAN, staff)
                place = FacilityCreate(name="Laser One", city="Leeds", country="GB")
                facility = facilities.create_facility(session, place)
                ids = {"case": planned.id, "bare": bare.id, "facility": facility.id}
            yield ids, tmp_path, engine
        finally:
            engine.dispose()


def run(data_dir, *args):
    return runner.invoke(app, ["refer", *args, "--data-dir", str(data_dir)])


def test_refer_writes_the_letter_and_moves_the_case(setup):
    ids, tmp_path, engine = setup
    out = tmp_path / "letters"
    result = run(
        tmp_path / "data",
        str(ids["case"]),
        "--facility",
        str(ids["facility"]),
        "--out",
        str(out),
        "--date",
        "2026-03-09",
        "--clinic-name",
        "Inkless SMP",
        "--signed-by",
        "Alex P.",
    )
    assert result.exit_code == 0, result.output
    assert "referred to Laser One (drafted; case at referred)" in result.output
    assert "without (no consent recorded) patient details" in result.output
    [html] = out.glob("referral-*.html")
    [pdf] = out.glob("referral-*.pdf")
    page = html.read_text(encoding="utf-8")
    assert "Patient details withheld" in page and "Sam Example" not in page
    area = f"{PLAN['zones']['removal']['area_cm2']:.2f} cm²"  # areas to 0.01 cm²
    assert area in page and "140" in page and "Alex P." in page and "9 Mar 2026" in page
    # The plan holds no analysis: its pigmented region is not measured, never "0.00 cm²".
    assert "<th>Pigmented region</th><td>not measured</td>" in page and "0.00 cm²" not in page
    assert pdf.read_bytes().startswith(b"%PDF")
    with make_session_factory(engine)() as session:
        assert session.get(Case, ids["case"]).stage == CaseStage.REFERRED
        count = session.scalar(text("SELECT count(*) FROM referrals"))
    assert count == 1


@pytest.mark.parametrize(
    ("which", "facility", "extra", "message"),
    [
        ("bare", "facility", [], "has no plan yet"),
        ("case", "999999", [], "no facility with id 999999"),
        ("999999", "facility", [], "no case with id 999999"),
        ("case", "facility", ["--date", "9 March"], "--date is not a day ('9 March')"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(setup, which, facility, extra, message):
    ids, tmp_path, _engine = setup
    case_id = str(ids.get(which, which))
    facility_id = str(ids.get(facility, facility))
    result = run(
        tmp_path / "data",
        case_id,
        "--facility",
        facility_id,
        "--out",
        str(tmp_path / "o"),
        "--no-pdf",
        *extra,
    )
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()
