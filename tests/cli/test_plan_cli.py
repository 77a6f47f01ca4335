"""``scalpmap plan``: the files it writes, and every bad input as one line with exit code 2."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.planning.laser_rules import interval_rule
from scalpmap.planning.plan_json import validate_plan_json

runner = CliRunner()


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


@pytest.fixture(scope="module")
def planned(closeup_photo, tmp_path_factory):
    path, _ = closeup_photo
    out = tmp_path_factory.mktemp("plan") / "out"
    result = run(
        "plan",
        path,
        "--template",
        "mature",
        "--age",
        "30",
        "--start-date",
        "2027-03-01",
        "--out",
        out,
        "--self-check",
    )
    return result, out


def test_plan_writes_every_file_and_a_valid_plan_json(planned):
    result, out = planned
    assert result.exit_code == 0, result.output
    document = json.loads((out / "plan.json").read_text())
    validate_plan_json(document)
    for name in document["files"].values():
        assert (out / name).stat().st_size > 1000, name
    for name in ("zones.png", "after_laser.png", "after_touch_up.png", "side_by_side.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for name in ("plan.pdf", "facility.pdf"):
        assert (out / name).read_bytes()[:5] == b"%PDF-"
    assert document["timeline"]["start"] == "2027-03-01" and document["timeline"]["start_given"]
    assert document["zones"]["removal"]["area_cm2"] > 0
    assert "removal zone" in result.output and "plan.html" in result.output
    # the interval rule, in the same words as the reports and the calendar
    rule = interval_rule(document["sessions"]["laser"]["interval_weeks"])
    assert rule in " ".join(result.output.split())


def test_self_check_is_recorded_and_passes(planned):
    _, out = planned
    check = json.loads((out / "plan.json").read_text())["simulation"]
    assert check is not None
    assert check["removal_remaining_percent"] < 2.0
    assert check["passed"] is True


def test_remove_all_writes_no_touch_up_picture(closeup_photo, tmp_path):
    path, _ = closeup_photo
    out = tmp_path / "out"
    result = run(
        "plan", path, "--template", "remove-all", "--skin-type", "5", "--out", out, "--no-pdf"
    )
    assert result.exit_code == 0, result.output
    document = json.loads((out / "plan.json").read_text())
    assert document["sessions"]["total_removal"] is True
    assert document["zones"]["touch_up"]["area_cm2"] == 0
    assert not (out / "after_touch_up.png").exists() and not (out / "plan.pdf").exists()
    html = (out / "plan.html").read_text()
    assert "Fitzpatrick" in html or "skin" in html.lower()


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ({"region": [[0, 0], [500, 500], [500, 0], [0, 500]]}, "self-intersect"),
        ({"region": [[0, 0], [10, 10], [20, 20]]}, "zero area"),
        ({"region": [[0, 0], [10, 10]]}, "3"),
        ({"region": [[90000, 90000], [91000, 90000], [91000, 91000]]}, "outside the photo"),
        ({"region": [[0, 1150], [40, 1150], [40, 1190], [0, 1190]]}, "remove-all"),
        ({"hairline": [[0, 0]]}, "hairline"),
        ({"shape": []}, "region"),
    ],
)
def test_bad_targets_are_one_line_errors(closeup_photo, tmp_path, target, fragment):
    path, _ = closeup_photo
    file = tmp_path / "TARGET.json"
    file.write_text(json.dumps(target))
    result = run("plan", path, "--target", file, "--out", tmp_path / "out", "--no-pdf")
    assert_user_error(result, fragment)
    assert not (tmp_path / "out" / "plan.json").exists()


def test_malformed_target_json_is_a_one_line_error(closeup_photo, tmp_path):
    path, _ = closeup_photo
    file = tmp_path / "TARGET.json"
    file.write_text('{"region": [[0, 0], [1, 1],')
    result = run("plan", path, "--target", file, "--out", tmp_path / "out")
    assert_user_error(result, "JSON")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--skin-type", "7"], "skin type must be 1..6"),
        (["--skin-type", "0"], "skin type must be 1..6"),
        (["--start-date", "2027-02-30"], "impossible start date"),
        (["--start-date", "tomorrow"], "impossible start date"),
        (["--start-date", "1990-01-01"], "before 2000"),
        (["--age", "7"], "age must be 14..100"),
        (["--age", "130"], "age must be 14..100"),
        (["--template", "mature"], "age (14..100) or facial landmarks"),
        (["--template", "mature", "--glabella", "800,1500"], "missing --left-canthus"),
        (["--template", "mature", "--glabella", "800"], "'X,Y'"),
        (["--template", "sideways"], "unknown --template"),
        (["--template", "custom"], "needs --target"),
        (["--scarring", "lots"], "--scarring must be one of"),
        (["--desired-density", "-5"], "desired density"),
        (["--target", "/nonexistent/TARGET.json"], "does not exist"),
    ],
)
def test_bad_arguments_are_one_line_errors(closeup_photo, tmp_path, args, fragment):
    path, _ = closeup_photo
    result = run("plan", path, "--out", tmp_path / "out", "--no-pdf", *args)
    assert_user_error(result, fragment)


def test_a_corrupt_photo_is_a_one_line_error(tmp_path):
    photo = tmp_path / "broken.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    result = run("plan", photo, "--out", tmp_path / "out")
    assert_user_error(result)


# --- facial landmarks: detected in the photo's face, each overridable -----------------------

SOURCES = ("glabella", "left_canthus", "right_canthus")


def plan_face(photo, truth, out, *args):
    result = run(
        "plan", photo, "--template", "mature", "--mm-per-px", truth.mm_per_px,
        "--skin-type", "3", "--out", out, "--no-pdf", *args,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return result, json.loads((out / "plan.json").read_text())


@pytest.fixture(scope="module")
def face_planned(face_photo, tmp_path_factory):
    path, truth = face_photo
    return plan_face(path, truth, tmp_path_factory.mktemp("face") / "out")


def test_mature_uses_the_detected_glabella_and_canthi_by_itself(face_planned, face_photo):
    result, document = face_planned
    validate_plan_json(document)
    marks = document["options"]["landmarks"]
    assert marks["sources"] == dict.fromkeys(SOURCES, "detected")
    # Left and right as seen in the photo; the glabella between and above the eye corners.
    (lx, ly), (gx, gy), (rx, ry) = (marks[k] for k in ("left_canthus", "glabella", "right_canthus"))
    assert lx < gx < rx and gy < min(ly, ry)
    # They sit where the generator drew the face (its truth names the patient's own eyes). The
    # eye corners agree within a few millimetres; the generator's glabella lies on its brow line
    # and the head model's between the brows' inner upper ends (about 6 mm apart here).
    head = face_photo[1].head
    mm = face_photo[1].mm_per_px
    for plan_name, truth_name, within_mm in (
        ("glabella", "glabella", 10.0),
        ("left_canthus", "right_eye_outer_canthus", 4.0),
        ("right_canthus", "left_eye_outer_canthus", 4.0),
    ):
        error_mm = np.hypot(*(np.subtract(marks[plan_name], head.landmarks[truth_name][0]))) * mm
        assert error_mm < within_mm, (plan_name, error_mm)
    # The published rule: the mid-frontal point 8 cm above the glabella.
    assert document["target"]["height_above_glabella_cm"] == pytest.approx(8.0, abs=0.2)
    words = " ".join(result.output.split())
    assert "detected by the head model" in words and "8 cm above the glabella" in words


@pytest.mark.parametrize(
    ("option", "name"), [("--glabella", "glabella"), ("--left-canthus", "left_canthus")]
)
def test_each_landmark_option_overrides_its_point_alone(
    face_planned, face_photo, tmp_path, option, name
):
    path, truth = face_photo
    detected = face_planned[1]["options"]["landmarks"]
    x, y = detected[name]
    moved = [round(x + 12.0, 1), round(y - 20.0, 1)]
    result, document = plan_face(path, truth, tmp_path / "out", option, f"{moved[0]},{moved[1]}")
    validate_plan_json(document)
    marks = document["options"]["landmarks"]
    assert marks[name] == moved
    assert marks["sources"] == {n: ("given" if n == name else "detected") for n in SOURCES}
    for other in set(SOURCES) - {name}:
        assert marks[other] == detected[other]
    assert f"{name.replace('_', ' ')} given" in " ".join(result.output.split())


def test_mature_without_a_face_or_an_age_says_why(closeup_photo, tmp_path):
    path, _ = closeup_photo
    result = run("plan", path, "--template", "mature", "--out", tmp_path / "out", "--no-pdf")
    assert_user_error(result, "age (14..100) or facial landmarks", "close-up", "--age")


def test_a_marker_or_given_scale_is_not_flagged_but_an_iris_scale_is(
    closeup_photo, tmp_path, monkeypatch
):
    from scalpmap.cli import plan_cmd
    from scalpmap.imaging import analysis as analysis_module
    from scalpmap.imaging.scale import Scale

    path, _ = closeup_photo
    measured = run(
        "plan", path, "--template", "keep", "--skin-type", "3", "--out", tmp_path / "a", "--no-pdf"
    )
    assert measured.exit_code == 0, measured.output
    assert "printed marker" in measured.output and "estimated" not in measured.output
    real = analysis_module.analyse_photo

    def iris_analysis(*args, **kwargs):
        analysis = real(*args, **kwargs)
        iris = Scale(analysis.scale.mm_per_px, "iris", uncertainty_percent=4.9)
        return dataclasses.replace(analysis, scale=iris)

    # The command may import analyse_photo at its top or when it runs: patch both places.
    monkeypatch.setattr(analysis_module, "analyse_photo", iris_analysis)
    monkeypatch.setattr(plan_cmd, "analyse_photo", iris_analysis, raising=False)
    out = tmp_path / "b"
    estimated = run(
        "plan", path, "--template", "keep", "--skin-type", "3", "--out", out, "--no-pdf"
    )
    assert estimated.exit_code == 0, estimated.output
    text = " ".join(estimated.output.split())
    assert "estimated from the iris, ± 4.9 %" in text
    assert "lengths ± 4.9 %, areas ± 9.8 %" in text.replace("\u00a0", " ")
    assert "printed marker in the photo" in text
    document = json.loads((out / "plan.json").read_text())
    assert document["scale"] == {
        "mm_per_px": pytest.approx(document["scale"]["mm_per_px"]),
        "source": "iris",
        "uncertainty_percent": 4.9,
    }
    html = (out / "plan.html").read_text().replace("\u00a0", " ")
    assert "Estimated sizes" in html and "estimated from the size of your eye" in html
    # The patient reads whole percents; the facility the exact figures.
    assert "lengths may be off by about 5 % and areas by about 10 %" in html
    facility = (out / "facility.html").read_text().replace("\u00a0", " ")
    assert "Scale estimated from the iris" in facility and "areas ± 9.8 %" in facility
    for name in ("plan.html", "facility.html"):
        assert "Estimated sizes" not in (tmp_path / "a" / name).read_text()
