"""Running a call in a limited child process: results, user errors, memory, time and crashes."""

import os
import time

import pytest

from scalpmap.errors import InputError
from scalpmap.imaging.pathological import pathological_png
from scalpmap.imaging.roi import parse_roi
from scalpmap.services.analyses import analyse_photo_file
from scalpmap.services.limited import OUT_OF_LIMITS, Limits, LimitsExceeded, run_limited

ROOMY = Limits(memory_mb=2048, time_s=120)


def test_the_result_comes_back():
    assert run_limited(divmod, 17, 5, limits=ROOMY) == (3, 2)


def test_a_user_error_comes_back_as_itself():
    with pytest.raises(InputError) as raised:
        run_limited(parse_roi, "not a box", limits=ROOMY)
    with pytest.raises(InputError) as direct:
        parse_roi("not a box")
    assert str(raised.value) == str(direct.value)


def test_too_much_memory_is_out_of_limits():
    with pytest.raises(LimitsExceeded) as raised:
        run_limited(bytearray, 2 * 1024**3, limits=Limits(memory_mb=200, time_s=60))
    assert str(raised.value).startswith(f"{OUT_OF_LIMITS} (200 MB of memory, 60 s); ")


def test_too_much_time_is_out_of_limits_and_the_child_is_killed():
    started = time.monotonic()
    with pytest.raises(LimitsExceeded):
        run_limited(time.sleep, 60, limits=Limits(memory_mb=200, time_s=1.0))
    assert time.monotonic() - started < 20  # not the 60 s the call wanted


def test_a_child_that_dies_is_out_of_limits():
    with pytest.raises(LimitsExceeded):
        run_limited(os.abort, limits=ROOMY)


def test_limits_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        Limits(memory_mb=0, time_s=10)


def test_an_analysis_in_a_child_gives_what_it_gives_here():
    photo = pathological_png("dots", rows=300, cols=400)
    here = analyse_photo_file(photo, 0.03, 10_000_000, "dots.png")
    there = run_limited(analyse_photo_file, photo, 0.03, 10_000_000, "dots.png", limits=ROOMY)
    assert there.document == here.document
    assert there.overlay_png == here.overlay_png
    assert there.document["summary"]["count"] > 0


def test_an_analysis_beyond_a_tiny_memory_limit_is_out_of_limits():
    photo = pathological_png("noise", rows=600, cols=800)
    with pytest.raises(LimitsExceeded):
        run_limited(analyse_photo_file, photo, 0.03, 10_000_000, None, limits=Limits(8, time_s=120))
