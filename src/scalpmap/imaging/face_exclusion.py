"""Where a whole-head analysis never looks for pigment: below the brows.

Scalp micropigmentation lies above the forehead and along the sides of the head. Below the line
through the upper edges of the brows there are only the brows, the eyes, the nose, the mouth, the
beard, the ears and the neck: dark texture that is never pigment. That line, extended across the
whole photo and tilted with the head, bounds the analysis (the person's mask,
:mod:`scalpmap.imaging.person_frame`, keeps the wall and the clothes out). The line is cut
across the face oval and a sideburn's and an ear's width either side: the face oval below the
line lies wholly in the excluded part (down to mid-ear height beside the brows, wholly below
that), and in a three-quarter or side view the back of the head, behind the ear, keeps its
pigment. Beside the brows' tails, the sideburns keep their pigment down to mid-ear height
(``SIDEBURN_MM`` below the line), where the side hairline ends and a beard would begin: in a
three-quarter view the face oval reaches the ear, over the sideburn. The line is tilted with the
eye line; the face below the brows is also cut in the face's own frame, from the brows towards
the nose and mouth, so that a tilt between the two never leaves a sliver of the face in.

Without landmarks (a photo with no face the model can find), the line is estimated from the
pigment itself (see :mod:`scalpmap.imaging.main_region`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from scalpmap.imaging.head import HeadModel

BrowLineSource = Literal["landmarks", "estimated", "none"]
EAR_MARGIN_MM = 40.0
SIDEBURN_MM = 35.0
"""How far below the brow line a sideburn, beside the face, may hold pigment (mid-ear height)."""
SIDEBURN_INSET_MM = 10.0
"""How far inside the face's edge the sideburn's allowance starts: the side hairline comes down
at the face's edge, and its front edge must lie clear of the excluded face to count as hairline."""
BROW_TAIL_MM = 10.0
"""How far beyond the brows' found ends the face is still cut from the line (a brow's tail fades
out beyond the landmark's last point)."""


