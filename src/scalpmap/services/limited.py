"""Run a function in a child process with a memory and a time limit.

A photo that makes the analysis blow up must fail its job, not take the web server down with it.
:func:`run_limited` runs one call in a fresh child process, forked from a ``forkserver`` that has
the analysis libraries loaded already (so a call costs a fork, not a Python start-up). The child
gets ``RLIMIT_DATA`` (Linux: the heap and every array) of its own size at the start plus
:attr:`Limits.memory_mb`, and ``RLIMIT_CPU`` as a backstop; the parent waits at most
:attr:`Limits.time_s` and then kills it. Whatever goes wrong inside (a ``MemoryError``, an
allocation refused in C++, a kill by a signal, the time running out) the parent raises
:class:`LimitsExceeded` with the one-line message :data:`OUT_OF_LIMITS`. Errors of the function
itself (a user error such as a missing scale, or a bug) are raised again in the parent.

A process per call rather than :class:`concurrent.futures.ProcessPoolExecutor` with
``max_tasks_per_child=1``: before Python 3.14 a pool cannot kill a worker whose task ran out of
time. The job queue of a later version can call :func:`run_limited` from its own workers.

Examples
--------
>>> run_limited(divmod, 7, 2, limits=Limits(memory_mb=256, time_s=60))
(3, 1)
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import resource
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from scalpmap.errors import ScalpmapError

__all__ = ["OUT_OF_LIMITS", "Limits", "LimitsExceeded", "run_limited"]

log = logging.getLogger(__name__)

T = TypeVar("T")

OUT_OF_LIMITS = "the analysis ran out of its limits"
"""The message of :class:`LimitsExceeded`, shown to the user as the failed job's reason."""

PRELOAD = ("scalpmap.services.analyses", "scalpmap.services.follow_up_measure")
"""Modules the forkserver imports once (those whose functions run here, with the analysis
libraries), so that each child starts with them loaded."""

_MEMORY_WORDS = ("insufficient memory", "failed to allocate", "bad_alloc", "out of memory")
_CONTEXT_LOCK = threading.Lock()
_context: Any = None


@dataclass(frozen=True)
class Limits:
    """How much one call may use.

    Attributes
    ----------
    memory_mb : int
        Memory the call may allocate beyond what its process holds when it starts (the Python
        interpreter and the loaded libraries), in MiB.
    time_s : float
        Longest wall-clock time, in seconds, from the start of the child process.
    """

    memory_mb: int
    time_s: float

    def __post_init__(self) -> None:
        if self.memory_mb < 1 or not self.time_s > 0:
            raise ValueError(f"limits must be positive, got {self.memory_mb} MB, {self.time_s} s")


class LimitsExceeded(ScalpmapError):
    """The call ran out of memory or time, or its process died.

    Parameters
    ----------
    limits : Limits
        The limits it ran out of (named in the message).
    """

    def __init__(self, limits: Limits) -> None:
        super().__init__(
            f"{OUT_OF_LIMITS} ({limits.memory_mb} MB of memory, {limits.time_s:g} s); check "
            "that the photo shows a scalp, or downscale it"
        )
        self.limits = limits

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.limits,))


class _ChildError(Exception):
    """An error of the function that could not be sent back as itself."""


def _context_with_preload() -> Any:
    """Return the forkserver context (spawn where there is none), preloading :data:`PRELOAD`."""
    global _context
    with _CONTEXT_LOCK:
        if _context is None:
            methods = multiprocessing.get_all_start_methods()
            _context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            if "forkserver" in methods:
                _context.set_forkserver_preload(list(PRELOAD))
        return _context


def _data_size_bytes() -> int | None:
    """Return the size of this process's data (``VmData``: heap and private mappings), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _apply_limits(limits: Limits) -> None:
    """Limit this (child) process's memory and CPU time."""
    data = _data_size_bytes()
    if data is not None:
        cap = data + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    else:  # no /proc: the address space, which also counts the libraries' mappings
        size = limits.memory_mb * 1024 * 1024 * 2
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind
    # Threads add CPU time faster than the wall clock; the parent's timer is the real limit.
    cpu_s = int(limits.time_s * max(1, os.cpu_count() or 1)) + 10
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s + 5))


def _out_of_memory(error: BaseException) -> bool:
    """Whether an error says an allocation failed (Python, NumPy, OpenCV or GEOS)."""
    if isinstance(error, MemoryError):
        return True
    text = str(error).lower()
    return any(word in text for word in _MEMORY_WORDS)


def _child(
    conn: Connection, function: Callable[..., Any], args: tuple[Any, ...], limits: Limits
) -> None:
    """Run ``function(*args)`` under the limits and send back what happened."""
    message: tuple[Any, ...]
    try:
        _apply_limits(limits)
        message = ("ok", function(*args))
    except BaseException as error:  # everything goes back to the parent, nothing is printed
        if _out_of_memory(error):
            message = ("limits", f"{type(error).__name__}: {error}")
        else:
            message = ("error", error, traceback.format_exc())
    try:
        conn.send(message)
    except BaseException as error:  # the result or the error cannot be pickled, or no memory
        if _out_of_memory(error):
            conn.send(("limits", f"sending the result: {type(error).__name__}"))
        else:
            detail = f"{type(message[-1]).__name__} could not be sent back: {error}"
            conn.send(("error", _ChildError(detail), ""))
    finally:
        conn.close()


def run_limited(function: Callable[..., T], /, *args: Any, limits: Limits) -> T:
    """Call ``function(*args)`` in a child process with a memory and a time limit.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled by name); its arguments and result must be
        picklable. As with any ``forkserver`` or ``spawn`` child, the parent's main script is
        imported in the child: keep its work under ``if __name__ == "__main__":``.
    *args
        Its arguments.
    limits : Limits
        The memory and time it may use.

    Returns
    -------
    object
        What ``function`` returned.

    Raises
    ------
    LimitsExceeded
        When the call ran out of memory or time, or its process was killed.
    Exception
        What ``function`` raised, raised again here (its traceback is logged).
    """
    context = _context_with_preload()
    receive, send = context.Pipe(duplex=False)
    process = context.Process(
        target=_child, args=(send, function, args, limits), name="scalpmap-limited", daemon=True
    )
    process.start()
    send.close()  # the child holds the only sending end: its death is an end of file here
    try:
        if not receive.poll(limits.time_s):
            log.warning("%s ran out of time (%.0f s); killed", _name(function), limits.time_s)
            raise LimitsExceeded(limits)
        try:
            message = receive.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            process.join(5)
            log.warning("%s died (exit code %s)", _name(function), _exit(process.exitcode))
            raise LimitsExceeded(limits) from None
    finally:
        receive.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        if process.exitcode is not None:
            process.close()
    kind = message[0]
    if kind == "ok":
        return message[1]  # type: ignore[no-any-return]
    if kind == "limits":
        log.warning("%s ran out of memory (%s)", _name(function), message[1])
        raise LimitsExceeded(limits)
    error, text = message[1], message[2]
    if text:  # a user error is expected (a missing scale); anything else is a bug
        level = logging.INFO if isinstance(error, ScalpmapError) else logging.ERROR
        log.log(level, "%s raised in its child process:\n%s", _name(function), text.rstrip())
    raise error


def _name(function: Callable[..., Any]) -> str:
    """Return a function's dotted name, for the log."""
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', '?')}"


def _exit(code: int | None) -> str:
    """Put an exit code in words: a signal's name when the process was killed."""
    if code is not None and code < 0:
        try:
            return signal.Signals(-code).name
        except ValueError:
            return str(code)
    return str(code)
