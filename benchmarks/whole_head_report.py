"""The whole-head evaluation's tables: on the console and as the markdown section."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from bench_common import (
    fmt,
    machine_lines,
    markdown_table,
    pct,
)
from scalpmap.imaging.whole_head_crop import MIN_PERSON_SHARE
from whole_head_goals import SPEED_RUNS
from whole_head_measures import FACE_CLEARANCE_MM, PERSON_MARGIN_MM

REAL_COLUMNS = [
    ("case", "Photo"),
    ("view", "Head view"),
    ("pigment_cm2", "Pigment cm²"),
    ("below_brows_cm2", "Below brows cm²"),
    ("brows_from", "Brow line from"),
    ("bare_fraction", "Bare scalp as pigment"),
    ("background_cm2", "Background cm²"),
    ("analyse_s", "Analyse s"),
    ("error", "Error"),
]


COMPOSITE_COLUMNS = [
    ("case", "Photo"),
    ("ink", "Ink"),
    ("mm_per_px", "mm/px"),
    ("scalp_iou", "Region IoU on the bald scalp"),
    ("region_iou", "Region IoU, whole photo"),
    ("off_scalp_cm2", "Found off the bald scalp cm²"),
    ("frontal_error_mm", "Frontal hairline mm"),
    ("hairline_error_mm", "Whole hairline mm"),
    ("below_brows_cm2", "Below brows cm²"),
    ("analyse_s", "Analyse s"),
    ("error", "Error"),
]


GENERATED_COLUMNS = [
    ("case", "Seed"),
    ("view", "View"),
    ("beard", "Beard"),
    ("moustache", "Moustache"),
    ("glasses", "Glasses"),
    ("natural_hair", "Shaved hair"),
    ("shine", "Shine"),
    ("fitzpatrick", "Skin"),
    ("ink", "Ink"),
    ("mm_per_px", "mm/px"),
    ("region_iou", "Region IoU"),
    ("hairline_error_mm", "Hairline mm"),
    ("frontal_error_mm", "Frontal mm"),
    ("face_cm2", "Face cm²"),
    ("analyse_s", "Analyse s"),
    ("error", "Error"),
]


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "n/a"
    if key == "bare_fraction":
        return pct(value, 2)
    if key == "mm_per_px":
        return fmt(value, 4)
    if key in ("region_iou", "scalp_iou"):
        return fmt(value, 3)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return fmt(value, 2)
    return str(value).replace("|", "/")[:80]


def table_rows(
    rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]
) -> tuple[list[str], list[list[str]]]:
    """Header and cells of a results table.

    Parameters
    ----------
    rows : sequence of dict
        Results.
    columns : sequence of (key, title)
        What to show.

    Returns
    -------
    tuple
        Header and rows.
    """
    shown = [(k, t) for k, t in columns if k != "error" or any(r.get("error") for r in rows)]
    return [t for _, t in shown], [[_cell(k, r.get(k)) for k, _ in shown] for r in rows]


def render_markdown(
    rows: dict[str, list[dict[str, Any]]],
    speed: dict[str, Any] | None,
    goals: Sequence[tuple[str, str, bool | None]],
    command: str,
    elapsed_s: float,
    notes: Sequence[str],
) -> str:
    """Render the ``whole-head`` section.

    Parameters
    ----------
    rows : dict of str to list of dict
        Results per group.
    speed : dict or None
        The speed measurement.
    goals : sequence of tuple
        Verdicts.
    command : str
        The command that reproduces the section.
    elapsed_s : float
        Wall time of the run.
    notes : sequence of str
        Lines about skipped parts.

    Returns
    -------
    str
        Markdown.
    """
    out = [
        "## Whole-head analysis: real photos, semi-real composites, generated heads",
        "",
        "Reproduce with:",
        "",
        "```sh",
        command,
        "```",
        "",
        "Issue 10's goals (section 5), measured through `scalpmap.imaging.analysis.analyse_photo` "
        "(and `scalpmap analyse` for the speed):",
        "",
        "- **Real photos**: the 80 phone photos of `/work/shared/real-heads` (CC BY 4.0, no SMP), "
        "upscaled x3 with Lanczos to about clinic resolution, analysed at the annotated scale / 3 "
        "(0.1 mm/px where not annotated). Any pigment is a false positive. *Below the brow line*: "
        "the face from the brows' upper edge down, as wide as the brows, in the face's own frame, "
        "from `benchmarks/data/real-heads/scalp_annotations.json` or else the analysis' face "
        "landmarks (not where `benchmarks/data/real_heads_annotations.json` sees no face); "
        "*bare scalp*: the annotated bare bald scalp of 10 photos; *background*: "
        f"outside the head model's person mask grown by {PERSON_MARGIN_MM:.0f} mm (not judged "
        f"where that mask covers under {MIN_PERSON_SHARE:.0%} of the photo: the segmentation "
        "failed there, and the analysis does not use it either).",
        "- **Semi-real composites**: those 10 photos turned upright, upscaled x3, with the "
        "generator's impressions, ink and feathering rendered into a region drawn on the bare "
        "scalp (`scalpmap.imaging.synth_composite`, seeds 7100..), analysed at the known scale. "
        "The frontal hairline error is the mean of the true frontal line's distance to the found "
        "hairline and the found frontal segment's distance back. The photos' own natural hair, "
        "stubble and beards are real and carry no truth: a head's natural hair reads as "
        "hair-like texture and joins the pigmented region (see docs/analysis-json.md), so the "
        "goal's IoU is measured on the annotated bald scalp plus the drawn region, where the "
        "truth is known; the whole-photo IoU and the area found off the bald scalp are shown "
        "beside it.",
        "- **Generated whole heads**: `scalpmap.imaging.synth` portrait photos, 2048 x 2730 px, "
        "held-out seeds 7000.., cycling through the five views, four beards, moustache or not, "
        "glasses or not, shaved natural hair on the sides or not, and skin/ink pairs that "
        "include faded grey ink on types I–II and V–VI, at 0.08–0.15 mm/px, "
        "analysed at the true scale without a marker. Hairline error as in "
        "`benchmarks/evaluate_accuracy.py` (both ways, the whole visible hairline); *face*: found "
        "pigment on the truth's face below the brows, ears and neck, more than "
        f"{FACE_CLEARANCE_MM:.0f} mm from the true region.",
        "- **Speed**: `scalpmap analyse` of a 3000 x 4000 px (12 MP) generated front view with "
        f"its overlay, the whole process timed from outside, median of {SPEED_RUNS} runs after a "
        "warm-up.",
        *[f"- {note}" for note in notes],
        f"- Finished {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, after "
        f"{elapsed_s / 60:.1f} min.",
        *machine_lines(),
        "",
        "### Goals",
        "",
        markdown_table(
            ["Goal", "Measured", "Result"],
            [[g, m, "n/a" if ok is None else ("pass" if ok else "**FAIL**")] for g, m, ok in goals],
            numeric=False,
        ),
    ]
    for title, group, columns in (
        ("Semi-real composites", "composite", COMPOSITE_COLUMNS),
        ("Generated whole heads", "generated", GENERATED_COLUMNS),
        ("Real photos", "real", REAL_COLUMNS),
    ):
        if rows[group]:
            out += ["", f"### {title}", "", markdown_table(*table_rows(rows[group], columns))]
    if speed and speed.get("runs"):
        load = speed.get("load", (float("nan"), float("nan")))
        out += [
            "",
            "### Speed",
            "",
            f"`{speed['command']}`: wall "
            + ", ".join(f"{s:.2f} s" for s in speed["runs"])
            + "; CPU (user + system) "
            + ", ".join(f"{s:.2f} s" for s in speed.get("cpu_s", []))
            + f"; overlay written: {'yes' if speed.get('overlay') else 'no'}. The machine's "
            f"1-minute load average was {load[0]:.1f} before and {load[1]:.1f} after (2 CPUs "
            "shared with other work): wall time beyond the CPU time is waiting for a CPU. The "
            "package's bytecode is compiled first, as an install does "
            "(`bench_common.use_bytecode_caches`).",
        ]
    return "\n".join(out) + "\n"


def print_tables(
    console: Console,
    rows: dict[str, list[dict[str, Any]]],
    goals: Sequence[tuple[str, str, bool | None]],
) -> None:
    """Print every case and the goals.

    Parameters
    ----------
    console : Console
        Where to print.
    rows : dict of str to list of dict
        Results.
    goals : sequence of tuple
        Verdicts.
    """
    for title, group, columns in (
        ("Real photos", "real", REAL_COLUMNS),
        ("Semi-real composites", "composite", COMPOSITE_COLUMNS),
        ("Generated whole heads", "generated", GENERATED_COLUMNS),
    ):
        if not rows[group]:
            continue
        header, cells = table_rows(rows[group], columns)
        table = Table(title=title)
        for i, column in enumerate(header):
            table.add_column(column, justify="left" if i == 0 else "right")
        for row in cells:
            table.add_row(*row)
        console.print(table)
    table = Table(title="Goals")
    for column in ("Goal", "Measured", "Result"):
        table.add_column(column)
    for goal, measured, ok in goals:
        table.add_row(
            goal, measured, "n/a" if ok is None else ("[green]pass" if ok else "[bold red]FAIL")
        )
    console.print(table)
