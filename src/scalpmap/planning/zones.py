"""The target, and the removal, keep and touch-up zones it gives on the analysis.

A :class:`Target` (made by :mod:`~scalpmap.planning.templates` or
:mod:`~scalpmap.planning.target_file`) is what should stay pigmented after the revision.

- ``removal`` = the pigmented region minus the target region: the laser's work.
- ``touch_up`` = the parts of the target that are thinner than the desired density (density cells
  whose density inside the target falls short by more than counting noise), plus the parts of the
  target that are not pigmented at all, plus the feathered transition band: ``feather_mm`` wide,
  inside the target along its new hairline (``Target.edge``).
- ``keep`` = the rest of the pigmented target.

The zones are pairwise disjoint: touch-up takes precedence over keep, and removal lies outside the
target. Every impression inside the region is counted in exactly one zone: removal when it lies
outside the target, touch-up when inside the touch-up zone, keep otherwise.

The geometry helpers (:func:`~scalpmap.planning.geometry.as_polygonal`, the photo's frame, ...)
are in :mod:`scalpmap.planning.geometry`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon

from scalpmap.errors import InputError
from scalpmap.imaging.analysis import Analysis
from scalpmap.planning.geometry import GRID_PX, as_polygonal, without_slivers
from scalpmap.planning.hairline import DEFAULT_FEATHER_MM, HairlineModel

# as_polygonal is re-exported: the simulation imports it from here.
__all__ = ["Target", "TargetSource", "Zone", "Zones", "as_polygonal", "compute_zones"]

TargetSource = Literal["keep", "soften", "mature", "remove-all", "custom"]
# A cell counts as thin when it falls short of the desired density by more than this many
# standard deviations of its Poisson count, and by at least this share.
NOISE_SIGMAS = 2.0
MIN_SHORTFALL = 0.15
# Cells judged: at least this share of the cell inside the pigmented target.
MIN_CELL_SHARE = 0.25
# Cells giving the default desired density: at least this share inside the pigmented target.
MEDIAN_CELL_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class Target:
    """What should stay pigmented after the revision. Coordinates are pixels, origin top-left.

    Attributes
    ----------
    template : {"keep", "soften", "mature", "remove-all", "custom"}
        Where the target came from (``custom``: a TARGET.json file).
    region : Polygon or MultiPolygon
        The target pigmented region; empty for ``remove-all``.
    hairline : HairlineModel or None
        The editable hairline of a template; None for ``remove-all`` and TARGET.json targets.
    edge : LineString or MultiLineString
        The new hairline as a line (along it runs the feathered transition band); empty for
        ``remove-all``.
    feather_mm : float
        Width of the transition band inside the target along ``edge``.
    notes : list of str
        What was done and why, with sources.
    height_above_glabella_cm : float or None
        The new mid-frontal point's height above the glabella, when landmarks were given.
    """

    template: TargetSource
    region: Polygon | MultiPolygon
    hairline: HairlineModel | None = None
    edge: LineString | MultiLineString = field(default_factory=LineString)
    feather_mm: float = DEFAULT_FEATHER_MM
    notes: list[str] = field(default_factory=list)
    height_above_glabella_cm: float | None = None


@dataclass(frozen=True, eq=False)
class Zone:
    """One zone of the plan.

    Attributes
    ----------
    name : {"removal", "keep", "touch_up"}
        The zone.
    geometry : Polygon or MultiPolygon
        Its area in pixels, origin top-left.
    area_cm2 : float
        Its area in cm².
    impressions : int
        Impressions of the pigmented region inside it.
    impressions_to_add : int
        Touch-up only: desired density x area - impressions inside, at least 0.
    """

    name: str
    geometry: Polygon | MultiPolygon
    area_cm2: float
    impressions: int
    impressions_to_add: int = 0

    def to_json(self) -> dict[str, Any]:
        """Return the zone as JSON: polygons as lists of rings (exterior first) of ``[x, y]``.

        Returns
        -------
        dict
            ``{"area_cm2", "impressions", "impressions_to_add", "polygons"}``.
        """
        polygons = [
            [np.round(np.asarray(ring.coords), 2).tolist() for ring in (p.exterior, *p.interiors)]
            for p in shapely.get_parts(self.geometry)
            if isinstance(p, Polygon) and not p.is_empty
        ]
        return {
            "area_cm2": round(self.area_cm2, 4),
            "impressions": self.impressions,
            "impressions_to_add": self.impressions_to_add,
            "polygons": polygons,
        }


@dataclass(frozen=True, eq=False)
class Zones:
    """The three zones and the density they were judged against.

    Attributes
    ----------
    removal, keep, touch_up : Zone
        The zones.
    desired_density_per_cm2 : float or None
        The density the target should reach; None when unknown (coverage mode, or no kept
        cells and none given).
    notes : list of str
        How the zones were made.
    """

    removal: Zone
    keep: Zone
    touch_up: Zone
    desired_density_per_cm2: float | None
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the zones as JSON.

        Returns
        -------
        dict
            ``{"removal", "keep", "touch_up", "desired_density_per_cm2", "notes"}``.
        """
        desired = self.desired_density_per_cm2
        return {
            "removal": self.removal.to_json(),
            "keep": self.keep.to_json(),
            "touch_up": self.touch_up.to_json(),
            "desired_density_per_cm2": None if desired is None else round(desired, 3),
            "notes": list(self.notes),
        }


