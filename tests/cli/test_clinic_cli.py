"""`scalpmap clinic set|show`: settings stored in the data dir's database; bad input exits 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.config import get_settings
from scalpmap.services.clinic import get_clinic_settings
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.migrate import ensure_schema

runner = CliRunner()

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 40" onload="alert(1)">'
    b'<script>alert(2)</script><rect width="40" height="40" fill="#246"/></svg>'
)


@pytest.fixture
def env(monkeypatch):
    monkeypatch.delenv("SCALPMAP_DATABASE_URL", raising=False)
    monkeypatch.delenv("SCALPMAP_DATA_DIR", raising=False)


def stored(data_dir):
    engine = create_engine_for(get_settings(data_dir=data_dir))
    try:
        ensure_schema(engine)
        with make_session_factory(engine)() as session:
            return get_clinic_settings(session)
    finally:
        engine.dispose()


def test_set_then_show_through_data_dir_and_the_environment(tmp_path, env, monkeypatch):
    logo = tmp_path / "logo.svg"
    logo.write_bytes(SVG)
    data = tmp_path / "clinic-data"
    result = runner.invoke(
        app,
        ["clinic", "set", "--name", "Northside Hair Clinic", "--city", "Leeds", "--country",
         "gb", "--time-zone", "Europe/London", "--phone", "+44 113 496 0000", "--address",
         "12 Mill Lane; Unit 3", "--logo", str(logo), "--data-dir", str(data)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "removed from the SVG logo: onload attribute, <script>" in result.output
    clinic = stored(data)
    assert (clinic.name, clinic.city, clinic.country, clinic.time_zone) == (
        "Northside Hair Clinic", "Leeds", "GB", "Europe/London"
    )  # fmt: skip
    assert clinic.address.splitlines() == ["12 Mill Lane", "Unit 3"]
    assert clinic.logo_media_type == "image/svg+xml" and b"script" not in clinic.logo
    # SCALPMAP_DATA_DIR finds the same database, as `serve` would.
    monkeypatch.setenv("SCALPMAP_DATA_DIR", str(data))
    shown = runner.invoke(app, ["clinic", "show"])
    assert shown.exit_code == 0, shown.output
    assert "Northside Hair Clinic" in shown.output and "Europe/London" in shown.output
    assert "SVG" in shown.output
    removed = runner.invoke(app, ["clinic", "set", "--remove-logo", "--phone", ""])
    assert removed.exit_code == 0, removed.output
    assert stored(data).logo is None and stored(data).phone == ""


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--time-zone", "Europe/Lonodn"], "time zone 'Europe/Lonodn' is unknown"),
        (["--country", "Atlantis"], "Country 'Atlantis' is unknown"),
        (["--email", "not an email"], "is not an email address"),
        (["--language", "xx"], "report language 'xx' is not available"),
        (["--logo", "LOGO_GIF"], "is neither a PNG nor an SVG"),
        (["--logo", "LOGO_BIG"], "the limit is 1 MB"),
        (["--logo", "MISSING"], "cannot read the logo"),
        (["--logo", "LOGO_GIF", "--remove-logo"], "--logo contradicts --remove-logo"),
    ],
)
def test_bad_values_are_one_line_and_exit_2_storing_nothing(tmp_path, env, args, says):
    (tmp_path / "logo.gif").write_bytes(b"GIF89a" + bytes(40))
    (tmp_path / "big.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1_200_000))
    paths = {"LOGO_GIF": "logo.gif", "LOGO_BIG": "big.png", "MISSING": "missing.png"}
    args = [str(tmp_path / paths[a]) if a in paths else a for a in args]
    data = tmp_path / "data"
    result = runner.invoke(
        app, ["clinic", "set", "--name", "Kept?", *args, "--data-dir", str(data)]
    )
    assert result.exit_code == 2, result.output
    assert says in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert stored(data).name == ""


def test_set_without_an_option_says_what_to_give(tmp_path, env):
    result = runner.invoke(app, ["clinic", "set", "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "nothing to set: give e.g. --name" in result.output
