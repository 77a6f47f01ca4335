"""The web benchmarks' server: ``python -m scalpmap serve`` in a subprocess, and signing in.

The server runs in its own process group, with ``SCALPMAP_DATABASE_URL`` set to the run's
database (:mod:`web_bench_db`); everything measured goes through HTTP on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2 as httpx

from web_bench_db import PASSWORD, child_env


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now.

    Returns
    -------
    int
        The port.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A ``scalpmap serve`` subprocess.

    Attributes
    ----------
    base_url : str
        E.g. ``http://127.0.0.1:43211``.
    process : subprocess.Popen
        The server (leader of its own process group).
    log_path : Path
        Its standard output and error.
    start_seconds : float
        From launch to the first ``/healthz`` answering 200.
    """

    base_url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    start_seconds: float = 0.0

    def log_tail(self, lines: int = 20) -> str:
        """Return the end of the server's log.

        Parameters
        ----------
        lines : int
            How many lines.

        Returns
        -------
        str
            The lines.
        """
        try:
            text_ = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text_.splitlines()[-lines:])

    def count_in_log(self, needle: str) -> int:
        """Count the log lines containing ``needle``.

        Parameters
        ----------
        needle : str
            The text.

        Returns
        -------
        int
            How many lines.
        """
        try:
            text_ = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return 0
        return sum(needle in line for line in text_.splitlines())


@contextmanager
def run_server(
    data_dir: Path, database_url: str, *, workers: int | None = None, timeout_s: float = 90.0
) -> Iterator[Server]:
    """Start ``python -m scalpmap serve``, wait for ``/healthz``, stop it (SIGINT) afterwards.

    Parameters
    ----------
    data_dir : Path
        The data directory (``--data-dir``).
    database_url : str
        ``SCALPMAP_DATABASE_URL``.
    workers : int, optional
        ``--workers``; the server's default when not given.
    timeout_s : float
        Longest wait for the server to answer.

    Yields
    ------
    Server
        The running server.
    """
    port = free_port()
    command = [sys.executable, "-m", "scalpmap", "serve", "--port", str(port)]
    command += ["--data-dir", str(data_dir)]
    if workers is not None:
        command += ["--workers", str(workers)]
    log_path = data_dir / f"server-{port}.log"
    started = time.perf_counter()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=child_env(data_dir, database_url),
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = started + timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"the server exited ({process.returncode}):\n{server.log_tail()}"
                )
            try:
                if httpx.get(server.base_url + "/healthz", timeout=2.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"the server did not answer in {timeout_s:.0f} s")
            time.sleep(0.1)
        server.start_seconds = time.perf_counter() - started
        yield server
    finally:
        stop_server(process)


def stop_server(process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    """Stop a server started by :func:`run_server`: SIGINT, then SIGKILL to its group.

    Parameters
    ----------
    process : subprocess.Popen
        The server (leader of its own process group).
    timeout_s : float
        Grace period.
    """
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_from_page(html: str) -> str:
    """Return the CSRF token of a page (its meta tag, else its first form field).

    Parameters
    ----------
    html : str
        The page.

    Returns
    -------
    str
        The token.
    """
    found = _CSRF_META.search(html) or _CSRF_FIELD.search(html)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def sign_in_browser(client: httpx.Client, email: str, password: str = PASSWORD) -> str:
    """Sign in through the ``/signin`` form as a browser does; return the session's CSRF token.

    Parameters
    ----------
    client : httpx.Client
        A client with a cookie jar and the server's base URL.
    email, password : str
        The account.

    Returns
    -------
    str
        The CSRF token of the signed-in session (sign-in starts a fresh one).
    """
    page = client.get("/signin")
    page.raise_for_status()
    form = {"csrf_token": csrf_from_page(page.text), "email": email, "password": password}
    answer = client.post("/signin", data={**form, "next": "/"}, follow_redirects=False)
    if answer.status_code != 303:
        raise RuntimeError(f"sign-in answered {answer.status_code}: {answer.text[:200]}")
    page = client.get("/patients")
    page.raise_for_status()
    return csrf_from_page(page.text)


def api_token(
    client: httpx.Client, email: str, password: str = PASSWORD, *, forwarded_for: str | None = None
) -> str:
    """Exchange an email and password for a token with ``POST /api/auth/token``.

    Parameters
    ----------
    client : httpx.Client
        A client with the server's base URL.
    email, password : str
        The account.
    forwarded_for : str, optional
        ``X-Forwarded-For`` (the server trusts it from 127.0.0.1), as a client behind a proxy.

    Returns
    -------
    str
        The token.
    """
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    answer = client.post(
        "/api/auth/token", json={"email": email, "password": password}, headers=headers
    )
    if answer.status_code != 201:
        raise RuntimeError(f"POST /api/auth/token answered {answer.status_code}: {answer.text}")
    return str(answer.json()["token"])
