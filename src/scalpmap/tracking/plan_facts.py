"""What the tracker reads from plan.json (docs/plan-json.md).

Four things: the baseline photo's size (to check that the right photo is given), its scale, the
removal zone and the laser interval. Everything else in the plan is left alone, so a plan.json of
any ``scalpmap-plan/`` version that has these fields will do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from scalpmap.errors import InputError


@dataclass(frozen=True)
class PlanFacts:
    """What the tracker reads from plan.json.

    Attributes
    ----------
    width, height : int
        The baseline photo's size in pixels.
    mm_per_px : float
        The baseline's scale.
    removal : Polygon or MultiPolygon
        The removal zone, baseline pixels.
    removal_area_cm2 : float
        Its area.
    interval_weeks : tuple of int
        Lowest and highest weeks between laser sessions.
    created : str or None
        The plan's date.
    """

    width: int
    height: int
    mm_per_px: float
    removal: Polygon | MultiPolygon
    removal_area_cm2: float
    interval_weeks: tuple[int, int]
    created: str | None


def _polygons(rings_list: Any) -> Polygon | MultiPolygon:
    """Polygons given as lists of rings (exterior first) of ``[x, y]``."""
    parts = []
    for rings in rings_list:
        shell, *holes = (np.asarray(ring, dtype=np.float64).reshape(-1, 2) for ring in rings)
        if len(shell) >= 3:
            parts.append(Polygon(shell, [h for h in holes if len(h) >= 3]).buffer(0))
    merged = shapely.union_all(parts) if parts else Polygon()
    return merged if isinstance(merged, Polygon | MultiPolygon) else Polygon()


def read_plan(path: str | Path) -> PlanFacts:
    """Read what the tracker needs from a plan.json written by ``scalpmap plan``.

    Parameters
    ----------
    path : str or Path
        The plan.json file.

    Returns
    -------
    PlanFacts
        The facts.

    Raises
    ------
    InputError
        When the file is missing, not JSON, or lacks a field (the message names it).
    """
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(
            f"--plan {path} does not exist; give the plan.json of the baseline"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"--plan {path.name} is not a readable JSON file ({error})") from None
    return plan_facts(document, name=f"--plan {path.name}")


def plan_facts(document: Any, *, name: str = "the plan") -> PlanFacts:
    """Read what the tracker needs from a plan.json document (e.g. a stored plan version's).

    Parameters
    ----------
    document : Any
        The parsed plan.json.
    name : str, optional
        How error messages name the plan.

    Returns
    -------
    PlanFacts
        The facts.

    Raises
    ------
    InputError
        When the document is not a plan or lacks a field (the message names it).
    """
    if not isinstance(document, dict) or not str(document.get("format", "")).startswith(
        "scalpmap-plan/"
    ):
        raise InputError(f"{name} is not a plan.json written by 'scalpmap plan'")
    try:
        photo, zone = document["photo"], document["zones"]["removal"]
        interval = document["sessions"]["laser"]["interval_weeks"]
        facts = PlanFacts(
            width=int(photo["width"]),
            height=int(photo["height"]),
            mm_per_px=float(document["scale"]["mm_per_px"]),
            removal=_polygons(zone["polygons"]),
            removal_area_cm2=float(zone["area_cm2"]),
            interval_weeks=(int(interval[0]), int(interval[1])),
            created=document.get("created"),
        )
    except (KeyError, IndexError, TypeError, ValueError) as error:
        raise InputError(
            f"{name} lacks a field the tracker needs ({error}); "
            "pass the plan.json written by 'scalpmap plan'"
        ) from None
    return facts
