"""The command line: the main job end to end, and every bad input as one line with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def assert_user_error(result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.stderr if result.stderr else result.output
    assert "Traceback" not in text
    lines = [line for line in text.strip().splitlines() if line.strip()]
    error_lines = [line for line in lines if line.startswith("error:") or "Error" in line]
    assert error_lines, text
    for fragment in fragments:
        assert fragment in text


def test_analyse_writes_json_and_overlay(closeup_photo, tmp_path):
    path, truth = closeup_photo
    result = run("analyse", path, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "out" / "analysis.json").read_text())
    assert doc["scale"]["source"] == "marker"
    assert doc["scale"]["mm_per_px"] == pytest.approx(truth.mm_per_px, rel=0.005)
    assert doc["summary"]["count"] == len(doc["impressions"]) > 100
    overlay = (tmp_path / "out" / "overlay.png").read_bytes()
    assert overlay[:8] == b"\x89PNG\r\n\x1a\n"
    assert "impressions" in result.output and "overlay" in result.output


def test_synth_then_analyse_with_a_given_scale(tmp_path):
    photo = tmp_path / "s.png"
    result = run(
        "synth",
        photo,
        "--seed",
        "5",
        "--width",
        "900",
        "--height",
        "700",
        "--mm-per-px",
        "0.035",
        "--skin",
        "4",
        "--no-marker",
    )
    assert result.exit_code == 0, result.output
    truth = json.loads((tmp_path / "s.png.truth.json").read_text())
    assert truth["options"]["fitzpatrick"] == 4
    result = run("analyse", photo, "--mm-per-px", "0.035", "--out", tmp_path / "o", "--no-overlay")
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "o" / "analysis.json").read_text())
    assert doc["scale"] == {
        "mm_per_px": 0.035,
        "source": "given",
        "uncertainty_percent": None,
        "iris_diameter_px": None,
        "marker": None,
    }
    assert not (tmp_path / "o" / "overlay.png").exists()


def test_marker_prints_a_pdf_and_a_png(tmp_path):
    assert run("marker", tmp_path / "m.pdf").exit_code == 0
    assert (tmp_path / "m.pdf").read_bytes()[:4] == b"%PDF"
    assert run("marker", tmp_path / "m.png", "--size-mm", "30").exit_code == 0
    assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"


def test_no_scale_says_what_to_do(unmarked_photo, tmp_path):
    path, _ = unmarked_photo
    result = run("analyse", path, "--out", tmp_path / "o")
    assert_user_error(
        result,
        "no scale: put the printed marker (scalpmap marker) in the photo or pass --mm-per-px",
    )
    assert not (tmp_path / "o" / "analysis.json").exists()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _truncated_jpeg(tmp_path: Path, closeup_photo) -> Path:
    data = closeup_photo[0].read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    return path


def _bomb_png(tmp_path: Path) -> Path:
    """A valid PNG header that claims 20000 x 20000 pixels, a few bytes on disk."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b""))
    path = tmp_path / "bomb.png"
    path.write_bytes(data + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda tmp, photo: tmp / "missing.jpg", "not found"),
        (lambda tmp, photo: tmp, "directory"),
        (lambda tmp, photo: _write(tmp / "empty.jpg", b""), "empty"),
        (lambda tmp, photo: _write(tmp / "notes.jpg", b"hello, not a photo"), "not a JPEG"),
        (_truncated_jpeg, "cut.jpg"),
        (lambda tmp, photo: _bomb_png(tmp), "too large"),
    ],
    ids=["missing", "directory", "zero-byte", "not-an-image", "truncated", "bomb"],
)
def test_bad_photos_get_one_line_and_exit_2(make, fragment, tmp_path, closeup_photo):
    path = make(tmp_path, closeup_photo)
    result = run("analyse", path, "--mm-per-px", "0.03", "--out", tmp_path / "o")
    assert_user_error(result, fragment)


def test_max_pixels_is_configurable(closeup_photo, tmp_path):
    result = run("analyse", closeup_photo[0], "--max-pixels", "1000", "--out", tmp_path / "o")
    assert_user_error(result, "--max-pixels")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--mm-per-px", "0"], "mm per px"),
        (["--mm-per-px", "-0.1"], "mm per px"),
        (["--mm-per-px", "50"], "mm per px"),
        (["--mm-per-px", "abc"], "--mm-per-px"),
        (["--roi", "1,2,3"], "ROI"),
        (["--roi", "0,0;5,5"], "ROI"),
        (["--roi", "9000,9000,9500,9500", "--mm-per-px", "0.04"], "outside"),
        (["--marker-mm", "0.5"], "--marker-mm"),
    ],
)
def test_bad_options_get_one_line_and_exit_2(args, fragment, closeup_photo, tmp_path):
    result = run("analyse", closeup_photo[0], *args, "--out", tmp_path / "o")
    assert_user_error(result, fragment)


def test_out_that_is_a_file_is_refused(closeup_photo, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    result = run("analyse", closeup_photo[0], "--out", target)
    assert_user_error(result, "is a file")
    assert target.read_text() == "x"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["marker", "m.gif"], ".pdf"),
        (["marker", "m.pdf", "--size-mm", "15"], "--size-mm"),
        (["synth", "s.jpg", "--view", "sideways"], "sideways"),
        (["synth", "s.jpg", "--skin", "9"], "Fitzpatrick"),
        (["synth", "s.bmp"], ".jpg or .png"),
    ],
)
def test_bad_marker_and_synth_arguments(args, fragment, tmp_path):
    args = [str(tmp_path / a) if a.endswith((".gif", ".pdf", ".jpg", ".bmp")) else a for a in args]
    assert_user_error(run(*args), fragment)


@pytest.mark.parametrize(
    "args",
    [
        ["analyse", "nope.jpg", "--mm-per-px", "0.03"],
        ["analyse", "nope.jpg", "--mm-per-px", "abc"],
        ["analyse"],
        ["frobnicate"],
    ],
)
def test_the_command_prints_one_line_and_no_traceback(args, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scalpmap", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert result.stderr.startswith("error: ")


def test_the_installed_command_prints_no_traceback(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scalpmap",
            "analyse",
            str(tmp_path / "nope.jpg"),
            "--mm-per-px",
            "0.03",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: photo not found")


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--bogus"], "(see scalpmap --help)"),
        (["analyse", "--bogus"], "(see scalpmap analyse --help)"),
        (["sessions", "laser", "1", "--date", "2026-01-05", "--device", "X", "--pulse", "fs",
          "--fluence", "2", "--spot", "3", "--passes", "1"],
         "(see scalpmap sessions laser --help)"),
        (["facilities", "import"], "(see scalpmap facilities import --help)"),
    ],
)  # fmt: skip
def test_a_usage_error_names_the_help_of_its_own_command(args, where, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scalpmap", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.strip().count("\n") == 0
    assert result.stderr.strip().endswith(where), result.stderr
