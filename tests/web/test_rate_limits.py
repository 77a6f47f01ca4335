"""The in-memory limiters: exponential back-off, forgetting, and a bounded LRU of keys."""

from __future__ import annotations

import threading

import pytest

from scalpmap.web.rate_limits import BackoffLimiter, SlidingWindowLimiter, wait_words


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_after_the_free_failures_and_caps():
    clock = Clock()
    limiter = BackoffLimiter(3, base_s=1.0, max_wait_s=60.0, clock=clock)
    waits = [limiter.fail("a") for _ in range(10)]
    assert waits[:3] == [None, None, None]
    assert waits[3:] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
    assert limiter.wait("a") == 60.0
    clock.now += 59.5
    assert limiter.wait("a") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.wait("a") is None  # the wait is over; the count is kept
    assert limiter.fail("a") == 60.0
    assert limiter.wait("b") is None  # other keys are not affected


def test_backoff_forgets_after_quiet_time_and_on_reset():
    clock = Clock()
    limiter = BackoffLimiter(1, forget_after_s=100.0, clock=clock)
    limiter.fail("a")
    assert limiter.fail("a") == 1.0
    clock.now += 101
    assert limiter.fail("a") is None  # forgotten: this is failure 1 again
    assert limiter.fail("a") == 1.0
    limiter.reset("a")
    assert limiter.wait("a") is None and "a" not in limiter


def test_backoff_lru_keeps_the_keys_under_attack_and_evicts_the_oldest():
    clock = Clock()
    limiter = BackoffLimiter(0, max_keys=100, clock=clock)
    limiter.fail("attacker")
    for index in range(1000):  # a flood of new keys, the attacker keeps trying meanwhile
        limiter.fail(f"flood-{index}")
        if index % 50 == 0:
            limiter.wait("attacker")
    assert len(limiter) == 100
    assert "attacker" in limiter and limiter.wait("attacker") is not None
    assert "flood-0" not in limiter and "flood-999" in limiter


def test_sliding_window_lru_evicts_the_oldest_not_everything():
    clock = Clock()
    limiter = SlidingWindowLimiter(2, 60.0, max_keys=10, clock=clock)
    limiter.hit("busy")
    limiter.hit("busy")
    for index in range(50):
        limiter.hit(f"key-{index}")
        limiter.check("busy")
    assert len(limiter) == 10
    assert limiter.hit("busy") is not None  # still over its limit: the count survived
    assert "key-0" not in limiter and "key-49" in limiter
    clock.now += 61
    assert limiter.hit("busy") is None


def test_limiters_are_thread_safe():
    limiter = BackoffLimiter(10_000, max_keys=50)

    def work(offset: int) -> None:
        for index in range(2000):
            limiter.fail(f"k{(index + offset) % 80}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(limiter) == 50


def test_wait_words():
    assert [wait_words(s) for s in (0.3, 1, 1.2, 59, 119, 120, 900)] == [
        "1 second",
        "1 second",
        "2 seconds",
        "59 seconds",
        "119 seconds",
        "2 minutes",
        "15 minutes",
    ]
