"""The skin at the head's outline in a whole-head analysis: ears are not gaps, the rim not pigment.

Small synthetic grids and patches: a bare lobe at the outline (an ear seen from above) is not
filled into the region while a gap closed by pigment and a thin bare rim are; the texture the
region is traced on leaves out the head mask's rim, where it reads the background's step, and the
rim's cells take the field of the cells inside them.
"""

from __future__ import annotations

import numpy as np

from scalpmap.imaging.bare_skin import EDGE_LOBE_MM, edge_lobes, fill_gaps
from scalpmap.imaging.pigment_texture import smooth_texture, texture_cells

MM_PER_PX = 0.25
PX_PER_CELL = 2.0  # 0.5 mm cells


def _grid() -> tuple[np.ndarray, np.ndarray]:
    """A head of 200 x 200 cells (10 cm) on a grid with a margin off the head."""
    area = np.zeros((240, 240), bool)
    area[20:220, 20:220] = True
    pigment = area.copy()
    return area, pigment


def test_an_ear_at_the_outline_is_a_lobe_not_a_gap() -> None:
    area, pigment = _grid()
    ear = np.zeros_like(area)
    ear[100:160, 10:40] = True  # 15 mm wide, standing out of the outline and 10 mm into it
    area |= ear
    pigment &= ~ear
    unpigmented = area & ~pigment
    face = np.zeros_like(area)
    lobes = edge_lobes(unpigmented, face, area, PX_PER_CELL, MM_PER_PX)
    assert lobes[ear].all() and not lobes[~ear].any()
    gaps = fill_gaps(pigment, unpigmented, face, PX_PER_CELL, MM_PER_PX, lobes)
    assert not gaps.any()
    # Without the lobes, the ear is filled like a gap (as before).
    assert fill_gaps(pigment, unpigmented, face, PX_PER_CELL, MM_PER_PX)[ear].all()


def test_a_gap_in_the_work_and_a_thin_bare_rim_are_still_gaps() -> None:
    area, pigment = _grid()
    hole = np.zeros_like(area)
    hole[100:130, 100:130] = True  # closed by pigment all round, 15 mm across
    rim_cells = int(EDGE_LOBE_MM / (PX_PER_CELL * MM_PER_PX)) - 3
    rim = np.zeros_like(area)
    rim[60:140, 20 : 20 + rim_cells] = True  # a bare rim along the outline, thinner than a lobe
    pigment &= ~(hole | rim)
    unpigmented = area & ~pigment
    face = np.zeros_like(area)
    lobes = edge_lobes(unpigmented, face, area, PX_PER_CELL, MM_PER_PX)
    assert not lobes.any()
    gaps = fill_gaps(pigment, unpigmented, face, PX_PER_CELL, MM_PER_PX, lobes)
    assert gaps[hole].all() and gaps[rim].all()


def test_the_face_is_neither_a_lobe_nor_a_gap() -> None:
    area, pigment = _grid()
    face = np.zeros_like(area)
    face[150:220, 60:180] = True  # the forehead, opening onto the outline below
    pigment &= ~face
    unpigmented = area & ~pigment
    assert not edge_lobes(unpigmented, face, area, PX_PER_CELL, MM_PER_PX).any()
    assert not fill_gaps(pigment, unpigmented, face, PX_PER_CELL, MM_PER_PX).any()


def _head_on_white_wall() -> tuple[np.ndarray, np.ndarray]:
    """Even, lightly noisy skin on a white wall; the mask runs 4 px (1 mm) onto the wall."""
    rng = np.random.default_rng(3)
    rgb = np.full((400, 400, 3), 245.0)
    yy, xx = np.mgrid[0:400, 0:400]
    head = (xx - 200) ** 2 + (yy - 200) ** 2 <= 150**2
    skin = np.array([190.0, 140.0, 110.0]) + rng.normal(0.0, 2.0, (400, 400, 1))
    rgb[head] = skin[head]
    mask = (xx - 200) ** 2 + (yy - 200) ** 2 <= 154**2
    return np.clip(rgb, 0, 255).astype(np.uint8), mask


def test_the_traced_texture_leaves_the_mask_rim_out() -> None:
    rgb, mask = _head_on_white_wall()
    cell_px = 2
    rows, cols = mask.shape[0] // cell_px, mask.shape[1] // cell_px
    yy, xx = np.mgrid[0:rows, 0:cols]
    dist = np.hypot((xx + 0.5) * cell_px - 200, (yy + 0.5) * cell_px - 200)
    area = dist <= 150
    rim = area & (dist >= 140)  # the outer 10 px (2.5 mm) of the head
    middle = dist <= 100
    cells = texture_cells(rgb, mask, MM_PER_PX, cell_px, measures=("dots",), rim_mm=1.5)["dots"]
    found = {}
    for inner in (False, True):
        coarse, _ = smooth_texture(cells, area, cell_px * MM_PER_PX, inner=inner)
        found[inner] = (
            float(np.nanmedian(coarse[middle])),
            float(np.nanmax(coarse[rim])),
            float(np.isfinite(coarse[rim]).mean()),
        )
    middle_level, rim_level, _ = found[False]
    assert rim_level > 1.5 * middle_level  # the whole mask's rim reads the wall's step as dots
    middle_level, rim_level, seen = found[True]
    assert rim_level < 1.1 * middle_level
    assert seen == found[False][2]  # the rim's cells take the field of the cells inside
