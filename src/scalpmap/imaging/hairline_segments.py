"""Name the parts of a found hairline as the planning's hairline model names its segments.

The segments are, in order along the line from the image's left to its right, ``side_left``,
``temporal_left``, ``frontal``, ``temporal_right`` and ``side_right`` (the names of
:data:`scalpmap.planning.hairline.SEGMENT_NAMES`; left and right are the image's, as in a front
view, so the patient's own left side is ``..._right``).

- **frontal**: between the verticals through the lateral canthi (where the frontotemporal angles
  sit, PRODUCT.md "Hairline design"); without landmarks, within ``FRONTAL_HALF_WIDTH_MM`` of the
  middle of the face's bare skin and no wider than it, when it was seen (the estimated brow
  line's face: a side view's forehead is narrow), else of the line's middle.
- **temporal**: from there outwards, for ``TEMPORAL_MM`` along the line (the temporal peak lies
  about 5 cm from the frontotemporal point).
- **side**: beyond, towards the ear.

In a side view (no canthi seen) the line starts at the temple beside the face: its first
``TEMPORAL_MM`` are temporal and the rest is side, on the side of the head that faces the camera.
A profile told only by where its estimated brow line lies (``profile_face``) shows the frontal
line edge-on at the forehead's end of the line, up to the temple's corner (the line's highest
point); the temporal and side segments follow.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.head import HeadModel

SEGMENT_NAMES = ("side_left", "temporal_left", "frontal", "temporal_right", "side_right")
FRONTAL_HALF_WIDTH_MM = 45.0
TEMPORAL_MM = 50.0


def _arc(xy: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(xy, axis=0), axis=1))])


def _split(xy: NDArray[np.float64], bounds: list[int]) -> dict[str, NDArray[np.float64]]:
    """Cut ``xy`` at the 4 indices ``bounds`` (non-decreasing); neighbours share their end."""
    edges = [0, *bounds, len(xy) - 1]
    out: dict[str, NDArray[np.float64]] = {}
    for name, a, b in zip(SEGMENT_NAMES, edges[:-1], edges[1:], strict=True):
        out[name] = xy[a : b + 1].copy() if b > a else np.zeros((0, 2))
    return out


def name_segments(
    xy: NDArray[np.float64],
    head: HeadModel | None,
    *,
    up_xy: NDArray[np.float64],
    mm_per_px: float,
    face_ends_xy: NDArray[np.float64] | None = None,
    profile_face: Literal["left", "right"] | None = None,
) -> dict[str, NDArray[np.float64]]:
    """Cut a hairline into the planning's named segments.

    Parameters
    ----------
    xy : ndarray of float, shape (M, 2)
        The hairline, ordered from the image's left to its right.
    head : HeadModel or None
        The head model: its lateral canthi place the frontotemporal points; its view tells a side
        view.
    up_xy : ndarray of float, shape (2,)
        The head's up direction in the image.
    mm_per_px : float
        Scale.
    face_ends_xy : ndarray of float, shape (2, 2), optional
        Without canthi, two points at the ends of the face's width (a side view's forehead):
        the frontal segment is centred between them, instead of on the line's middle, and lies
        within them.
    profile_face : {"left", "right"}, optional
        Without canthi, the side of the image a profile's face is on (the line's end there is
        at the forehead): the frontal segment runs from that end up to the line's highest point
        (the temple's corner), then ``TEMPORAL_MM`` are temporal and the rest is side.

    Returns
    -------
    dict of str to ndarray
        Every name of :data:`SEGMENT_NAMES`, each a ``(K, 2)`` polyline (``(0, 2)`` when that
        segment is not in the photo); empty without a hairline.

    Examples
    --------
    >>> import numpy as np
    >>> line = np.column_stack([np.linspace(0, 2000, 201), np.full(201, 300.0)])
    >>> parts = name_segments(line, None, up_xy=np.array([0.0, -1.0]), mm_per_px=0.1)
    >>> [len(parts[n]) for n in SEGMENT_NAMES]
    [6, 51, 91, 51, 6]
    """
    xy = np.asarray(xy, dtype=np.float64).reshape(-1, 2)
    if len(xy) < 2:
        return {}
    up = np.asarray(up_xy, dtype=np.float64)
    along = np.array([-up[1], up[0]])
    s = xy @ along
    arc = _arc(xy) * mm_per_px
    last = len(xy) - 1
    view = head.view if head is not None else "unknown"
    if view in ("left-side", "right-side") and not (head is not None and _canthi(head) is not None):
        # The patient's left side faces the camera in a left-side view: the nose points to the
        # image's left, so the temple is at the line's left end; it is named as in a front view.
        if view == "left-side":
            cut = int(np.searchsorted(arc, TEMPORAL_MM))
            return _split(xy, [0, 0, 0, min(cut, last)])
        cut = int(np.searchsorted(arc, arc[-1] - TEMPORAL_MM))
        return _split(xy, [max(cut, 0), last, last, last])
    canthi = _canthi(head) if head is not None else None
    if canthi is None and profile_face is not None:
        top = int(np.argmax(xy @ up))
        if profile_face == "left":
            cut = int(np.searchsorted(arc, arc[top] + TEMPORAL_MM))
            return _split(xy, [0, 0, top, max(min(cut, last), top)])
        cut = int(np.searchsorted(arc, arc[top] - TEMPORAL_MM))
        return _split(xy, [min(cut, top), top, last, last])
    if canthi is not None:
        lo, hi = sorted(float(c @ along) for c in canthi)
    else:
        half = FRONTAL_HALF_WIDTH_MM / mm_per_px
        if face_ends_xy is not None:
            ends = sorted(float(e) for e in np.asarray(face_ends_xy, dtype=np.float64) @ along)
            mid = 0.5 * (ends[0] + ends[1])
            lo, hi = max(mid - half, ends[0]), min(mid + half, ends[1])
        else:
            mid = 0.5 * (float(s.min()) + float(s.max()))
            lo, hi = mid - half, mid + half
    inside = np.flatnonzero((s >= lo) & (s <= hi))
    if inside.size:
        left, right = int(inside[0]), int(inside[-1])
    else:  # the frontal part is out of sight: all of the line lies on one side
        left = right = last if float(s.mean()) < lo else 0
    side_l = int(np.searchsorted(arc, arc[left] - TEMPORAL_MM)) if left > 0 else 0
    side_r = int(np.searchsorted(arc, arc[right] + TEMPORAL_MM)) if right < last else last
    return _split(xy, [min(side_l, left), left, right, max(min(side_r, last), right)])


def _canthi(head: HeadModel) -> NDArray[np.float64] | None:
    """Return the two lateral (outer) canthi, when both were found."""
    points = [head.landmarks.get(n) for n in ("left_eye_outer_canthus", "right_eye_outer_canthus")]
    if any(p is None or len(p) == 0 for p in points):
        return None
    return np.vstack([np.asarray(p, dtype=np.float64)[:1] for p in points if p is not None])
