"""Print a calibration sticker (an ArUco marker of known size) as PDF or PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.errors import user_errors_exit_2
from scalpmap.errors import InputError

console = lazy_console(highlight=False)


@user_errors_exit_2
def marker(
    out: Annotated[Path, typer.Argument(help="Output file, .pdf or .png.")],
    size_mm: Annotated[
        float, typer.Option(help="Side of the black square: 10 (close-ups), 20, 30 or 40 mm.")
    ] = 10.0,
    dpi: Annotated[int, typer.Option(help="Print resolution.")] = 600,
) -> None:
    """Print a calibration sticker (an ArUco marker of known size) as PDF or PNG."""
    from scalpmap.imaging.marker import MARKER_DICTIONARY_NAME
    from scalpmap.imaging.marker_draw import write_sticker
    from scalpmap.imaging.scale import STANDARD_MARKER_SIDES_MM

    ids = {side: marker_id for marker_id, side in STANDARD_MARKER_SIDES_MM.items()}
    if size_mm not in ids:
        sizes = ", ".join(f"{s:g}" for s in ids)
        raise InputError(f"--size-mm must be one of {sizes}; the marker's id encodes its size")
    if not 150 <= dpi <= 2400:
        raise InputError(f"--dpi must be 150..2400, got {dpi}")
    path = write_sticker(out, marker_id=ids[size_mm], side_mm=size_mm, dpi=dpi)
    console.print(
        f"wrote {path}: {MARKER_DICTIONARY_NAME} id {ids[size_mm]}, black square {size_mm:g} mm. "
        "Print at 100 % (actual size) and check the square with a ruler."
    )
