"""Plain JSON values of the planning's frozen dataclasses (dicts, lists, strings, numbers)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

__all__ = ["to_plain"]


def to_plain(value: Any) -> Any:
    """Turn dataclasses, tuples and dates into plain JSON values (dicts, lists, strings).

    Examples
    --------
    >>> to_plain((1, dt.date(2027, 3, 1)))
    [1, '2027-03-01']
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [to_plain(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value
