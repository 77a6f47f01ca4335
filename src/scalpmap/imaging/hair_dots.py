"""Impressions and hairs: dots found again under hairs, and pieces of hair taken for dots.

A hair lying over an impression makes the pair look elongated, so the shape tests reject both:
the dot is found again as a bulge on the hair (:mod:`scalpmap.imaging.hair_crossing`). The
other way round, a faint piece of a hair (its end, a stretch where it is darker) can pass the
shape tests as a round dot: a line leaving it gives it away
(:func:`scalpmap.imaging.hair_lines.line_excess`). Where the evidence is a hair's end either
way, the mark must be as dark as an impression of the photo (:mod:`scalpmap.imaging.impressions`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.hair_crossing import bilinear, find_dots_under_hairs
from scalpmap.imaging.hair_lines import line_arms, line_excess
from scalpmap.imaging.impressions import Impressions, typical_darkness
from scalpmap.imaging.neighbours import distance_to_nearest, neighbours_within

HAIR_END_SHARE = 0.4
"""A bulge where a hair ends (not one the hair passes over) may be the hair's own thick end or
root: it counts as an impression only when it is at least this share as dark as the photo's
typical impression, twice what :func:`~scalpmap.imaging.impressions.drop_relatively_faint` asks
of a dot on its own."""
LINE_FAINT_SHARE = 0.25
"""A candidate with a line leaving it (``LINE_EXCESS``) and darker than its skin by less than
this share of the photo's typical impression is a piece of a hair, not an impression."""
LINE_EXCESS = 0.5
"""A line leaves a candidate when its darkest way out is darker than its usual one by this share
of its peak (:func:`~scalpmap.imaging.hair_lines.line_excess`)."""


def faint_beside_lines(
    fine: NDArray[np.float32],
    xy: NDArray[np.float64],
    radius_px: NDArray[np.float64],
    peak: NDArray[np.float64],
    keep: NDArray[np.bool_],
    dots: NDArray[np.intp],
    mm_per_px: float,
    typical: float | None = None,
) -> NDArray[np.bool_]:
    """Find the kept candidates that are faint marks with a line leaving them: pieces of hair.

    A mark under ``LINE_FAINT_SHARE`` of the photo's typical impression whose darkest way out
    stays dark (its :func:`~scalpmap.imaging.hair_lines.line_excess` reaches ``LINE_EXCESS``)
    is more likely a hair's end or a darker stretch of it than an impression; darker marks
    beside a hair are impressions it touches, and are kept.

    Parameters
    ----------
    fine : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin (lightly smoothed).
    xy : ndarray of float, shape (N, 2)
        Centres of all the candidates.
    radius_px : ndarray of float, shape (N,)
        Their radii.
    peak : ndarray of float, shape (N,)
        Their peak contrast.
    keep : ndarray of bool, shape (N,)
        Those that passed every other test; the photo's typical impression is taken from them.
    dots : ndarray of int
        Indices of the round candidates: samples on them are left out of the lines.
    mm_per_px : float
        Scale.
    typical : float, optional
        The photo's typical impression's darkness, when measured already on others than these
        candidates; by default measured on the kept ones.

    Returns
    -------
    ndarray of bool, shape (N,)
        The kept candidates that are pieces of hair.
    """
    beside = np.zeros(len(keep), dtype=bool)
    if typical is None:
        typical = typical_darkness(peak[keep])
    if typical is None:
        return beside
    faint = np.flatnonzero(keep & (peak < LINE_FAINT_SHARE * typical))
    excess = line_excess(
        fine,
        xy[faint],
        radius_px[faint],
        peak[faint],
        mm_per_px=mm_per_px,
        dots_xy=xy[dots],
        dots_radius_px=radius_px[dots],
    )
    beside[faint[excess >= LINE_EXCESS]] = True
    return beside


