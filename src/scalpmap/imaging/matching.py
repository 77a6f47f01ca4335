"""Match two point sets one to one: detections against truth, or one visit against another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching
from scipy.spatial import cKDTree


@dataclass(frozen=True)
class PointMatch:
    """A one-to-one matching of reference points to found points.

    Attributes
    ----------
    pairs : ndarray of int, shape (K, 2)
        Index into the reference points, index into the found points.
    distances : ndarray of float, shape (K,)
        Distance of each pair, in the input's units.
    n_reference, n_found : int
        Sizes of the two sets.
    """

    pairs: NDArray[np.intp]
    distances: NDArray[np.float64]
    n_reference: int
    n_found: int

    @property
    def recall(self) -> float:
        """Share of reference points that were found."""
        return len(self.pairs) / self.n_reference if self.n_reference else 1.0

    @property
    def precision(self) -> float:
        """Share of found points that match a reference point."""
        return len(self.pairs) / self.n_found if self.n_found else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def match_points(
    reference_xy: NDArray[np.float64], found_xy: NDArray[np.float64], *, tolerance: float
) -> PointMatch:
    """Pair points one to one, minimising the total distance, within ``tolerance``.

    Parameters
    ----------
    reference_xy : ndarray of float, shape (N, 2)
        Reference points (e.g. the truth).
    found_xy : ndarray of float, shape (M, 2)
        Found points.
    tolerance : float
        Largest distance of a pair.

    Returns
    -------
    PointMatch
        The pairs.

    Examples
    --------
    >>> import numpy as np
    >>> m = match_points(np.array([[0.0, 0], [10, 0]]), np.array([[0.5, 0], [30, 0]]), tolerance=1)
    >>> m.pairs.tolist(), m.recall, m.precision
    ([[0, 0]], 0.5, 0.5)
    """
    reference_xy = np.asarray(reference_xy, dtype=np.float64).reshape(-1, 2)
    found_xy = np.asarray(found_xy, dtype=np.float64).reshape(-1, 2)
    empty = PointMatch(np.zeros((0, 2), np.intp), np.zeros(0), len(reference_xy), len(found_xy))
    if len(reference_xy) == 0 or len(found_xy) == 0:
        return empty
    near = cKDTree(reference_xy).sparse_distance_matrix(
        cKDTree(found_xy), tolerance, output_type="coo_matrix"
    )
    if near.nnz == 0:
        return empty
    # Solve each connected cluster of candidate pairs; most clusters are a single pair.
    rows, cols, dist = near.row, near.col, near.data
    ref_ids, ref_index = np.unique(rows, return_inverse=True)
    found_ids, found_index = np.unique(cols, return_inverse=True)
    pairs: NDArray[np.signedinteger[Any]]
    if len(ref_ids) <= 2000 and len(found_ids) <= 2000:
        cost = np.full((len(ref_ids), len(found_ids)), 1e9)
        cost[ref_index, found_index] = dist
        r, c = linear_sum_assignment(cost)
        good = cost[r, c] <= tolerance
        pairs = np.column_stack([ref_ids[r[good]], found_ids[c[good]]])
    else:
        graph = csr_matrix(
            (dist + 1e-9 + tolerance, (ref_index, found_index)),
            shape=(len(ref_ids), len(found_ids)),
        )
        pairs = _greedy_or_full(graph, ref_ids, found_ids)
    d = np.linalg.norm(reference_xy[pairs[:, 0]] - found_xy[pairs[:, 1]], axis=1)
    return PointMatch(pairs.astype(np.intp), d, len(reference_xy), len(found_xy))


def _greedy_or_full(
    graph: csr_matrix,
    ref_ids: NDArray[np.signedinteger[Any]],
    found_ids: NDArray[np.signedinteger[Any]],
) -> NDArray[np.signedinteger[Any]]:
    """Maximum matching of a large sparse graph, falling back to greedy nearest-first."""
    try:
        match = min_weight_full_bipartite_matching(graph, maximize=False)
        return np.column_stack([ref_ids[match[0]], found_ids[match[1]]])
    except ValueError:  # no full matching exists: take pairs nearest first
        coo = graph.tocoo()
        order = np.argsort(coo.data)
        used_r: set[int] = set()
        used_c: set[int] = set()
        chosen = []
        for k in order:
            r, c = int(coo.row[k]), int(coo.col[k])
            if r not in used_r and c not in used_c:
                used_r.add(r)
                used_c.add(c)
                chosen.append((ref_ids[r], found_ids[c]))
        return np.asarray(chosen, dtype=np.intp).reshape(-1, 2)
