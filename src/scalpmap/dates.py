"""Days typed by people (``YYYY-MM-DD``): one parser for the command line and the web forms."""

from __future__ import annotations

import datetime as dt
import re

from scalpmap.errors import InputError

__all__ = ["parse_day"]

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_day(text: str | None, name: str, *, latest: dt.date | None = None) -> dt.date:
    """Read a day typed as ``YYYY-MM-DD``, with a one-line error naming the field.

    Parameters
    ----------
    text : str or None
        What was typed (surrounding spaces are ignored).
    name : str
        The option or field, e.g. ``"--date"`` or ``"session date"``.
    latest : datetime.date, optional
        The latest day allowed (e.g. today, for a day something was done).

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    InputError
        When it is empty, not a ``YYYY-MM-DD`` day, or after ``latest``.

    Examples
    --------
    >>> parse_day(" 2027-04-01 ", "--date")
    datetime.date(2027, 4, 1)
    >>> parse_day("20270401", "--date")  # a valid ISO 8601 day, but not the form asked for
    Traceback (most recent call last):
    ...
    scalpmap.errors.InputError: --date must be YYYY-MM-DD, e.g. 2027-04-01; got '20270401'
    >>> parse_day("1/4/2027", "--date")
    Traceback (most recent call last):
    ...
    scalpmap.errors.InputError: --date must be YYYY-MM-DD, e.g. 2027-04-01; got '1/4/2027'
    """
    value = (text or "").strip()
    if not value:
        raise InputError(f"{name} is missing: give the day as YYYY-MM-DD, e.g. 2027-04-01")
    try:
        if not _DAY.fullmatch(value):
            raise ValueError(value)
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} must be YYYY-MM-DD, e.g. 2027-04-01; got {value!r}") from None
    if latest is not None and day > latest:
        raise InputError(f"{name} {day} is in the future; give the day it happened")
    return day
