"""The local skin around every pixel (its colour without the dots) and a pixel's contrast to it.

Judging darkness against the *local* skin makes the detector work the same on every skin type, under
uneven light and across blotches: an ink dot removes a share of the light the skin beside it
reflects, whatever that skin's colour. The contrast's local noise is
:mod:`scalpmap.imaging.skin_noise`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

# Re-exported: the close-up detector (detect.py) imports it from here.
from scalpmap.imaging.skin_noise import local_noise_grid as local_noise_grid
from scalpmap.imaging.validate import check_mm_per_px, check_rgb

SKIN_WINDOW_MM = 2.0
SKIN_CELL_MM = 0.12
MARK_FREE_CELL_MM = 0.18
"""With ``without_marks``, the grid's cells are at least this large: the median and the level on
it take less time than the median alone on the default grid, and the skin's resolution is set by
its window."""
MARK_SIGMAS = 2.5
"""With ``without_marks``, a cell darker than the median by this many standard deviations of the
cells' local spread is a mark (a dot, a pore, a hair), left out of the skin's level."""
MAX_MARK_SHARE = 0.5
"""Where marks fill more than this share of the window, the median stays (too little skin)."""
MAX_LIFT = 0.03
"""Without its marks the skin is at most this much lighter than the median: dots covering a fifth
of the skin lift it by well under that."""
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114], dtype=np.float32)
MEDIAN_BAND_PIXELS = 1_000_000
"""A skin grid larger than this is median-filtered in two bands on two threads."""


@dataclass(frozen=True)
class LocalSkin:
    """The skin's colour around each pixel, ignoring small dark marks.

    Attributes
    ----------
    rgb_small : ndarray of float32, shape (r, c, 3)
        Median skin colour (0..255) on a coarse grid of ``cell_px`` pixels.
    cell_px : int
        Size of one grid cell in photo pixels.
    shape : tuple of int
        The photo's ``(rows, cols)``.
    """

    rgb_small: NDArray[np.float32]
    cell_px: int
    shape: tuple[int, int]

    @property
    def luma(self) -> NDArray[np.float32]:
        """The skin's luminance at full resolution, at least 1 (computed on each access)."""
        rows, cols = self.shape
        luma_small = np.asarray(self.rgb_small @ LUMA_WEIGHTS, dtype=np.float32)
        luma = np.asarray(
            cv2.resize(luma_small, (cols, rows), interpolation=cv2.INTER_LINEAR), dtype=np.float32
        )
        return np.maximum(luma, np.float32(1.0), out=luma)  # in place: one full-size array

    def rgb_at(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.float32]:
        """Skin colour at pixel positions, by bilinear lookup on the coarse grid.

        Parameters
        ----------
        x, y : ndarray of float
            Pixel coordinates.

        Returns
        -------
        ndarray of float32, shape (N, 3)
            Skin RGB, 0..255.
        """
        col = np.clip((np.asarray(x) + 0.5) / self.cell_px - 0.5, 0, self.rgb_small.shape[1] - 1)
        row = np.clip((np.asarray(y) + 0.5) / self.cell_px - 0.5, 0, self.rgb_small.shape[0] - 1)
        c0, r0 = np.floor(col).astype(int), np.floor(row).astype(int)
        c1 = np.minimum(c0 + 1, self.rgb_small.shape[1] - 1)
        r1 = np.minimum(r0 + 1, self.rgb_small.shape[0] - 1)
        fc, fr = (col - c0)[:, None], (row - r0)[:, None]
        grid = self.rgb_small
        top = grid[r0, c0] * (1 - fc) + grid[r0, c1] * fc
        bottom = grid[r1, c0] * (1 - fc) + grid[r1, c1] * fc
        return np.asarray(top * (1 - fr) + bottom * fr, dtype=np.float32)


