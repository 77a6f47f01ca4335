"""Join the stretches of a region's outline that make one hairline.

The hairline is the region's edge against bare skin. Where the edge meets something that hides
it (the masked face, an ear, the head's silhouette), the outline is cut into stretches: a side
view's frontal, temporal and sideburn stretches, either side of the temple's bare skin. Stretches
that follow each other along the outline with a short gap between them are one hairline; a
stretch far from the others (the rim of a shine spot on the far side of the crown) is not.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def polyline_length(xy: NDArray[np.float64]) -> float:
    """Length of a polyline.

    Parameters
    ----------
    xy : ndarray of float, shape (M, 2)
        The points.

    Returns
    -------
    float
        Its length (0 for fewer than two points).
    """
    return float(np.linalg.norm(np.diff(xy, axis=0), axis=1).sum()) if len(xy) > 1 else 0.0


def join_near_stretches(
    stretches: list[NDArray[np.float64]], scores: list[float], join_px: float
) -> tuple[NDArray[np.float64], float]:
    """Chain stretches, in their order along the outline, across gaps up to ``join_px``.

    Parameters
    ----------
    stretches : list of ndarray of float, shape (M, 2)
        The stretches, in their order along the (cyclic) outline.
    scores : list of float
        How much hairline each stretch holds.
    join_px : float
        The longest gap, end to start, that is crossed.

    Returns
    -------
    chain : ndarray of float, shape (K, 2)
        The chain with the highest total score (``(0, 2)`` when there is no stretch).
    score : float
        Its total score.

    Examples
    --------
    >>> a = np.array([[0.0, 0.0], [10.0, 0.0]])
    >>> b = np.array([[12.0, 0.0], [20.0, 0.0]])
    >>> c = np.array([[90.0, 0.0], [95.0, 0.0]])
    >>> chain, score = join_near_stretches([a, b, c], [10.0, 8.0, 5.0], 5.0)
    >>> len(chain), score
    (4, 18.0)
    """
    if not stretches:
        return np.zeros((0, 2)), 0.0
    groups: list[list[int]] = [[0]]
    for i in range(1, len(stretches)):
        gap = float(np.hypot(*(stretches[i][0] - stretches[groups[-1][-1]][-1])))
        if gap <= join_px:
            groups[-1].append(i)
        else:
            groups.append([i])
    if len(groups) > 1:  # the outline is cyclic: the last group may continue into the first
        gap = float(np.hypot(*(stretches[groups[0][0]][0] - stretches[groups[-1][-1]][-1])))
        if gap <= join_px:
            groups[0] = groups.pop() + groups[0]
    best = max(groups, key=lambda group: sum(scores[i] for i in group))
    return np.concatenate([stretches[i] for i in best]), float(sum(scores[i] for i in best))
