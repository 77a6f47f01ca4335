"""Days typed by people: one reader for the command line, the web forms and the JSON API.

A day is typed as ``YYYY-MM-DD`` (ISO 8601, everywhere) or in the clinic's own order with
slashes, dots or dashes and a four-digit year: ``DD/MM/YYYY`` (day first, as in the UK and
most of the world) or ``MM/DD/YYYY`` (month first, as in the US); ``YYYY/MM/DD`` reads one way
only. The order comes from the clinic's country (:func:`use_day_order`, set per request and
per command); while it is not known, a day that reads both ways (``12/04/1981``) is refused
with both readings, and one that reads only one way (``25/04/1981``) is taken.

Dates of birth (:data:`BirthDay`) lie from 1900-01-01 to today.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator

from scalpmap.errors import InputError
from scalpmap.field_messages import phrase_error

__all__ = [
    "EARLIEST_BIRTH",
    "BirthDay",
    "Day",
    "DayError",
    "DayOrder",
    "check_birth_day",
    "current_day_order",
    "current_today",
    "day_formats",
    "parse_day",
    "read_day",
    "use_day_order",
]

DayOrder = Literal["dmy", "mdy"]
"""How a clinic types days with slashes: day first (``dmy``) or month first (``mdy``)."""

EARLIEST_BIRTH = dt.date(1900, 1, 1)
"""The earliest date of birth taken."""

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_YEAR_FIRST = re.compile(r"(\d{4})([/.])(\d{1,2})\2(\d{1,2})")
_LOCAL = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{2}|\d{4})")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_RULES: ContextVar[tuple[DayOrder | None, dt.date | None]] = ContextVar(
    "scalpmap_day_rules", default=(None, None)
)


class DayError(ValueError):
    """A typed day that cannot be read; the message reads after the field's name."""


@contextmanager
def use_day_order(order: DayOrder | None, today: dt.date | None = None) -> Iterator[None]:
    """Read slashed days in this order inside the ``with`` block (a request, a command).

    Parameters
    ----------
    order : {"dmy", "mdy"} or None
        The clinic's order; ``None`` when it is not known.
    today : datetime.date, optional
        Today at the clinic (its time zone); the server's date when omitted.

    Yields
    ------
    None
        Inside, :func:`current_day_order` returns ``order`` and :func:`current_today` ``today``.
    """
    token = _RULES.set((order, today))
    try:
        yield
    finally:
        _RULES.reset(token)


def current_day_order() -> DayOrder | None:
    """Return the order set by :func:`use_day_order`, or ``None``."""
    return _RULES.get()[0]


def current_today() -> dt.date:
    """Return today as set by :func:`use_day_order` (the clinic's), else the server's date."""
    return _RULES.get()[1] or dt.date.today()


def day_formats(order: DayOrder | None = None, example: dt.date | None = None) -> str:
    """Say how to type a day, with an example.

    Parameters
    ----------
    order : {"dmy", "mdy"} or None, optional
        The clinic's order (:func:`current_day_order` when omitted).
    example : datetime.date, optional
        The example day (12 April 1981 by default).

    Returns
    -------
    str
        E.g. ``"DD/MM/YYYY or YYYY-MM-DD, e.g. 12/04/1981"``.

    Examples
    --------
    >>> day_formats("mdy")
    'MM/DD/YYYY or YYYY-MM-DD, e.g. 04/12/1981'
    >>> day_formats(None)
    'YYYY-MM-DD, e.g. 1981-04-12'
    """
    order = order if order is not None else current_day_order()
    day = example or dt.date(1981, 4, 12)
    if order == "dmy":
        return f"DD/MM/YYYY or YYYY-MM-DD, e.g. {day:%d/%m/%Y}"
    if order == "mdy":
        return f"MM/DD/YYYY or YYYY-MM-DD, e.g. {day:%m/%d/%Y}"
    return f"YYYY-MM-DD, e.g. {day.isoformat()}"


