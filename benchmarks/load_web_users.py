"""The load test's simulated users: what each one does and what the run counts."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx2 as httpx
from rich.progress import Progress

from web_bench_db import PASSWORD

USERS = 20
ITERATIONS = 25
TIME_LIMIT_S = 150.0
REQUEST_TIMEOUT_S = 30.0
SIGNIN_ATTEMPTS = 3
NAME_PREFIX = "Load"
OPERATIONS = (
    "POST /api/patients",
    "POST /api/cases",
    "GET /api/patients/{id}",
    "GET /api/cases/{id}",
    "PATCH /api/patients/{id} (1)",
    "PATCH /api/patients/{id} (2)",
    "GET /api/patients (list)",
    "GET /api/patients?q= (search)",
)
REASONS = ("reposition", "poor_work", "total_removal", "faded")


@dataclass
class Created:
    """One patient a user created, and what it wrote to it.

    Attributes
    ----------
    patient_id : int
        The patient.
    name : str
        Its name.
    case_id : int or None
        Its case, when the creation was acknowledged.
    acked_notes : list of str
        Notes values whose PATCH answered 2xx, in order.
    unacked_notes : list of str
        Notes values whose PATCH failed (they may or may not have been written).
    """

    patient_id: int
    name: str
    case_id: int | None = None
    acked_notes: list[str] = field(default_factory=list)
    unacked_notes: list[str] = field(default_factory=list)


@dataclass
class LoadResult:
    """What one backend measured.

    Attributes
    ----------
    name : str
        ``SQLite`` or ``PostgreSQL``.
    workers : int
        Server worker processes.
    latencies : dict
        Operation → seconds of each answered request.
    statuses : Counter
        ``(operation, status)`` → count; status ``"no answer: <Error>"`` for exceptions.
    wrong_answers : Counter
        Operation → 2xx answers that contradicted an earlier acknowledged write.
    created : list of Created
        Every acknowledged patient.
    iterations : int
        Iterations finished.
    duration_s : float
        Wall time of the concurrent phase.
    signin_s : list of float
        The token requests' times.
    signin_failures : Counter
        Token requests that failed, by status (each user tries up to 3 times).
    checks : dict
        Verification figures read from the database.
    server_log : dict
        Counts of notable lines in the server's log.
    error : str or None
        Why the backend could not be measured.
    """

    name: str
    workers: int
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[tuple[str, str]] = field(default_factory=Counter)
    wrong_answers: Counter[str] = field(default_factory=Counter)
    created: list[Created] = field(default_factory=list)
    iterations: int = 0
    duration_s: float = float("nan")
    signin_s: list[float] = field(default_factory=list)
    signin_failures: Counter[str] = field(default_factory=Counter)
    checks: dict[str, int] = field(default_factory=dict)
    server_log: dict[str, int] = field(default_factory=dict)
    error: str | None = None

    @property
    def requests(self) -> int:
        """Requests sent in the concurrent phase."""
        return sum(self.statuses.values())

    @property
    def errors(self) -> int:
        """Requests not answered 2xx."""
        return sum(n for (_, status), n in self.statuses.items() if not status.startswith("2"))

    @property
    def lost_writes(self) -> int:
        """Acknowledged writes not found as written."""
        keys = ("missing patients", "missing or unlinked cases", "notes not the last written")
        return sum(self.checks.get(key, 0) for key in keys)


class User:
    """One simulated practitioner with its own client and token.

    Parameters
    ----------
    index : int
        0-based user number.
    client : httpx.AsyncClient
        Its client (its own connection).
    result : LoadResult
        Where figures go.
    """

    def __init__(self, index: int, client: httpx.AsyncClient, result: LoadResult) -> None:
        self.index = index
        self.client = client
        self.result = result

    async def send(self, operation: str, method: str, url: str, **kwargs: Any) -> Any:
        """Send a request, record its time and status; return its JSON when 2xx, else None."""
        start = time.perf_counter()
        try:
            answer = await self.client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            self.result.statuses[(operation, f"no answer: {type(error).__name__}")] += 1
            return None
        self.result.latencies.setdefault(operation, []).append(time.perf_counter() - start)
        self.result.statuses[(operation, str(answer.status_code))] += 1
        if not 200 <= answer.status_code < 300:
            return None
        return answer.json()

    def wrong(self, operation: str) -> None:
        """Count a 2xx answer that contradicts an acknowledged write."""
        self.result.wrong_answers[operation] += 1

    async def iteration(self, number: int) -> None:
        """Create, read back, change, list and search, checking each answer."""
        name = f"{NAME_PREFIX} U{self.index:02d} I{number:02d}"
        body = {
            "name": name,
            "date_of_birth": f"{1960 + (self.index + number) % 40}-0{1 + number % 9}-1{number % 9}",
            "fitzpatrick_type": 1 + (self.index + number) % 6,
            "notes": "created",
        }
        answer = await self.send(OPERATIONS[0], "POST", "/api/patients", json=body)
        if answer is None:
            return
        patient = Created(patient_id=int(answer["id"]), name=name)
        self.result.created.append(patient)
        case_body = {"patient_id": patient.patient_id, "reason": REASONS[number % 4]}
        answer = await self.send(OPERATIONS[1], "POST", "/api/cases", json=case_body)
        if answer is not None:
            patient.case_id = int(answer["id"])
        read = await self.send(OPERATIONS[2], "GET", f"/api/patients/{patient.patient_id}")
        if read is not None and (
            read["name"] != name
            or (patient.case_id is not None and patient.case_id not in read["case_ids"])
        ):
            self.wrong(OPERATIONS[2])
        if patient.case_id is not None:
            read = await self.send(OPERATIONS[3], "GET", f"/api/cases/{patient.case_id}")
            if read is not None and read["patient_id"] != patient.patient_id:
                self.wrong(OPERATIONS[3])
        for revision, operation in ((1, OPERATIONS[4]), (2, OPERATIONS[5])):
            notes = f"user {self.index} iteration {number} revision {revision}"
            url = f"/api/patients/{patient.patient_id}"
            answer = await self.send(operation, "PATCH", url, json={"notes": notes})
            if answer is None:
                patient.unacked_notes.append(notes)
                continue
            patient.acked_notes.append(notes)
            if answer["notes"] != notes:
                self.wrong(operation)
        await self.send(OPERATIONS[6], "GET", "/api/patients", params={"limit": 20})
        query = f"{NAME_PREFIX} U{self.index:02d}"
        found = await self.send(OPERATIONS[7], "GET", "/api/patients", params={"q": query})
        if found is not None and patient.patient_id not in {row["id"] for row in found}:
            self.wrong(OPERATIONS[7])

    async def run(self, deadline: float, progress: Progress, task: Any) -> None:
        """Run the iterations until done or past the deadline."""
        for number in range(ITERATIONS):
            if time.perf_counter() > deadline:
                return
            await self.iteration(number)
            self.result.iterations += 1
            progress.advance(task)


async def sign_in_all(base_url: str, emails: Sequence[str], result: LoadResult) -> list[str | None]:
    """Get each user's token at once (``POST /api/auth/token``), each from its own address.

    Parameters
    ----------
    base_url : str
        The server.
    emails : sequence of str
        The users.
    result : LoadResult
        Sign-in times and errors go here.

    Returns
    -------
    list
        Token per user, ``None`` when its sign-in failed.
    """

    async def one(index: int, email: str) -> str | None:
        headers = {"X-Forwarded-For": f"10.20.0.{index + 1}"}
        body = {"email": email, "password": PASSWORD}
        async with httpx.AsyncClient(base_url=base_url, timeout=REQUEST_TIMEOUT_S) as client:
            for _attempt in range(SIGNIN_ATTEMPTS):
                start = time.perf_counter()
                try:
                    answer = await client.post("/api/auth/token", json=body, headers=headers)
                except httpx.HTTPError as error:
                    result.signin_failures[f"no answer: {type(error).__name__}"] += 1
                    continue
                result.signin_s.append(time.perf_counter() - start)
                if answer.status_code == 201:
                    return str(answer.json()["token"])
                result.signin_failures[str(answer.status_code)] += 1
        return None

    return list(await asyncio.gather(*(one(i, email) for i, email in enumerate(emails))))


async def run_users(
    base_url: str, tokens: Sequence[str | None], result: LoadResult, progress: Progress
) -> None:
    """Run every signed-in user at once, each with its own connection.

    Parameters
    ----------
    base_url : str
        The server.
    tokens : sequence
        Token per user (``None``: that user does not run).
    result : LoadResult
        Filled in.
    progress : Progress
        The progress display.
    """
    task = progress.add_task(f"{result.name}: iterations", total=USERS * ITERATIONS)
    clients = [
        httpx.AsyncClient(
            base_url=base_url,
            timeout=REQUEST_TIMEOUT_S,
            headers={"Authorization": f"Bearer {token}"},
            limits=httpx.Limits(max_connections=1),
        )
        for token in tokens
        if token is not None
    ]
    users = [User(index, client, result) for index, client in enumerate(clients)]
    start = time.perf_counter()
    try:
        await asyncio.gather(*(user.run(start + TIME_LIMIT_S, progress, task) for user in users))
    finally:
        result.duration_s = time.perf_counter() - start
        await asyncio.gather(*(client.aclose() for client in clients))
