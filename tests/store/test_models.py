"""Models on both databases: constraints, UTC timestamps, JSON documents, enums."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError

from scalpmap.store.models import (
    Case,
    CaseReason,
    CaseStage,
    Patient,
    Photo,
    PlanVersion,
    Role,
    User,
)


@pytest.fixture
def case(db_session):
    patient = Patient(full_name="Pat")
    db_session.add(patient)
    db_session.flush()
    case = Case(patient_id=patient.id, reason=CaseReason.FADED)
    db_session.add(case)
    db_session.flush()
    return case


def fails(session, *rows, error=IntegrityError):
    with pytest.raises(error), session.begin_nested():
        session.add_all(rows)
        session.flush()


def test_defaults_and_utc_timestamps_round_trip(db_session, case):
    db_session.expire_all()
    loaded = db_session.get(Case, case.id)
    assert loaded.stage == CaseStage.ENQUIRY
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == dt.timedelta(0)
    local = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    loaded.patient.consent_given_at = local
    db_session.flush()
    db_session.expire_all()
    again = db_session.get(Case, case.id).patient.consent_given_at
    assert again == local and again.tzinfo == dt.UTC and again.hour == 10


def test_naive_timestamps_are_refused(db_session, case):
    case.patient.consent_given_at = dt.datetime(2024, 5, 1, 12, 0)
    with pytest.raises(StatementError, match="naive"), db_session.begin_nested():
        db_session.flush()


def test_plan_document_round_trips_as_json(db_session, case):
    document = {"version": 1, "zones": {"removal": {"area_cm2": 12.5}}, "points": [[1, 2.5]]}
    db_session.add(PlanVersion(case_id=case.id, version=1, document=document))
    db_session.flush()
    db_session.expire_all()
    stored = db_session.scalar(select(PlanVersion).where(PlanVersion.case_id == case.id))
    assert stored.document == document


def test_database_enforces_the_constraints(db_session, case):
    fails(db_session, PlanVersion(case_id=case.id, version=0, document={}))
    db_session.add(PlanVersion(case_id=case.id, version=1, document={}))
    db_session.flush()
    fails(db_session, PlanVersion(case_id=case.id, version=1, document={}))
    fails(db_session, Patient(full_name="Bad", fitzpatrick_type=7))
    photo = {"sha256": "a" * 64, "source_format": "PNG", "byte_size": 1}
    fails(db_session, Photo(**photo, width_px=1, height_px=1))  # belongs to nothing
    fails(db_session, Photo(**photo, case_id=999_999, width_px=1, height_px=1))  # foreign key
    db_session.add(User(email="u@clinic.example", password_hash="h", role=Role.ADMIN))
    db_session.flush()
    fails(db_session, User(email="u@clinic.example", password_hash="h", role=Role.RECEPTION))


def test_enum_columns_refuse_unknown_values(db_session, case):
    statement = text("UPDATE cases SET stage = 'abandoned' WHERE id = :id")
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.execute(statement, {"id": case.id})


def test_a_crash_inside_a_transaction_leaves_the_sqlite_database_consistent(tmp_path):
    from scalpmap.config import get_settings
    from scalpmap.store.engine import create_engine_for
    from scalpmap.store.migrate import ensure_schema

    settings = get_settings(data_dir=tmp_path, secret_key="k")
    engine = create_engine_for(settings)
    ensure_schema(engine)
    script = textwrap.dedent(
        f"""
        import os
        from sqlalchemy.orm import Session
        from scalpmap.config import get_settings
        from scalpmap.store.engine import create_engine_for
        from scalpmap.store.models import Patient
        engine = create_engine_for(get_settings(data_dir={str(tmp_path)!r}, secret_key="k"))
        with Session(engine) as session:
            session.add(Patient(full_name="committed"))
            session.commit()
            session.add_all([Patient(full_name=f"half {{i}}") for i in range(50)])
            session.flush()
            os._exit(9)  # killed in the middle of a write
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert result.returncode == 9, result.stderr
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        names = connection.execute(text("SELECT full_name FROM patients")).scalars().all()
    assert names == ["committed"]
    engine.dispose()
