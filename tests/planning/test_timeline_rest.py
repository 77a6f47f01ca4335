"""The rest of a plan once sessions are logged: the steps ahead follow the plan's own rules."""

from __future__ import annotations

import datetime as dt

import pytest

from scalpmap.planning.sessions import HEALING_WEEKS, LASER_INTERVAL_WEEKS
from scalpmap.planning.timeline import REVIEW_WEEKS, SECOND_TOUCH_UP_DAYS
from scalpmap.planning.timeline_rest import steps_ahead

FIRST = dt.date(2027, 3, 1)
WEEKS = dt.timedelta(weeks=1)


def plan(likely: int = 1, top: int = 2, touch_ups: int = 1, second: bool = True) -> dict:
    return {
        "sessions": {
            "laser": {"likely": likely, "range": [1, top], "interval_weeks": [6, 8]},
            "touch_up": {"sessions": touch_ups, "optional_second": second,
                         "healing_weeks": [6, 8]},
            "total_removal": touch_ups == 0,
        }
    }  # fmt: skip


def kinds_and_days(events) -> list[tuple[str, dt.date]]:
    return [(e.kind, e.start) for e in events]


def test_a_due_touch_up_leaves_the_second_and_the_review() -> None:
    due = FIRST + HEALING_WEEKS[0] * WEEKS
    events = steps_ahead(plan(), lasers=[FIRST], due=("touch_up", due))
    second = due + dt.timedelta(days=SECOND_TOUCH_UP_DAYS)
    assert kinds_and_days(events) == [
        ("touch_up_optional", second),
        ("review", second + REVIEW_WEEKS * WEEKS),
    ]


def test_a_due_laser_session_dates_the_rest_like_the_timeline() -> None:
    due = FIRST + 7 * WEEKS  # a week later than planned: everything after moves with it
    events = steps_ahead(plan(likely=2, top=3), lasers=[FIRST], due=("laser", due))
    step = LASER_INTERVAL_WEEKS[0] * WEEKS
    touch_up = due + HEALING_WEEKS[0] * WEEKS
    assert kinds_and_days(events) == [
        ("healing", due),
        ("laser", due + step),
        ("touch_up", touch_up),
        ("touch_up_optional", touch_up + dt.timedelta(days=SECOND_TOUCH_UP_DAYS)),
        ("review", touch_up + dt.timedelta(days=SECOND_TOUCH_UP_DAYS) + REVIEW_WEEKS * WEEKS),
    ]
    extra = next(e for e in events if e.kind == "laser")
    assert extra.label == "Laser session 3 (if needed)" and extra.optional


def test_a_session_beyond_the_plan_moves_the_touch_up_back_by_one_interval() -> None:
    due = FIRST + 6 * WEEKS  # the follow-up asked for a second session; the plan had one likely
    events = steps_ahead(plan(likely=1, top=2, second=False), lasers=[FIRST], due=("laser", due))
    assert ("touch_up", due + HEALING_WEEKS[0] * WEEKS) in kinds_and_days(events)
    assert not [e for e in events if e.kind == "laser"]  # the plan's range ends at two


@pytest.mark.parametrize(("done", "kinds"), [(1, ["touch_up_optional", "review"]), (2, ["review"])])
def test_logged_touch_ups_leave_what_is_left(done: int, kinds: list[str]) -> None:
    touch_ups = [FIRST + 6 * WEEKS + dt.timedelta(days=21 * i) for i in range(done)]
    events = steps_ahead(plan(), lasers=[FIRST], touch_ups_since=touch_ups)
    assert [e.kind for e in events] == kinds
    assert events[-1].start == max(e.start for e in events) > touch_ups[-1]


def test_a_total_removal_done_ends_with_the_review_after_healing() -> None:
    events = steps_ahead(plan(touch_ups=0), lasers=[FIRST, FIRST + 6 * WEEKS])
    assert kinds_and_days(events)[-1] == ("review", FIRST + (6 + HEALING_WEEKS[0]) * WEEKS)
    assert not [e for e in events if e.kind.startswith("touch_up")]


def test_no_logged_laser_session_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        steps_ahead(plan(), lasers=[])
