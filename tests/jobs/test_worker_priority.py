"""``scalpmap worker --priority``: the jobs yield the CPU to a web server on the same machine.

Lowering a priority cannot be undone by an ordinary user, so each case runs in a child Python.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scalpmap.jobs.worker import lower_priority

IDLE = getattr(os, "SCHED_IDLE", None)

CHECK = """
import os, sys, threading
from scalpmap.jobs.worker import lower_priority
early = []
started = threading.Event()
def before():  # a thread that exists before the priority is lowered
    early.append(os.sched_getscheduler(0)); started.wait(); early.append(os.sched_getscheduler(0))
thread = threading.Thread(target=before); thread.start()
print(lower_priority(sys.argv[1]))
started.set(); thread.join()
pid = os.fork()
if pid == 0:  # a child, as an analysis in its limited process
    wanted = (int(sys.argv[2]), int(sys.argv[3]))
    os._exit(0 if (os.sched_getscheduler(0), os.nice(0)) == wanted else 1)
_, status = os.waitpid(pid, 0)
print(os.sched_getscheduler(0), early[-1], os.nice(0), os.waitstatus_to_exitcode(status))
"""


def _run(priority: str, policy: int, nice: int) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", CHECK, priority, str(policy), str(nice)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


@pytest.mark.skipif(IDLE is None, reason="SCHED_IDLE is Linux's; this system has none")
def test_idle_puts_every_thread_and_child_under_sched_idle():
    base = os.nice(0)
    words, figures = _run("idle", int(IDLE), base)
    assert words.startswith("idle (SCHED_IDLE")
    assert figures.split() == [str(IDLE), str(IDLE), str(base), "0"]


def test_low_and_normal_keep_the_ordinary_scheduler():
    base = os.nice(0)
    low = min(base + 10, 19)
    words, figures = _run("low", os.SCHED_OTHER, low)
    assert words.startswith("low (nice 10") and figures.split() == [str(os.SCHED_OTHER)] * 2 + [
        str(low),
        "0",
    ]
    words, figures = _run("normal", os.SCHED_OTHER, base)
    assert words == "normal" and figures.split()[2] == str(base)


def test_an_unknown_priority_is_refused():
    with pytest.raises(ValueError, match="not one of idle, low, normal"):
        lower_priority("high")


@pytest.mark.skipif(IDLE is None, reason="SCHED_IDLE is Linux's; this system has none")
def test_a_started_worker_runs_under_sched_idle(workers):
    process = workers.start("--priority", "idle")
    deadline = time.monotonic() + 60
    while "priority: " not in workers.log(0):
        assert process.poll() is None and time.monotonic() < deadline, workers.log(0)
        time.sleep(0.2)
    assert "priority: idle (SCHED_IDLE" in workers.log(0)
    assert os.sched_getscheduler(process.pid) == IDLE
    autogroup = Path(f"/proc/{process.pid}/autogroup")
    if autogroup.exists():  # its own session (as a service): its autogroup yields too
        assert autogroup.read_text().split()[-1] == "19", autogroup.read_text()
