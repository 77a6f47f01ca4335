"""Cells that are safe to open in a spreadsheet: formula prefixes neutralised (CSV injection).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or a carriage return) as a formula, so a facility named ``=HYPERLINK("http://evil", "x")``
would become a link, and ``+cmd|' /C calc'!A0`` a command, in the clinic's spreadsheet. As the
OWASP guidance on CSV injection advises, every exported cell that starts with one of those
characters gets a leading apostrophe, which spreadsheets show as text; the ``csv`` module's
quoting takes care of commas, quotes and line breaks. A plain number (``-1.55``) is left as it
is: no spreadsheet runs it, and coordinates must stay numbers.

Importing reverses it (:func:`restore_formula_prefix`), so that an exported file reads back to
the same values.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_PREFIXES", "neutralise_formula", "restore_formula_prefix"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise_formula(value: str) -> str:
    """Return a cell that a spreadsheet shows as text, never runs as a formula.

    Parameters
    ----------
    value : str
        The cell.

    Returns
    -------
    str
        ``value`` with a leading apostrophe when it starts with a formula prefix and is not a
        plain number; otherwise ``value`` unchanged.

    Examples
    --------
    >>> neutralise_formula("=SUM(A1:A9)"), neutralise_formula("-1.55"), neutralise_formula("Leeds")
    ("'=SUM(A1:A9)", '-1.55', 'Leeds')
    """
    if value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def restore_formula_prefix(value: str) -> str:
    """Undo :func:`neutralise_formula` on an imported cell.

    Parameters
    ----------
    value : str
        The cell as read from the file.

    Returns
    -------
    str
        ``value`` without the apostrophe that :func:`neutralise_formula` added.

    Examples
    --------
    >>> restore_formula_prefix("'+44 113 496 0000"), restore_formula_prefix("'quoted'")
    ('+44 113 496 0000', "'quoted'")
    """
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value
