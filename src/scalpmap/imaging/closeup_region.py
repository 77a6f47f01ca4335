"""Tidy a close-up's pigmented region: no thin rims, no small holes.

The region is traced from the density of the impressions found. Where that density dips
between sparse dots (15-30 per cm² leave gaps of several millimetres), the trace can leave a
small hole inside work that is one region; and where the analysis cannot see (the printed
sticker), the unseen cells count as pigment, so the trace can hug the sticker's edge in a rim a
millimetre wide. Neither is pigment work: an opening of ``OPEN_MM`` removes rims and spurs
thinner than twice that, and holes smaller than ``MAX_HOLE_CM2`` are filled. A real gap in the
work (a scar, a bald patch) is larger, and stays. Between sparse dots a chance void also bites
a dent into the edge, as deep as the field's smoothing scale: the field resolves nothing finer,
so a closing by that scale (``close_mm``, from
:func:`scalpmap.imaging.pigment_field.field_scale_mm`) fills such dents first.
"""

from __future__ import annotations

import shapely
from shapely.geometry import MultiPolygon, Polygon

OPEN_MM = 1.0
MAX_HOLE_CM2 = 1.0


def tidy_region(
    region: Polygon | MultiPolygon,
    analysed: Polygon | MultiPolygon,
    mm_per_px: float,
    *,
    close_mm: float = 0.0,
) -> Polygon | MultiPolygon:
    """Remove rims and spurs thinner than ``2 * OPEN_MM`` and fill holes under ``MAX_HOLE_CM2``.

    Parameters
    ----------
    region : Polygon or MultiPolygon
        The traced region (pixels).
    analysed : Polygon or MultiPolygon
        Where the analysis looked; the result stays inside it.
    mm_per_px : float
        Scale.
    close_mm : float, optional
        Close the region by this radius first: dents in its edge narrower than twice it are
        filled (see the module's notes).

    Returns
    -------
    Polygon or MultiPolygon
        The tidied region; empty when nothing thicker than the opening remains.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> square = box(0, 0, 400, 400).difference(box(190, 190, 210, 210))  # a 0.36 mm² hole
    >>> rim = box(400, 380, 900, 400)  # a spur 0.6 mm wide at 0.03 mm/px
    >>> tidy = tidy_region(square.union(rim), box(0, 0, 1000, 1000), 0.03)
    >>> len(tidy.interiors), tuple(round(v) for v in tidy.bounds)
    (0, (0, 0, 400, 400))
    """
    if region.is_empty:
        return region
    if close_mm > 0:
        closing = close_mm / mm_per_px
        region = region.buffer(closing).buffer(-closing)
    reach = OPEN_MM / mm_per_px
    opened = region.buffer(-reach).buffer(reach)
    smallest = MAX_HOLE_CM2 * 100.0 / mm_per_px**2
    parts = [
        Polygon(part.exterior, [ring for ring in part.interiors if Polygon(ring).area >= smallest])
        for part in shapely.get_parts(opened)
        if isinstance(part, Polygon) and not part.is_empty
    ]
    if not parts:
        return Polygon()
    tidy = shapely.union_all(parts).intersection(analysed).buffer(0)
    polygons = [p for p in shapely.get_parts(tidy) if isinstance(p, Polygon) and not p.is_empty]
    if not polygons:
        return Polygon()
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)
