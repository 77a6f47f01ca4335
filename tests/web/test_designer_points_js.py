"""The designer's control-point geometry (static/designer/points.js), run in Node.

Skipped with the reason when Node is not installed (the browser tests drive the same code in
Chromium).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

POINTS_JS = Path(__file__).resolve().parents[2] / "src/scalpmap/web/static/designer/points.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _run(script: str) -> dict:
    """Run an ES module that imports points.js as `P` and prints one JSON value."""
    source = f"import * as P from {json.dumps(POINTS_JS.as_uri())};\n{script}"
    done = subprocess.run(
        [NODE, "--input-type=module", "-e", source],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# A whole head's template: five segments sharing their ends, a point every 13 px (2 mm).
HAIRLINE = """
const seg = (x0, n) => ({points_px: Array.from({length: n}, (_, i) => [x0 + 13 * i, 500])});
const hairline = {segments: {side_left: seg(0, 30), temporal_left: seg(13 * 29, 3),
  frontal: seg(13 * 31, 80), temporal_right: seg(13 * 110, 40), side_right: seg(13 * 149, 30)}};
const {points, ranges} = P.densePoints(hairline);
const s = P.arcLengths(points);
"""


def test_shown_points_are_few_spread_and_keep_every_segment_end():
    result = _run(
        HAIRLINE
        + """
const out = {};
for (const spacing of [0, 40, 400]) {
  const shown = P.visibleHandles(points, ranges, s, spacing);
  const per = {};
  shown.forEach(h => { per[h.segment] = (per[h.segment] || 0) + 1; });
  const gaps = shown.slice(1).map((h, k) => s[h.index] - s[shown[k].index]);
  out[spacing] = {per, indices: shown.map(h => h.index), gaps};
}
out.total = points.length;
out.ends = Object.values(ranges).flat();
console.log(JSON.stringify(out));
"""
    )
    assert result["total"] == 30 + 3 + 80 + 40 + 30 - 4  # shared ends counted once
    for spacing in ("0", "40", "400"):
        shown = result[spacing]
        assert max(shown["per"].values()) <= 20  # at most 20 shown per segment
        assert set(result["ends"]) <= set(shown["indices"])  # every segment's ends
        assert shown["indices"] == sorted(set(shown["indices"]))  # in order, none twice
    # Farther apart when the screen has less room (a phone, zoomed out).
    assert len(result["400"]["indices"]) < len(result["40"]["indices"])
    inner = [g for g in result["40"]["gaps"] if g > 13 * 3]  # not across a 2-point segment
    assert min(inner) >= 40 - 13  # evenly spread, at least the spacing less one point


def test_a_drag_falls_off_smoothly_over_at_least_a_centimetre():
    result = _run(
        HAIRLINE
        + """
const shown = P.visibleHandles(points, ranges, s, 13);  // every point shown: the narrowest
const middle = shown[Math.floor(shown.length / 2)];
const radius = P.falloffRadius(middle, 0.154);
const w = Array.from(P.falloffWeights(s, middle.index, radius));
console.log(JSON.stringify({radius, w, at: middle.index}));
"""
    )
    w, at = result["w"], result["at"]
    assert result["radius"] >= 10 / 0.154 - 1e-6  # 10 mm at 0.154 mm/px
    assert w[at] == pytest.approx(1.0)
    assert w[at - 3] == pytest.approx(w[at + 3])  # symmetric
    steps = [abs(a - b) for a, b in zip(w, w[1:], strict=False)]
    assert max(steps) < 0.35  # no point jumps away from its neighbours: no spike
    assert sum(v > 0 for v in w) < len(w) / 4  # and the far line stays where it is