def add_dots_under_hairs(
    found: Impressions,
    fine: NDArray[np.float32],
    xy: NDArray[np.float64],
    ridge_angle: NDArray[np.float64],
    peak: NDArray[np.float64],
    contrast_rgb: NDArray[np.float64],
    hairy: NDArray[np.intp],
    mm_per_px: float,
    min_gap_mm: float,
) -> Impressions:
    """Add the impressions found as bulges on hairs, once each, away from those already found.

    A bulge where hairs cross or meet is no dot: the hairs leave it in more than two
    directions, or in two that are not opposite. A bulge is darker than its hair when it is
    :data:`~scalpmap.imaging.hair_crossing.MIN_DARKER` times as dark, or darker by
    ``LINE_FAINT_SHARE`` of the photo's typical impression (of what the hair lets through), as
    dark as a mark beside a hair must be (:func:`faint_beside_lines`): a faded dot on a dark
    hair adds less than a third to it
    (:func:`scalpmap.imaging.hair_crossing.find_dots_under_hairs`). A bulge where a hair ends
    must be as dark as an impression (``HAIR_END_SHARE`` of the photo's typical one), not just
    darker than the hair.

    Parameters
    ----------
    found : Impressions
        The impressions found so far (their typical darkness is the yardstick).
    fine : ndarray of float32, shape (rows, cols)
        Relative contrast against the local skin (lightly smoothed).
    xy : ndarray of float, shape (N, 2)
        Centres of all the candidates.
    ridge_angle : ndarray of float, shape (N,)
        Direction of each candidate's hair, radians from the x axis.
    peak : ndarray of float, shape (N,)
        Their peak contrast.
    contrast_rgb : ndarray of float, shape (N, 3)
        Their darkening in each colour channel.
    hairy : ndarray of int
        Indices of the candidates rejected as hairs, where a dot may lie.
    mm_per_px : float
        Scale.
    min_gap_mm : float
        A dot found under a hair counts only this far from every other impression.

    Returns
    -------
    Impressions
        ``found`` and the dots found under hairs; the rejection counts say how many.
    """
    typical = typical_darkness(found.darkness)
    crossed = find_dots_under_hairs(
        fine, xy[hairy], ridge_angle[hairy], peak[hairy], mm_per_px=mm_per_px,
        ink=None if typical is None else LINE_FAINT_SHARE * typical,
    )  # fmt: skip
    if len(crossed.index) == 0:
        return found
    at_dot = bilinear(fine, crossed.xy[:, :1], crossed.xy[:, 1:])[:, 0].astype(np.float64)
    radius_px = crossed.diameter_mm / 2 / mm_per_px
    arms = line_arms(fine, crossed.xy, radius_px, 0.5 * at_dot, mm_per_px=mm_per_px)
    plausible = crossed.passes
    if typical is not None:
        plausible = plausible | (at_dot >= HAIR_END_SHARE * typical)
    one_hair = np.flatnonzero(((arms.runs <= 1) | ((arms.runs == 2) & arms.through)) & plausible)
    chosen = [
        int(one_hair[k]) for k in spaced(crossed.xy[one_hair], found.xy, min_gap_mm / mm_per_px)
    ]
    source = hairy[crossed.index[chosen]]
    rejected = dict(found.rejected)
    rejected["elongated (stubble or hair)"] -= len(chosen)
    rejected["found under a hair (kept)"] = len(chosen)
    return Impressions(
        xy=np.vstack([found.xy, crossed.xy[chosen]]),
        diameter_mm=np.concatenate([found.diameter_mm, crossed.diameter_mm[chosen]]),
        darkness=np.concatenate([found.darkness, np.clip(peak[source], 0.0, 1.0)]),
        contrast_rgb=np.vstack([found.contrast_rgb, contrast_rgb[source]]),
        rejected=rejected,
    )


def spaced(points: NDArray[np.float64], known: NDArray[np.float64], min_gap_px: float) -> list[int]:
    """Keep ``points`` in order, each one only if no known point nor kept point is that near.

    Neighbours come from STR trees, so the work grows with the number of points, not with its
    square.

    Parameters
    ----------
    points : ndarray of float, shape (N, 2)
        The points to choose from, in order of preference.
    known : ndarray of float, shape (M, 2)
        Points already taken.
    min_gap_px : float
        The least distance between two points kept.

    Returns
    -------
    list of int
        The indices of the points kept.

    Examples
    --------
    >>> spaced(np.array([[0.0, 0.0], [1.0, 0.0], [9.0, 0.0]]), np.zeros((0, 2)), 5.0)
    [0, 2]
    """
    if len(points) == 0:
        return []
    free = np.ones(len(points), bool)
    if len(known):
        free = distance_to_nearest(points, known) >= min_gap_px
    neighbours = neighbours_within(points, min_gap_px)
    chosen: list[int] = []
    taken = np.zeros(len(points), bool)
    for k in np.flatnonzero(free):
        near = np.asarray(neighbours[k], dtype=np.intp)
        step = points[near[taken[near]]] - points[k]
        if not (np.hypot(step[:, 0], step[:, 1]) < min_gap_px).any():
            chosen.append(int(k))
            taken[k] = True
    return chosen
