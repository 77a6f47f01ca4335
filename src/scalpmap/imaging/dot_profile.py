"""The true size of impressions, measured from their radial profiles with the photo's blur.

A footprint (the area above half the peak contrast) includes the blur: a dot a fifth of a pixel
wide still looks 2.5 px across. Around each impression the contrast falls from its centre to
the skin; the profile of a disc of radius ``R`` blurred by a Gaussian of ``sigma`` has a known
shape (the Rice integral), flat-topped with sharp shoulders when ``R`` is large against
``sigma`` and Gaussian when it is small. The shoulder's steepness (the radii where the profile
falls to 80, 50 and 20 % of its peak) gives each dot's ``R / sigma``; the blur is the same for
every dot of the photo, so it is the median over the darkest dots, and each dot's radius
follows from where its profile falls to half.

Only impressions already found are measured, up to ``MAX_MEASURED`` of them, so the work does
not grow with the photo.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from scalpmap.imaging.dot_profile_table import DISC_RADII
from scalpmap.imaging.skin import LUMA_WEIGHTS, LocalSkin

MAX_MEASURED = 600
N_ANGLES = 16
RADIUS_STEP_PX = 0.25
LEVELS = (0.8, 0.5, 0.2)
DISC_RHOS = np.arange(0.0, 12.01, 0.25)
"""The ``R / sigma`` of the disc table's rows."""


@dataclass(frozen=True)
class DotSizes:
    """Sizes of a sample of impressions, without the blur.

    Attributes
    ----------
    diameter_px : ndarray of float, shape (K,)
        Each measured impression's diameter (NaN where its profile could not be read).
    blur_sigma_px : float
        The photo's blur, as the sigma of a Gaussian (NaN when not measured).
    """

    diameter_px: NDArray[np.float64]
    blur_sigma_px: float


@functools.cache
def _disc_table() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Radii where a blurred disc's profile falls to each of ``LEVELS``, per ``R / sigma``.

    Returns ``rho`` (R / sigma, shape (K,)) and the radii in units of sigma, shape (K, 3):
    :func:`compute_disc_table`'s values, stored in :mod:`scalpmap.imaging.dot_profile_table`.
    """
    return DISC_RHOS, np.array(DISC_RADII, dtype=np.float64)


def compute_disc_table() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Compute the radii where a blurred disc's profile falls to each of ``LEVELS``.

    Returns
    -------
    rho : ndarray of float, shape (K,)
        ``R / sigma``: 0 to 12 in steps of 0.25.
    radii : ndarray of float, shape (K, 3)
        The radii, in units of sigma (:data:`scalpmap.imaging.dot_profile_table.DISC_RADII`).
    """
    rhos = DISC_RHOS
    table = np.empty((len(rhos), len(LEVELS)))
    for i, rho in enumerate(rhos):
        r = np.arange(0.0, rho + 6.0, 0.05)
        if rho == 0:
            profile = np.exp(-(r**2) / 2)
        else:  # p(r) = int_0^rho s exp(-(r^2 + s^2) / 2) I0(r s) ds, with I0 scaled
            s = np.linspace(0.0, rho, 41)
            rs = r[:, None] * s[None, :]
            integrand = s * np.exp(-((r[:, None] - s) ** 2) / 2) * np.i0(rs) * np.exp(-rs)
            profile = np.trapezoid(integrand, s, axis=1)
        table[i] = _crossings(r, profile[None, :] / profile[0])[0]
    return rhos, table


def _crossings(radii: NDArray[np.float64], profiles: NDArray[np.float64]) -> NDArray[np.float64]:
    """First radius where each normalised profile falls below each of ``LEVELS`` (NaN if never)."""
    rows = np.arange(len(profiles))
    out = np.full((len(profiles), len(LEVELS)), np.nan)
    for j, level in enumerate(LEVELS):
        below = profiles < level
        k = np.argmax(below, axis=1)
        inner = np.maximum(k - 1, 0)
        p0, p1 = profiles[rows, inner], profiles[rows, k]
        frac = (p0 - level) / np.maximum(p0 - p1, 1e-9)
        found = below.any(axis=1) & (k > 0)
        out[found, j] = (radii[inner] + frac * (radii[k] - radii[inner]))[found]
    return out


