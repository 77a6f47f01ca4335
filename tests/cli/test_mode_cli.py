"""--mode on analyse, plan and track: chosen from the photo by default, forced when asked, and
every bad input (an unknown mode, impressions mode on unresolved dots, an absurd scale) one
line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.imaging.synth import SynthOptions, write_synthetic_photo

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def assert_one_error_line(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.stderr or result.output
    assert "Traceback" not in text
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), text
    for fragment in fragments:
        assert fragment in text, text


@pytest.fixture(scope="module")
def phone_closeup(tmp_path_factory) -> tuple[Path, float, float]:
    """A close-up as a phone 15-20 cm away takes it: 0.07 mm/px; its true median dot in px."""
    path = tmp_path_factory.mktemp("mode") / "phone.jpg"
    options = SynthOptions(seed=31, width_px=1200, height_px=900, mm_per_px=0.07, marker=False)
    truth = write_synthetic_photo(path, options)
    return path, 0.07, float(sorted(truth.impressions[:, 2])[len(truth.impressions) // 2]) / 0.07


@pytest.fixture(scope="module")
def whole_head(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("mode") / "head.jpg"
    options = SynthOptions(seed=3, view="top", width_px=900, height_px=700, mm_per_px=0.15)
    write_synthetic_photo(path, options)
    return path


def test_a_phone_close_up_is_counted_and_its_dot_size_measured(phone_closeup, tmp_path):
    path, mm, true_px = phone_closeup
    result = run("analyse", path, "--mm-per-px", mm, "--out", tmp_path, "--no-overlay")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "analysis.json").read_text())
    assert doc["mode"] == "impressions"
    size = doc["impression_size"]
    assert size["typical_diameter_px"] == pytest.approx(true_px, rel=0.2)
    assert size["typical_diameter_mm"] == pytest.approx(size["typical_diameter_px"] * mm, rel=0.01)
    assert f"{size['typical_diameter_px']:.1f} px" in doc["mode_reason"]
    assert doc["summary"]["count"] > 300


def test_coverage_can_be_forced_on_a_close_up(phone_closeup, tmp_path):
    path, mm, _ = phone_closeup
    result = run(
        "analyse", path, "--mm-per-px", mm, "--mode", "coverage", "--out", tmp_path, "--no-overlay"
    )
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "analysis.json").read_text())
    assert doc["mode"] == "coverage" and doc["summary"]["count"] is None
    assert doc["mode_reason"] == "coverage mode was requested"


@pytest.mark.parametrize("command", ["analyse", "plan"])
def test_impressions_mode_on_a_whole_head_is_refused_with_the_measured_size(
    command, whole_head, tmp_path
):
    out = tmp_path / "o"
    result = run(command, whole_head, "--mm-per-px", "0.15", "--mode", "impressions", "--out", out)
    assert_one_error_line(result, "impressions mode", " px (", "mm) across")
    assert not out.exists()


@pytest.mark.parametrize("command", ["analyse", "plan"])
@pytest.mark.parametrize("mode", ["pixels", "", "impression"])
def test_an_unknown_mode_is_refused(command, mode, phone_closeup, tmp_path):
    result = run(command, phone_closeup[0], "--mode", mode, "--out", tmp_path / "o")
    assert_one_error_line(result, "--mode must be one of auto, impressions, coverage")


@pytest.mark.parametrize("command", ["analyse", "plan"])
@pytest.mark.parametrize("scale", ["0", "-0.04", "0.004", "1.01", "12", "inf"])
def test_an_absurd_scale_is_refused_before_any_work(command, scale, phone_closeup, tmp_path):
    out = tmp_path / "o"
    result = run(command, phone_closeup[0], "--mm-per-px", scale, "--out", out)
    assert_one_error_line(result, "--mm-per-px must be 0.005..1 mm per px")
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--mode", "both"], "--mode must be one of"),
        (["--mm-per-px", "0"], "--mm-per-px must be 0.005..1"),
        (["--mm-per-px", "3"], "--mm-per-px must be 0.005..1"),
    ],
)
def test_track_refuses_an_unknown_mode_and_an_absurd_scale(args, fragment, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text("{}")
    photo = tmp_path / "x.jpg"
    photo.write_bytes(b"")
    out = tmp_path / "o"
    result = run("track", photo, photo, "--plan", plan, "--out", out, *args)
    assert_one_error_line(result, fragment)
    assert not out.exists()
