"""Track a follow-up photo against the baseline: clearance of the removal zone, next step."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.cli.options import MaxPixelsOption, ModeOption, parse_mode
from scalpmap.errors import InputError, ScalpmapError
from scalpmap.imaging.photo_limits import DEFAULT_MAX_PIXELS
from scalpmap.scale_limits import check_given_scale
from scalpmap.tracking.recommend import TOUCH_UP_AT_PERCENT

if TYPE_CHECKING:  # the tracking modules load inside the command, so that --help answers at once
    from rich.table import Table

    from scalpmap.tracking.track import Tracking

console = lazy_console(highlight=False)
STEPS = ("load", "baseline", "register and compare", "write")


class NotMeasuredError(ScalpmapError):
    """The follow-up could not be registered or measured; clearance.json says why."""


def summary_table(tracking: Tracking) -> Table:
    """Build the summary table printed after tracking.

    Parameters
    ----------
    tracking : Tracking
        The result.

    Returns
    -------
    rich.table.Table
        Quantity, value.
    """
    from rich.table import Table

    reg, c, advice = tracking.registration, tracking.clearance, tracking.recommendation
    table = Table(title="follow-up")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("registered", "yes" if reg.ok else "NO")
    if reg.residual_mm is not None:
        table.add_row("registration residual", f"{reg.residual_mm:.3f} mm ({reg.model})")
    if c.percent is not None:
        table.add_row("clearance", f"{c.percent:.1f} % ({c.cleared} of {c.removal_impressions})")
    if c.outside_lost_percent is not None:
        flag = " FLAGGED" if c.outside_flagged else ""
        table.add_row("lost outside the zone", f"{c.outside_lost_percent:.1f} %{flag}")
    if advice is not None:
        when = "" if advice.date is None else f" from {advice.date.isoformat()}"
        table.add_row("next step", advice.action.replace("_", " ") + when)
    return table


@user_errors_exit_2
def track(
    baseline: Annotated[Path, typer.Argument(help="The baseline photo: the plan's own photo.")],
    followup: Annotated[Path, typer.Argument(help="The follow-up photo of the same view.")],
    plan: Annotated[Path, typer.Option(help="The baseline's plan.json (scalpmap plan).")],
    out: Annotated[Path, typer.Option(help="Folder for clearance.json and overlay.png.")],
    mm_per_px: Annotated[
        float | None,
        typer.Option(help="The follow-up's scale; default its marker, else from the registration."),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="The day the follow-up was taken, YYYY-MM-DD; default today.")
    ] = None,
    touch_up_at: Annotated[
        float, typer.Option(help="Clearance (%) from which the touch-up follows.")
    ] = TOUCH_UP_AT_PERCENT,
    max_pixels: MaxPixelsOption = DEFAULT_MAX_PIXELS,
    overlay: Annotated[bool, typer.Option(help="Also write overlay.png.")] = True,
    mode: ModeOption = "auto",
) -> None:
    """Track a follow-up photo against the baseline: clearance of the removal zone, next step."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from scalpmap.dates import parse_day
    from scalpmap.imaging.analysis import analyse_photo
    from scalpmap.imaging.photo_io import load_photo
    from scalpmap.reports.images import encode_png
    from scalpmap.tracking.clearance_json import tracking_to_json
    from scalpmap.tracking.overlay import render_tracking_overlay
    from scalpmap.tracking.plan_facts import read_plan
    from scalpmap.tracking.track import track_followup

    check_given_scale(mm_per_px)
    forced = parse_mode(mode)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    if not 0 < touch_up_at <= 100:
        raise InputError(f"--touch-up-at must be above 0 and at most 100, got {touch_up_at:g}")
    today = dt.date.today()
    followup_date = today if date is None else parse_day(date, "--date", latest=today)
    facts = read_plan(plan)
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("load", total=len(STEPS))

        def advance(name: str) -> None:
            progress.update(task, description=name, completed=STEPS.index(name))

        base = load_photo(baseline, max_pixels=max_pixels)
        follow = load_photo(followup, max_pixels=max_pixels)
        if (base.width, base.height) != (facts.width, facts.height):
            raise InputError(
                f"{baseline.name} is {base.width}x{base.height} px but the plan was made on a "
                f"{facts.width}x{facts.height} px photo; give the plan's own photo as BASELINE"
            )
        advance("baseline")
        analysis = analyse_photo(base.rgb, mm_per_px=facts.mm_per_px, mode=forced)
        advance("register and compare")
        result = track_followup(
            base.rgb,
            analysis,
            follow.rgb,
            facts.removal,
            followup_date=followup_date,
            interval_weeks=facts.interval_weeks[0],
            followup_mm_per_px=mm_per_px,
            touch_up_at=touch_up_at,
        )
        advance("write")
        out.mkdir(parents=True, exist_ok=True)
        files = {}
        if overlay:
            picture = render_tracking_overlay(base.rgb, follow.rgb, result, facts.removal)
            (out / "overlay.png").write_bytes(encode_png(picture, photographic=True))
            files["overlay"] = "overlay.png"
        document = tracking_to_json(
            result,
            facts,
            baseline_source=baseline.name,
            followup_source=followup.name,
            plan_source=plan.name,
            baseline_impressions=analysis.impressions.count,
            followup_shape=(follow.height, follow.width),
            touch_up_at=touch_up_at,
            files=files,
        )
        path = out / "clearance.json"
        path.write_text(json.dumps(document, indent=1, ensure_ascii=False), encoding="utf-8")
    if not result.clearance.measured:
        raise NotMeasuredError(
            f"no clearance measured: {result.clearance.reason} (details in {path})"
        )
    console.print(summary_table(result))
    if result.recommendation is not None:
        console.print(f"- {result.recommendation.reason}")
    if result.clearance.outside_flagged:
        console.print("- unintended loss outside the removal zone: see the overlay's crosses")
    console.print(f"clearance: {path}")
    if overlay:
        console.print(f"overlay:   {out / 'overlay.png'}")
