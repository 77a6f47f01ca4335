"""The command line with the head model: a broken install is one line and exit code 2."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
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


def test_a_front_view_without_marker_or_scale_is_scaled_by_its_iris(tmp_path: Path) -> None:
    result = runner.invoke(app, ["analyse", str(PHOTO), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    scale = json.loads((tmp_path / "out" / "analysis.json").read_text())["scale"]
    assert scale["source"] == "iris" and scale["marker"] is None
    assert 3.4 < scale["uncertainty_percent"] < 15
    assert "estimated from the iris" in result.output
