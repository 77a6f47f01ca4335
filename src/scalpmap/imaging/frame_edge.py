"""Impressions cut by the photo's edge: detected on the photo mirrored beyond its edge.

A close-up's pigment usually runs out of frame. An impression the photo's edge cuts shows only
part of its disc: its footprint is a half-moon pressed against the edge, which the detector's
shape tests take for the end of a hair, and its neighbourhood (the ring around it, the lines
that might leave it) falls off the photo. The photo is mirrored about its edge by
``MARGIN_MM`` (beyond the largest impression's radius and the rings sampled around it): a dot
cut through its centre is then whole again, a hair crossing the edge stays a line, and every
test sees skin all round. Only the impressions centred on the photo itself are kept.

A dot cut by the edge is mirrored into one blob centred on the edge whichever side of it its own
centre lies. It counts when its centre is on the photo, which the blob's shape tells: it is then
at least as long across the edge as along it. A hair's end on the edge, mirrored, is a V whose
point is as compact as a dot: a line leaves it, or it opens along the edge. Half of any such blob
is its mirror image, so it stands out from the noise less than the detector measured: it counts
as a weak mark does (:func:`scalpmap.imaging.impressions.drop_weak_unlike_typical`), when it is
as dark as a good share of the photo's typical impression.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.detect import Impressions, detect_impressions
from scalpmap.imaging.dot_judge import ATTACHED_GAP_MM, ATTACHED_SHARE, MAX_DIAMETER_MM
from scalpmap.imaging.dot_scale import DotScale, measure_dot_scale
from scalpmap.imaging.impressions import BROAD_FAINT_SHARE, typical_darkness
from scalpmap.imaging.skin import LUMA_WEIGHTS, LocalSkin, estimate_local_skin

MARGIN_MM = 0.5
"""How far the photo is mirrored beyond its edge: the largest impression's radius
(:data:`scalpmap.imaging.dot_judge.MAX_DIAMETER_MM` / 2) and a little more."""
SMOOTH_PX = 0.6
"""The light smoothing of the contrast the detector's shape tests read."""


def detect_to_the_edge(
    rgb: NDArray[np.uint8], mm_per_px: float, mask: NDArray[np.bool_]
) -> tuple[Impressions, DotScale]:
    """Find the impressions, also those the photo's edge cuts, and measure their size.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Scale.
    mask : ndarray of bool, shape (rows, cols)
        Where to look.

    Returns
    -------
    impressions : Impressions
        The impressions centred on the photo, in its pixels; one cut by the edge is put on the
        photo's outermost pixel.
    dots : DotScale
        Their measured size (:func:`scalpmap.imaging.dot_scale.measure_dot_scale`).

    Examples
    --------
    >>> photo = np.full((200, 200, 3), (200, 160, 130), np.uint8)
    >>> _ = cv2.circle(photo, (0, 80), 4, (40, 40, 45), -1)  # cut in half by the left edge
    >>> found, _ = detect_to_the_edge(photo, 0.03, np.ones((200, 200), bool))
    >>> found.count, [round(v) for v in found.xy[0]]
    (1, [0, 80])
    """
    rows, cols = rgb.shape[:2]
    margin = int(np.ceil(MARGIN_MM / mm_per_px))
    wide = np.asarray(
        cv2.copyMakeBorder(rgb, margin, margin, margin, margin, cv2.BORDER_REFLECT), np.uint8
    )
    wide_mask = cv2.copyMakeBorder(
        mask.view(np.uint8), margin, margin, margin, margin, cv2.BORDER_REFLECT
    ).view(bool)
    skin = estimate_local_skin(wide, mm_per_px=mm_per_px, mask=wide_mask, without_marks=True)
    found = detect_impressions(wide, mm_per_px=mm_per_px, mask=wide_mask, skin=skin)
    # A dot cut by the edge and its mirror image make one blob centred on the edge (within half
    # its radius); a dot clear of the edge and its image are two, the image a radius beyond it.
    x, y = found.xy[:, 0] - margin, found.xy[:, 1] - margin
    slack = 0.5 + 0.25 * found.diameter_mm / mm_per_px
    on_photo = (x > -slack) & (x < cols - 1 + slack) & (y > -slack) & (y < rows - 1 + slack)
    on_edge = (x < 0.5) | (y < 0.5) | (x > cols - 1.5) | (y > rows - 1.5)
    if (on_photo & on_edge).any():
        at = on_photo & on_edge
        # Each blob's centre on the edge it straddles (in the mirrored photo's pixels).
        far_x = np.where(x[at] > cols - 1.5, margin + cols - 0.5, np.nan)
        edge_x = np.where(x[at] < 0.5, margin - 0.5, far_x)
        far_y = np.where(y[at] > rows - 1.5, margin + rows - 0.5, np.nan)
        edge_y = np.where(y[at] < 0.5, margin - 0.5, far_y)
        corner = ~np.isnan(edge_x) & ~np.isnan(edge_y)
        edge_xy = np.column_stack([edge_x, edge_y])
        edge_xy[corner] = np.nan
        keep = ~_not_a_cut_dot(wide, skin, found.select(at), mm_per_px, edge_xy)
        # Half of such a blob is its mirror image: it counts as a weak mark does.
        typical = typical_darkness(found.darkness[on_photo & ~on_edge])
        if typical is not None:
            keep &= found.darkness[at] >= BROAD_FAINT_SHARE * typical
        on_photo[at] = keep
    found = found.select(on_photo)
    dots = measure_dot_scale(wide, found, mm_per_px, skin)
    return (
        Impressions(
            xy=np.clip(found.xy - margin, 0.0, [cols - 1.0, rows - 1.0]),
            diameter_mm=found.diameter_mm,
            darkness=found.darkness,
            contrast_rgb=found.contrast_rgb,
            rejected=found.rejected,
        ),
        dots,
    )