def _profiles(
    rgb: NDArray[np.uint8],
    xy: NDArray[np.float64],
    reach_px: float,
    skin: LocalSkin,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Radial contrast profiles (median over the angles), baseline removed, and their radii."""
    radii = np.arange(0.0, reach_px + 1e-9, RADIUS_STEP_PX)
    angles = np.arange(N_ANGLES) * (2 * np.pi / N_ANGLES)
    px = xy[:, 0, None, None] + np.cos(angles)[None, :, None] * radii[None, None, :]
    py = xy[:, 1, None, None] + np.sin(angles)[None, :, None] * radii[None, None, :]
    n = len(xy)
    samples = cv2.remap(
        rgb,
        px.reshape(n * N_ANGLES, -1).astype(np.float32),
        py.reshape(n * N_ANGLES, -1).astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    luma = (samples.astype(np.float32) @ LUMA_WEIGHTS).reshape(n, N_ANGLES, len(radii))
    skin_luma = np.maximum(skin.rgb_at(xy[:, 0], xy[:, 1]) @ LUMA_WEIGHTS, 1.0)
    contrast = 1.0 - luma / skin_luma[:, None, None]
    profiles = np.median(contrast, axis=1).astype(np.float64)  # a neighbour darkens few rays
    outer = radii >= 0.75 * reach_px
    profiles -= np.median(profiles[:, outer], axis=1)[:, None]  # the skin right around it
    return profiles, radii


def measure_dot_sizes(
    rgb: NDArray[np.uint8],
    xy: NDArray[np.float64],
    footprint_px: NDArray[np.float64],
    skin: LocalSkin,
) -> DotSizes:
    """Measure impressions' diameters without the blur, from their radial profiles.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    xy : ndarray of float, shape (N, 2)
        Centres of impressions found.
    footprint_px : ndarray of float, shape (N,)
        Their footprint diameters (blur included), which size the profiles.
    skin : LocalSkin
        The local skin the contrast is judged against.

    Returns
    -------
    DotSizes
        Diameters of up to ``MAX_MEASURED`` impressions (every k-th), and the blur.

    Examples
    --------
    >>> import numpy as np, cv2
    >>> from scalpmap.imaging.skin import estimate_local_skin
    >>> photo = np.full((200, 200, 3), 200, np.uint8)
    >>> for x in range(30, 180, 30):  # dots of 49 px, 7.9 px across
    ...     _ = cv2.circle(photo, (x, 100), 4, (60, 60, 60), -1)
    >>> photo = cv2.GaussianBlur(photo, (0, 0), 0.8)
    >>> xy = np.array([[x, 100.0] for x in range(30, 180, 30)])
    >>> sizes = measure_dot_sizes(photo, xy, np.full(5, 9.0),
    ...                           estimate_local_skin(photo, mm_per_px=0.03))
    >>> np.round(sizes.diameter_px, 1).tolist(), round(sizes.blur_sigma_px, 1)
    ([7.8, 7.8, 7.8, 7.8, 7.8], 0.9)
    """
    if len(xy) == 0:
        return DotSizes(np.zeros(0), float("nan"))
    step = max(1, -(-len(xy) // MAX_MEASURED))
    xy, footprint_px = xy[::step], footprint_px[::step]
    reach = 1.5 * float(np.median(footprint_px)) + 3.0
    profiles, radii = _profiles(rgb, xy, reach, skin)
    peak = profiles[:, 0]
    usable = peak > 0
    crossings = np.full((len(xy), len(LEVELS)), np.nan)
    crossings[usable] = _crossings(radii, profiles[usable] / peak[usable, None])
    r80, r50, r20 = crossings.T
    rhos, table = _disc_table()
    steepness = (r20 - r80) / r50  # 0.96 for a Gaussian, towards 0 for a sharp-edged disc
    resolved = rhos >= 1.0  # below, a blurred disc is as good as a Gaussian
    steep_t = (table[:, 2] - table[:, 0]) / table[:, 1]
    rho = np.interp(steepness, steep_t[resolved][::-1], rhos[resolved][::-1])
    sigma_each = r50 / np.interp(rho, rhos, table[:, 1])
    darkest = np.isfinite(sigma_each) & (peak >= np.nanpercentile(peak[usable], 67))
    if not darkest.any():
        return DotSizes(np.full(len(xy), np.nan), float("nan"))
    sigma = float(np.median(sigma_each[darkest]))
    radius = sigma * np.interp(r50 / sigma, table[:, 1], rhos, left=0.0)
    return DotSizes(np.asarray(2 * radius, dtype=np.float64), sigma)
