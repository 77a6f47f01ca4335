"""``scalpmap track``: clearance.json and the overlay, unregistrable follow-ups, bad input."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import plan_to_json
from scalpmap.tracking.clearance_json import validate_clearance_json
from scalpmap.tracking.synth_followup import FollowupOptions, make_followup

runner = CliRunner()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def assert_user_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.stderr or result.output
    assert "Traceback" not in text
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), text
    for fragment in fragments:
        assert fragment in text, text


def write_rgb(path: Path, rgb: np.ndarray) -> Path:
    cv2.imwrite(str(path), np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


@dataclass(frozen=True)
class Files:
    baseline: Path
    plan: Path
    followup: Path
    truth_percent: float
    other: Path
    blank: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Files:
    folder = tmp_path_factory.mktemp("track")
    options = SynthOptions(seed=41, width_px=1200, height_px=900, silhouette=False)
    rgb = generate_scalp_photo(options)[0]
    baseline = folder / "baseline.png"
    cv2.imwrite(str(baseline), np.ascontiguousarray(rgb[..., ::-1]))
    analysis = analyse_photo(rgb)
    plan = build_plan(rgb, analysis, PlanOptions(template="mature", age=35, skin_type=3))
    plan_path = folder / "plan.json"
    plan_path.write_text(json.dumps(plan_to_json(plan, source=baseline.name)))
    removal = plan.zones.removal.geometry
    follow, truth = make_followup(rgb, analysis, removal, FollowupOptions(seed=8))
    other = generate_scalp_photo(SynthOptions(seed=77, width_px=1200, height_px=900))[0]
    blank = np.full_like(rgb, (196, 150, 122))
    assert truth.clearance_percent is not None
    return Files(
        baseline,
        plan_path,
        write_rgb(folder / "followup.jpg", follow),
        truth.clearance_percent,
        write_rgb(folder / "other.jpg", other),
        write_rgb(folder / "blank.jpg", blank),
    )


def test_track_writes_clearance_json_and_the_overlay(files, tmp_path):
    out = tmp_path / "out"
    result = run(
        "track", files.baseline, files.followup, "--plan", files.plan, "--out", out,
        "--date", YESTERDAY,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads((out / "clearance.json").read_text())
    validate_clearance_json(document)
    assert document["registration"]["ok"] is True
    assert document["clearance"]["percent"] == pytest.approx(files.truth_percent, abs=3.0)
    assert document["followup_date"] == YESTERDAY
    advice = document["recommendation"]
    assert advice["action"] == "another_laser_session"
    interval = document["plan"]["interval_weeks"][0]
    expected = dt.date.fromisoformat(YESTERDAY) + dt.timedelta(weeks=interval)
    assert advice["date"] == expected.isoformat()
    assert (out / "overlay.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert document["files"] == {"overlay": "overlay.png"}
    assert "clearance" in result.output and "another laser session" in result.output


def test_a_given_scale_is_used_for_the_follow_up(files, tmp_path):
    out = tmp_path / "out"
    result = run(
        "track", files.baseline, files.followup, "--plan", files.plan, "--out", out,
        "--mm-per-px", "0.03", "--no-overlay", "--touch-up-at", "50",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = json.loads((out / "clearance.json").read_text())
    assert document["followup"]["scale_source"] == "given"
    assert document["followup"]["mm_per_px"] == 0.03
    assert document["recommendation"]["action"] == "touch_up"
    assert document["recommendation"]["date"] is None
    assert not (out / "overlay.png").exists()


@pytest.mark.parametrize("photo", ["other", "blank"])
def test_an_unregistrable_photo_is_one_error_line_and_no_clearance(files, tmp_path, photo):
    out = tmp_path / "out"
    result = run("track", files.baseline, getattr(files, photo), "--plan", files.plan, "--out", out)
    assert_user_error(result, "no clearance measured", "not registered", "clearance.json")
    document = json.loads((out / "clearance.json").read_text())
    validate_clearance_json(document)
    assert document["registration"]["ok"] is False
    assert document["clearance"]["percent"] is None and document["recommendation"] is None
    assert (out / "overlay.png").exists()


def test_bad_inputs_are_one_line_each(files, tmp_path):
    base, follow, plan = files.baseline, files.followup, files.plan
    out = tmp_path / "out"
    assert_user_error(run("track", base, follow, "--plan", tmp_path / "no.json", "--out", out),
                      "does not exist")  # fmt: skip
    (tmp_path / "bad.json").write_text("{not json")
    assert_user_error(run("track", base, follow, "--plan", tmp_path / "bad.json", "--out", out),
                      "not a readable JSON")  # fmt: skip
    (tmp_path / "other.json").write_text(json.dumps({"format": "scalpmap-analysis/1"}))
    assert_user_error(run("track", base, follow, "--plan", tmp_path / "other.json", "--out", out),
                      "not a plan.json")  # fmt: skip
    partial = json.loads(plan.read_text())
    del partial["sessions"]
    (tmp_path / "partial.json").write_text(json.dumps(partial))
    assert_user_error(run("track", base, follow, "--plan", tmp_path / "partial.json", "--out", out),
                      "lacks a field")  # fmt: skip
    cropped = write_rgb(tmp_path / "cropped.jpg", cv2.imread(str(base))[:800, :, ::-1])
    assert_user_error(run("track", cropped, follow, "--plan", plan, "--out", out),
                      "give the plan's own photo")  # fmt: skip
    assert_user_error(run("track", base, tmp_path / "missing.jpg", "--plan", plan, "--out", out),
                      "missing.jpg")  # fmt: skip
    assert_user_error(run("track", base, follow, "--plan", plan, "--out", out, "--date", "04/01"),
                      "YYYY-MM-DD")  # fmt: skip
    assert_user_error(run("track", base, follow, "--plan", plan, "--out", out,
                          "--date", "2999-01-01"), "future")  # fmt: skip
    assert_user_error(run("track", base, follow, "--plan", plan, "--out", out,
                          "--touch-up-at", "0"), "--touch-up-at")  # fmt: skip
    assert_user_error(run("track", base, follow, "--plan", plan, "--out", plan), "is a file")
    assert not out.exists()
