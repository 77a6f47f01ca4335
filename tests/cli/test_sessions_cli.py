"""`scalpmap sessions ...`: log sessions, measure follow-ups, list, report, calendar; user errors.

One planned case (a real analysed synthetic photo, a saved plan, a referral) is shared by the
module; the tests run in file order and each bad-input test checks that it logged nothing.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import func, select
from typer.testing import CliRunner

from scalpmap.cli import sessions_cmd
from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.reports.images import encode_png
from scalpmap.services import cases, referrals, users
from scalpmap.services.sample_case import (
    add_sample_facility,
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up_png,
)
from scalpmap.store import passwords, testing
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema
from scalpmap.store.models import (
    AuditEvent,
    CaseReason,
    ClearanceCheck,
    LaserSession,
    Photo,
    Role,
    SmpSession,
    utcnow,
)
from scalpmap.store.photos import PhotoStore
from scalpmap.store.testing import temporary_database

backend = testing.backend

runner = CliRunner()
TODAY = utcnow().date()
REFERRED = TODAY - dt.timedelta(days=70)


@pytest.fixture(scope="module")
def world(backend, tmp_path_factory):
    """A data dir with a referred case planned on an analysed synthetic photo, and photo files."""
    folder = tmp_path_factory.mktemp(f"sessions-cli-{backend}")
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    with temporary_database(backend, folder) as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("SCALPMAP_DATABASE_URL", url)
        mp.delenv("SCALPMAP_DATA_DIR", raising=False)
        mp.setattr(passwords, "HASHER", cheap)
        settings = get_settings(data_dir=folder / "data", database_url=url, secret_key="k")
        engine = create_engine_for(settings)
        try:
            ensure_schema(engine)
            store = PhotoStore(settings.photos_dir)
            with make_session_factory(engine)() as session:
                staff = users.create_user(
                    session, "p@clinic.example", "sessions-cli-practitioner", Role.PRACTITIONER
                )
                sample = plan_sample_case(
                    session,
                    store,
                    staff,
                    photo_png=sample_baseline_png(),
                    plan_day=REFERRED - dt.timedelta(days=7),
                )
                bare = cases.open_case(session, sample.patient_id, CaseReason.REPOSITION, staff)
                facility = add_sample_facility(session)
                referrals.create_referral(
                    session, sample.case_id, facility.id, staff, referred_on=REFERRED
                )
                ids = {"case": sample.case_id, "bare": bare.id, "facility": facility.id}
            files = folder / "files"
            files.mkdir()
            for name, erase, seed in (("fu40.png", 0.4, 1), ("fu100.png", 1.0, 2)):
                follow_up = sample_follow_up_png(sample, erase_share=erase, seed=seed)
                (files / name).write_bytes(follow_up)
            skin = np.full((900, 1200, 3), (196, 160, 140), np.uint8)
            (files / "blank.png").write_bytes(encode_png(skin))  # nothing to register on
            (files / "corrupt.png").write_bytes((files / "fu40.png").read_bytes()[:2000])
            (files / "notes.png").write_text("not a photo", encoding="utf-8")
            yield {"ids": ids, "folder": folder, "engine": engine, "files": files}
        finally:
            engine.dispose()


def run(world, *args: str):
    return runner.invoke(app, ["sessions", *args, "--data-dir", str(world["folder"] / "data")])


def day(days: int) -> str:
    return (REFERRED + dt.timedelta(days=days)).isoformat()


def laser_args(world, date: str, *extra: str) -> list[str]:
    return [
        "laser",
        str(world["ids"]["case"]),
        "--date",
        date,
        "--facility",
        str(world["ids"]["facility"]),
        "--device",
        "PicoWay",
        "--pulse",
        "ps",
        "--fluence",
        "2.5",
        "--spot",
        "4",
        "--passes",
        "2",
        *extra,
    ]


def counts(world) -> dict[str, int]:
    with make_session_factory(world["engine"])() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model))
            for model in (LaserSession, SmpSession, Photo, ClearanceCheck, AuditEvent)
        }


def percent(output: str) -> float:
    return float(re.search(r"clearance\s*│?\s*([\d.]+) %", output).group(1))


def test_two_measured_sessions_a_touch_up_the_report_and_the_calendar(world):
    files, case = world["files"], str(world["ids"]["case"])
    first = run(world, *laser_args(world, day(7), "--follow-up", str(files / "fu40.png")))
    assert first.exit_code == 0, first.output
    assert 37 <= percent(first.output) <= 43  # 40 % erased, nothing faded
    assert "another laser session" in first.output

    second = run(
        world,
        *laser_args(world, day(35), "--adverse-effects", "mild redness"),
        "--follow-up",
        str(files / "fu100.png"),
    )
    assert second.exit_code == 0, second.output
    assert percent(second.output) >= 95 and "touch up" in second.output

    with make_session_factory(world["engine"])() as session:
        stored = [c.percent for c in session.scalars(select(ClearanceCheck))]
    assert len(stored) == 2 and 37 <= stored[0] <= 43 and stored[1] >= 95

    listed = run(world, "list", case)
    assert listed.exit_code == 0, listed.output
    assert f"{stored[0]:.1f} %" in listed.output and f"{stored[1]:.1f} %" in listed.output
    assert "due: SMP touch-up from" in listed.output

    out = world["folder"] / "report"
    made = run(world, "report", case, "--out", str(out), "--clinic-name", "Inkless SMP")
    assert made.exit_code == 0, made.output
    assert "progress.pdf" in made.output
    assert (out / "progress.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "clearance_chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = (out / "progress.html").read_text(encoding="utf-8")
    assert 'src="data:image/png;base64,' in page  # the chart
    assert 'src="data:image/jpeg;base64,' in page  # the overlay, reduced
    assert "Inkless SMP" in page and "Laser One" in page and "mild redness" in page
    assert "Patient details withheld: no consent recorded." in page
    assert "Sam Example" not in page
    assert f"{stored[0]:.1f}%" in page and f"{stored[1]:.1f}%" in page
    with make_session_factory(world["engine"])() as session:
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.entity == "progress_report")
        )
    assert audited == 1

    touch_up = run(
        world,
        "smp",
        case,
        "--date",
        TODAY.isoformat(),
        "--practitioner",
        "Alex P.",
        "--needle",
        "3RL 0.25",
        "--area",
        "frontal",
        "--area",
        "temporal_left",
    )
    assert touch_up.exit_code == 0, touch_up.output
    assert "frontal, temporal_left" in touch_up.output

    ics = world["folder"] / "cal" / "case.ics"
    cal = run(world, "calendar", case, "--out", str(ics))
    assert cal.exit_code == 0, cal.output
    text = ics.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") >= 3
    unfolded = text.replace("\r\n ", "")
    # the logged touch-up takes the planned touch-up's place: one event for the step, done
    assert f"UID:case-{case}-touch-up-1@scalpmap" in unfolded
    assert unfolded.count("UID:case-") == len(set(re.findall(r"UID:(\S+)", unfolded)))
    assert "SMP session (done)" in unfolded and "SMP touch-up (planned)" not in unfolded


def test_a_follow_up_that_cannot_be_registered_is_kept_and_can_be_replaced(world):
    files = world["files"]
    before = counts(world)
    result = run(world, *laser_args(world, day(56), "--follow-up", str(files / "blank.png")))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    error = result.stderr.strip()
    assert len(error.splitlines()) == 1
    match = re.match(
        r"error: session (\d+) logged, but its follow-up could not be measured: ", error
    )
    assert match, error
    assert "scalpmap sessions follow-up" in error
    after = counts(world)
    assert after["LaserSession"] == before["LaserSession"] + 1
    assert after["Photo"] == before["Photo"] + 1
    assert after["ClearanceCheck"] == before["ClearanceCheck"] + 1
    with make_session_factory(world["engine"])() as session:
        check = session.scalar(
            select(ClearanceCheck).where(ClearanceCheck.laser_session_id == int(match.group(1)))
        )
        assert not check.measured and check.percent is None and check.reason
    listed = run(world, "list", str(world["ids"]["case"]))
    assert f"session {match.group(1)} (" in listed.output and "not measured: " in listed.output

    again = run(world, "follow-up", match.group(1), str(files / "fu100.png"))
    assert again.exit_code == 0, again.output
    assert percent(again.output) >= 95


BAD_LASER = [
    (["--fluence", "25"], "Fluence must be 0.1-20"),
    (["--fluence", "0.05"], "Fluence must be 0.1-20"),
    (["--spot", "12"], "Spot size must be 1-10"),
    (["--passes", "9"], "Passes must be 1-5"),
    (["--facility", "999999"], "no facility with id 999999"),
    (["--date", "BEFORE"], "is before the referral"),
    (["--date", "FUTURE"], "in the future"),
    (["--date", "9 March"], "--date is not a day ('9 March'): type it as YYYY-MM-DD"),
    (["--device", " "], "device"),
    (["--follow-up", "MISSING"], "cannot read the follow-up photo"),
    (["--follow-up", "corrupt.png"], "corrupt.png"),
    (["--follow-up", "notes.png"], "notes.png"),
]


@pytest.mark.parametrize(("extra", "message"), BAD_LASER, ids=[m for _e, m in BAD_LASER])
def test_bad_laser_input_is_one_line_exit_2_and_logs_nothing(world, extra, message):
    values = {
        "BEFORE": (REFERRED - dt.timedelta(days=1)).isoformat(),
        "FUTURE": (TODAY + dt.timedelta(days=1)).isoformat(),
        "MISSING": str(world["files"] / "missing.png"),
    }
    extra = [values.get(v, str(world["files"] / v) if v.endswith(".png") else v) for v in extra]
    before = counts(world)
    result = run(world, *laser_args(world, day(60), *extra))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert counts(world) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["laser", "999999", "--date", "2026-01-01", "--device", "X", "--pulse", "ns",
          "--fluence", "2", "--spot", "3", "--passes", "1"], "no case with id 999999"),
        (["follow-up", "999999", "fu40.png"], "no laser session with id 999999"),
        (["follow-up", "LASER", "notes.png"], "notes.png"),
        (["smp", "999999", "--date", "2026-01-01", "--practitioner", "A", "--needle", "3RL",
          "--area", "frontal"], "no case with id 999999"),
        (["smp", "CASE", "--date", "FUTURE", "--practitioner", "A", "--needle", "3RL",
          "--area", "frontal"], "in the future"),
        (["smp", "CASE", "--date", "2026/13/01", "--practitioner", "A", "--needle", "3RL",
          "--area", "frontal"], "--date is not a day ('2026/13/01'): type it as YYYY-MM-DD"),
        (["smp", "CASE", "--date", "TODAY", "--practitioner", "A", "--needle", "3RL",
          "--area", "frontal", "--follow-up", "corrupt.png"], "corrupt.png"),
        (["list", "999999"], "no case with id 999999"),
        (["list", "99999999999999999999"], "no case with id 99999999999999999999"),
        (["report", "999999", "--out", "OUT"], "no case with id 999999"),
        (["report", "CASE", "--out", "fu40.png"], "is a file"),
        (["calendar", "999999", "--out", "OUT/c.ics"], "no case with id 999999"),
        (["calendar", "CASE", "--out", "FILES"], "is a folder"),
    ],
)  # fmt: skip
def test_other_bad_input_is_one_line_exit_2_and_writes_nothing(world, args, message):
    files, out = world["files"], world["folder"] / "never"
    with make_session_factory(world["engine"])() as session:
        laser_id = session.scalar(select(func.min(LaserSession.id)))
    values = {
        "CASE": str(world["ids"]["case"]),
        "LASER": str(laser_id),
        "FUTURE": (TODAY + dt.timedelta(days=1)).isoformat(),
        "TODAY": TODAY.isoformat(),
        "OUT": str(out),
        "OUT/c.ics": str(out / "c.ics"),
        "FILES": str(files),
    }
    args = [values.get(a, str(files / a) if a.endswith(".png") else a) for a in args]
    before = counts(world)
    result = run(world, *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert counts(world) == before
    assert not out.exists()


@pytest.mark.parametrize("command", ["laser", "follow-up", "smp", "list", "report", "calendar"])
def test_every_option_is_in_the_cli_reference(command):
    reference = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    found = next(c for c in sessions_cmd.app.registered_commands if c.name == command)
    names = [name.replace("_", "-") for name in inspect.signature(found.callback).parameters]
    section = reference.split(f"## scalpmap sessions {command}\n")[1].split("## scalpmap")[0]
    for name in names:
        pattern = rf"--{name}\b|^  {name.replace('-', '_')} <"
        assert re.search(pattern, section, re.MULTILINE), f"{command} {name}"