def _not_a_cut_dot(
    wide: NDArray[np.uint8],
    skin: LocalSkin,
    blobs: Impressions,
    mm_per_px: float,
    edge_xy: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Which blobs on the edge are no dot centred on the photo.

    Mirrored, a dot cut by the edge whose centre is on the photo makes a blob at least as long
    across the edge as along it (two discs overlapping, or one); a dot centred beyond the edge
    shows less than half of itself, a lens longer along the edge; and a hair crossing the edge
    at a slant makes a V whose point, on the edge, opens along it. A dark line leaving the blob
    (a hair's end) darkens the ring just outside its footprint, drawn as
    :func:`scalpmap.imaging.dot_judge.judge_candidates` draws it for marks attached to a dot,
    by ``ATTACHED_SHARE`` of the blob's darkness; and a footprint reaching farther than the
    largest impression's radius is a line's. The footprint is the blob's pixels above half its
    darkness, on the contrast lightly smoothed as the detector's shape tests read it.

    Parameters
    ----------
    wide : ndarray of uint8, shape (rows, cols, 3)
        The mirrored photo.
    skin : LocalSkin
        Its local skin.
    blobs : Impressions
        The blobs on the edge, in the mirrored photo's pixels.
    mm_per_px : float
        Scale.
    edge_xy : ndarray of float, shape (N, 2)
        Each blob's centre put on the edge it straddles; NaN along the edge (the other
        coordinate), both NaN in a corner.

    Returns
    -------
    ndarray of bool, shape (N,)
        True for the blobs to drop.
    """
    gap = ATTACHED_GAP_MM / mm_per_px + 1.0
    drop = np.zeros(blobs.count, dtype=bool)
    for i in range(blobs.count):
        centre = np.where(np.isnan(edge_xy[i]), blobs.xy[i], edge_xy[i])
        reach = int(np.ceil(0.5 * MAX_DIAMETER_MM / mm_per_px + 2 * gap)) + 2
        cx, cy = int(round(centre[0])), int(round(centre[1]))
        x0, y0 = max(cx - reach, 0), max(cy - reach, 0)
        crop = wide[y0 : cy + reach + 1, x0 : cx + reach + 1]
        luma = cv2.GaussianBlur(crop.astype(np.float32) @ LUMA_WEIGHTS, (0, 0), SMOOTH_PX)
        skin_luma = skin.rgb_at(centre[:1], centre[1:])[0] @ LUMA_WEIGHTS
        contrast = 1.0 - luma / max(float(skin_luma), 1.0)
        above = (contrast >= 0.5 * blobs.darkness[i]).astype(np.uint8)
        _, labels = cv2.connectedComponents(above, connectivity=8)
        at = (min(cy - y0, labels.shape[0] - 1), min(cx - x0, labels.shape[1] - 1))
        rows, cols = np.nonzero(labels == labels[at]) if above[at] else (np.array([]),) * 2
        if len(rows) == 0:  # nothing dark where it meets the edge: no dot the edge cuts
            drop[i] = True
            continue
        dx, dy = cols - (centre[0] - x0), rows - (centre[1] - y0)
        weight = contrast[rows, cols] - 0.5 * blobs.darkness[i]
        spread_x = float((weight * dx**2).sum() / weight.sum())
        spread_y = float((weight * dy**2).sum() / weight.sum())
        extent = float(np.sqrt(dx**2 + dy**2).max())
        if extent > 0.5 * MAX_DIAMETER_MM / mm_per_px + gap:  # longer than any impression
            drop[i] = True
            continue
        ring = extent + gap
        angles = np.linspace(0, 2 * np.pi, max(16, int(np.ceil(2 * np.pi * ring))), False)
        ring_c = np.round(centre[0] - x0 + ring * np.cos(angles)).astype(np.intp)
        ring_r = np.round(centre[1] - y0 + ring * np.sin(angles)).astype(np.intp)
        ring_c = np.clip(ring_c, 0, luma.shape[1] - 1)
        ring_r = np.clip(ring_r, 0, luma.shape[0] - 1)
        line = float(contrast[ring_r, ring_c].max()) > ATTACHED_SHARE * blobs.darkness[i]
        if np.isnan(edge_xy[i]).all():  # in a corner, across and along are not told apart
            drop[i] = line
            continue
        across_x = not np.isnan(edge_xy[i, 0])
        across, along = (spread_x, spread_y) if across_x else (spread_y, spread_x)
        drop[i] = line or across < along
    return drop
