"""ArUco scale sticker: the marker, and mm per pixel measured from it in a photo.

Printing the sticker and painting it into synthetic photos is :mod:`scalpmap.imaging.marker_draw`.

Pixel coordinates are ``(x, y)``, x right, y down, with the centre of the top-left pixel at
``(0, 0)`` (OpenCV ``warpAffine``/``remap`` convention): a pixel covers ``x - 0.5 .. x + 0.5``.

Detection runs ArUco on a downscaled copy (again at twice that resolution if nothing is found),
then refines every side of the black square at full resolution: sub-pixel edge points (centroid
of the intensity gradient along profiles normal to the side) are fitted with a robust straight
line and neighbouring lines are intersected. A similarity transform from the ideal square (mm) to
the refined corners (px) gives the scale.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.errors import InputError

MARKER_DICTIONARY_NAME = "DICT_4X4_50"
DEFAULT_MARKER_SIDE_MM = 20.0  # side of the black marker square (outer edge of the black border)
QUIET_ZONE_MODULES = 2  # white border around the marker, in modules (1 module = side / 6 for 4x4)

_COARSE_LONG_SIDE = 1400  # the ArUco pass runs on a copy whose long side is about this
_CENTROID_HALF_PX = 4.0  # half-width of the gradient window around an edge, full-res px
_PROFILE_STEP_PX = 0.5
_MIN_MARKER_DISTANCE_RATE = 0.05  # ArUco's default 0.125 merges the marker with the sticker
UNIT_SQUARE = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]])
"""The black square's corners in ArUco order, for a side of 1 centred on 0."""

FloatArray = NDArray[np.float64]


@functools.lru_cache(maxsize=8)
def _dictionary(name: str) -> Any:
    code = getattr(cv2.aruco, name, None) if name.startswith("DICT_") else None
    if not isinstance(code, int):
        raise InputError(f"unknown ArUco dictionary {name!r}; use e.g. {MARKER_DICTIONARY_NAME!r}")
    return cv2.aruco.getPredefinedDictionary(code)


@functools.lru_cache(maxsize=8)
def _detector(name: str) -> Any:
    """ArUco detector whose candidate grouping keeps the marker apart from the sticker's edge.

    ArUco groups candidate quads whose corners are on average closer than
    ``minMarkerDistanceRate`` times the smaller one's perimeter and keeps only the group's
    largest quad, dropping the whole group if that quad lies within ``minDistanceToBorder`` px of
    the image edge. The sticker's white quiet zone (2 modules = side / 3) against darker skin is
    itself a quad whose corners are ``0.47 * side`` from the marker's, under the default
    ``0.125 * 4 * side = 0.5 * side``: the marker fell into the sticker's group, and with the
    sticker at the edge of the frame (as in close-ups) it was discarded. At 0.05 the outline is
    separate, while the same border traced at several threshold windows (a few px apart) is
    still merged.
    """
    params = cv2.aruco.DetectorParameters()
    params.cornerRefinementMethod = cv2.aruco.CORNER_REFINE_SUBPIX
    params.minMarkerDistanceRate = _MIN_MARKER_DISTANCE_RATE
    return cv2.aruco.ArucoDetector(_dictionary(name), params)


def module_grid(marker_id: int, dictionary: str) -> NDArray[np.uint8]:
    """Render the marker at one pixel per module: black border and bits, 0/255.

    Parameters
    ----------
    marker_id : int
        Marker id within `dictionary`.
    dictionary : str
        OpenCV ArUco dictionary name.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` uint8 image, ``n`` the modules across (6 for 4x4 markers).
    """
    aruco_dict = _dictionary(dictionary)
    count = int(aruco_dict.bytesList.shape[0])
    if not 0 <= marker_id < count:
        raise InputError(f"marker id {marker_id} is not in {dictionary}; use 0..{count - 1}")
    n = int(aruco_dict.markerSize) + 2
    return np.asarray(cv2.aruco.generateImageMarker(aruco_dict, marker_id, n), dtype=np.uint8)


def marker_pixels(
    marker_id: int = 0, *, side_px: int, dictionary: str = MARKER_DICTIONARY_NAME
) -> NDArray[np.uint8]:
    """Render the bare marker (black border and bits, no quiet zone) as 0/255 uint8.

    Parameters
    ----------
    marker_id : int
        Marker id within `dictionary`.
    side_px : int
        Side of the square image; modules differ in size by at most one pixel.
    dictionary : str
        OpenCV ArUco dictionary name, e.g. ``"DICT_4X4_50"``.

    Returns
    -------
    numpy.ndarray
        ``(side_px, side_px)`` image, 0 = black, 255 = white.

    Examples
    --------
    >>> img = marker_pixels(0, side_px=60)
    >>> img.shape, int(img[0, 0]), int(img[15, 15])
    ((60, 60), 0, 255)
    """
    grid = module_grid(marker_id, dictionary)
    n = grid.shape[0]
    if side_px < n:
        raise InputError(f"marker side {side_px} px is too small; use at least {n} px")
    idx = np.arange(side_px) * n // side_px
    return np.ascontiguousarray(grid[np.ix_(idx, idx)])