def _words(day: dt.date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _local(
    match: re.Match[str], text: str, order: DayOrder | None, example: dt.date | None
) -> dt.date:
    first, _sep, second, year_text = match.groups()
    if len(year_text) == 2:
        raise DayError(f"has a two-digit year ({text!r}): type the year in full, e.g. 1981")
    a, b, year = int(first), int(second), int(year_text)
    if order is not None:
        day, month = (a, b) if order == "dmy" else (b, a)
        found = _day(year, month, day)
        if found is None:
            raise DayError(
                f"is not a day ({text!r}): this clinic types days as {day_formats(order, example)}"
            )
        return found
    readings = {d for d in (_day(year, b, a), _day(year, a, b)) if d is not None}
    if len(readings) == 1:
        return readings.pop()
    if not readings:
        raise DayError(f"is not a day ({text!r}): type it as {day_formats(None, example)}")
    day_first, month_first = _day(year, b, a), _day(year, a, b)
    assert day_first is not None and month_first is not None
    raise DayError(
        f"{text!r} could be {_words(day_first)} or {_words(month_first)}: type it as "
        f"YYYY-MM-DD ({day_first.isoformat()} or {month_first.isoformat()}), or have an admin "
        "set the clinic's country in the clinic settings"
    )


def read_day(
    text: str, order: DayOrder | None = None, *, example: dt.date | None = None
) -> dt.date:
    """Read a typed day: ``YYYY-MM-DD`` or the clinic's slashed order.

    Parameters
    ----------
    text : str
        What was typed (surrounding spaces are ignored).
    order : {"dmy", "mdy"} or None, optional
        The clinic's order; :func:`current_day_order` when omitted.
    example : datetime.date, optional
        The day the messages give as an example (12 April 1981 by default).

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    DayError
        When it is not a day, has a two-digit year, or reads two ways while the order is not
        known; the message reads after the field's name.

    Examples
    --------
    >>> read_day("1981-04-12"), read_day("12/04/1981", "dmy"), read_day("04/12/1981", "mdy")
    (datetime.date(1981, 4, 12), datetime.date(1981, 4, 12), datetime.date(1981, 4, 12))
    >>> read_day("25.04.1981")  # only one reading: 25 April
    datetime.date(1981, 4, 25)
    >>> read_day("12/04/1981")
    Traceback (most recent call last):
    ...
    scalpmap.dates.DayError: '12/04/1981' could be 12 April 1981 or 4 December 1981: type it as \
YYYY-MM-DD (1981-04-12 or 1981-12-04), or have an admin set the clinic's country in the \
clinic settings
    """
    value = text.strip()
    order = order if order is not None else current_day_order()
    if iso := _ISO.fullmatch(value):
        found = _day(*(int(part) for part in iso.groups()))
        if found is not None:
            return found
        raise DayError(f"is not a day ({value!r}): type it as {day_formats(order, example)}")
    if local := _LOCAL.fullmatch(value):
        return _local(local, value, order, example)
    if year_first := _YEAR_FIRST.fullmatch(value):
        year, _sep, month, day = year_first.groups()
        found = _day(int(year), int(month), int(day))
        if found is not None:
            return found
    raise DayError(f"is not a day ({value!r}): type it as {day_formats(order, example)}")


def parse_day(
    text: str | None,
    name: str,
    *,
    latest: dt.date | None = None,
    earliest: dt.date | None = None,
    order: DayOrder | None = None,
) -> dt.date:
    """Read a typed day (:func:`read_day`), with a one-line error naming the field.

    Parameters
    ----------
    text : str or None
        What was typed (surrounding spaces are ignored).
    name : str
        The option or field, e.g. ``"--date"`` or ``"Date"``.
    latest : datetime.date, optional
        The latest day allowed (e.g. today, for a day something was done).
    earliest : datetime.date, optional
        The earliest day allowed.
    order : {"dmy", "mdy"} or None, optional
        The clinic's order; :func:`current_day_order` when omitted.

    Returns
    -------
    datetime.date
        The day.

    Raises
    ------
    InputError
        When it is empty, not a day, or outside ``earliest``-``latest``.

    Examples
    --------
    >>> parse_day(" 2027-04-01 ", "--date")
    datetime.date(2027, 4, 1)
    >>> parse_day("1/4/2027", "--date", order="dmy")
    datetime.date(2027, 4, 1)
    >>> with use_day_order(None, dt.date(2027, 4, 1)):
    ...     parse_day("9 March", "--date")
    Traceback (most recent call last):
    ...
    scalpmap.errors.InputError: --date is not a day ('9 March'): type it as YYYY-MM-DD, e.g. \
2027-04-01
    """
    value = (text or "").strip()
    example = min(current_today(), latest or current_today())
    if not value:
        raise InputError(f"{name} is missing: type the day as {day_formats(order, example)}")
    try:
        day = read_day(value, order, example=example)
    except DayError as error:
        raise InputError(f"{name} {error}") from None
    if latest is not None and day > latest:
        raise InputError(f"{name} {day} is in the future; give the day it happened")
    if earliest is not None and day < earliest:
        raise InputError(f"{name} {day} is before {earliest}; check the year")
    return day


def check_birth_day(day: dt.date, today: dt.date | None = None) -> dt.date:
    """Refuse a date of birth before 1900 or in the future.

    Parameters
    ----------
    day : datetime.date
        The date of birth.
    today : datetime.date, optional
        Today (:func:`current_today` by default).

    Returns
    -------
    datetime.date
        ``day``.

    Raises
    ------
    DayError
        When it is before :data:`EARLIEST_BIRTH` or after today.

    Examples
    --------
    >>> check_birth_day(dt.date(1850, 1, 1))
    Traceback (most recent call last):
    ...
    scalpmap.dates.DayError: is before 1900 (1850-01-01): check the year of birth
    """
    today = today or current_today()
    if day < EARLIEST_BIRTH:
        raise DayError(f"is before 1900 ({day.isoformat()}): check the year of birth")
    if day > today:
        raise DayError(f"is in the future ({day.isoformat()}): type the day the patient was born")
    return day


def _typed_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return read_day(value, example=current_today())
        except DayError as error:
            raise phrase_error(str(error)) from None
    return value


def _typed_birth_day(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return read_day(value)
        except DayError as error:
            raise phrase_error(str(error)) from None
    return value


def _birth_day(value: dt.date) -> dt.date:
    try:
        return check_birth_day(value)
    except DayError as error:
        raise phrase_error(str(error)) from None


Day = Annotated[dt.date, BeforeValidator(_typed_day)]
"""A pydantic day typed as ``YYYY-MM-DD`` or in the clinic's order (:func:`read_day`)."""

BirthDay = Annotated[dt.date, BeforeValidator(_typed_birth_day), AfterValidator(_birth_day)]
"""A pydantic date of birth: a :data:`Day` from 1900-01-01 to today."""
