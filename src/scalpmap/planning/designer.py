"""Rebuild a target from a hairline the practitioner edited (the web designer's drag and drop).

A template gives a :class:`~scalpmap.planning.hairline.HairlineModel`; the designer moves its
control points and sends the model back. :func:`target_from_hairline` turns the edited model into
a :class:`~scalpmap.planning.zones.Target` with the same rules the templates use: the target region
is the current region clipped to the new line's pigmented side.
"""

from __future__ import annotations

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.geometry import as_polygonal
from scalpmap.planning.hairline import HairlineModel
from scalpmap.planning.scalp_area import OFF_SCALP, scalp_edge
from scalpmap.planning.target_file import clip_region_to_line
from scalpmap.planning.zones import Target, TargetSource


def target_from_hairline(
    analysis: Analysis,
    hairline: HairlineModel,
    *,
    template: TargetSource = "custom",
    notes: list[str] | None = None,
) -> Target:
    """Build the target that an (edited) hairline model describes.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    hairline : HairlineModel
        The hairline, control points in pixels.
    template : {"keep", "soften", "mature", "custom"}, optional
        The template the model started from (``custom`` once edited).
    notes : list of str, optional
        Notes to carry over.

    Returns
    -------
    Target
        The current region clipped to the line's pigmented side, with the model's feather.

    Raises
    ------
    InputError
        When the template is ``remove-all`` (it has no hairline) or the line misses the photo.
    """
    if template == "remove-all":
        raise InputError("remove-all has no hairline; use the remove-all template instead")
    mm = analysis.scale.mm_per_px
    line = hairline.polyline(mm)
    edge = scalp_edge(analysis, line)
    if edge.is_empty:
        raise InputError(OFF_SCALP)
    region, _ = clip_region_to_line(analysis, line)
    carried = list(notes or [])
    carried.append("target region: the current region clipped to the new line's pigmented side")
    if region.is_empty:
        carried.append("the new line leaves no pigment in the photo: all of it is removal")
    return Target(
        template=template,
        region=as_polygonal(region),
        hairline=hairline,
        edge=edge,
        feather_mm=hairline.feather_mm,
        notes=carried,
    )
