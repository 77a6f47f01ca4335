"""The load test's verdicts and tables for the markdown section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from load_web_users import ITERATIONS, OPERATIONS, USERS, LoadResult
from web_bench_common import percentiles_ms


def backend_ok(result: LoadResult) -> bool:
    """Tell whether a backend met the goal.

    Parameters
    ----------
    result : LoadResult
        The results.

    Returns
    -------
    bool
        Measured, every iteration done, no error, no wrong answer, no lost write, audit complete.
    """
    return (
        result.error is None
        and result.iterations == USERS * ITERATIONS
        and result.errors == 0
        and not result.signin_failures
        and result.lost_writes == 0
        and not result.wrong_answers
        and result.checks.get("audit rows missing", 1) == 0
    )


def summary_rows(results: Sequence[LoadResult]) -> tuple[list[str], list[list[str]]]:
    """Build the per-backend summary table.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    header, rows
        The table.
    """
    header = [
        "measure",
        *(f"{r.name} ({r.workers} worker{'s' if r.workers > 1 else ''})" for r in results),
    ]

    def row(label: str, values: list[str]) -> list[str]:
        return [label, *values]

    def each(fn: Any) -> list[str]:
        return [fn(r) if r.requests or r.checks else "n/a" for r in results]

    stats = {r.name: percentiles_ms([s for v in r.latencies.values() for s in v]) for r in results}
    signin = {r.name: percentiles_ms(r.signin_s) for r in results}
    rows = [
        row(
            "users x iterations finished",
            each(lambda r: f"{USERS} x {ITERATIONS} planned, {r.iterations} done"),
        ),
        row("requests", each(lambda r: str(r.requests))),
        row("errors (not 2xx or no answer)", each(lambda r: str(r.errors))),
        row(
            "wrong answers (2xx contradicting a write)",
            each(lambda r: str(sum(r.wrong_answers.values()))),
        ),
        row("duration s", each(lambda r: f"{r.duration_s:.1f}")),
        row("throughput requests/s", each(lambda r: f"{r.requests / r.duration_s:.1f}")),
        row("latency p50 ms", each(lambda r: f"{stats[r.name]['p50']:.1f}")),
        row("latency p95 ms", each(lambda r: f"{stats[r.name]['p95']:.1f}")),
        row("latency max ms", each(lambda r: f"{stats[r.name]['max']:.1f}")),
        row("lost writes", each(lambda r: str(r.lost_writes))),
        row(
            "failed token requests (all 20 at once, retried), p50 / max ms",
            each(
                lambda r: (
                    f"{sum(r.signin_failures.values())}, {signin[r.name]['p50']:.0f} / "
                    f"{signin[r.name]['max']:.0f}"
                )
            ),
        ),
    ]
    keys = list(next((r.checks for r in results if r.checks), {}))
    for key in keys:
        rows.append(row(f"check: {key}", [str(r.checks.get(key, "n/a")) for r in results]))
    log_keys = list(next((r.server_log for r in results if r.server_log), {}))
    for key in log_keys:
        rows.append(row(f"server log: {key}", [str(r.server_log.get(key, "n/a")) for r in results]))
    return header, rows


def operation_rows(results: Sequence[LoadResult]) -> tuple[list[str], list[list[str]]]:
    """Build the per-operation table: latency and errors.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    header, rows
        The table.
    """
    header = ["operation"]
    for result in results:
        header += [f"{result.name} p50 ms", f"{result.name} p95 ms", f"{result.name} errors"]
    rows = []
    for operation in OPERATIONS:
        row = [f"`{operation}`"]
        for result in results:
            stats = percentiles_ms(result.latencies.get(operation, []))
            errors = sum(
                n
                for (op, status), n in result.statuses.items()
                if op == operation and not status.startswith("2")
            )
            row += [f"{stats['p50']:.1f}", f"{stats['p95']:.1f}", str(errors)]
        rows.append(row)
    return header, rows


def error_lines(results: Sequence[LoadResult]) -> list[str]:
    """Bullets listing the errors by operation and status, and the backends not measured.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    list of str
        Markdown lines (empty when there is nothing to say).
    """
    lines = []
    for result in results:
        if result.error:
            lines.append(f"- {result.name}: **not measured**: {result.error}")
        failed = [
            f"`{op}` {status} x{n}"
            for (op, status), n in sorted(result.statuses.items())
            if not status.startswith("2")
        ]
        if failed:
            lines.append(f"- {result.name} errors: " + ", ".join(failed))
        if result.signin_failures:
            failures = ", ".join(f"{status} x{n}" for status, n in result.signin_failures.items())
            lines.append(f"- {result.name} failed token requests (retried): {failures}")
        if result.wrong_answers:
            wrong = ", ".join(f"`{op}` x{n}" for op, n in sorted(result.wrong_answers.items()))
            lines.append(f"- {result.name} wrong answers: {wrong}")
    return lines


def closed_connection_note(results: Sequence[LoadResult]) -> list[str]:
    """Explain *no answer* errors, when there are any.

    Parameters
    ----------
    results : sequence of LoadResult
        Per backend.

    Returns
    -------
    list of str
        Zero or one bullet.
    """
    if not any(status.startswith("no answer") for r in results for (_, status) in r.statuses):
        return []
    return [
        "- *no answer* (httpx `ReadError`/`RemoteProtocolError`) follows a 500 on the same "
        "connection: after an unexpected error Starlette's `ServerErrorMiddleware` sends the "
        "app's 500 and re-raises, and uvicorn then closes the keep-alive connection, so the "
        "user's next request on it fails (httpx does not retry)."
    ]
