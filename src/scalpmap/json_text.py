"""JSON documents written for people and programs alike: indented outside, one line per item.

``json.dumps(document, indent=1)`` runs Python's own encoder (the C one never indents) and
puts every coordinate on a line of its own: for a close-up with 7,000 impressions that is
230,000 lines and 0.3 s. Here the outer levels are indented and each deeper value (an
impression, a polygon, a row of the density grid) is written on one line by the C encoder:
the same JSON value, ten times faster, and easier to read.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps_readable"]

_ITEM_SEPARATORS = (", ", ": ")


def dumps_readable(document: Any, *, levels: int = 2, ensure_ascii: bool = True) -> str:
    """Serialise a JSON value, indented by one space for its outer ``levels``.

    Parameters
    ----------
    document : object
        A JSON-serialisable value (dicts, lists, strings, numbers, booleans, None).
    levels : int, optional
        How many levels of dicts and lists are spread over lines; deeper values stay on one
        line each.
    ensure_ascii : bool, optional
        As for :func:`json.dumps`.

    Returns
    -------
    str
        The JSON text; ``json.loads`` of it equals ``document``.

    Examples
    --------
    >>> print(dumps_readable({"a": [{"x": 1, "y": [2, 3]}], "b": None}))
    {
     "a": [
      {"x": 1, "y": [2, 3]}
     ],
     "b": null
    }
    """
    encoder = json.JSONEncoder(ensure_ascii=ensure_ascii, separators=_ITEM_SEPARATORS)
    parts: list[str] = []
    _write(document, encoder, levels, 0, parts)
    return "".join(parts)


def _write(
    value: Any, encoder: json.JSONEncoder, levels: int, depth: int, parts: list[str]
) -> None:
    """Append the text of ``value``, which starts at ``depth`` spaces of indent."""
    spread = depth < levels and isinstance(value, dict | list) and len(value) > 0
    if not spread:
        parts.append(encoder.encode(value))
        return
    inner = "\n" + " " * (depth + 1)
    opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
    parts.append(opening)
    items = value.items() if isinstance(value, dict) else ((None, item) for item in value)
    for position, (key, item) in enumerate(items):
        parts.append(("," if position else "") + inner)
        if key is not None:
            parts.append(encoder.encode(str(key)) + ": ")
        _write(item, encoder, levels, depth + 1, parts)
    parts.append("\n" + " " * depth + closing)
