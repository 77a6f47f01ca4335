"""Plain command-line values converted without pydantic give what typer's own conversion gives."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer import _coercion
from typer._click.exceptions import BadParameter
from typer.models import OptionInfo

from scalpmap.cli import quick_params
from scalpmap.cli.main import main

VALUES = [
    "0", "1", "35", "-2", "+7", "007", "0.055", "-1.5e-3", "1e5", ".5", "5.", "1E+02", "abc", "",
    " 1", "1 ", "1_000", "nan", "inf", "yes", "No", "TRUE", "off", "t", "F", "on ", "2",
    "photo.jpg", "out/dir", "-",
]  # fmt: skip


def typer_conversion(annotation: Any, value: Any) -> tuple[str, Any]:
    descriptor = _coercion.resolve_type_descriptor(annotation, OptionInfo())
    runtime = _coercion.build_runtime_param(descriptor)  # typer's own, with pydantic
    try:
        return "ok", runtime._coerce_value(value, param=None, ctx=None)
    except BadParameter as error:
        return "error", str(error.message)


@pytest.mark.parametrize("annotation", [str, bool, int, float, Path])
def test_quick_values_are_typer_values(annotation: Any) -> None:
    checked = 0
    for value in VALUES:
        quick = quick_params.quick_value(annotation, value)
        if quick is quick_params._UNSET:
            continue  # typer's own conversion runs
        outcome, expected = typer_conversion(annotation, value)
        assert outcome == "ok", (annotation, value, expected)
        assert type(quick) is type(expected) and quick == expected, (annotation, value)
        checked += 1
    assert checked >= 3


def test_help_and_bad_values_read_as_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad number still gets typer's own message, with the command's usage hint."""
    monkeypatch.setattr(sys, "argv", ["scalpmap", "plan", "p.jpg", "--out", "o", "--age", "abc"])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--age'" in err and "valid integer" in err
    assert "scalpmap plan --help" in err


def test_install_is_idempotent() -> None:
    quick_params.install()
    assert quick_params.install() is False
    assert isinstance(typer.Typer(), typer.Typer)