def _cells(analysis: Analysis) -> tuple[NDArray[np.object_], NDArray[np.intp], NDArray[np.intp]]:
    """Return the boxes, rows and columns of the density cells with a finite density.

    Cell ``(i, j)`` covers pixel columns ``j * cell_px`` up to ``(j + 1) * cell_px``.
    """
    grid = analysis.density
    i, j = np.nonzero(np.isfinite(grid.per_cm2))
    x0, y0 = j * grid.cell_px - 0.5, i * grid.cell_px - 0.5
    boxes = shapely.box(x0, y0, x0 + grid.cell_px, y0 + grid.cell_px)
    return np.asarray(boxes, dtype=object), i, j


def _cell_counts(
    analysis: Analysis,
    cells: NDArray[np.object_],
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    area: Polygon | MultiPolygon,
) -> tuple[NDArray[np.object_], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return each cell's piece inside ``area``, its share of the cell, count and area in cm²."""
    cell_px = analysis.density.cell_px
    pieces = shapely.intersection(cells, area)
    share = shapely.area(pieces) / cell_px**2
    n_rows, n_cols = analysis.density.per_cm2.shape
    grid = np.zeros((n_rows, n_cols))
    xy = analysis.impressions.xy
    if len(xy):
        xy = xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]
        r = np.clip(np.floor((xy[:, 1] + 0.5) / cell_px).astype(int), 0, n_rows - 1)
        c = np.clip(np.floor((xy[:, 0] + 0.5) / cell_px).astype(int), 0, n_cols - 1)
        np.add.at(grid, (r, c), 1)
    area_cm2 = share * (cell_px * analysis.scale.mm_per_px / 10) ** 2
    return pieces, share, grid[rows, cols], area_cm2


def _thin_cells(
    analysis: Analysis, pigmented: Polygon | MultiPolygon, desired: float | None
) -> tuple[Polygon | MultiPolygon, float | None, int, str]:
    """Return the thin cells' pieces inside the target, the desired density, count and source."""
    cells, rows, cols = _cells(analysis)
    source = "given"
    if analysis.mode == "coverage" or len(cells) == 0:
        return Polygon(), desired, 0, source
    pieces, share, counts, area_cm2 = _cell_counts(analysis, cells, rows, cols, pigmented)
    if desired is None:
        # The kept cells; the whole region's when the target keeps less than half a cell.
        for label, where in (
            ("median of the kept cells", pigmented),
            ("median of the region's cells; too few are kept", as_polygonal(analysis.region)),
        ):
            _, core_share, core_counts, core_cm2 = _cell_counts(analysis, cells, rows, cols, where)
            core = core_share >= MEDIAN_CELL_SHARE
            if core.any():
                desired = float(np.median(core_counts[core] / core_cm2[core]))
                source = label
                break
        else:
            return Polygon(), None, 0, "unknown"
    expected = desired * area_cm2
    shortfall = np.maximum(NOISE_SIGMAS * np.sqrt(expected), MIN_SHORTFALL * expected)
    thin = (share >= MIN_CELL_SHARE) & (counts < expected - shortfall)
    return as_polygonal(shapely.union_all(pieces[thin])), desired, int(thin.sum()), source


def _count(geometry: Polygon | MultiPolygon, xy: NDArray[np.float64]) -> NDArray[np.bool_]:
    if len(xy) == 0 or geometry.is_empty:
        return np.zeros(len(xy), dtype=bool)
    return np.asarray(shapely.intersects_xy(geometry, xy[:, 0], xy[:, 1]), dtype=bool)


