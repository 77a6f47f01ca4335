"""The skin at the head's outline in a whole-head analysis: ears are not gaps in the work.

Small synthetic grids: a bare lobe at the outline (an ear seen from above) is not filled into the
region while a gap closed by pigment and a thin bare rim are.
"""

from __future__ import annotations

import numpy as np

from scalpmap.imaging.bare_skin import EDGE_LOBE_MM, edge_lobes, fill_gaps

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
