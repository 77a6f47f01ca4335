"""Readable JSON text: the same value as ``json.dumps``, outer levels indented."""

from __future__ import annotations

import json

from scalpmap.json_text import dumps_readable


def test_readable_text_reads_back_as_the_same_document():
    document = {
        "name": "Zoë",
        "points": [[1.5, 2.25], [3.0, -4.0]],
        "items": [{"x": 1, "tags": ["a", "b"]}, {"x": None}],
        "empty": {},
        "none": [],
        "flag": True,
    }
    for ascii_only in (True, False):
        text = dumps_readable(document, ensure_ascii=ascii_only)
        assert json.loads(text) == document
        assert ("Zoë" in text) is not ascii_only


def test_outer_levels_are_indented_and_each_item_is_one_line():
    text = dumps_readable({"items": [{"x": 1, "y": [2, 3]}, {"x": 4, "y": []}]})
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    assert ' {"x": 1, "y": [2, 3]},' in [line[1:] for line in lines]
    assert len(lines) == 6
