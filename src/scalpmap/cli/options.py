"""Command-line options shared by several commands, declared once."""

from __future__ import annotations

from typing import Annotated

import typer

ScaleOption = Annotated[float | None, typer.Option(help="Scale; overrides the printed marker.")]
RoiOption = Annotated[
    str | None,
    typer.Option(help="Limit to a box 'x0,y0,x1,y1', a polygon 'x,y;x,y;...' or a .json."),
]
MaxPixelsOption = Annotated[int, typer.Option(help="Refuse photos with more pixels than this.")]
