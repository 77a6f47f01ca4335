"""Plan the revision of an SMP: target hairline, zones, sessions, simulation and reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.cli.options import MaxPixelsOption, ModeOption, RoiOption, ScaleOption, parse_mode
from scalpmap.errors import InputError
from scalpmap.imaging.photo_limits import DEFAULT_MAX_PIXELS
from scalpmap.planning.figure_text import NOT_MEASURED
from scalpmap.scale_limits import check_given_scale

if TYPE_CHECKING:  # the planning modules load inside the command, so that --help answers at once
    from rich.table import Table

    from scalpmap.imaging.head import HeadModel
    from scalpmap.planning.face_landmarks import Point
    from scalpmap.planning.plan import PlanOptions

console = lazy_console(highlight=False)
STEPS = (
    "load",
    "scale",
    "scalp area",
    "impressions",
    "coverage",
    "region",
    "hairline",
    "plan",
    "simulation",
    "check",
    "pictures",
    "reports",
    "pdf",
    "write",
)
SCARRING = ("none", "minimal", "moderate", "significant")


def parse_point(text: str | None, what: str) -> tuple[float, float] | None:
    """Parse a landmark given as ``X,Y`` pixels.

    Parameters
    ----------
    text : str or None
        The option's value.
    what : str
        The option's name, for the message.

    Returns
    -------
    tuple of float or None
        The point, or None when not given.

    Raises
    ------
    InputError
        When it is not two numbers.

    Examples
    --------
    >>> parse_point("120.5, 80", "--glabella")
    (120.5, 80.0)
    """
    if text is None:
        return None
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        x, y = (float(p) for p in parts)
    except ValueError:
        raise InputError(f"{what} must be 'X,Y' in pixels, e.g. 1200,300; got {text!r}") from None
    return x, y


def parse_landmarks(
    glabella: str | None, left_canthus: str | None, right_canthus: str | None
) -> dict[str, Point | None]:
    """Parse the landmarks the user gave; each one is optional.

    Parameters
    ----------
    glabella, left_canthus, right_canthus : str or None
        ``X,Y`` pixels; left and right as seen in the photo.

    Returns
    -------
    dict of str to point or None
        ``glabella``, ``left_canthus``, ``right_canthus``; None where not given (then detected
        from a face in the photo, see :func:`~scalpmap.planning.face_landmarks.combine_landmarks`).

    Raises
    ------
    InputError
        When one is malformed.

    Examples
    --------
    >>> parse_landmarks("120,80", None, None)
    {'glabella': (120.0, 80.0), 'left_canthus': None, 'right_canthus': None}
    """
    return {
        "glabella": parse_point(glabella, "--glabella"),
        "left_canthus": parse_point(left_canthus, "--left-canthus"),
        "right_canthus": parse_point(right_canthus, "--right-canthus"),
    }


def with_landmarks(
    options: PlanOptions, head: HeadModel | None, given: dict[str, Point | None]
) -> PlanOptions:
    """Add the plan's landmarks: detected in the photo's face, each replaced where given.

    Parameters
    ----------
    options : PlanOptions
        The choices so far (without landmarks).
    head : HeadModel or None
        The photo's head model (``Analysis.head``).
    given : dict of str to point or None
        From :func:`parse_landmarks`.

    Returns
    -------
    PlanOptions
        The choices with their landmarks (None when none were detected or given).

    Raises
    ------
    InputError
        When only some are given and the photo has no face to detect the others, or the points
        do not make a face; or ``mature`` has neither an age nor landmarks.
    """
    from scalpmap.planning.face_landmarks import combine_landmarks, detected_landmarks

    detected, reason = detected_landmarks(head)
    landmarks = combine_landmarks(detected, given)
    if options.template == "mature" and options.age is None and landmarks is None:
        why = reason or "a close-up photo: no face is looked for"
        raise InputError(
            f"template mature needs the patient's age (14..100) or facial landmarks ({why}); "
            "give --age, or --glabella, --left-canthus and --right-canthus"
        )
    return dataclasses.replace(options, landmarks=landmarks)


def summary_table(document: dict[str, Any]) -> Table:
    """Build the summary table printed after planning, from the plan's stored figures.

    Parameters
    ----------
    document : dict
        The plan's plan.json document (its ``figures``, the texts every report and page shows).

    Returns
    -------
    rich.table.Table
        Quantity, value.
    """
    from rich.table import Table

    from scalpmap.planning.plan_figures import figures_of

    f = {name: figure["text"] for name, figure in figures_of(document).items()}
    template = (document.get("target") or {}).get("template") or ""
    summary = (document.get("assessment") or {}).get("summary") or ""
    table = Table(title=f"revision plan ({template})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("existing SMP", f["existing_smp"])
    table.add_row("assessment", summary)
    table.add_row("colour cast", f["colour_cast"])
    table.add_row("blown out", f["blown_out_percent"])
    table.add_row("impressions in the region", f["impressions_in_region"])
    table.add_row("removal zone", f["removal_area_cm2"])
    table.add_row("impressions to remove", f["removal_impressions"])
    table.add_row("touch-up zone", f["touch_up_area_cm2"])
    table.add_row("impressions to add", f["impressions_to_add"])
    table.add_row("kept", f["keep_area_cm2"])
    table.add_row("desired density", f["desired_density_per_cm2"])
    table.add_row("scale", f["scale"])
    if f["hairline_above_glabella_cm"] != NOT_MEASURED:
        table.add_row("hairline above glabella", f["hairline_above_glabella_cm"])
    table.add_row("skin type (Fitzpatrick)", f["skin_type"])
    table.add_row("Kirby-Desai score", f["kirby_desai_score"])
    table.add_row("laser sessions", f["laser_sessions"])
    table.add_row("laser interval", f["laser_interval"])
    timeline = document.get("timeline") or {}
    table.add_row("timeline", f"{timeline.get('start')} to {timeline.get('end')}")
    return table


PLANNING_MODULES = (
    "skimage.color",
    "scipy.spatial",
    "scipy.interpolate",
    "scipy.special",
    "scalpmap.plan_outputs",
)
"""Loaded while the photo is analysed: the skin type, assessment, hairline and simulation."""


@user_errors_exit_2
def plan(
    photo: Annotated[Path, typer.Argument(help="The scalp photo (JPEG, PNG, TIFF, WebP, HEIC).")],
    out: Annotated[Path, typer.Option(help="Folder for plan.json, the pictures and reports.")],
    mm_per_px: ScaleOption = None,
    template: Annotated[
        str | None,
        typer.Option(
            help="keep, soften, mature, remove-all or custom (custom with --target); "
            "default keep, or custom when --target is given."
        ),
    ] = None,
    target: Annotated[
        Path | None, typer.Option(help="TARGET.json: a target region or hairline (custom).")
    ] = None,
    age: Annotated[int | None, typer.Option(help="The patient's age, 14..100 (mature).")] = None,
    skin_type: Annotated[
        int | None,
        typer.Option(help="Fitzpatrick skin type 1..6; estimated from the photo when omitted."),
    ] = None,
    start_date: Annotated[
        str | None,
        typer.Option(help="First laser session, YYYY-MM-DD; two weeks from today when omitted."),
    ] = None,
    glabella: Annotated[
        str | None,
        typer.Option(
            help="Landmark: the glabella, 'X,Y' in pixels; detected from a face if omitted."
        ),
    ] = None,
    left_canthus: Annotated[
        str | None,
        typer.Option(
            help="Landmark: the lateral canthus on the photo's left (the patient's right eye), "
            "'X,Y' in pixels; detected from a face if omitted."
        ),
    ] = None,
    right_canthus: Annotated[
        str | None,
        typer.Option(
            help="Landmark: the lateral canthus on the photo's right (the patient's left eye), "
            "'X,Y' in pixels; detected from a face if omitted."
        ),
    ] = None,
    picosecond: Annotated[
        bool, typer.Option(help="Whether the laser facility has a picosecond laser.")
    ] = True,
    scarring: Annotated[
        str | None, typer.Option(help="Scarring: none, minimal, moderate or significant.")
    ] = None,
    cover_up: Annotated[
        bool, typer.Option(help="The SMP was laid over older work (Kirby-Desai layering).")
    ] = False,
    desired_density: Annotated[
        float | None,
        typer.Option(help="Impressions per cm² the touch-up should reach; default: kept median."),
    ] = None,
    roi: RoiOption = None,
    max_pixels: MaxPixelsOption = DEFAULT_MAX_PIXELS,
    pdf: Annotated[bool, typer.Option(help="Also write plan.pdf and facility.pdf.")] = True,
    self_check: Annotated[
        bool, typer.Option(help="Re-analyse the simulated pictures and record the checks.")
    ] = False,
    mode: ModeOption = "auto",
) -> None:
    """Plan the revision of an SMP: target hairline, zones, sessions, simulation and reports."""
    from scalpmap.cli.preload import load_photo_aside, preload

    # The photo decodes on a second thread while this one imports (Pillow releases Python's lock).
    loading = load_photo_aside(photo, max_pixels=max_pixels)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from scalpmap.imaging.analysis import analyse_photo
    from scalpmap.imaging.analysis_from_json import stored_analysis
    from scalpmap.imaging.roi import parse_roi
    from scalpmap.planning.plan import PLAN_TEMPLATES, PlanOptions, build_plan
    from scalpmap.planning.timeline import check_start_date

    check_given_scale(mm_per_px)
    forced = parse_mode(mode)
    if template is None:
        template = "custom" if target is not None else "keep"
    if template not in PLAN_TEMPLATES:
        raise InputError(f"unknown --template {template!r}; use {', '.join(PLAN_TEMPLATES)}")
    if scarring is not None and scarring not in SCARRING:
        raise InputError(f"--scarring must be one of {', '.join(SCARRING)}; got {scarring!r}")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    if target is not None and not target.is_file():
        raise InputError(f"--target {target} does not exist; give a TARGET.json file")
    options = PlanOptions(
        template=template,
        target_path=target,
        age=age,
        skin_type=skin_type,
        start_date=None if start_date is None else check_start_date(start_date),
        picosecond=picosecond,
        scarring=scarring,  # type: ignore[arg-type]  # checked against SCARRING above
        layering="cover-up" if cover_up else None,
        desired_density_per_cm2=desired_density,
        second_touch_up=True,
    )
    given = parse_landmarks(glabella, left_canthus, right_canthus)
    region_of_interest = parse_roi(roi) if roi is not None else None
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("load", total=len(STEPS))

        def advance(name: str) -> None:
            progress.update(task, description=name, completed=STEPS.index(name))

        loaded = loading.result()
        # The planning's own libraries load on the other core while this one analyses.
        preload(*PLANNING_MODULES)
        analysis = analyse_photo(
            loaded.rgb, mm_per_px=mm_per_px, roi=region_of_interest, mode=forced, progress=advance
        )
        advance("plan")
        # Planned from the analysis as analysis.json stores it, as the web app plans: one
        # photo, one set of figures (docs/plan-json.md, figures).
        analysis = stored_analysis(analysis)
        options = with_landmarks(options, analysis.head, given)
        revision = build_plan(loaded.rgb, analysis, options, today=dt.date.today())
        from scalpmap.plan_outputs import make_plan_outputs, write_plan_outputs

        outputs = make_plan_outputs(
            loaded.rgb,
            revision,
            source=photo.name,
            self_check=self_check,
            pdf=pdf,
            progress=advance,
        )
        advance("write")
        written = write_plan_outputs(out, outputs)
    console.print(summary_table(outputs.document))
    from scalpmap.reports.scale_note import scale_estimate  # loaded aside while analysing

    scale = revision.analysis.scale
    estimate = scale_estimate(
        {"source": scale.source, "uncertainty_percent": scale.uncertainty_percent}
    )
    if estimate is not None:
        console.print(f"[bold]scale:[/bold] {estimate.facility} {estimate.advice}")
    for note in revision.notes:
        console.print(f"- {note}")
    from scalpmap.planning.laser_rules import interval_rule

    console.print(interval_rule(revision.laser.interval_weeks))
    check = outputs.document.get("simulation")
    if check is not None:
        verdict = "passed" if check.get("passed") else "FAILED"
        console.print(f"simulation self-check: {verdict}")
    console.print(f"plan:    {written['plan']}")
    console.print(f"report:  {written['patient_html']}")
    if "patient_pdf" in written:
        console.print(f"PDFs:    {written['patient_pdf']}, {written['facility_pdf']}")
