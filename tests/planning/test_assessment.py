"""Assessment of existing SMP: controlled point patterns, colours and hairlines, and one photo."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import Polygon, box

from scalpmap.imaging.analysis import Analysis, DensityGrid, analyse_photo
from scalpmap.imaging.detect import Impressions
from scalpmap.imaging.scale import Scale
from scalpmap.imaging.synth import SynthOptions, generate_scalp_photo
from scalpmap.planning.assessment import assess_smp
from scalpmap.planning.assessment_verdicts import Assessment, Measure, overall_verdict
from scalpmap.planning.hairline_transition import fit_transition

MM = 0.035  # mm per px
SHAPE = (1200, 1600)  # 42 x 56 mm
CELL_PX = 5.0 / MM
SEEDS = (1, 2, 3, 4, 5)
NAMES = {"impression_size", "spacing", "patchiness", "colour_cast", "hairline_harshness"}


def make_analysis(
    xy,
    *,
    region=None,
    diameter=None,
    contrast=None,
    hairline=None,
    mode="impressions",
    shape=SHAPE,
):
    """An analysis with known impressions, region and hairline; the density grid is counted."""
    rows, cols = shape
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    region = box(0, 0, cols - 1, rows - 1) if region is None else region
    n_rows, n_cols = math.ceil(rows / CELL_PX), math.ceil(cols / CELL_PX)
    counts, _, _ = np.histogram2d(
        xy[:, 1],
        xy[:, 0],
        bins=(n_rows, n_cols),
        range=((-0.5, n_rows * CELL_PX - 0.5), (-0.5, n_cols * CELL_PX - 0.5)),
    )
    per_cm2 = counts / (CELL_PX * MM / 10) ** 2
    per_cm2[:, -1] = np.nan  # the last column is mostly outside the photo
    per_cm2[-1, :] = np.nan
    if mode == "coverage":
        per_cm2[:] = np.nan
        xy = np.zeros((0, 2))
        n = 0
    diameter = np.full(n, 0.2) if diameter is None else np.asarray(diameter, float)
    if contrast is None:
        contrast = np.full((n, 3), 0.5)
    return Analysis(
        shape=shape,
        scale=Scale(mm_per_px=MM, source="given"),
        mode=mode,
        mode_reason="test",
        impressions=Impressions(xy, diameter, np.full(n, 0.5), np.asarray(contrast, float)),
        region=region,
        hairline_xy=np.zeros((0, 2)) if hairline is None else np.asarray(hairline, float),
        density=DensityGrid(cell_mm=CELL_PX * MM, cell_px=CELL_PX, per_cm2=per_cm2),
        coverage_percent=0.0,
        analysed_area=box(-0.5, -0.5, cols - 0.5, rows - 0.5),
        ink_tone="neutral",
    )


def poisson(rng, n, bounds=(0, 0, SHAPE[1] - 1, SHAPE[0] - 1)):
    x0, y0, x1, y1 = bounds
    return np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])


def hard_core(rng, n, spacing_px, shape=SHAPE):
    """About ``n`` random points, no two closer than ``spacing_px`` (like hand-placed dots)."""
    xy = poisson(rng, int(1.5 * n), (0, 0, shape[1] - 1, shape[0] - 1))
    close = cKDTree(xy).query_pairs(spacing_px, output_type="ndarray")
    return np.delete(xy, np.unique(close[:, 1]), axis=0)[:n]


def per_cm2(count, area_px):
    return count / (area_px * MM**2 / 100)


# ---------------------------------------------------------------- spacing


@pytest.mark.parametrize("seed", SEEDS)
def test_poisson_and_hard_core_patterns_are_natural(seed):
    rng = np.random.default_rng(seed)
    for xy in (poisson(rng, 1200), hard_core(rng, 1000, 0.4 / MM)):
        m = assess_smp(make_analysis(xy)).measure("spacing")
        assert m.verdict == "good", m.text
        assert 0.85 < m.value < 1.6
        assert m.details["direction_order"] < 0.3


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lattice", ["square", "hex"])
def test_jittered_grid_is_grid_like(seed, lattice):
    rng = np.random.default_rng(seed)
    a = 1.2 / MM  # 1.2 mm pitch
    i, j = np.mgrid[0:40, 0:50].reshape(2, -1)
    if lattice == "square":
        xy = np.column_stack([j * a, i * a])
    else:
        xy = np.column_stack([j * a + (i % 2) * a / 2, i * a * math.sqrt(3) / 2])
    xy = xy + rng.normal(0, 0.05 * a, xy.shape) + 10
    xy = xy[(xy[:, 0] < SHAPE[1] - 1) & (xy[:, 1] < SHAPE[0] - 1)]
    m = assess_smp(make_analysis(xy)).measure("spacing")
    assert m.verdict == "poor" and "grid-like" in m.text
    assert m.value > 1.8


@pytest.mark.parametrize("seed", SEEDS)
def test_rotated_grid_with_large_jitter_is_still_grid_like(seed):
    """A hand-placed grid: R drops towards natural, but the directions keep the lattice."""
    rng = np.random.default_rng(seed)
    a = 1.2 / MM
    i, j = np.mgrid[-30:80, -30:80].reshape(2, -1)
    angle = rng.uniform(0, math.pi / 2)
    rot = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    xy = np.column_stack([j * a, i * a]) @ rot.T + rng.normal(0, 0.15 * a, (i.size, 2))
    xy = xy[(xy >= 0).all(axis=1) & (xy[:, 0] < SHAPE[1] - 1) & (xy[:, 1] < SHAPE[0] - 1)]
    m = assess_smp(make_analysis(xy)).measure("spacing")
    assert m.verdict == "poor" and "grid-like" in m.text, m.text


@pytest.mark.parametrize("seed", SEEDS)
def test_clustered_pattern_is_clustered(seed):
    rng = np.random.default_rng(seed)
    parents = poisson(rng, 120)
    xy = np.repeat(parents, 10, axis=0) + rng.normal(0, 0.4 / MM, (1200, 2))
    xy = xy[(xy >= 0).all(axis=1) & (xy[:, 0] < SHAPE[1] - 1) & (xy[:, 1] < SHAPE[0] - 1)]
    m = assess_smp(make_analysis(xy)).measure("spacing")
    assert m.verdict == "poor" and "clustered" in m.text
    assert m.value < 0.85


def test_spacing_uses_a_guard_area_inside_the_region():
    """Points outside the region still serve as neighbours, but are not judged."""
    rng = np.random.default_rng(7)
    xy = poisson(rng, 1500)
    region = box(300, 300, 1300, 900)
    m = assess_smp(make_analysis(xy, region=region)).measure("spacing")
    density = per_cm2(1, 1) * 1500 / (SHAPE[0] * SHAPE[1]) / 100  # per mm²
    assert m.details["expected_nn_mm"] == pytest.approx(0.5 / math.sqrt(density), rel=0.15)
    assert m.details["n"] < 1500 * region.area / (SHAPE[0] * SHAPE[1])
    assert m.verdict == "good"


def test_too_few_impressions_give_n_a():
    rng = np.random.default_rng(8)
    result = assess_smp(make_analysis(poisson(rng, 12)))
    for name in ("impression_size", "spacing", "colour_cast"):
        assert result.measure(name).verdict == "n/a"
        assert result.measure(name).value is None


# ---------------------------------------------------------------- size


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(("blown", "verdict"), [(0.0, "good"), (0.10, "fair"), (0.30, "poor")])
def test_blown_out_share_sets_the_size_verdict(seed, blown, verdict):
    rng = np.random.default_rng(seed)
    n = 800
    diameter = rng.uniform(0.10, 0.25, n)
    diameter[rng.permutation(n)[: int(blown * n)]] = 0.4
    m = assess_smp(make_analysis(poisson(rng, n), diameter=diameter)).measure("impression_size")
    assert m.verdict == verdict
    assert m.value == pytest.approx(100 * blown, abs=0.5)
    assert m.unit == "%"
    assert m.text.startswith(f"{verdict}: {m.value:.1f}% of impressions are blown out")
    assert m.details["q1_mm"] <= m.details["median_mm"] <= m.details["q3_mm"]


# ---------------------------------------------------------------- colour


def tinted(rng, n, tint):
    return np.clip(0.5 * np.asarray(tint) + rng.normal(0, 0.03, (n, 3)), 0.01, 1)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("tint", "verdict", "cast"),
    [
        ((1.0, 1.0, 1.0), "good", "neutral"),
        ((1.1, 1.0, 0.9), "fair", "blue"),
        ((1.25, 1.0, 0.75), "poor", "blue"),
        ((1.2, 0.75, 1.05), "poor", "green"),
        ((0.8, 1.0, 1.2), "poor", "warm"),
    ],
)
def test_colour_cast(seed, tint, verdict, cast):
    rng = np.random.default_rng(seed)
    n = 400
    a = make_analysis(poisson(rng, n), diameter=np.full(n, 0.3), contrast=tinted(rng, n, tint))
    m = assess_smp(a).measure("colour_cast")
    assert (m.verdict, m.details["cast"]) == (verdict, cast), m.text


def test_colour_ignores_dots_too_small_for_jpeg_chroma():
    rng = np.random.default_rng(9)
    n = 400
    diameter = np.where(np.arange(n) < 300, 0.15, 0.3)  # 0.15 mm = 2.1 px radius
    contrast = np.where((diameter < 0.2)[:, None], tinted(rng, n, (1.3, 1, 0.7)), 0.5)
    m = assess_smp(make_analysis(poisson(rng, n), diameter=diameter, contrast=contrast))
    assert m.measure("colour_cast").verdict == "good"
    assert m.measure("colour_cast").details["n"] == 100


# ---------------------------------------------------------------- patchiness


@pytest.mark.parametrize("seed", SEEDS)
def test_uniform_density_is_not_patchy_and_half_empty_is(seed):
    rng = np.random.default_rng(seed)
    even = assess_smp(make_analysis(poisson(rng, 2000))).measure("patchiness")
    assert even.verdict == "good" and even.value < 0.15
    assert even.details["raw_cv"] > even.value  # counting noise is removed
    dense = poisson(rng, 2000, (0, 0, 800, SHAPE[0] - 1))
    sparse = poisson(rng, 400, (800, 0, SHAPE[1] - 1, SHAPE[0] - 1))
    patchy = assess_smp(make_analysis(np.vstack([dense, sparse]))).measure("patchiness")
    assert patchy.verdict == "poor" and patchy.value > 0.35


def test_patchiness_ignores_cells_partly_outside_the_region():
    rng = np.random.default_rng(10)
    region = box(0, 0, 1100, 1000)  # cuts through a column and a row of cells
    xy = poisson(rng, 3000)
    xy = xy[shapely.contains_xy(region, xy[:, 0], xy[:, 1])]
    m = assess_smp(make_analysis(xy, region=region)).measure("patchiness")
    assert m.verdict == "good"
    assert m.details["cells"] == 7 * 7


# ---------------------------------------------------------------- hairline harshness

HAIRLINE_Y = 600.0
WIDE = (1200, 3000)  # 42 x 105 mm: a close-up of the whole frontal hairline


def ramp_pattern(rng, width_mm, density_cm2=80.0):
    """Impressions above y = HAIRLINE_Y, thinning linearly over ``width_mm`` around it."""
    rows, cols = WIDE
    xy = hard_core(rng, int(density_cm2 * rows * cols * MM**2 / 100), 0.4 / MM, WIDE)
    signed_mm = (HAIRLINE_Y - xy[:, 1]) * MM
    keep = rng.uniform(size=len(xy)) < np.clip(0.5 + signed_mm / max(width_mm, 1e-9), 0, 1)
    region = box(0, 0, cols - 1, HAIRLINE_Y)
    hairline = np.column_stack([np.linspace(1, cols - 2, 50), np.full(50, HAIRLINE_Y)])
    return make_analysis(xy[keep], region=region, hairline=hairline, shape=WIDE)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("width_mm", "verdict", "words"),
    [(0.0, "poor", "painted on"), (2.0, "good", "natural"), (6.0, "fair", "diffuse")],
)
def test_hairline_harshness_from_the_density_ramp(seed, width_mm, verdict, words):
    m = assess_smp(ramp_pattern(np.random.default_rng(seed), width_mm))
    m = m.measure("hairline_harshness")
    assert (m.verdict, m.unit) == (verdict, "mm"), m.text
    assert words in m.text
    assert m.details["low_mm"] <= m.value <= m.details["high_mm"]
    if width_mm == 2.0:
        assert m.value == pytest.approx(2.0, abs=0.7)


def test_harshness_is_n_a_when_too_few_impressions_to_tell():
    rng = np.random.default_rng(12)
    m = assess_smp(ramp_pattern(rng, 2.0, density_cm2=3.0)).measure("hairline_harshness")
    assert m.verdict == "n/a" and m.value is None


def test_fit_transition_follows_a_wandering_edge():
    """Each 20 mm stretch may have its own centre: a step at 0 and one at 1.5 mm stay sharp."""
    d = np.arange(-3.9, 4.0, 0.2)
    area = np.full((2, d.size), 200.0)
    counts = np.array([np.where(d > 0, 100.0, 0.0), np.where(d > 1.5, 100.0, 0.0)])
    width, low, high = fit_transition(d, counts, area)
    assert high < 0.5
    ramp = np.array([200 * np.clip(0.5 + d / 2.0, 0, 1)] * 2)  # expected counts of a 2 mm ramp
    width, low, high = fit_transition(d, ramp, area)
    assert width == pytest.approx(2.0, rel=0.15)
    assert low <= width <= high < 2.5


# ---------------------------------------------------------------- symmetry


def v_hairline(left_peak_y, right_peak_y, *, right_end_y=None):
    """Sideburn, up to the temporal point, down to the midline, and back on the other side."""
    x = [20, 250, 800, 1350, 1580]
    y = [900, left_peak_y, 700, right_peak_y, 900 if right_end_y is None else right_end_y]
    line = shapely.segmentize(shapely.LineString(np.column_stack([x, y])), 5.0)
    return np.asarray(line.coords)


def test_symmetry_reports_the_height_difference_in_mm():
    a = make_analysis(np.zeros((0, 2)), hairline=v_hairline(300, 300 + 4.0 / MM))
    m = assess_smp(a).measure("symmetry")
    assert m.value == pytest.approx(4.0, abs=1e-6)
    assert m.verdict == "fair"
    assert m.text == "fair: the left temporal point sits 4.0 mm higher than the right"
    assert m.details["left_x_px"] == pytest.approx(250)
    even = assess_smp(make_analysis(np.zeros((0, 2)), hairline=v_hairline(300, 320)))
    assert even.measure("symmetry").verdict == "good"
    lopsided = assess_smp(make_analysis(np.zeros((0, 2)), hairline=v_hairline(450, 200)))
    assert lopsided.measure("symmetry").verdict == "poor"
    assert "right temporal point" in lopsided.measure("symmetry").text


def test_symmetry_is_n_a_when_a_temporal_point_is_out_of_view():
    hairline = v_hairline(300, 320, right_end_y=100)  # still rising at the photo's edge
    m = assess_smp(make_analysis(np.zeros((0, 2)), hairline=hairline)).measure("symmetry")
    assert m.verdict == "n/a" and m.value is None
    assert "right temporal point is not in view" in m.text


# ---------------------------------------------------------------- overall, modes, JSON


def test_overall_is_the_worst_verdict_and_json_is_plain():
    rng = np.random.default_rng(11)
    n = 900
    diameter = np.where(rng.uniform(size=n) < 0.3, 0.4, 0.2)
    a = make_analysis(poisson(rng, n), diameter=diameter, hairline=v_hairline(300, 320))
    result = assess_smp(a)
    assert isinstance(result, Assessment)
    assert result.measure("impression_size").verdict == "poor"
    assert result.overall == "poor"
    assert result.summary.startswith("poor overall (poor: impression size")
    doc = json.loads(json.dumps(result.to_json(), allow_nan=False))
    assert [m["name"] for m in doc["measures"]] == [m.name for m in result.measures]
    assert set(doc["measures"][0]) == {
        "name",
        "value",
        "unit",
        "threshold",
        "verdict",
        "text",
        "details",
    }


def test_coverage_mode_assesses_only_symmetry_which_is_not_enough_for_a_verdict():
    a = make_analysis(np.zeros((0, 2)), mode="coverage", hairline=v_hairline(300, 300))
    result = assess_smp(a)
    for name in NAMES:
        m = result.measure(name)
        assert m.verdict == "n/a" and m.text.startswith("n/a: ")
    assert result.measure("symmetry").verdict == "good"
    # One measure of six is not an overall verdict: "good" would speak for what was not seen.
    assert result.overall == "n/a"
    assert result.summary.startswith("not enough measured for an overall verdict")
    assert "good: symmetry" in result.summary
    json.dumps(result.to_json(), allow_nan=False)


def test_the_overall_verdict_counts_only_the_measures_made():
    good = Measure("symmetry", 1.0, "mm", "", "good", "good: ...")
    poor = Measure("spacing", 0.5, "", "", "poor", "poor: ...")
    missing = Measure("colour_cast", None, "", "", "n/a", "n/a: too few dots")
    assert overall_verdict([good, good, missing, missing])[0] == "n/a"
    verdict, summary = overall_verdict([good, good, poor, missing, missing, missing])
    assert verdict == "poor"  # three made: the worst of them, whatever was not measured
    assert summary.startswith("poor overall") and "not measured: colour cast" in summary


def test_nothing_assessable_gives_n_a_overall():
    result = assess_smp(make_analysis(np.zeros((0, 2)), region=Polygon()))
    assert result.overall == "n/a"
    assert all(m.verdict == "n/a" for m in result.measures)


@pytest.mark.parametrize("seed", [31, 32])
def test_end_to_end_on_a_synthetic_photo(seed):
    options = SynthOptions(seed=seed, width_px=1200, height_px=900, mm_per_px=0.035, marker=False)
    rgb, _truth = generate_scalp_photo(options)
    result = assess_smp(analyse_photo(rgb, mm_per_px=0.035))
    assert {m.name for m in result.measures} == NAMES | {"symmetry"}
    for m in result.measures:
        assert m.verdict in ("good", "fair", "poor", "n/a")
        assert m.text.startswith(m.verdict + ":")
        assert (m.value is None) == (m.verdict == "n/a")
    # The generator's impressions are 0.10–0.35 mm, spaced at random at least 0.4 mm apart.
    assert result.measure("spacing").verdict in ("good", "fair")
    assert result.measure("impression_size").verdict in ("good", "fair")
    assert result.overall in ("good", "fair", "poor")
    json.dumps(result.to_json(), allow_nan=False)
