"""``scalpmap reanalyse``: a new analysis of each chosen photo, the old ones kept as versions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.services import analyses, cases, patients, photos, users
from scalpmap.store import testing
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import AnalysisStatus, CaseReason, PhotoAnalysis, Role
from scalpmap.store.photos import PhotoStore

cheap_password_hashing = testing.cheap_password_hashing


@pytest.fixture
def clinic(tmp_path, monkeypatch, cheap_password_hashing):
    """Two cases with one analysed photo each: case A's without a marker (scale typed)."""
    for name in ("SCALPMAP_JOBS", "SCALPMAP_JOBS_URL", "SCALPMAP_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = get_settings(data_dir=tmp_path)
    engine = create_engine_for(settings)
    ensure_schema(engine)
    store = PhotoStore(settings.photos_dir)
    unmarked, _ = generate_scalp_jpeg(
        SynthOptions(seed=22, width_px=700, height_px=520, mm_per_px=0.035, marker=False)
    )
    marked, _ = generate_scalp_jpeg(
        SynthOptions(seed=5, width_px=900, height_px=700, mm_per_px=0.035)
    )
    found = {}
    with make_session_factory(engine)() as session:
        user = users.create_user(session, "r@clinic.example", "correct horse battery", Role.ADMIN)
        patient = patients.create_patient(session, patients.PatientCreate(full_name="P Q"), user)
        for name, data, scale in (("a", unmarked, 0.035), ("b", marked, None)):
            case = cases.open_case(session, patient.id, CaseReason.REPOSITION, user)
            photo = photos.add_photo(session, store, data, case_id=case.id, actor=user)
            row = analyses.request_analysis(session, photo.id, user, mm_per_px=scale)
            done = analyses.run_analysis(session, store, row.id)
            assert done.status == AnalysisStatus.DONE, done.error_message
            found[name] = (case.id, photo.id)
    engine.dispose()
    return settings, engine, found


def versions(settings, photo_id):
    engine = create_engine_for(settings)
    try:
        with make_session_factory(engine)() as session:
            query = select(PhotoAnalysis).where(PhotoAnalysis.photo_id == photo_id)
            return [(row.status, row.mm_per_px) for row in session.scalars(query)]
    finally:
        engine.dispose()


def run(settings, *args):
    return CliRunner().invoke(app, ["reanalyse", "--data-dir", str(settings.data_dir), *args])


def test_one_case_is_analysed_again_with_its_typed_scale_and_the_old_result_kept(clinic):
    settings, _engine, found = clinic
    case_a, photo_a = found["a"]
    _case_b, photo_b = found["b"]
    result = run(settings, "--case", str(case_a))
    assert result.exit_code == 0, result.output
    assert "1 photo(s) analysed again: 1 done, 0 failed" in result.output
    assert versions(settings, photo_a) == [(AnalysisStatus.DONE, 0.035)] * 2  # old kept, new done
    assert len(versions(settings, photo_b)) == 1


def test_all_photos_since_a_day(clinic):
    settings, _engine, found = clinic
    today = dt.datetime.now(dt.UTC).date()
    result = run(settings, "--since", (today + dt.timedelta(days=1)).isoformat())
    assert result.exit_code == 0 and "no photo to analyse again" in result.output
    result = run(settings, "--since", today.isoformat())
    assert "2 photo(s) analysed again: 2 done, 0 failed" in result.output, result.output
    assert all(len(versions(settings, photo)) == 2 for _case, photo in found.values())


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--since", "next week"), "--since is not a day"),
        (("--case", "999"), "there is no case 999"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(clinic, args, says):
    settings, _engine, _found = clinic
    result = run(settings, *args)
    assert result.exit_code == 2
    assert says in result.output and "Traceback" not in result.output
