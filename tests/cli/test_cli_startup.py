"""The command line starts at once: help, usage errors and typos load no heavy module.

Each case runs ``python -X importtime -m scalpmap ...`` in a fresh interpreter and reads the
modules it imported from the import-time log, so the check fails as soon as a command module
imports numpy, OpenCV, SQLAlchemy, the web app, the PDF or the chart library at its top, or
when typer's parameters load pydantic (``scalpmap.cli.quick_params`` converts plain values).
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from scalpmap.tracking.recommend import TOUCH_UP_AT_PERCENT

HEAVY = (
    *("numpy", "cv2", "sqlalchemy", "fastapi", "weasyprint", "matplotlib", "scipy", "skimage"),
    "pydantic",
)
IMPORT_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \| (\s*)(\S+)$")


def imported_modules(*args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``scalpmap ARGS`` in a fresh interpreter; return the result and the modules it loaded."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scalpmap", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    names = set()
    for line in result.stderr.splitlines():
        match = IMPORT_LINE.match(line)
        if match:
            names.add(match.group(2))
    assert "scalpmap.cli.main" in names, result.stderr[-2000:]
    return result, names


def heavy(names: set[str]) -> list[str]:
    return sorted(name for name in names if name.split(".")[0] in HEAVY)


@pytest.mark.parametrize(
    ("args", "exit_code", "says"),
    [
        (("--help",), 0, "analyse"),
        (("analyse", "--help"), 0, "--max-pixels"),
        (("plan", "--help"), 0, "--template"),
        (("track", "--help"), 0, "--touch-up-at"),
        (("users", "--help"), 0, "create"),
        (("users", "create", "--help"), 0, "practitioner"),
        (("clinic", "set", "--help"), 0, "--time-zone"),
        (("sessions", "laser", "--help"), 0, "--pulse"),
        (("facilities", "--help"), 0, "import"),
        (("synth", "--help"), 0, "--view"),
        (("serve", "--help"), 0, "--workers"),
        (("backup", "--help"), 0, "OUT"),
        (("restore", "--help"), 0, "--database-url"),
        (("store", "prune", "--help"), 0, "--delete"),
        (("worker", "--help"), 0, "--concurrency"),
        (("reanalyse", "--help"), 0, "--since"),
        (("jobs", "status", "--help"), 0, "--data-dir"),
        (("plna",), 2, "No such command"),
        (("analyse",), 2, "Missing argument"),
    ],
)
def test_help_usage_errors_and_typos_load_no_heavy_module(args, exit_code, says):
    result, names = imported_modules(*args)
    assert result.returncode == exit_code, result.stdout + result.stderr[-2000:]
    output = " ".join((result.stdout + result.stderr).split())
    assert says in output
    assert "Traceback" not in result.stderr
    assert heavy(names) == [], f"scalpmap {' '.join(args)} imported {heavy(names)[:8]}"


def test_help_shows_the_defaults_that_live_in_light_modules():
    result, _ = imported_modules("analyse", "--help")
    text = " ".join(result.stdout.split())
    assert "100000000" in text  # --max-pixels, from scalpmap.imaging.photo_limits
    result, _ = imported_modules("track", "--help")
    assert f"[default: {TOUCH_UP_AT_PERCENT}]" in " ".join(result.stdout.split())


def test_the_check_sees_a_heavy_import():
    """The import-time log does list numpy when a command loads it, so the checks above can fail."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import scalpmap.cli.main, numpy"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names = {m.group(2) for m in map(IMPORT_LINE.match, result.stderr.splitlines()) if m}
    assert "numpy" in heavy(names)
