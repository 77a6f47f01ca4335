"""The dated timeline: spacing, order, healing, touch-ups, JSON round trip, dates and the PNG."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from scalpmap.errors import InputError
from scalpmap.planning.kirby_desai import kirby_desai
from scalpmap.planning.sessions import (
    HEALING_WEEKS,
    LASER_INTERVAL_WEEKS,
    TOUCH_UP_GAP_DAYS,
    LaserEstimate,
    estimate_laser_sessions,
)
from scalpmap.planning.timeline import (
    SECOND_TOUCH_UP_DAYS,
    Timeline,
    build_timeline,
    check_start_date,
    render_timeline_png,
)

TODAY = dt.date(2026, 11, 27)
START = dt.date(2027, 1, 11)


def estimate(likely: int = 2, high: int = 3, interval: tuple[int, int] = (3, 4)) -> LaserEstimate:
    return LaserEstimate(
        likely=likely,
        range=(max(1, likely - 1), high),
        reasons=(),
        interval_weeks=interval,
        laser="1064 nm Nd:YAG, picosecond preferred",
        warnings=(),
    )


def laser_estimate() -> LaserEstimate:
    """The session model's own estimate for light skin and typical ink (one likely, up to two)."""
    kd = kirby_desai(
        fitzpatrick=3, fitzpatrick_source="given", density_per_cm2=40.0, median_darkness=0.7
    )
    return estimate_laser_sessions(
        fitzpatrick=3, median_darkness=0.7, ink_tone="neutral", density_per_cm2=40.0, kirby_desai=kd
    )


def build(est: LaserEstimate | None = None, **kw) -> Timeline:
    return build_timeline(START, est or estimate(), today=TODAY, **kw)


def test_laser_sessions_are_spaced_by_the_interval() -> None:
    timeline = build(estimate(2, 3, (3, 4)))
    lasers = timeline.of_kind("laser")
    assert [e.start for e in lasers] == [START + dt.timedelta(weeks=3 * i) for i in range(3)]
    assert [e.optional for e in lasers] == [False, False, True]
    assert lasers[2].label == "Laser session 3 (if needed)"
    assert all(e.end is None for e in lasers)
    nano = build(estimate(1, 3, (6, 8))).of_kind("laser")
    assert [(b.start - a.start).days for a, b in zip(nano, nano[1:], strict=False)] == [42, 42]


def test_healing_touch_ups_and_review_follow_the_last_likely_laser() -> None:
    timeline = build(estimate(2, 3, (3, 4)))
    last_likely = START + dt.timedelta(weeks=3)
    (healing,) = timeline.of_kind("healing")
    assert healing.start == last_likely
    assert healing.end == last_likely + dt.timedelta(weeks=HEALING_WEEKS[0])
    (touch_up,) = timeline.of_kind("touch_up")
    assert touch_up.start == healing.end
    (second,) = timeline.of_kind("touch_up_optional")
    gap = (second.start - touch_up.start).days
    assert gap == SECOND_TOUCH_UP_DAYS and TOUCH_UP_GAP_DAYS[0] <= gap <= TOUCH_UP_GAP_DAYS[1]
    assert second.optional
    (review,) = timeline.of_kind("review")
    assert review.start > second.start
    assert timeline.end == review.start


def test_events_are_in_date_order_with_the_plan_path_first() -> None:
    timeline = build(estimate(1, 2, (6, 8)))
    starts = [e.start for e in timeline.events]
    assert starts == sorted(starts)
    kinds = [e.kind for e in timeline.events]
    assert kinds[0] == "laser" and kinds[1] == "healing" and kinds[-1] == "review"
    assert kinds.index("touch_up") < kinds.index("touch_up_optional") < kinds.index("review")


def test_one_rule_spaces_every_step_after_a_laser_session() -> None:
    """The likely sessions, the extra one if needed and the touch-up: one interval apart."""
    timeline = build_timeline(START, laser_estimate(), today=TODAY)
    (first, extra), (touch_up,) = timeline.of_kind("laser"), timeline.of_kind("touch_up")
    assert extra.start - first.start == dt.timedelta(weeks=LASER_INTERVAL_WEEKS[0])
    assert touch_up.start - first.start == dt.timedelta(weeks=HEALING_WEEKS[0])
    # An extra session moves the touch-up back by the same interval, as its note says.
    assert extra.note == (
        "Only if the follow-up photo shows pigment left; the touch-up then comes six to eight "
        "weeks after this session."
    )
    notes = " ".join(e.note for e in timeline.events)
    assert "six to eight weeks" in notes and not any(ch.isdigit() for ch in notes)


def test_without_touch_ups() -> None:
    removal = build(touch_up=False)
    kinds = {e.kind for e in removal.events}
    assert "touch_up" not in kinds and "touch_up_optional" not in kinds
    (healing,) = removal.of_kind("healing")
    assert removal.of_kind("review")[0].start == healing.end
    single = build(second_touch_up=False)
    assert single.of_kind("touch_up") and not single.of_kind("touch_up_optional")


@settings(max_examples=60, deadline=None)
@given(
    likely=st.integers(1, 3),
    extra=st.integers(0, 2),
    interval=st.sampled_from([(3, 4), (6, 8)]),
    start=st.dates(dt.date(2000, 1, 1), dt.date(2031, 11, 27)),
    touch_up=st.booleans(),
    second=st.booleans(),
)
def test_json_round_trip_and_order(likely, extra, interval, start, touch_up, second) -> None:
    est = estimate(likely, min(3, likely + extra), interval)
    timeline = build_timeline(start, est, touch_up=touch_up, second_touch_up=second, today=TODAY)
    data = json.loads(json.dumps(timeline.to_json()))
    assert Timeline.from_json(data) == timeline
    assert data["start"] == start.isoformat()
    assert len(timeline.of_kind("laser")) == est.range[1]
    starts = [e.start for e in timeline.events]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2027-02-30", "impossible start date"),
        ("next week", "impossible start date"),
        (20270301, "must be a date"),
        (None, "must be a date"),
        (dt.date(1999, 12, 31), "before 2000"),
        ("1999-12-31", "before 2000"),
        (dt.date(2031, 11, 28), "more than 5 years ahead"),
    ],
)
def test_bad_start_dates(value, message) -> None:
    with pytest.raises(InputError, match=message) as info:
        build_timeline(value, estimate(), today=TODAY)
    assert "\n" not in str(info.value)


def test_good_start_dates() -> None:
    assert check_start_date("2031-11-27", today=TODAY) == dt.date(2031, 11, 27)
    assert check_start_date(dt.datetime(2027, 3, 1, 9, 30), today=TODAY) == dt.date(2027, 3, 1)
    assert check_start_date(dt.date(2000, 1, 1), today=TODAY) == dt.date(2000, 1, 1)
    leap = check_start_date("2029-02-28", today=dt.date(2024, 2, 29))  # limit: 28 Feb 2029
    assert leap == dt.date(2029, 2, 28)


def test_timeline_png(tmp_path) -> None:
    path = tmp_path / "timeline.png"
    png = render_timeline_png(build(), path)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert path.read_bytes() == png
    width, height = Image.open(io.BytesIO(png)).size
    assert width == 1500 and 500 <= height <= 1200
    assert 20_000 < len(png) < 1_000_000
    removal = render_timeline_png(build(touch_up=False))
    assert Image.open(io.BytesIO(removal)).size[1] < height  # fewer rows, shorter chart
