"""Command-line options shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated, Literal

import typer

from scalpmap.errors import InputError

ScaleOption = Annotated[float | None, typer.Option(help="Scale; overrides the printed marker.")]
RoiOption = Annotated[
    str | None,
    typer.Option(help="Limit to a box 'x0,y0,x1,y1', a polygon 'x,y;x,y;...' or a .json."),
]
MaxPixelsOption = Annotated[int, typer.Option(help="Refuse photos with more pixels than this.")]
ModeOption = Annotated[
    str,
    typer.Option(
        help="impressions, coverage or auto: count single impressions, measure the pigment's "
        "coverage, or choose from the impressions' size measured on the photo."
    ),
]
MODES = ("auto", "impressions", "coverage")


def parse_mode(value: str) -> Literal["impressions", "coverage"] | None:
    """Read ``--mode``: None for ``auto`` (chosen from the photo), else the mode to force.

    Parameters
    ----------
    value : str
        What was typed.

    Returns
    -------
    {"impressions", "coverage"} or None
        The mode to force, or None.

    Raises
    ------
    InputError
        When it is not one of ``MODES``.

    Examples
    --------
    >>> parse_mode("auto"), parse_mode("Coverage")
    (None, 'coverage')
    """
    mode = value.strip().lower()
    if mode == "impressions":
        return "impressions"
    if mode == "coverage":
        return "coverage"
    if mode == "auto":
        return None
    raise InputError(f"--mode must be one of {', '.join(MODES)}, got {value!r}")
