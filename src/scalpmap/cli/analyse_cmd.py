"""Analyse a scalp photo: impressions, density, pigmented region and hairline, in mm."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.cli.options import MaxPixelsOption, ModeOption, RoiOption, ScaleOption, parse_mode
from scalpmap.errors import InputError
from scalpmap.imaging.photo_limits import DEFAULT_MAX_PIXELS
from scalpmap.scale_limits import check_given_scale

if TYPE_CHECKING:  # the analysis modules load inside the command, so that --help answers at once
    from rich.table import Table

    from scalpmap.imaging.analysis import Analysis

console = lazy_console(highlight=False)
STEPS = ("load", "scale", "scalp area", "impressions", "coverage", "region", "hairline", "write")


def summary_table(analysis: Analysis, document: dict[str, Any] | None = None) -> Table:
    """Build the summary table printed after an analysis.

    Parameters
    ----------
    analysis : Analysis
        The analysis.
    document : dict, optional
        Its ``analysis.json`` document, when already made (it is made again otherwise).

    Returns
    -------
    rich.table.Table
        Quantity, value.
    """
    from rich.table import Table

    from scalpmap.imaging.analysis_json import analysis_to_json
    from scalpmap.imaging.scale import scale_source_words

    doc = (document if document is not None else analysis_to_json(analysis))["summary"]
    table = Table(title="scalp analysis", show_header=True)
    table.add_column("measure")
    table.add_column("value", justify="right")
    scale = analysis.scale
    if scale.source == "marker":
        source = f"marker id {scale.marker_id}"
    elif scale.source == "iris":
        source = scale_source_words(scale.source, scale.uncertainty_percent)
    else:
        source = "given"
    table.add_row("scale", f"{scale.mm_per_px:.4f} mm/px ({source})")
    if scale.source == "marker" and scale.residual_px is not None:
        table.add_row("marker fit residual", f"{scale.residual_px:.3f} px")
    table.add_row("mode", analysis.mode)
    if analysis.mode == "impressions":
        table.add_row("impressions", str(doc["count"]))
        table.add_row("in region", str(doc["count_in_region"]))
        table.add_row("mean density", f"{doc['mean_density_per_cm2'] or 0:.1f} /cm²")
        table.add_row("median diameter", f"{doc['median_diameter_mm'] or 0:.3f} mm")
        table.add_row("median darkness", f"{doc['median_darkness'] or 0:.2f}")
    table.add_row("pigmented region", f"{analysis.region_area_cm2:.2f} cm²")
    table.add_row("pigment coverage", f"{analysis.coverage_percent:.1f} %")
    table.add_row("hairline length", f"{analysis.hairline_length_mm:.1f} mm")
    table.add_row("ink tone", analysis.ink_tone)
    return table


@user_errors_exit_2
def analyse(
    photo: Annotated[Path, typer.Argument(help="The scalp photo (JPEG, PNG, TIFF, WebP, HEIC).")],
    out: Annotated[Path, typer.Option(help="Folder for analysis.json and overlay.png.")] = Path(
        "out"
    ),
    mm_per_px: ScaleOption = None,
    roi: RoiOption = None,
    marker_mm: Annotated[
        float | None, typer.Option(help="Printed size of a non-standard marker, in mm.")
    ] = None,
    max_pixels: MaxPixelsOption = DEFAULT_MAX_PIXELS,
    overlay: Annotated[bool, typer.Option(help="Also write overlay.png.")] = True,
    mode: ModeOption = "auto",
) -> None:
    """Analyse a scalp photo: impressions, density, pigmented region and hairline, in mm."""
    from scalpmap.cli.preload import load_photo_aside

    # The photo decodes on a second thread while this one imports the analysis (Pillow releases
    # Python's lock while it decodes).
    loading = load_photo_aside(photo, max_pixels=max_pixels)
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from scalpmap.imaging.analysis import analyse_photo
    from scalpmap.imaging.analysis_json import analysis_to_json
    from scalpmap.imaging.overlay_file import write_overlay_png
    from scalpmap.imaging.roi import parse_roi
    from scalpmap.json_text import dumps_readable

    check_given_scale(mm_per_px)
    forced = parse_mode(mode)
    region_of_interest = parse_roi(roi) if roi is not None else None
    if marker_mm is not None and not 2 <= marker_mm <= 200:
        raise InputError(f"--marker-mm must be 2..200 mm, got {marker_mm:g}")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} is a file; give a folder")
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("load", total=len(STEPS))

        def advance(name: str) -> None:
            progress.update(task, description=name, completed=STEPS.index(name))

        loaded = loading.result()
        analysis = analyse_photo(
            loaded.rgb,
            mm_per_px=mm_per_px,
            roi=region_of_interest,
            marker_side_mm=marker_mm,
            mode=forced,
            progress=advance,
        )
        advance("write")
        out.mkdir(parents=True, exist_ok=True)
        document = analysis_to_json(analysis, source=photo.name)
        json_path = out / "analysis.json"
        tmp = json_path.with_suffix(".json.tmp")
        tmp.write_text(dumps_readable(document))
        tmp.replace(json_path)
        if overlay:  # downscaled by a whole factor to at most 2400 px: quick to draw and encode
            write_overlay_png(out / "overlay.png", loaded.rgb, analysis)
    console.print(summary_table(analysis, document))
    console.print(f"mode: {analysis.mode_reason}")
    for warning in analysis.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(warning)}")
    console.print(f"analysis: {json_path}")
    if overlay:
        console.print(f"overlay:  {out / 'overlay.png'}")
