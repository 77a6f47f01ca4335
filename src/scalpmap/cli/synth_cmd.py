"""Write a synthetic scalp photo and its ground truth (OUT.truth.json)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, cast

import typer

from scalpmap.cli.console import lazy_console
from scalpmap.cli.errors import user_errors_exit_2

console = lazy_console(highlight=False)


@user_errors_exit_2
def synth(
    out: Annotated[Path, typer.Argument(help="Output photo, .jpg or .png.")],
    seed: Annotated[int, typer.Option(help="Seed of every random choice.")] = 0,
    view: Annotated[
        str,
        typer.Option(
            help="closeup (hairline close-up), or a whole head: front, three-quarter-left, "
            "three-quarter-right, side, top."
        ),
    ] = "closeup",
    width: Annotated[int, typer.Option(help="Width in pixels.")] = 2400,
    height: Annotated[int, typer.Option(help="Height in pixels.")] = 1800,
    mm_per_px: Annotated[float | None, typer.Option(help="Scale; random when omitted.")] = None,
    skin: Annotated[int | None, typer.Option(help="Fitzpatrick skin type 1-6.")] = None,
    ink: Annotated[str | None, typer.Option(help="bluish-black, black or faded-grey.")] = None,
    density: Annotated[float | None, typer.Option(help="Impressions per cm² (15-80).")] = None,
    hairline: Annotated[str | None, typer.Option(help="aggressive or rounded.")] = None,
    marker: Annotated[bool, typer.Option(help="Place the printed scale marker.")] = True,
    confounders: Annotated[
        bool, typer.Option(help="Add stubble, pores, freckles and moles.")
    ] = True,
    beard: Annotated[
        str | None,
        typer.Option(help="Whole head: none, stubble, full or goatee; random when omitted."),
    ] = None,
    moustache: Annotated[
        bool | None,
        typer.Option(
            "--moustache/--no-moustache",
            help="Whole head: a moustache over the upper lip; random when omitted.",
        ),
    ] = None,
    shine: Annotated[
        float | None,
        typer.Option(help="Whole head: the skin's shine, 0 (matt) to 1; random when omitted."),
    ] = None,
    wrinkles: Annotated[
        bool | None,
        typer.Option(
            "--wrinkles/--no-wrinkles", help="Whole head: forehead wrinkles; random when omitted."
        ),
    ] = None,
    glasses: Annotated[
        bool | None,
        typer.Option("--glasses/--no-glasses", help="Whole head: spectacles; random when omitted."),
    ] = None,
    natural_hair: Annotated[
        bool | None,
        typer.Option(
            "--natural-hair/--no-natural-hair",
            help="Whole head: shaved natural hair on the sides and back; random when omitted.",
        ),
    ] = None,
    phone: Annotated[
        bool,
        typer.Option(
            help="Close-up as a phone 10-20 cm away takes it: 0.02-0.08 mm/px, impressions at "
            "least 2 px across, fainter faded ink, some spread ink."
        ),
    ] = False,
) -> None:
    """Write a synthetic scalp photo and its ground truth (OUT.truth.json)."""
    from scalpmap.imaging.synth import write_synthetic_photo
    from scalpmap.imaging.synth_geometry import View
    from scalpmap.imaging.synth_options import BEARDS, VIEWS, BeardStyle, SynthOptions

    choices = {
        "--view": (view, VIEWS),
        "--beard": (beard, (*BEARDS, None)),
        "--ink": (ink, ("bluish-black", "black", "faded-grey", None)),
        "--hairline": (hairline, ("aggressive", "rounded", None)),
    }
    for flag, (value, allowed) in choices.items():
        if value not in allowed:
            names = ", ".join(a for a in allowed if a)
            raise typer.BadParameter(f"{value!r} is not one of {names}", param_hint=flag)
    options = SynthOptions(
        seed=seed,
        view=cast(View, view),
        width_px=width,
        height_px=height,
        mm_per_px=mm_per_px,
        fitzpatrick=skin,
        ink=cast(Literal["bluish-black", "black", "faded-grey"] | None, ink),
        density_per_cm2=density,
        hairline=cast(Literal["aggressive", "rounded"] | None, hairline),
        marker=marker,
        confounders=confounders,
        beard=cast(BeardStyle | None, beard),
        moustache=moustache,
        shine=shine,
        wrinkles=wrinkles,
        glasses=glasses,
        natural_hair=natural_hair,
        phone=phone,
    )
    with console.status("drawing the synthetic scalp photo"):
        truth = write_synthetic_photo(out, options)
    console.print(
        f"wrote {out} ({truth.impressions.shape[0]} impressions, "
        f"{truth.mm_per_px:.4f} mm/px, skin type {truth.options.fitzpatrick}, "
        f"{truth.options.ink} ink"
        + (
            ""
            if truth.head is None
            else f", {truth.head.view} view, beard {truth.head.beard_style}"
            + (" with a moustache" if truth.head.moustache else "")
        )
        + f") and {out.name}.truth.json"
    )