def compute_zones(
    analysis: Analysis, target: Target, *, desired_density_per_cm2: float | None = None
) -> Zones:
    """Split the pigmented region into removal, keep and touch-up zones.

    Parameters
    ----------
    analysis : Analysis
        The photo's analysis.
    target : Target
        The target (from a template or TARGET.json).
    desired_density_per_cm2 : float, optional
        Density the target should reach; by default the median density of the density cells
        lying at least half inside the pigmented target (counted inside it).

    Returns
    -------
    Zones
        The zones; ``impressions_to_add`` is 0 when the desired density is unknown, and counts
        only the unpigmented part of the touch-up in coverage mode.

    Raises
    ------
    InputError
        When the desired density is not a positive number.
    """
    desired = desired_density_per_cm2
    if desired is not None and not (math.isfinite(desired) and 0 < desired <= 1000):
        raise InputError(f"desired density must be above 0 and at most 1000 per cm², got {desired}")
    mm = analysis.scale.mm_per_px
    px_to_cm2 = mm**2 / 100.0
    region = as_polygonal(analysis.region)
    xy = np.asarray(analysis.impressions.xy, dtype=np.float64).reshape(-1, 2)
    in_region = (
        np.asarray(shapely.contains_xy(region, xy[:, 0], xy[:, 1]), dtype=bool)
        if len(xy) and not region.is_empty
        else np.zeros(len(xy), dtype=bool)
    )
    goal = as_polygonal(target.region)
    notes: list[str] = []
    if target.template == "remove-all" or goal.is_empty:
        goal = Polygon()
        notes.append("no target: the whole pigmented region is removal")
    grid = GRID_PX
    removal = (
        without_slivers(region)  # nothing kept: the region itself, as found
        if goal.is_empty
        else without_slivers(as_polygonal(shapely.difference(region, goal, grid_size=grid)))
    )
    pigmented = as_polygonal(shapely.intersection(region, goal, grid_size=grid))
    thin, desired, n_thin, source = _thin_cells(analysis, pigmented, desired)
    unpigmented = as_polygonal(shapely.difference(goal, region, grid_size=grid))
    band: Polygon | MultiPolygon = Polygon()
    if not goal.is_empty and target.feather_mm > 0 and not target.edge.is_empty:
        edge_band = target.edge.buffer(target.feather_mm / mm)
        band = as_polygonal(shapely.intersection(edge_band, goal, grid_size=grid))
    touching = shapely.union_all([thin, unpigmented, band], grid_size=grid)
    touch = without_slivers(as_polygonal(shapely.intersection(touching, goal, grid_size=grid)))
    keep = without_slivers(as_polygonal(shapely.difference(pigmented, touch, grid_size=grid)))
    in_goal = _count(goal, xy) & in_region
    in_touch = _count(touch, xy) & in_goal
    touch_area = float(touch.area) * px_to_cm2
    if desired is None:
        to_add = 0
    elif analysis.mode == "coverage":
        to_add = round(desired * float(unpigmented.area) * px_to_cm2)
    else:
        to_add = max(0, round(desired * touch_area - int(in_touch.sum())))
    if desired is not None:
        notes.append(
            f"desired density {desired:.1f} per cm² ({source}); "
            f"{n_thin} cell(s) of {analysis.density.cell_mm:.1f} mm thinner by more than "
            f"{NOISE_SIGMAS:g} sigma of counting noise and {MIN_SHORTFALL:.0%}"
        )
    if not band.is_empty:
        notes.append(f"a {target.feather_mm:g} mm feathered band inside the new hairline")
    if desired is not None and analysis.mode != "coverage" and touch_area > 0 and to_add == 0:
        notes.append(
            f"the touch-up zone already holds {int(in_touch.sum())} impressions, at least the "
            f"desired density over its {touch_area:.2f} cm²: none to add"
        )
    return Zones(
        removal=Zone(
            "removal", removal, float(removal.area) * px_to_cm2, int((in_region & ~in_goal).sum())
        ),
        keep=Zone("keep", keep, float(keep.area) * px_to_cm2, int((in_goal & ~in_touch).sum())),
        touch_up=Zone("touch_up", touch, touch_area, int(in_touch.sum()), to_add),
        desired_density_per_cm2=desired,
        notes=notes,
    )
