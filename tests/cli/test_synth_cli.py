"""scalpmap synth: whole-head views with their beards, moustaches, shine and wrinkles."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_synth_draws_a_three_quarter_view_with_the_asked_beard(tmp_path):
    photo = tmp_path / "head.jpg"
    result = run(
        "synth", photo, "--view", "three-quarter-left", "--beard", "full", "--moustache",
        "--shine", "0.3", "--no-wrinkles", "--width", "480", "--height", "640",
        "--mm-per-px", "0.4", "--no-marker",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "left-three-quarter view, beard full with a moustache" in result.output
    doc = json.loads((tmp_path / "head.jpg.truth.json").read_text())
    assert doc["head"]["view"] == "left-three-quarter"
    assert doc["head"]["beard"] == doc["head"]["beard"] | {"style": "full", "moustache": True}
    assert doc["options"]["shine"] == 0.3 and doc["options"]["wrinkles"] is False


def test_close_ups_have_no_head_block(tmp_path):
    photo = tmp_path / "close.png"
    result = run("synth", photo, "--width", "320", "--height", "240")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "close.png.truth.json").read_text())["head"] is None


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--view", "three-quarter"], "three-quarter-left"),
        (["--view", "front", "--beard", "long"], "stubble"),
        (["--view", "front", "--shine", "3"], "shine must be 0..1"),
    ],
)
def test_bad_whole_head_options_exit_2_with_one_line(args, fragment, tmp_path):
    result = run("synth", tmp_path / "s.jpg", *args)
    assert result.exit_code == 2, result.output
    text = result.stderr or result.output
    assert "Traceback" not in text and fragment in text
