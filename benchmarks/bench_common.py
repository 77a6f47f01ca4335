"""Helpers shared by the benchmark scripts: report sections, number formatting, the machine.

Each script owns one section of ``docs/benchmarks.md``, delimited by HTML comments
``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` on lines of their own, and rewrites only that
section, so that the scripts can run separately.
"""

from __future__ import annotations

import compileall
import datetime as dt
import math
import os
import platform
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from importlib import metadata
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_REPORT = REPO_ROOT / "docs" / "benchmarks.md"


def replace_section(path: Path, name: str, body: str) -> None:
    """Replace the text between a section's start and end comments, or append the section.

    Parameters
    ----------
    path : Path
        The markdown file; created when missing.
    name : str
        Section name, as in ``<!-- name:start -->``.
    body : str
        New markdown between the two comments.
    """
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    # Only comments on lines of their own count, so that prose may quote them.
    pattern = re.compile(
        "^" + re.escape(start) + r"[ \t]*$.*?^" + re.escape(end) + r"[ \t]*$",
        re.DOTALL | re.MULTILINE,
    )
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_section(path: Path, name: str, body: str) -> None:
    """Rewrite a section of the report (:func:`replace_section`) and say so on the terminal.

    Parameters
    ----------
    path : Path
        The markdown file; created when missing.
    name : str
        Section name, as in ``<!-- name:start -->``.
    body : str
        New markdown between the two comments.
    """
    replace_section(path, name, body)
    print(f"wrote the {name} section of {path}")


def run_facts(load_before: float) -> dict[str, Any]:
    """Return when a run finished and the machine's load average before and after it.

    Parameters
    ----------
    load_before : float
        The 1-minute load average (``os.getloadavg()[0]``) taken before the run.

    Returns
    -------
    dict
        ``finished`` (e.g. ``"2026-12-07 02:55 UTC"``) and ``load`` (before, now).
    """
    return {
        "finished": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load": (load_before, os.getloadavg()[0]),
    }


def finished_words(facts: dict[str, Any]) -> str:
    """Say when a run finished and how loaded the machine was, for a report's facts.

    Parameters
    ----------
    facts : dict
        With ``finished`` and ``load`` as :func:`run_facts` returns them.

    Returns
    -------
    str
        E.g. ``"Finished 2026-12-07 02:55 UTC; load average (1 min) 1.20 before, 1.80 after"``.

    Examples
    --------
    >>> finished_words({"finished": "2026-12-07 02:55 UTC", "load": (1.2, 1.8)})
    'Finished 2026-12-07 02:55 UTC; load average (1 min) 1.20 before, 1.80 after'
    """
    before, after = facts["load"]
    return (
        f"Finished {facts['finished']}; load average (1 min) {before:.2f} before, {after:.2f} after"
    )


def cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo``, with family and model numbers when present.

    Returns
    -------
    str
        E.g. ``"AMD EPYC (family 25, model 17)"``; ``platform.machine()`` when unknown.
    """
    fields: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in {"model name", "cpu family", "model"} and key not in fields:
                fields[key] = value.strip()
            if not line.strip() and fields:
                break
    except OSError:
        return platform.machine() or "unknown"
    name = fields.get("model name", platform.machine() or "unknown")
    if "cpu family" in fields and "model" in fields:
        name += f" (family {fields['cpu family']}, model {fields['model']})"
    return name


def package_version(name: str) -> str:
    """Installed version of a distribution, or ``"?"``.

    Parameters
    ----------
    name : str
        Distribution name, e.g. ``"numpy"``.

    Returns
    -------
    str
        The version.
    """
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "?"


def machine_lines() -> list[str]:
    """Markdown bullet lines describing the machine and the software versions.

    Returns
    -------
    list of str
        One bullet per fact.
    """
    import cv2
    import numpy as np

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical CPUs, {affinity} usable by this process",
        f"- Python {platform.python_version()} ({sys.implementation.name}), "
        f"numpy {np.__version__}, OpenCV {cv2.__version__}, "
        f"scikit-image {package_version('scikit-image')}, scipy {package_version('scipy')}, "
        f"scalpmap {package_version('scalpmap')}",
    ]


def is_finite(value: float) -> bool:
    """Whether a value is a finite number.

    Parameters
    ----------
    value : float
        The value.

    Returns
    -------
    bool
        False for NaN and infinities.
    """
    return isinstance(value, int | float) and math.isfinite(value)


def fmt(value: float, digits: int = 3) -> str:
    """Format a number with ``digits`` decimals; ``n/a`` for NaN, ``inf`` for infinity.

    Parameters
    ----------
    value : float
        The number.
    digits : int
        Decimals.

    Returns
    -------
    str
        The text.
    """
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return f"{value:.{digits}f}"


def pct(value: float, digits: int = 2) -> str:
    """Format a fraction as a percentage; ``n/a`` for NaN, ``inf`` for infinity.

    Parameters
    ----------
    value : float
        The fraction (0.01 is 1 %).
    digits : int
        Decimals of the percentage.

    Returns
    -------
    str
        The text, e.g. ``"1.25 %"``.
    """
    text = fmt(value * 100 if is_finite(value) else value, digits)
    return text if text in {"n/a", "inf"} else f"{text} %"


def markdown_table(header: list[str], rows: list[list[str]], *, numeric: bool = True) -> str:
    """Build a GitHub-flavoured markdown table.

    Parameters
    ----------
    header : list of str
        Column titles.
    rows : list of list of str
        Cells.
    numeric : bool
        Right-align every column but the first; otherwise left-align all.

    Returns
    -------
    str
        The table.
    """
    align = [":--"] + ["--:" if numeric else ":--"] * (len(header) - 1)
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def map_in_processes(
    function: Callable[[Any], dict[str, Any]],
    cases: Sequence[Any],
    *,
    description: str,
    workers: int,
    console: Console,
) -> list[dict[str, Any]]:
    """Run ``function`` on every case in worker processes, with a progress bar, in order.

    Parameters
    ----------
    function : callable
        A picklable function of one case that returns its result row.
    cases : sequence
        The cases.
    description : str
        The progress bar's label.
    workers : int
        Worker processes.
    console : rich.console.Console
        Where the progress bar goes.

    Returns
    -------
    list of dict
        The rows, in the cases' order.
    """
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    columns += (TimeElapsedColumn(),)
    rows = []
    with Progress(*columns, console=console) as progress, ProcessPoolExecutor(workers) as pool:
        task = progress.add_task(description, total=len(cases))
        for row in pool.map(function, cases):
            rows.append(row)
            progress.advance(task)
    return rows


def print_goals(console: Console, judged: Sequence[tuple[str, str, str, bool]]) -> None:
    """Print each goal as ``pass``/``FAIL``, its measure and its target, one line each.

    Parameters
    ----------
    console : rich.console.Console
        Where to print.
    judged : sequence of (name, target, measured, ok)
        The goals.
    """
    for name, target, measured, ok in judged:
        console.print(f"{'pass' if ok else 'FAIL'}  {name}: {measured} (goal {target})")


def use_bytecode_caches() -> bool:
    """Let the timed child processes use compiled bytecode, as an installed package does.

    With ``PYTHONDONTWRITEBYTECODE`` set (some shells and containers set it), every fresh
    ``scalpmap`` process compiles its modules from source again: on a 2-core machine that added
    about 0.2 s to each whole process and 0.07 s to the command line's start. A package that pip
    installs is compiled at install time, and an editable install writes its caches on first
    use, so the benchmarks time processes with the caches in place: the variable is removed from
    this process's environment (the children inherit it) and the package is compiled once.

    Returns
    -------
    bool
        Whether the variable was set (the report says so).
    """
    was_set = os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None
    sys.dont_write_bytecode = False
    import scalpmap

    compileall.compile_dir(str(Path(scalpmap.__file__).parent), quiet=1)
    return was_set


def run_process(args: Sequence[str]) -> tuple[float, float, int]:
    """Run a command as a fresh process and time it from outside.

    Parameters
    ----------
    args : sequence of str
        The command.

    Returns
    -------
    wall_s, cpu_s : float
        Its wall time, and the child's user + system CPU time (all its threads) from
        ``resource.getrusage(RUSAGE_CHILDREN)``.
    code : int
        Its exit code.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(list(args), capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode


def scalpmap_command() -> list[str]:
    """Return the ``scalpmap`` command of this environment (the console script when installed).

    Returns
    -------
    list of str
        E.g. ``[".venv/bin/scalpmap"]``, or ``[python, "-m", "scalpmap"]``.
    """
    script = Path(sys.executable).with_name("scalpmap")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scalpmap"]
