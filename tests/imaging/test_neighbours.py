"""Nearest neighbours with shapely's STR tree match a brute-force search."""

from __future__ import annotations

import numpy as np
import pytest

from scalpmap.imaging.neighbours import (
    distance_to_nearest,
    distance_to_nearest_other,
    nearest_within,
    neighbours_within,
)


def brute_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))


@pytest.mark.parametrize("count", [2, 3, 40, 700])
def test_nearest_other_matches_brute_force_with_repeated_points(count):
    rng = np.random.default_rng(count)
    xy = rng.integers(0, 60, (count, 2)).astype(np.float64)  # a small grid: many ties
    xy[-1] = xy[0]  # one point given twice
    every = brute_distances(xy, xy)
    np.fill_diagonal(every, np.inf)
    expected = every.min(axis=1)
    found = distance_to_nearest_other(xy)
    assert found == pytest.approx(expected)
    assert found[0] == found[-1] == 0.0


def test_nearest_other_of_fewer_than_two_points_is_infinite():
    assert distance_to_nearest_other(np.zeros((0, 2))).shape == (0,)
    assert distance_to_nearest_other(np.array([[4.0, 5.0]])).tolist() == [np.inf]


def test_nearest_known_matches_brute_force():
    rng = np.random.default_rng(5)
    xy, known = rng.uniform(0, 500, (300, 2)), rng.uniform(0, 500, (80, 2))
    assert distance_to_nearest(xy, known) == pytest.approx(brute_distances(xy, known).min(axis=1))
    assert distance_to_nearest(xy, np.zeros((0, 2))).tolist() == [np.inf] * 300


@pytest.mark.parametrize("radius", [0.0, 3.0, 7.5])
def test_neighbours_within_a_radius_match_brute_force(radius):
    rng = np.random.default_rng(9)
    xy = rng.integers(0, 80, (400, 2))
    every = brute_distances(xy.astype(np.float64), xy.astype(np.float64))
    found = neighbours_within(xy, radius)
    assert len(found) == len(xy)
    for row, neighbours in zip(every, found, strict=True):
        assert neighbours.tolist() == np.flatnonzero(row <= radius).tolist()


def test_points_of_the_wrong_shape_are_refused():
    with pytest.raises(ValueError, match=r"shape \(N, 2\)"):
        distance_to_nearest_other(np.zeros((4, 3)))


@pytest.mark.parametrize("reach", [0.5, 4.0, 25.0])
def test_nearest_within_a_reach_matches_brute_force(reach):
    rng = np.random.default_rng(int(reach * 10))
    points = rng.uniform(-40, 300, (250, 2))
    queries = rng.uniform(-60, 320, (900, 2))
    every = brute_distances(queries, points)
    index, distance = nearest_within(queries, points, reach)
    within = every.min(axis=1) <= reach
    assert within.any()
    assert (index >= 0).tolist() == within.tolist()
    assert index[within].tolist() == every[within].argmin(axis=1).tolist()
    assert distance[within] == pytest.approx(every.min(axis=1)[within])
    assert np.isinf(distance[~within]).all()


def test_nearest_within_without_points_or_queries_finds_nothing():
    index, distance = nearest_within(np.ones((3, 2)), np.zeros((0, 2)), 5.0)
    assert index.tolist() == [-1, -1, -1] and np.isinf(distance).all()
    assert nearest_within(np.zeros((0, 2)), np.ones((3, 2)), 5.0)[0].shape == (0,)
