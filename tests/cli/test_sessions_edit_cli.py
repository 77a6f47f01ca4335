"""`scalpmap sessions`: a second session on one day asks first; correct-laser, correct-smp, void.

One referred case with a bare plan is shared by the module; the tests run in file order.
"""

from __future__ import annotations

import datetime as dt

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.services import plans, referrals, users
from scalpmap.services.sample_case import add_sample_facility, open_sample_case
from scalpmap.store import passwords, testing
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import LaserSession, Role, SmpSession, utcnow
from scalpmap.store.testing import temporary_database

backend = testing.backend

runner = CliRunner()
TODAY = utcnow().date()
DAY = (TODAY - dt.timedelta(days=20)).isoformat()


@pytest.fixture(scope="module")
def world(backend, tmp_path_factory):
    """A data dir with a case referred a month ago (a bare plan: no photo to analyse)."""
    folder = tmp_path_factory.mktemp(f"sessions-edit-{backend}")
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    with temporary_database(backend, folder) as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCALPMAP_DATABASE_URL", url)
        mp.delenv("SCALPMAP_DATA_DIR", raising=False)
        mp.setattr(passwords, "HASHER", cheap)
        settings = get_settings(data_dir=folder / "data", database_url=url, secret_key="k")
        engine = create_engine_for(settings)
        try:
            ensure_schema(engine)
            with make_session_factory(engine)() as session:
                staff = users.create_user(
                    session, "edit@clinic.example", "sessions-edit-practitioner", Role.PRACTITIONER
                )
                case = open_sample_case(session, staff)
                plans.save_plan(session, case.id, {"format": "scalpmap-plan/1"}, staff)
                facility = add_sample_facility(session)
                referred = TODAY - dt.timedelta(days=30)
                referrals.create_referral(
                    session, case.id, facility.id, staff, referred_on=referred
                )
                case_id = case.id
            yield {"case": case_id, "folder": folder, "engine": engine}
        finally:
            engine.dispose()


def run(world, *args: str):
    return runner.invoke(app, ["sessions", *args, "--data-dir", str(world["folder"] / "data")])


def rows(world, model):
    with make_session_factory(world["engine"])() as session:
        return list(session.scalars(select(model).order_by(model.id)))


def laser(world, *extra: str):
    options = ["--device", "PicoWay", "--pulse", "ps", "--fluence", "2.5", "--spot", "4"]
    return run(world, "laser", str(world["case"]), "--date", DAY, *options, "--passes", "2", *extra)


def refused(result, words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr


def test_a_second_session_the_same_day_needs_the_flag(world):
    assert laser(world).exit_code == 0
    (first,) = rows(world, LaserSession)
    again = laser(world)
    refused(again, f"already has a laser session on {DAY} (session {first.id})")
    assert "--confirm-duplicate" in again.stderr
    assert len(rows(world, LaserSession)) == 1
    assert laser(world, "--confirm-duplicate").exit_code == 0
    assert len(rows(world, LaserSession)) == 2


def test_correct_a_laser_session(world):
    second = rows(world, LaserSession)[-1]
    done = run(world, "correct-laser", str(second.id), "--fluence", "3", "--reason", "typo")
    assert done.exit_code == 0, done.output
    assert f"laser session {second.id} corrected: fluence_j_cm2 2.5 -> 3" in done.output
    corrected = rows(world, LaserSession)[-1]
    assert corrected.fluence_j_cm2 == 3.0 and corrected.passes == 2
    assert corrected.history[0]["changes"] == {"fluence_j_cm2": {"from": 2.5, "to": 3.0}}
    assert corrected.history[0]["reason"] == "typo"
    listed = run(world, "list", str(world["case"]))
    assert "(corrected)" in listed.output


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--fluence", "30"], "Fluence must be 0.1-20 J/cm²; got 30"),
        ([], "nothing to correct"),
        (["--date", "31/02/2026"], "--date is not a day ('31/02/2026')"),
        (["--device", " "], "--device is empty: type the laser, e.g. PicoWay"),
    ],
)
def test_a_wrong_correction_is_one_line_and_changes_nothing(world, extra, words):
    before = rows(world, LaserSession)[-1]
    refused(run(world, "correct-laser", str(before.id), *extra), words)
    after = rows(world, LaserSession)[-1]
    assert after.fluence_j_cm2 == before.fluence_j_cm2 and after.history == before.history


def test_void_a_session_logged_twice(world):
    first, second = rows(world, LaserSession)
    done = run(world, "void", "laser", str(second.id), "--reason", "logged twice")
    assert done.exit_code == 0, done.output
    assert "is void: it counts nowhere now" in done.output
    listed = run(world, "list", str(world["case"]))
    assert f"void: laser session {second.id} ({DAY}): logged twice" in listed.output
    refused(run(world, "void", "laser", str(second.id), "--reason", "x"), "is void already")
    refused(run(world, "void", "smp", "999999", "--reason", "x"), "no SMP session with id 999999")
    refused(
        run(world, "correct-laser", str(second.id), "--passes", "3"),
        "a void session is not corrected",
    )
    assert rows(world, LaserSession)[0].voided_at is None and first.id != second.id


def test_smp_sessions_are_checked_and_corrected_the_same_way(world):
    smp = ["smp", str(world["case"]), "--date", DAY, "--practitioner", "A", "--needle", "3RL"]
    refused(
        run(world, *smp[:5], " ", *smp[6:], "--area", "frontal"),
        "--practitioner is empty: type the name of who did the session",
    )
    assert run(world, *smp, "--area", "frontal").exit_code == 0
    refused(run(world, *smp, "--area", "crown"), "already has an SMP session")
    (row,) = rows(world, SmpSession)
    done = run(world, "correct-smp", str(row.id), "--area", "crown", "--area", "frontal")
    assert done.exit_code == 0, done.output
    assert rows(world, SmpSession)[0].areas == ["crown", "frontal"]
