"""The command line with the head model: a broken install is one line and exit code 2; a face too
dark, blurred or small for landmarks gives its reason in analysis.json."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.imaging.head import runtime

PHOTO = Path(__file__).resolve().parents[1] / "data" / "real-heads" / "36-front.jpg"
runner = CliRunner()


@pytest.fixture
def models_without_the_mesh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "models"
    shutil.copytree(runtime.MODELS_DIR, folder)
    (folder / runtime.MODEL_FILES["face_mesh"]).unlink()
    monkeypatch.setattr(runtime, "MODELS_DIR", folder)
    runtime.clear_model_cache()
    yield folder
    runtime.clear_model_cache()


def test_missing_model_file_stops_analyse_with_one_line_and_exit_2(
    models_without_the_mesh: Path, tmp_path: Path
) -> None:
    # No marker and no --mm-per-px: the scale must come from the face, so the head model runs.
    result = runner.invoke(app, ["analyse", str(PHOTO), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    text = result.stderr or result.output
    assert "Traceback" not in text
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: head model file face_landmark.tflite")
    assert "reinstall the scalpmap package" in lines[0]
    assert not (tmp_path / "out" / "analysis.json").exists()


def test_a_broken_model_file_stops_analyse_with_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "models"
    shutil.copytree(runtime.MODELS_DIR, folder)
    broken = folder / runtime.MODEL_FILES["face_detection"]
    broken.write_bytes(broken.read_bytes()[:4000])
    monkeypatch.setattr(runtime, "MODELS_DIR", folder)
    runtime.clear_model_cache()
    try:
        result = runner.invoke(app, ["analyse", str(PHOTO), "--out", str(tmp_path / "out")])
    finally:
        runtime.clear_model_cache()
    assert result.exit_code == 2, result.output
    text = result.stderr or result.output
    assert "Traceback" not in text
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error: head model file face_detection_short_range.tflite is broken")
    assert "reinstall the scalpmap package" in lines[0]


def _tiny(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    canvas = np.full((120, 120, 3), 188, dtype=np.uint8)
    canvas[40:80, 40:80] = cv2.resize(rgb, (40, 40), interpolation=cv2.INTER_AREA)
    return canvas


BAD_FACES: dict[str, Callable[[NDArray[np.uint8]], NDArray[np.uint8]]] = {
    "dark": lambda rgb: (rgb * 0.12).astype(np.uint8),
    "blurred": lambda rgb: np.asarray(cv2.GaussianBlur(rgb, (0, 0), 20), dtype=np.uint8),
    "small": _tiny,
}


@pytest.mark.parametrize("problem", sorted(BAD_FACES))
def test_a_dark_blurred_or_tiny_face_gives_the_reason_in_analysis_json(
    problem: str, tmp_path: Path
) -> None:
    photo = tmp_path / f"{problem}.png"
    bgr = cv2.imread(str(PHOTO), cv2.IMREAD_COLOR)
    assert bgr is not None
    cv2.imwrite(str(photo), BAD_FACES[problem](np.asarray(bgr, dtype=np.uint8)))
    out = tmp_path / "out"
    result = runner.invoke(app, ["analyse", str(photo), "--mm-per-px", "0.2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    head = json.loads((out / "analysis.json").read_text())["head"]
    assert head["landmarks"] == {} and head["view"] == "unknown"
    assert head["faces_found"] == 1 and head["face_box"] is not None
    reasons = [note for note in head["notes"] if "landmarks skipped" in note]
    assert len(reasons) == 1 and f"too {problem}" in reasons[0], head["notes"]
    printed = " ".join(result.output.split())  # the console wraps long lines
    assert f"warning: face too {problem}" in printed, result.output


def test_a_front_view_without_marker_or_scale_is_scaled_by_its_iris(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyse", str(PHOTO), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    scale = json.loads((tmp_path / "out" / "analysis.json").read_text())["scale"]
    assert scale["source"] == "iris" and scale["marker"] is None
    assert 3.4 < scale["uncertainty_percent"] < 15
    assert "estimated from the iris" in result.output