@dataclass(frozen=True)
class BrowLine:
    """The line below which nothing is pigment, in photo pixels.

    Attributes
    ----------
    point_xy : ndarray of float, shape (2,)
        A point on the line (the highest point of the brows).
    up_xy : ndarray of float, shape (2,)
        Unit vector from the face towards the top of the head, in the image.
    source : {"landmarks", "estimated"}
        From the face's landmarks, or estimated from the bare skin without them.
    span : tuple of float or None
        The stretch along the line (coordinates along :attr:`along_xy`, photo pixels) that is
        cut: the face and, either side, the sideburns and the ears. None: the whole line.
    face_span : tuple of float or None
        The face's own stretch within :attr:`span`. Beside it (the sideburns, in front of the
        ears, from ``SIDEBURN_INSET_MM`` inside the face's edges) the cut starts
        :attr:`sideburn_px` lower, since the side hairline comes down there. None: the whole
        span is cut from the line.
    brows_span : tuple of float or None
        The brows' stretch along the line, ``BROW_TAIL_MM`` beyond their found ends: cut from
        the line, and when found it replaces the face's stretch above (beside the brows' tails
        the sideburns start; in a three-quarter view the face oval reaches the ear).
    face_band_xy : ndarray of float, shape (4, 2), or None
        The face below the brows in its own frame (from the brows' upper edge towards the nose
        and the mouth, as wide as the brows and ``BROW_TAIL_MM`` more), also cut.
    sideburn_px : float
        How far below the line the sideburns may hold pigment, in photo pixels; the face's
        edges are inset by ``SIDEBURN_INSET_MM / SIDEBURN_MM`` of it.
    """

    point_xy: NDArray[np.float64]
    up_xy: NDArray[np.float64]
    source: Literal["landmarks", "estimated"]
    span: tuple[float, float] | None = None
    face_span: tuple[float, float] | None = None
    sideburn_px: float = 0.0
    brows_span: tuple[float, float] | None = None
    face_band_xy: NDArray[np.float64] | None = None

    def moved(self, dx: float, dy: float) -> BrowLine:
        """Return the same line shifted by ``(dx, dy)`` pixels.

        Parameters
        ----------
        dx, dy : float
            The shift.

        Returns
        -------
        BrowLine
            The shifted line.
        """
        shift = np.array([dx, dy], dtype=np.float64)
        offset = float(shift @ self.along_xy)

        def move(span: tuple[float, float] | None) -> tuple[float, float] | None:
            return None if span is None else (span[0] + offset, span[1] + offset)

        return BrowLine(
            self.point_xy + shift,
            self.up_xy,
            self.source,
            move(self.span),
            move(self.face_span),
            self.sideburn_px,
            move(self.brows_span),
            None if self.face_band_xy is None else self.face_band_xy + shift,
        )

    @property
    def face_ends_xy(self) -> NDArray[np.float64] | None:
        """The two points on the line at the ends of :attr:`face_span`, shape (2, 2) (or None)."""
        if self.face_span is None:
            return None
        base = float(self.point_xy @ self.along_xy)
        return np.array([self._at(end - base) for end in self.face_span], dtype=np.float64)

    @property
    def along_xy(self) -> NDArray[np.float64]:
        """Unit vector along the line, towards the image's right when the head is upright."""
        return np.array([-self.up_xy[1], self.up_xy[0]])

    def height(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Signed distance of points above the line, in pixels (negative below it).

        Parameters
        ----------
        xy : ndarray of float, shape (N, 2)
            Points.

        Returns
        -------
        ndarray of float, shape (N,)
            Height above the line.
        """
        return np.asarray((np.asarray(xy, dtype=np.float64) - self.point_xy) @ self.up_xy)

    def ends_xy(self, shape: tuple[int, int]) -> NDArray[np.float64]:
        """Return the line's two ends where it leaves the photo (or its extent when it misses it).

        Parameters
        ----------
        shape : tuple of int
            The photo's ``(rows, cols)``.

        Returns
        -------
        ndarray of float, shape (2, 2)
            Two points, the first towards the head's right side in the image's left.
        """
        rows, cols = shape
        lo, hi = self._stretch(shape)
        line = shapely.LineString([self._at(lo), self._at(hi)])
        clipped = line.intersection(shapely.box(-0.5, -0.5, cols - 0.5, rows - 0.5))
        coords = np.asarray(getattr(clipped, "coords", []), dtype=np.float64).reshape(-1, 2)
        return coords[[0, -1]] if len(coords) >= 2 else np.asarray(line.coords)

    def _stretch(
        self, shape: tuple[int, int], span: tuple[float, float] | None = None
    ) -> tuple[float, float]:
        """Coordinates along the line (relative to its point) of a stretch (:attr:`span`)."""
        reach = 2.0 * float(np.hypot(*shape))
        span = self.span if span is None else span
        if span is None:
            return -reach, reach
        base = float(self.point_xy @ self.along_xy)
        return span[0] - base, span[1] - base

    def _at(self, t: float) -> NDArray[np.float64]:
        return np.asarray(self.point_xy + t * self.along_xy, dtype=np.float64)

    def below(self, shape: tuple[int, int]) -> Polygon | MultiPolygon:
        """Return the part of the photo below the line.

        Parameters
        ----------
        shape : tuple of int
            The photo's ``(rows, cols)``.

        Returns
        -------
        shapely.Polygon
            The excluded part (only across :attr:`span` when set, and beside
            :attr:`face_span` only from :attr:`sideburn_px` below the line), clipped to the
            photo (possibly empty).
        """
        rows, cols = shape
        reach = 2.0 * float(np.hypot(rows, cols))
        u = self.up_xy

        def strip(stretch: tuple[float, float], drop: float) -> Polygon:
            lo, hi = stretch
            top_lo, top_hi = self._at(lo) - drop * u, self._at(hi) - drop * u
            return Polygon([top_lo, top_hi, top_hi - reach * u, top_lo - reach * u])

        excluded: BaseGeometry = strip(self._stretch(shape), 0.0)
        if self.face_span is not None and self.sideburn_px > 0:
            low, high = self.face_span
            inset = min(self.sideburn_px * SIDEBURN_INSET_MM / SIDEBURN_MM, (high - low) / 2)
            low, high = low + inset, high - inset
            if self.brows_span is not None:
                # Found brows bound the face's own cut: in a three-quarter view the face oval
                # runs out to the ear, over the sideburn, which comes down beside the brow's tail.
                low, high = self.brows_span
            excluded = strip(self._stretch(shape), self.sideburn_px).union(
                strip(self._stretch(shape, (low, high)), 0.0)
            )
        if self.face_band_xy is not None:
            excluded = excluded.union(Polygon(self.face_band_xy))
        clipped = excluded.intersection(shapely.box(-0.5, -0.5, cols - 0.5, rows - 0.5))
        # The strips together are not convex: clipped, they may fall apart in pieces.
        return clipped if isinstance(clipped, Polygon | MultiPolygon) else Polygon()


def _unit(v: NDArray[np.float64]) -> NDArray[np.float64] | None:
    norm = float(np.hypot(v[0], v[1]))
    return v / norm if norm > 1e-9 else None


def brow_line_from_landmarks(head: HeadModel, mm_per_px: float | None = None) -> BrowLine | None:
    """Find the line through the upper edges of the brows, tilted with the eye line.

    Parameters
    ----------
    head : HeadModel
        The head model; its ``left_brow``/``right_brow``, the eyes and the face oval are used.
    mm_per_px : float, optional
        Scale. With it, the line is cut only across the face oval and ``EAR_MARGIN_MM`` either
        side (the sideburn and the ear): in a three-quarter or side view the back of the head
        keeps its pigment below the brows' level. Beside the face oval the cut starts
        ``SIDEBURN_MM`` lower, where the side hairline comes down the sideburn. Without a scale,
        the line crosses the whole photo.

    Returns
    -------
    BrowLine or None
        The line through the highest brow point, perpendicular to the head's up direction; None
        without brows.

    Examples
    --------
    >>> import numpy as np
    >>> from scalpmap.imaging.head import HeadModel
    >>> brow = np.array([[10.0, 50], [20, 45], [30, 44], [40, 46], [50, 50]])
    >>> head = HeadModel(view="front", yaw_deg=0.0, roll_deg=0.0, rotation_deg=0, face_box=None,
    ...                  landmarks={"right_brow": brow, "left_brow": brow + [60, 0],
    ...                             "right_eye": brow + [0, 20], "left_eye": brow + [60, 20]})
    >>> line = brow_line_from_landmarks(head)
    >>> float(line.point_xy[1]), line.up_xy.round(3).tolist()
    (44.0, [0.0, -1.0])
    """
    marks = head.landmarks
    brows = [
        np.asarray(marks[n], dtype=np.float64).reshape(-1, 2)
        for n in ("left_brow", "right_brow")
        if n in marks
    ]
    brows = [b for b in brows if len(b)]
    if not brows:
        return None
    brow_points = np.vstack(brows)
    eyes = [
        np.asarray(marks[n], dtype=np.float64).reshape(-1, 2)
        for n in (
            "left_eye",
            "right_eye",
            "left_eye_inner_canthus",
            "left_eye_outer_canthus",
            "right_eye_inner_canthus",
            "right_eye_outer_canthus",
        )
        if n in marks
    ]
    eye_points = np.vstack(eyes) if eyes else np.zeros((0, 2))
    up: NDArray[np.float64] | None = None
    outer = [marks.get("left_eye_outer_canthus"), marks.get("right_eye_outer_canthus")]
    if all(o is not None and len(o) for o in outer):
        across = _unit(np.asarray(outer[0], float)[0] - np.asarray(outer[1], float)[0])
        if across is not None:
            up = np.array([across[1], -across[0]])
    if up is None and len(brows) == 2:
        across = _unit(brows[0].mean(axis=0) - brows[1].mean(axis=0))
        if across is not None:
            up = np.array([across[1], -across[0]])
    if up is not None and len(eye_points):
        if float((brow_points.mean(axis=0) - eye_points.mean(axis=0)) @ up) < 0:
            up = -up  # the brows lie above the eyes
    elif up is None and len(eye_points):
        up = _unit(brow_points.mean(axis=0) - eye_points.mean(axis=0))
    if up is None:
        angle = np.radians(head.roll_deg or 0.0) + np.radians(head.rotation_deg)
        up = np.array([np.sin(angle), -np.cos(angle)])
    top = brow_points[int(np.argmax(brow_points @ up))]
    along = np.array([-up[1], up[0]])
    oval = marks.get("face_oval")
    span = face_span = None
    if oval is not None and len(oval) >= 3 and mm_per_px:
        s_oval = np.asarray(oval, dtype=np.float64).reshape(-1, 2) @ along
        margin = EAR_MARGIN_MM / mm_per_px
        span = (float(s_oval.min()) - margin, float(s_oval.max()) + margin)
        face_span = (float(s_oval.min()), float(s_oval.max()))
    s_brows = brow_points @ along
    tail = BROW_TAIL_MM / mm_per_px if mm_per_px else 0.0
    return BrowLine(
        point_xy=top.astype(np.float64),
        up_xy=up.astype(np.float64),
        source="landmarks",
        span=span,
        face_span=face_span,
        sideburn_px=SIDEBURN_MM / mm_per_px if mm_per_px else 0.0,
        brows_span=(float(s_brows.min()) - tail, float(s_brows.max()) + tail),
        face_band_xy=_face_band(marks, brow_points, tail),
    )


def _face_band(
    marks: Mapping[str, NDArray[np.float64]], brow_points: NDArray[np.float64], tail: float
) -> NDArray[np.float64] | None:
    """Return the face below the brow line in its own frame, towards the nose and mouth.

    The brow line is straight, through the brows' highest point: in the face's own frame (from
    the brows towards the nose and the mouth) it runs across the brows, ``tail`` beyond their
    ends, and everything below it is face. A tilt between this frame and the eye line's takes
    a little forehead above a brow's tail with it, never a sliver of the face below.
    """
    below = [
        np.asarray(marks[n], dtype=np.float64).reshape(-1, 2).mean(axis=0)
        for n in ("nose_tip", "mouth")
        if n in marks and len(marks[n])
    ]
    if not below:
        return None
    down = _unit(np.mean(below, axis=0) - brow_points.mean(axis=0))
    if down is None:
        return None
    across = np.array([-down[1], down[0]])
    centre = brow_points.mean(axis=0)
    along = (brow_points - centre) @ across
    top = float(((brow_points - centre) @ down).min())
    reach = 40.0 * float(np.ptp(brow_points, axis=0).max() + tail + 1.0)  # past the photo
    lo, hi = float(along.min()) - tail, float(along.max()) + tail
    return np.array(
        [
            centre + across * lo + down * top,
            centre + across * hi + down * top,
            centre + across * hi + down * reach,
            centre + across * lo + down * reach,
        ]
    )
