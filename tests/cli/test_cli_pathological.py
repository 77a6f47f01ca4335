"""Pathological photos through ``scalpmap analyse``: a result or one clean line, never a crash."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app
from scalpmap.imaging.pathological import PATHOLOGICAL, STRIP_LENGTH_PX, pathological_png

runner = CliRunner()


def _size(name: str) -> tuple[int, int]:
    """About half a megapixel; the strip at its full length, one pixel wide."""
    return (STRIP_LENGTH_PX, 1) if name == "strip" else (600, 800)


@pytest.mark.parametrize("scale", [["--mm-per-px", "0.03"], ["--mm-per-px", "0.15"], []])
@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_a_pathological_photo_gives_a_result_or_one_clean_line(name, scale, tmp_path):
    rows, cols = _size(name)
    photo = tmp_path / f"{name}.png"
    photo.write_bytes(pathological_png(name, rows=rows, cols=cols))
    result = runner.invoke(app, ["analyse", str(photo), *scale, "--out", str(tmp_path / "out")])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:  # one line saying what is wrong
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        expected = "too small" if name == "strip" else "no scale"
        assert expected in lines[0]
    else:
        document = json.loads((tmp_path / "out" / "analysis.json").read_text())
        assert document["photo"]["width"] == cols and document["photo"]["height"] == rows
        assert (tmp_path / "out" / "overlay.png").read_bytes()[:4] == b"\x89PNG"
        assert 0 <= document["region"]["area_cm2"] <= rows * cols * 0.15**2 / 100 + 1e-6
