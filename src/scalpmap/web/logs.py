"""Logging of the server: uvicorn's access log without query strings.

Paths of this app hold only ids, but a query string could hold anything a client typed (an API
search for a name, say); the access log therefore records the path alone.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG

__all__ = ["DropQueryString", "log_config"]


class DropQueryString(logging.Filter):
    """Cut the query string off the path in uvicorn's access log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's path argument; always keep the record.

        Parameters
        ----------
        record : logging.LogRecord
            An access log record, ``(client, method, path, http_version, status)``.

        Returns
        -------
        bool
            ``True``.
        """
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """Return uvicorn's logging configuration with :class:`DropQueryString` on the access log.

    Returns
    -------
    dict
        A ``logging.config.dictConfig`` dictionary.
    """
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["drop_query"] = {"()": "scalpmap.web.logs.DropQueryString"}
    config["handlers"]["access"]["filters"] = ["drop_query"]
    config["loggers"]["scalpmap"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
