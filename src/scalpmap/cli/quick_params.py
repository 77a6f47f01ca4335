"""Plain command-line values (text, whole and decimal numbers, yes/no, paths) without pydantic.

Typer 0.29 converts every parameter's value with a pydantic ``TypeAdapter``: the first one
imports pydantic and each is built on the spot, 0.2 s before any command starts, also for
``scalpmap analyse --help``. Here the values that can only mean one thing (``"0.05"`` for a
decimal, ``"35"`` for a whole number, ``"yes"`` for a flag, a path) are converted directly, as
pydantic converts them; anything else (a typo, an empty value, bounds, a parser) goes to typer's
own conversion, built only then, so every error message stays typer's.

:func:`install` does nothing on a typer without this conversion layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["install"]

_WHOLE = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL = re.compile(
    r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,2})?"
)
_TRUE = frozenset({"1", "on", "t", "true", "y", "yes"})
_FALSE = frozenset({"0", "off", "f", "false", "n", "no"})
_UNSET = object()


def _plain_info(info: Any) -> bool:
    """Whether a parameter asks for nothing beyond its type (no bounds, parser or path rules)."""
    return (
        getattr(info, "parser", None) is None
        and getattr(info, "min", None) is None
        and getattr(info, "max", None) is None
        and not getattr(info, "clamp", False)
        and getattr(info, "path_type", None) is None
        and not getattr(info, "resolve_path", False)
        and not getattr(info, "allow_dash", False)
    )


def quick_value(annotation: Any, value: Any) -> Any:
    """Convert a plain value as pydantic would, or return ``_UNSET`` when it is not plain.

    Parameters
    ----------
    annotation : type
        ``str``, ``bool``, ``int``, ``float`` or ``pathlib.Path``.
    value : object
        The value from the command line (a string) or the parameter's default.

    Returns
    -------
    object
        The converted value, or the module's ``_UNSET`` marker.

    Examples
    --------
    >>> quick_value(float, "0.055"), quick_value(int, "35"), quick_value(bool, "Yes")
    (0.055, 35, True)
    >>> quick_value(float, "abc") is _UNSET
    True
    """
    if annotation is str:
        return value if type(value) is str else _UNSET
    if annotation is bool:
        if type(value) is bool:
            return value
        if type(value) is str:
            word = value.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE or word == "":
                return False
        return _UNSET
    if annotation is int:
        if type(value) is int:
            return value
        return int(value) if type(value) is str and _WHOLE.fullmatch(value) else _UNSET
    if annotation is float:
        if type(value) is float:
            return value
        return float(value) if type(value) is str and _DECIMAL.fullmatch(value) else _UNSET
    if annotation is Path:
        if isinstance(value, Path):
            return value
        return Path(value) if type(value) is str and value else _UNSET
    return _UNSET


def install() -> bool:
    """Let typer convert plain values directly; its own conversion stays for everything else.

    Returns
    -------
    bool
        Whether it was installed (False on a typer without the pydantic conversion layer).
    """
    try:
        from typer import _coercion, core
        from typer._param_types import coerce_cli_path
    except ImportError:  # pragma: no cover - another typer: nothing to do
        return False
    build = getattr(core, "build_runtime_param", None)
    base = getattr(_coercion, "RuntimeParam", None)
    if build is None or base is None or getattr(build, "_scalpmap_quick", False):
        return False
    typer_build: Callable[[Any], Any] = build

    @dataclass(frozen=True)
    class QuickRuntimeParam(base):  # type: ignore[misc, valid-type]
        descriptor: Any = None
        slow: list[Any] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            converted = quick_value(self.annotation, value)
            if converted is _UNSET:
                if not self.slow:
                    self.slow.append(typer_build(self.descriptor))
                return self.slow[0]._coerce_value(value, param, ctx)
            if self.annotation is Path:  # typer's own checks (exists, file or folder, ...)
                return coerce_cli_path(
                    converted, self.parameter_info, path_type=Path, param=param, ctx=ctx
                )
            return converted

    def quick_build(descriptor: Any) -> Any:
        annotation = descriptor.annotation
        if (
            descriptor.file_annotation is None
            and annotation in (str, bool, int, float, Path)
            and _plain_info(descriptor.parameter_info)
        ):
            return QuickRuntimeParam(
                parameter_info=descriptor.parameter_info,
                annotation=annotation,
                descriptor=descriptor,
            )
        return typer_build(descriptor)

    quick_build._scalpmap_quick = True  # type: ignore[attr-defined]
    setattr(core, "build_runtime_param", quick_build)  # noqa: B010 - typer reads it from there
    return True
