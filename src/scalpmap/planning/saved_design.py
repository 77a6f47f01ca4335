"""The target a saved design stands for: its template's own while the line was not edited.

The designer starts from a template (:func:`~scalpmap.planning.templates.make_target`: ``keep``
keeps the whole current region, ``soften`` fills its rounded corners) and shows that target's
zones; an edited line becomes the current region clipped to the line
(:func:`~scalpmap.planning.designer.target_from_hairline`). A design saved without an edit is
the template's plan, so it must get the template's target, or the saved plan's zones and
desired density would differ from what the designer showed, and from the command line's plan
of the same template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.designer import target_from_hairline
from scalpmap.planning.hairline import HairlineModel
from scalpmap.planning.plan import PlanOptions, design_target
from scalpmap.planning.zones import Target

__all__ = ["SAME_POINT_PX", "same_hairline", "saved_target"]

# The designer sends control points rounded to 0.01 px: within this they are the same point.
SAME_POINT_PX = 0.01


def same_hairline(a: HairlineModel, b: HairlineModel) -> bool:
    """Tell whether two hairline models are the same line (to the JSON's rounding).

    Parameters
    ----------
    a, b : HairlineModel
        The models.

    Returns
    -------
    bool
        True when every segment has the same control points (within :data:`SAME_POINT_PX`) and
        the wobble, its seed and the feather are equal.

    Examples
    --------
    >>> line = HairlineModel({"frontal": [[0.0, 0.0], [10.0, 1.0]]})
    >>> moved = HairlineModel({"frontal": [[0.0, 0.0], [10.0, 2.0]]})
    >>> same_hairline(line, HairlineModel.from_json(line.to_json(0.05))), same_hairline(line, moved)
    (True, False)
    """
    if (a.irregularity_mm, a.feather_mm, a.seed) != (b.irregularity_mm, b.feather_mm, b.seed):
        return False
    for name, xy in a.segments.items():
        other = b.segments.get(name, np.zeros((0, 2)))
        if xy.shape != other.shape or (len(xy) and np.abs(xy - other).max() > SAME_POINT_PX):
            return False
    return set(a.segments) == set(b.segments)


def saved_target(
    analysis: Analysis, options: PlanOptions, hairline: HairlineModel | Mapping[str, Any]
) -> Target:
    """Return the target of a design saved with this hairline.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    options : PlanOptions
        The plan's choices: ``template`` is the one the design started from, with its age and
        landmarks.
    hairline : HairlineModel or dict
        The design's line (as the designer sends it).

    Returns
    -------
    Target
        The template's target when the line is the template's, unedited; else the current
        region clipped to the line (template ``custom``).

    Raises
    ------
    InputError
        When the line is malformed or misses the scalp.
    """
    model = hairline if isinstance(hairline, HairlineModel) else HairlineModel.from_json(hairline)
    if options.template in ("keep", "soften", "mature"):
        try:
            template = design_target(analysis, options)
        except InputError:
            template = None
        if template is not None and template.hairline is not None:
            if same_hairline(model, template.hairline):
                return template
    return target_from_hairline(analysis, model)
