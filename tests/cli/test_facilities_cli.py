"""`scalpmap facilities import|export|list|match`: bad files name their bad rows, exit 2."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from scalpmap.cli import facilities_cmd
from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.facilities.csv_io import COLUMNS
from scalpmap.services import cases, patients, users
from scalpmap.store import testing
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.models import CaseReason, Role
from scalpmap.store.testing import temporary_database

backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing

runner = CliRunner()
SAMPLE = resources.files("scalpmap").joinpath("data/facilities_sample.csv")
DOCS = Path(__file__).resolve().parents[2] / "docs"
HEADER = ",".join(COLUMNS)


@pytest.fixture(scope="module")
def database_url(backend, tmp_path_factory):
    with temporary_database(backend, tmp_path_factory.mktemp(f"fac-cli-{backend}")) as url:
        yield url


@pytest.fixture
def data_dir(tmp_path, database_url, monkeypatch):
    monkeypatch.setenv("SCALPMAP_DATABASE_URL", database_url)
    monkeypatch.delenv("SCALPMAP_DATA_DIR", raising=False)
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            if "facilities" in {r[0] for r in connection.execute(_TABLES[engine.dialect.name])}:
                connection.execute(text("DELETE FROM facilities"))
    finally:
        engine.dispose()
    return tmp_path / "data"


_TABLES = {
    "sqlite": text("SELECT name FROM sqlite_master WHERE type = 'table'"),
    "postgresql": text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"),
}


def run(data_dir, *args):
    return runner.invoke(app, ["facilities", *args, "--data-dir", str(data_dir)])


def stored_names(database_url):
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return sorted(connection.execute(text("SELECT name FROM facilities")).scalars())
    finally:
        engine.dispose()


def error_lines(result):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output + result.stderr
    return [line for line in result.stderr.splitlines() if line.strip()]


def test_import_list_export_round_trip(data_dir, database_url, tmp_path):
    result = run(data_dir, "import", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert re.match(
        r"imported 7 facilities from facilities_sample.csv: 7 new, 0 updated, 4 ", result.output
    )
    assert len(stored_names(database_url)) == 7
    listed = run(data_dir, "list")
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 7
    assert "Pigment Reset Berlin — Berlin, DE (city centre)" in listed.output
    german = run(data_dir, "list", "--country", "Germany")
    assert len(german.output.splitlines()) == 2
    out = tmp_path / "out.csv"
    exported = run(data_dir, "export", str(out))
    assert exported.exit_code == 0 and "exported 7 facilities" in exported.output
    assert out.read_text(encoding="utf-8").splitlines()[0] == HEADER
    to_stdout = run(data_dir, "export", "-")
    assert to_stdout.output.replace("\r\n", "\n") == out.read_text(encoding="utf-8").replace(
        "\r\n", "\n"
    )
    again = run(data_dir, "import", str(out))
    assert "0 new, 7 updated" in again.output


def test_bad_rows_are_listed_one_per_line_and_nothing_is_imported(data_dir, database_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\n"
        "Good,,Leeds,GB,53.8,-1.5,,,Nd:YAG 1064 ps,yes,I-VI,\n"
        "Lat,,Leeds,GB,91,-1.5,,,Nd:YAG 1064 ps,yes,I-VI,\n"
        "City,,Atlantis,GR,,,,,Nd:YAG 1064 ps,yes,I-VI,\n"
        "Laser,,York,GB,,,,,CO2 fractional,yes,I-VI,\n"
        "Skin,,York,GB,,,,,Nd:YAG 1064 ps,yes,VII,\n",
        encoding="utf-8",
    )
    lines = error_lines(run(data_dir, "import", str(bad)))
    assert lines[0] == "error: 4 bad rows in bad.csv; nothing imported"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  line 3",
        "  line 4",
        "  line 5",
        "  line 6",
    ]
    assert "lat must be -90..90; got 91" in lines[1]
    assert "cannot find city 'Atlantis' in GR" in lines[2]
    assert stored_names(database_url) == []


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "is empty"),
        (b"name,town\nA,B\n", "has the wrong columns"),
        (f'{HEADER}\n"Open,York\n'.encode(), "a quoted field never ends"),
        (f"{HEADER}\nCaf\xe9,,York,GB,,,,,1064 ps,yes,,\n".encode("latin-1"), "is not UTF-8"),
    ],
)
def test_malformed_files_are_one_line(data_dir, database_url, tmp_path, content, fragment):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    lines = error_lines(run(data_dir, "import", str(path)))
    assert len(lines) == 1 and lines[0].startswith("error: broken.csv ") and fragment in lines[0]
    assert stored_names(database_url) == []


def test_missing_file_and_unknown_country_are_one_line(data_dir, tmp_path):
    lines = error_lines(run(data_dir, "import", str(tmp_path / "nope.csv")))
    assert len(lines) == 1 and lines[0].startswith("error: cannot read ")
    lines = error_lines(run(data_dir, "list", "--country", "Narnia"))
    assert lines == ["error: unknown country 'Narnia': give its name or ISO code"]


def test_match_prints_rankings_and_exclusions(data_dir, database_url, cheap_password_hashing):
    assert run(data_dir, "import", str(SAMPLE)).exit_code == 0
    engine = create_engine_for(get_settings(data_dir=data_dir, database_url=database_url))
    try:
        with make_session_factory(engine)() as session:
            staff = users.create_user(
                session, f"p{os.getpid()}-{id(engine)}@clinic.example", "long enough pw", Role.ADMIN
            )
            data = patients.PatientCreate(
                full_name="Pat", fitzpatrick_type=3, address="1 Main St, Berlin, Germany"
            )
            patient = patients.create_patient(session, data, staff)
            case_id = cases.open_case(session, patient.id, CaseReason.REPOSITION, staff).id
    finally:
        engine.dispose()
    result = run(data_dir, "match", str(case_id))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        lines[0] == "note: distances from the centre of Berlin, DE, the city of the patient's "
        "address (approximate)"
    )
    assert lines[1].startswith("1. Pigment Reset Berlin (Berlin, 0 km; score ")
    assert "   - excluded: does not treat SMP" in lines
    lines = error_lines(run(data_dir, "match", "999999"))
    assert lines == ["error: no case with id 999999"]


@pytest.mark.parametrize("command", ["import", "export", "list", "match"])
def test_every_option_is_in_the_cli_reference(command):
    reference = (DOCS / "cli.md").read_text()
    section = reference.split(f"## scalpmap facilities {command}")[1].split("## scalpmap")[0]
    info = next(c for c in facilities_cmd.app.registered_commands if c.name == command)
    for name in inspect.signature(info.callback).parameters:
        option = name.replace("_", "-")
        assert re.search(rf"--{option}\b|^  {name} <", section, re.MULTILINE), f"{command} {name}"
    assert (DOCS / "facilities-csv.md").exists()


def test_installed_command_lists_bad_rows_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{HEADER}\nX,,York,GB,,,,,Nd:YAG 1064 ps,perhaps,,\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCALPMAP_")}
    command = [sys.executable, "-m", "scalpmap", "facilities", "import", str(bad)]
    command += ["--data-dir", str(tmp_path / "data")]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: 1 bad row in bad.csv; nothing imported",
        "  line 2: treats_smp must be yes or no; got 'perhaps'",
    ]


def test_too_many_columns_or_rows_is_one_line_exit_2(data_dir, database_url, tmp_path, monkeypatch):
    wide = tmp_path / "wide.csv"
    wide.write_text(HEADER + ",x" * 95 + "\n", encoding="utf-8")
    lines = error_lines(run(data_dir, "import", str(wide)))
    assert lines == [
        f"error: wide.csv has 107 columns; a facility CSV has at most 100 (the columns are "
        f"{HEADER}); nothing imported"
    ]
    from scalpmap.facilities import csv_io

    monkeypatch.setattr(csv_io, "MAX_ROWS", 2)
    long = tmp_path / "long.csv"
    row = "Row {},,Leeds,GB,53.8,-1.5,,,Nd:YAG 1064 ps,yes,I-VI,\n"
    long.write_text(HEADER + "\n" + "".join(row.format(i) for i in range(3)), encoding="utf-8")
    lines = error_lines(run(data_dir, "import", str(long)))
    assert lines == [
        "error: long.csv has more than 2 rows; split it into files of at most 2 facilities; "
        "nothing imported"
    ]
    assert stored_names(database_url) == []