@dataclass(frozen=True)
class MarkerScale:
    """Scale of a photo measured from the calibration marker.

    Attributes
    ----------
    mm_per_px : float
        Millimetres per pixel at the marker.
    marker_id, dictionary, side_mm : int, str, float
        Detected id, ArUco dictionary name and the assumed printed side of the black square.
    corners_xy : numpy.ndarray
        ``(4, 2)`` refined corners (x right, y down) in ArUco order, read-only.
    residual_px, residual_mm : float
        RMS corner distance after the similarity fit; perspective or a bad detection raises it.
    """

    mm_per_px: float
    marker_id: int
    dictionary: str
    side_mm: float
    corners_xy: FloatArray
    residual_px: float
    residual_mm: float


def _edge_points(
    gray: NDArray[np.float32], a: FloatArray, b: FloatArray, centre: FloatArray, half_width: float
) -> FloatArray:
    """Sub-pixel points on the dark-to-light edge near segment ``a -> b``."""
    length = float(np.hypot(*(b - a)))
    along = (b - a) / length
    normal = np.array([-along[1], along[0]])
    if normal @ ((a + b) / 2 - centre) < 0:
        normal = -normal  # point outwards, from black to the white quiet zone
    t = np.linspace(0.12, 0.88, int(np.clip(length, 8, 400)))[:, None] * length
    base = a + t * along
    d = np.arange(-half_width, half_width + 1e-9, _PROFILE_STEP_PX)
    xs = (base[:, 0:1] + d * normal[0]).astype(np.float32)
    ys = (base[:, 1:2] + d * normal[1]).astype(np.float32)
    h, w = gray.shape
    inside = (xs.min(1) >= 0) & (xs.max(1) <= w - 1) & (ys.min(1) >= 0) & (ys.max(1) <= h - 1)
    prof = cv2.remap(gray, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    grad = np.diff(prof.astype(np.float64), axis=1)
    mid = d[:-1] + _PROFILE_STEP_PX / 2
    k = int(round(_CENTROID_HALF_PX / _PROFILE_STEP_PX))
    peak = np.clip(np.argmax(grad, axis=1), k, grad.shape[1] - 1 - k)
    idx = peak[:, None] + np.arange(-k, k + 1)
    weight = np.clip(np.take_along_axis(grad, idx, axis=1), 0.0, None)
    top = grad.max(axis=1)
    ok = inside & (top > max(1.0, 0.3 * float(np.median(top)))) & (weight.sum(1) > 0)
    ok &= np.argmax(grad, axis=1) == peak  # the peak was not clipped to the window
    offset = (weight * mid[idx]).sum(1) / np.maximum(weight.sum(1), 1e-12)
    pts: FloatArray = (base + offset[:, None] * normal)[ok]
    return pts


def _fit_line(pts: FloatArray) -> tuple[FloatArray, FloatArray] | None:
    """Total-least-squares line (point, unit direction) with one round of outlier rejection."""
    for _ in range(2):
        if len(pts) < 6:
            return None
        point = pts.mean(axis=0)
        _, _, vt = np.linalg.svd(pts - point, full_matrices=False)
        resid = np.abs((pts - point) @ vt[1])
        pts = pts[resid <= max(3.0 * 1.4826 * float(np.median(resid)), 0.3)]
    return point, vt[0]


def _refine(gray: NDArray[np.float32], coarse: FloatArray, modules: int) -> FloatArray | None:
    """Refine the four corners by intersecting lines fitted to the black square's sides."""
    corners = coarse
    side = float(np.mean(np.hypot(*(np.roll(coarse, -1, axis=0) - coarse).T)))
    widths = (max(0.6 * side / modules, _CENTROID_HALF_PX + 3), _CENTROID_HALF_PX + 2.5)
    for half_width in widths:
        centre = corners.mean(axis=0)
        lines = []
        for i in range(4):
            pts = _edge_points(gray, corners[i], corners[(i + 1) % 4], centre, half_width)
            line = _fit_line(pts)
            if line is None:
                return None
            lines.append(line)
        new = np.empty((4, 2))
        for i in range(4):  # corner i joins side i-1 and side i
            (p1, d1), (p2, d2) = lines[i - 1], lines[i]
            mat = np.column_stack([d1, -d2])
            if abs(np.linalg.det(mat)) < 1e-6:
                return None
            s = np.linalg.solve(mat, p2 - p1)
            new[i] = p1 + s[0] * d1
        if np.max(np.abs(new - coarse)) > 0.25 * side / modules + 3.0:
            return None  # a line locked onto something else
        corners = new
    return corners


def _coarse_corners(rgb: NDArray[np.uint8], dictionary: str) -> tuple[FloatArray, int, int] | None:
    """ArUco corners of the largest marker in full-resolution pixels, its id and the factor used.

    The image is first shrunk by an integer factor so its long side is about
    ``_COARSE_LONG_SIDE``; only when nothing is found there is it searched again at about twice
    that resolution, for markers too small to survive the first shrink (costs time only on
    photos without a marker).
    """
    h, w = rgb.shape[:2]
    first = max(1, round(max(h, w) / _COARSE_LONG_SIDE))
    factors = [first] if first == 1 else [first, max(1, round(first / 2))]
    for f in factors:
        small = rgb if f == 1 else cv2.resize(rgb, (w // f, h // f), interpolation=cv2.INTER_LINEAR)
        if small.ndim == 3:
            small = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        found, ids, _ = _detector(dictionary).detectMarkers(small)
        if ids is None or len(found) == 0:
            continue
        areas = [abs(cv2.contourArea(c.reshape(4, 2))) for c in found]
        best = int(np.argmax(areas))
        sx, sy = w / (w // f), h / (h // f)
        coarse: FloatArray = (found[best].reshape(4, 2).astype(np.float64) + 0.5) * [sx, sy] - 0.5
        return coarse, int(np.asarray(ids).reshape(-1)[best]), f
    return None


def detect_marker(
    rgb: NDArray[np.uint8],
    *,
    side_mm: float = DEFAULT_MARKER_SIDE_MM,
    dictionary: str = MARKER_DICTIONARY_NAME,
) -> MarkerScale | None:
    """Find the calibration marker and measure the photo's scale from it.

    Parameters
    ----------
    rgb : numpy.ndarray
        ``(H, W, 3)`` RGB or ``(H, W)`` greyscale uint8 photo.
    side_mm : float
        Printed side of the black square in mm.
    dictionary : str
        ArUco dictionary name.

    Returns
    -------
    MarkerScale or None
        The largest marker found, or None when there is none. If the edge refinement fails
        (e.g. the quiet zone is cut off) ArUco's own corners are used, which are less accurate.

    Raises
    ------
    InputError
        Wrong image shape or dtype, non-positive `side_mm` or an unknown dictionary.
    """
    if rgb.dtype != np.uint8 or not (rgb.ndim == 2 or (rgb.ndim == 3 and rgb.shape[2] == 3)):
        raise InputError("detect_marker needs an (H, W, 3) RGB or (H, W) uint8 image")
    if not (math.isfinite(side_mm) and side_mm > 0):
        raise InputError(f"marker side {side_mm} mm must be a positive number")
    h, w = rgb.shape[:2]
    coarse_found = _coarse_corners(rgb, dictionary)
    if coarse_found is None:
        return None
    coarse, marker_id, f = coarse_found
    side_px = float(np.mean(np.hypot(*(np.roll(coarse, -1, axis=0) - coarse).T)))
    modules = int(_dictionary(dictionary).markerSize) + 2
    pad = 0.8 * side_px / modules + 3 * f + 12  # > first refine window
    x0, y0 = (max(0, math.floor(v - pad)) for v in coarse.min(axis=0))
    x1, y1 = (math.ceil(v + pad) for v in coarse.max(axis=0))
    roi = rgb[y0 : min(h, y1), x0 : min(w, x1)]
    gray = (cv2.cvtColor(roi, cv2.COLOR_RGB2GRAY) if roi.ndim == 3 else roi).astype(np.float32)
    offset = np.array([x0, y0], dtype=np.float64)
    refined = _refine(gray, coarse - offset, modules)
    corners = coarse if refined is None else refined + offset
    ideal = UNIT_SQUARE * side_mm
    z_mm = ideal[:, 0] + 1j * ideal[:, 1]
    z_px = corners[:, 0] + 1j * corners[:, 1]
    wc, zc = z_mm - z_mm.mean(), z_px - z_px.mean()
    a = np.sum(np.conj(wc) * zc) / np.sum(np.abs(wc) ** 2)  # complex scale * rotation
    residual_px = float(np.sqrt(np.mean(np.abs(zc - a * wc) ** 2)))
    px_per_mm = float(abs(a))
    corners.setflags(write=False)
    return MarkerScale(
        mm_per_px=1.0 / px_per_mm,
        marker_id=marker_id,
        dictionary=dictionary,
        side_mm=float(side_mm),
        corners_xy=corners,
        residual_px=residual_px,
        residual_mm=residual_px / px_per_mm,
    )