def luminance(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Rec. 601 luminance of an RGB image, float32 0..255.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.

    Returns
    -------
    ndarray of float32, shape (rows, cols)
        Luminance.
    """
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)


def estimate_local_skin(
    rgb: NDArray[np.uint8],
    *,
    mm_per_px: float,
    window_mm: float = SKIN_WINDOW_MM,
    cell_mm: float = SKIN_CELL_MM,
    mask: NDArray[np.bool_] | None = None,
    without_marks: bool = False,
) -> LocalSkin:
    """Estimate the skin colour around each pixel with a coarse running median.

    Dots, pores and stubble cover a small share of any ``window_mm`` window, so the median of the
    window is the skin between them. A small share still pulls the median towards dark: where
    impressions are dense, the skin comes out a little darker than it is, and lighter once some
    of them are gone (after a laser session, or in a simulation of one). With ``without_marks``
    the skin's level is taken again without the cells that the median shows as dark marks
    (``MARK_SIGMAS`` local standard deviations darker than it), so that it is the skin's own,
    however many dots the window holds.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (rows, cols, 3)
        The photo.
    mm_per_px : float
        Scale.
    window_mm : float, optional
        Side of the median window; several times the largest impression.
    cell_mm : float, optional
        Resolution of the coarse grid.
    mask : ndarray of bool, shape (rows, cols), optional
        Where the skin is (the head). Outside it, e.g. on a wall behind the head, the skin colour
        is extrapolated from the nearby skin so that the background never counts as skin.
    without_marks : bool, optional
        Take the skin's level again without the dark marks (see above).

    Returns
    -------
    LocalSkin
        The local skin.

    Examples
    --------
    >>> import numpy as np
    >>> photo = np.full((60, 80, 3), 200, np.uint8)
    >>> photo[30, 40] = 20
    >>> skin = estimate_local_skin(photo, mm_per_px=0.03)
    >>> float(skin.luma[30, 40]) > 190
    True
    """
    check_rgb(rgb)
    check_mm_per_px(mm_per_px)
    rows, cols = rgb.shape[:2]
    if without_marks:
        cell_mm = max(cell_mm, MARK_FREE_CELL_MM)
    cell_px = max(1, int(cell_mm / mm_per_px))
    small_size = (max(1, cols // cell_px), max(1, rows // cell_px))
    small = np.asarray(cv2.resize(rgb, small_size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    if mask is not None and not mask.all():
        small = _fill_outside(small, mask, small_size, window_mm / (cell_px * mm_per_px))
    window = int(window_mm / (cell_px * mm_per_px)) | 1
    window = max(3, min(window, 2 * (min(small_size) // 2) - 1 if min(small_size) > 3 else 3))
    median = _median_blur(small, window) if min(small_size) >= 3 else small
    level = median.astype(np.float32)
    if without_marks and min(small_size) >= 3:
        level = _level_without_marks(small, median, window)
    rgb_small = np.asarray(cv2.GaussianBlur(level, (0, 0), max(1.0, window / 6)), dtype=np.float32)
    return LocalSkin(rgb_small=rgb_small, cell_px=cell_px, shape=(rows, cols))


def _level_without_marks(
    small: NDArray[np.uint8], median: NDArray[np.uint8], window: int
) -> NDArray[np.float32]:
    """Return the skin's level over each window again, without the marks the median shows.

    A cell is a mark when it is darker than the running ``median`` by ``MARK_SIGMAS`` times the
    local spread of the cells on the bright side of it (the skin's own texture and noise; dark
    marks never fall there), measured over about half a window. The marks are set to black and
    white in a checkerboard, so that as many fall below any skin value as above it: each
    window's median is then the median of its other cells. That median moves in whole 8-bit
    steps (one is 1.5 % of the darkest skin's luminance), so within its step the level follows
    the mean of the cells that are neither marks nor as much brighter (highlights). Where marks
    fill half the window (``MAX_MARK_SHARE``), or the level differs from the first median by
    more than marks can pull it (``MAX_LIFT``: two surfaces in the window, such as the head's
    outline against a wall or a mole's edge), the first median stays.
    """
    luma = np.asarray(small, dtype=np.float32) @ LUMA_WEIGHTS
    reference = np.maximum(np.asarray(median, dtype=np.float32) @ LUMA_WEIGHTS, np.float32(1.0))
    contrast = 1.0 - luma / reference
    bright_side = np.square(np.minimum(contrast, 0.0))
    spread = np.sqrt(2.0 * cv2.GaussianBlur(bright_side, (0, 0), max(1.0, window / 2)))
    limit = MARK_SIGMAS * spread
    marks = contrast > limit
    if not marks.any():
        return median.astype(np.float32)
    rows, cols = np.nonzero(marks)  # a few per cent of the cells
    patched = small.copy()
    patched[rows, cols] = np.where((rows + cols) % 2 == 1, 255, 0).astype(np.uint8)[:, None]
    second = _median_blur(patched, window).astype(np.float32)
    del patched
    skin = (contrast >= -limit) & ~marks
    size = (window, window)
    weight = cv2.boxFilter(skin.astype(np.float32), -1, size, borderType=cv2.BORDER_REPLICATE)
    total = cv2.boxFilter(np.multiply(small, skin[..., None], dtype=np.float32), -1, size,
                          borderType=cv2.BORDER_REPLICATE)  # fmt: skip
    # In place, the same values as np.clip(total / weight, second - 0.5, second + 0.5).
    level = np.divide(total, np.maximum(weight, np.float32(1e-6))[..., None], out=total)
    np.maximum(level, np.subtract(second, np.float32(0.5)), out=level)
    np.minimum(level, np.add(second, np.float32(0.5), out=second), out=level)
    del second
    share = cv2.boxFilter(marks.astype(np.float32), -1, size, borderType=cv2.BORDER_REPLICATE)
    # Marks only darken: without them the skin is a little lighter than the median, or as light
    # (within one 8-bit step).
    lift = np.asarray(level @ LUMA_WEIGHTS, dtype=np.float32) - reference
    lifted = (lift >= -1.0) & (lift <= MAX_LIFT * reference) & (share <= MAX_MARK_SHARE)
    stays = np.nonzero(~lifted)  # the first median stays
    level[stays] = median[stays]
    return np.asarray(level, dtype=np.float32)


def _fill_outside(
    small: NDArray[np.uint8],
    mask: NDArray[np.bool_],
    small_size: tuple[int, int],
    reach_cells: float,
) -> NDArray[np.uint8]:
    """Replace the cells outside ``mask`` by a weighted average of the nearby skin cells."""
    share = cv2.resize(mask.view(np.uint8), small_size, interpolation=cv2.INTER_AREA)
    inside = (share >= 1).astype(np.float32)  # uint8 area average: 1 only where (nearly) all in
    outside = inside == 0
    if outside.all() or not outside.any():
        return small
    # Normalised convolution, on a grid coarser by the blur's own scale (a quarter of sigma).
    sigma = max(1.0, reach_cells)
    factor = max(1, int(sigma // 4))
    rows, cols = inside.shape
    coarse_size = (max(1, cols // factor), max(1, rows // factor))
    inside_c = cv2.resize(inside, coarse_size, interpolation=cv2.INTER_AREA)
    colour_c = cv2.resize(
        np.multiply(small, inside[..., None], dtype=np.float32),
        coarse_size,
        interpolation=cv2.INTER_AREA,
    )
    weight = cv2.GaussianBlur(inside_c, (0, 0), sigma / factor)
    filled_c = cv2.GaussianBlur(colour_c, (0, 0), sigma / factor)
    filled_c = filled_c / np.maximum(weight, 1e-6)[..., None]
    far = weight < 1e-3
    if far.any():  # beyond the blur's reach: the mean skin colour
        filled_c[far] = _mean_inside(small, outside)
    filled = cv2.resize(filled_c, (cols, rows), interpolation=cv2.INTER_LINEAR)
    # Only the cells outside change: at 0.08 mm/px the grid is the whole 12 MP photo.
    out = small.copy()
    out[outside] = np.clip(filled[outside] + 0.5, 0, 255).astype(np.uint8)
    return out


def _mean_inside(small: NDArray[np.uint8], outside: NDArray[np.bool_]) -> NDArray[np.float64]:
    """Return the mean colour of the cells not ``outside``, as ``small[~outside].mean(axis=0)``.

    The whole grid's sums (OpenCV) less the few cells outside: whole numbers, exact in float64,
    so the mean is the same to the last bit without copying the cells inside.
    """
    total = np.asarray(cv2.sumElems(small)[:3], dtype=np.float64)
    total -= small[outside].sum(axis=0, dtype=np.float64)
    return np.asarray(total / (outside.size - np.count_nonzero(outside)), dtype=np.float64)


def _median_blur(small: NDArray[np.uint8], window: int) -> NDArray[np.uint8]:
    """OpenCV's median filter; a large grid in two overlapping bands on two threads (same result).

    ``cv2.medianBlur`` runs on one core and releases the GIL. Each band is filtered with half a
    window of the other band's rows around it, so every kept row sees the same neighbourhood as
    in one call, and the photo's own top and bottom edges are replicated as before.
    """
    rows = small.shape[0]
    if small.shape[0] * small.shape[1] <= MEDIAN_BAND_PIXELS or rows < 2 * window:
        return np.asarray(cv2.medianBlur(small, window), dtype=np.uint8)
    half, cut = window // 2, rows // 2

    def band(top: int, bottom: int) -> NDArray[np.uint8]:
        lo, hi = max(0, top - half), min(rows, bottom + half)
        filtered = cv2.medianBlur(np.ascontiguousarray(small[lo:hi]), window)
        return np.asarray(filtered[top - lo : bottom - lo], dtype=np.uint8)

    with ThreadPoolExecutor(max_workers=2) as pool:
        upper, lower = pool.map(lambda span: band(*span), ((0, cut), (cut, rows)))
    return np.concatenate([upper, lower])


def relative_contrast(
    luma: NDArray[np.float32], skin: LocalSkin, *, smooth_px: float = 0.0
) -> NDArray[np.float32]:
    """How much each pixel is darker than its local skin, as a share of the skin's brightness.

    Parameters
    ----------
    luma : ndarray of float32, shape (rows, cols)
        Luminance of the photo.
    skin : LocalSkin
        Local skin estimate.
    smooth_px : float, optional
        Gaussian smoothing of the result (sigma in pixels), 0 for none.

    Returns
    -------
    ndarray of float32
        ``1 - luma / skin``: 0 on bare skin, towards 1 on black ink, negative where brighter.
    """
    contrast = skin.luma  # a fresh array: computed in place to keep the peak memory low
    np.divide(luma, contrast, out=contrast)
    np.subtract(np.float32(1.0), contrast, out=contrast)
    if smooth_px > 0:
        _blur_in_place(contrast, smooth_px)
    return contrast


def _blur_in_place(image: NDArray[np.float32], sigma: float, band_rows: int = 256) -> None:
    """Gaussian blur of ``image`` into itself, a band of rows at a time.

    OpenCV's in-place blur takes a full-size copy first; here each band is blurred from its
    rows plus a margin (the original rows above it, kept aside before they were overwritten),
    which gives the same values with a few megabytes instead.
    """
    rows = image.shape[0]
    margin = int(np.ceil(4 * sigma)) + 2  # past the kernel's reach (OpenCV uses 4 sigma)
    above = image[:0].copy()  # the original rows just above the current band
    for top in range(0, rows, band_rows):
        bottom = min(top + band_rows, rows)
        start, stop = max(0, top - margin), min(rows, bottom + margin)
        source = image[start:stop].copy()
        source[: top - start] = above[above.shape[0] - (top - start) :]
        above = image[max(0, bottom - margin) : bottom].copy()
        blurred = cv2.GaussianBlur(source, (0, 0), sigma)
        image[top:bottom] = blurred[top - start : bottom - start]
