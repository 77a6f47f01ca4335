"""Read and write the facility directory as CSV (documented in ``docs/facilities-csv.md``).

:func:`read_facilities_csv` checks every row and either returns them all or raises
:class:`FacilityCsvError` naming every bad row by its line number, so that an import is all or
nothing. Rows without ``lat`` and ``lon`` are located by their city, offline.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from scalpmap.csv_safety import neutralise_formula, restore_formula_prefix
from scalpmap.errors import InputError
from scalpmap.facilities.fields import Laser, parse_fitzpatrick, parse_lasers, parse_yes_no
from scalpmap.facilities.geocode import GeocodeError, Place, fold, geocode_city, resolve_country

__all__ = [
    "COLUMNS",
    "MAX_COLUMNS",
    "MAX_LISTED_PROBLEMS",
    "MAX_ROWS",
    "REQUIRED_COLUMNS",
    "FacilityCsvError",
    "FacilityRecord",
    "read_facilities_csv",
    "write_facilities_csv",
]

COLUMNS = (
    "name",
    "address",
    "city",
    "country",
    "lat",
    "lon",
    "phone",
    "email",
    "lasers",
    "treats_smp",
    "fitzpatrick_types",
    "notes",
)
"""The columns, in the order :func:`write_facilities_csv` writes them."""

REQUIRED_COLUMNS = ("name", "city", "country", "lasers", "treats_smp", "fitzpatrick_types")
"""Columns the header must have; the others may be left out."""

MAX_COLUMNS = 100
"""The most columns a header may have (a longer one is refused before it is looked at)."""

MAX_ROWS = 100_000
"""The most facilities one file may hold (blank lines do not count)."""

MAX_LISTED_PROBLEMS = 1000
"""The most problems an error lists; its summary still counts every bad row."""

_ALIASES = {"latitude": "lat", "longitude": "lon", "fitzpatrick": "fitzpatrick_types"}
_LIMITS = {"name": 200, "city": 100, "phone": 50, "email": 254}


class FacilityCsvError(InputError):
    """A facility CSV that cannot be imported; nothing was imported.

    ``str(error)`` is a one-line summary; :attr:`problems` holds one line per problem, each
    starting with ``line N:`` (empty when the summary says it all).
    """

    def __init__(self, summary: str, problems: Sequence[str] = ()) -> None:
        super().__init__(summary)
        self.problems = tuple(problems)

    def __reduce__(self) -> tuple[type[FacilityCsvError], tuple[str, tuple[str, ...]]]:
        """Pickle with the problems (an import in a child process sends the error back)."""
        return (type(self), (str(self), self.problems))


@dataclass(frozen=True)
class FacilityRecord:
    """One checked CSV row.

    ``country`` is the ISO 3166 alpha-2 code; ``geocoded`` says ``lat`` and ``lon`` were found
    from the city; ``fitzpatrick`` is the lowest and highest type treated, or ``None``.
    """

    line: int
    name: str
    address: str | None
    city: str
    country: str
    lat: float
    lon: float
    geocoded: bool
    phone: str | None
    email: str | None
    lasers: tuple[Laser, ...]
    treats_smp: bool
    fitzpatrick: tuple[int, int] | None
    notes: str | None


Geocoder = Callable[[str, str], Place]


def _decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise FacilityCsvError(
            f"{source} is empty; its first line must name the columns "
            f"({','.join(COLUMNS)}); nothing imported"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FacilityCsvError(
            f"{source} is not UTF-8 text: line {line} has byte 0x{data[error.start]:02x}; "
            "save it as 'CSV UTF-8'; nothing imported"
        ) from None


def _header(cells: list[str], source: str) -> list[str]:
    """Check the header in one pass over its cells (at most :data:`MAX_COLUMNS`)."""
    if len(cells) > MAX_COLUMNS:
        raise FacilityCsvError(
            f"{source} has {len(cells):,} columns; a facility CSV has at most {MAX_COLUMNS} "
            f"(the columns are {','.join(COLUMNS)}); nothing imported"
        )
    names = [_ALIASES.get(n, n) for n in ("_".join(fold(c).split()) for c in cells)]
    counts = Counter(names)
    unknown = [cell for cell, name in zip(cells, names, strict=True) if name not in COLUMNS]
    unknown = [repr(cell) if cell.strip() else "an unnamed column" for cell in unknown]
    missing = [name for name in REQUIRED_COLUMNS if name not in counts]
    repeated = sorted(name for name, count in counts.items() if count > 1 and name in COLUMNS)
    wrong = [f"missing {', '.join(missing)}"] if missing else []
    wrong += [f"unknown {', '.join(unknown)}"] if unknown else []
    wrong += [f"repeated {', '.join(repeated)}"] if repeated else []
    if wrong:
        raise FacilityCsvError(
            f"{source} has the wrong columns ({'; '.join(wrong)}); the columns are "
            f"{','.join(COLUMNS)}; nothing imported"
        )
    return names


def _text(row: dict[str, str], name: str, problems: list[str], *, required: bool = False) -> str:
    value = " ".join(row.get(name, "").split()) if name != "notes" else row.get(name, "").strip()
    if required and not value:
        problems.append(f"{name} is required")
    limit = _LIMITS.get(name)
    if limit is not None and len(value) > limit:
        problems.append(f"{name} is longer than {limit} characters")
    return value


def _coordinate(row: dict[str, str], name: str, bound: int, problems: list[str]) -> float | None:
    text = row.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        problems.append(f"{name} must be a number of degrees; got {text!r}")
        return None
    if not math.isfinite(value) or not -bound <= value <= bound:
        problems.append(f"{name} must be -{bound}..{bound}; got {text}")
        return None
    return value


def _check(
    row: dict[str, str], line: int, geocoder: Geocoder, problems: list[str]
) -> FacilityRecord | None:
    name = _text(row, "name", problems, required=True)
    city = _text(row, "city", problems, required=True)
    address = _text(row, "address", problems) or None
    phone = _text(row, "phone", problems) or None
    notes = _text(row, "notes", problems) or None
    country_text = _text(row, "country", problems, required=True)
    country = resolve_country(country_text) if country_text else None
    if country_text and country is None:
        problems.append(f"unknown country {country_text!r}: give its name or ISO code")
    lat = _coordinate(row, "lat", 90, problems)
    lon = _coordinate(row, "lon", 180, problems)
    given = [bool(row.get(name, "").strip()) for name in ("lat", "lon")]
    if given[0] != given[1]:
        problems.append("give both lat and lon, or neither to locate the city")
    email = _text(row, "email", problems) or None
    if email is not None:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            problems.append(f"email {email!r} is not valid: {error}")
    parsed: dict[str, object] = {}
    for column, parse in (
        ("lasers", parse_lasers),
        ("treats_smp", parse_yes_no),
        ("fitzpatrick_types", parse_fitzpatrick),
    ):
        try:
            parsed[column] = parse(row.get(column, ""))
        except ValueError as error:
            problems.append(str(error) if column != "treats_smp" else f"treats_smp {error}")
    geocoded = False
    if not any(given) and city and country is not None:
        try:
            place = geocoder(city, country)
        except GeocodeError as error:
            problems.append(str(error))
        else:
            lat, lon, geocoded = place.lat, place.lon, True
    if problems or lat is None or lon is None or country is None:
        return None
    lasers = parsed["lasers"]
    fitzpatrick = parsed["fitzpatrick_types"]
    assert isinstance(lasers, tuple) and (fitzpatrick is None or isinstance(fitzpatrick, tuple))
    return FacilityRecord(
        line=line,
        name=name,
        address=address,
        city=city,
        country=country,
        lat=lat,
        lon=lon,
        geocoded=geocoded,
        phone=phone,
        email=email,
        lasers=lasers,
        treats_smp=bool(parsed["treats_smp"]),
        fitzpatrick=fitzpatrick,
        notes=notes,
    )


def read_facilities_csv(
    data: bytes, *, source: str = "the CSV file", geocoder: Geocoder = geocode_city
) -> list[FacilityRecord]:
    """Read and check a facility CSV: every row, or an error naming every bad row.

    Parameters
    ----------
    data : bytes
        The file's bytes: UTF-8 (a byte-order mark is allowed), comma-separated, first line the
        column names.
    source : str, optional
        The file's name, used in messages.
    geocoder : callable, optional
        ``geocoder(city, country_code) -> Place``, raising :class:`GeocodeError`; used for rows
        without ``lat`` and ``lon``. Offline :func:`~scalpmap.facilities.geocode.geocode_city`
        by default.

    Returns
    -------
    list of FacilityRecord
        The rows, in file order (blank lines skipped).

    Raises
    ------
    FacilityCsvError
        When the file is empty, not UTF-8, not CSV, has the wrong columns or more than
        :data:`MAX_COLUMNS` of them, or more than :data:`MAX_ROWS` rows (the summary says so),
        or when any row is bad (one ``line N: reason`` per problem in ``problems``, the first
        :data:`MAX_LISTED_PROBLEMS` of them).
    """
    text = _decode(data, source)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[FacilityRecord] = []
    problems: list[str] = []
    bad_lines: set[int] = set()
    seen: dict[tuple[str, str, str], int] = {}
    header: list[str] | None = None
    start = 1
    rows = 0
    try:
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _header(cells, source)
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise FacilityCsvError(
                    f"{source} has more than {MAX_ROWS:,} rows; split it into files of at most "
                    f"{MAX_ROWS:,} facilities; nothing imported"
                )
            row_problems: list[str] = []
            record = None
            if len(cells) != len(header):
                row_problems.append(
                    f"{len(cells)} fields but the header has {len(header)}; "
                    "put values holding commas in double quotes"
                )
            else:
                values = dict(zip(header, map(restore_formula_prefix, cells), strict=True))
                record = _check(values, line, geocoder, row_problems)
            if record is not None:
                key = (fold(record.name), fold(record.city), record.country)
                if key in seen:
                    row_problems.append(f"same name and city as line {seen[key]}")
                seen.setdefault(key, line)
            if row_problems:
                bad_lines.add(line)
                problems += [f"line {line}: {p}" for p in row_problems]
            elif record is not None:
                records.append(record)
    except csv.Error as error:
        reason = "a quoted field never ends" if "end of data" in str(error) else str(error)
        raise FacilityCsvError(
            f"{source} is not valid CSV: line {start}: {reason}; nothing imported"
        ) from None
    if header is None:
        raise FacilityCsvError(f"{source} is empty; nothing imported")
    if problems:
        bad = f"{len(bad_lines):,} bad row{'s' if len(bad_lines) != 1 else ''}"
        listed = problems[:MAX_LISTED_PROBLEMS]
        first = (
            f"; the first {len(listed):,} problems are listed"
            if len(problems) > len(listed)
            else ""
        )
        raise FacilityCsvError(f"{bad} in {source}; nothing imported{first}", listed)
    return records


def write_facilities_csv(rows: Iterable[dict[str, str]]) -> str:
    r"""Write facility rows as CSV text with the header :data:`COLUMNS`.

    Every cell that a spreadsheet would run as a formula is neutralised
    (:func:`scalpmap.csv_safety.neutralise_formula`); :func:`read_facilities_csv` reads it back
    to the same value.

    Parameters
    ----------
    rows : iterable of dict
        Cells by column name; a missing column is written empty.

    Returns
    -------
    str
        The CSV text (``\r\n`` line ends, as spreadsheets expect).
    """
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="", extrasaction="raise")
    writer.writeheader()
    writer.writerows({k: neutralise_formula(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()
