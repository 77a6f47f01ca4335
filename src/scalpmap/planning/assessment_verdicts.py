"""The assessment's verdicts: one measure's result, the whole assessment and its overall verdict.

Each of the six measures of :mod:`scalpmap.planning.assessment` gives a :class:`Measure` with a
verdict (good, fair, poor, or n/a when it could not be made). The overall verdict
(:func:`overall_verdict`) is the worst of the measures made, and needs at least
:data:`MIN_MEASURED` of the six.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["good", "fair", "poor", "n/a"]
Detail = float | int | str | None

# The overall verdict needs at least this many of the six measures made.
MIN_MEASURED = 3
NOT_ENOUGH = "not enough measured for an overall verdict"
_RANK: dict[Verdict, int] = {"n/a": -1, "good": 0, "fair": 1, "poor": 2}


@dataclass(frozen=True)
class Measure:
    """One quality measure.

    Attributes
    ----------
    name : str
        ``impression_size``, ``spacing``, ``patchiness``, ``colour_cast``,
        ``hairline_harshness`` or ``symmetry``.
    value : float or None
        The measured value; None when n/a.
    unit : str
        Unit of ``value`` (``""`` for ratios).
    threshold : str
        The threshold in words.
    verdict : {"good", "fair", "poor", "n/a"}
        The verdict.
    text : str
        One sentence that starts with the verdict.
    details : dict of str to scalar
        Secondary figures.
    """

    name: str
    value: float | None
    unit: str
    threshold: str
    verdict: Verdict
    text: str
    details: dict[str, Detail] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """Return the measure as plain JSON types; non-finite numbers become None."""
        doc: dict[str, Any] = {"name": self.name, "value": _plain(self.value), "unit": self.unit}
        doc |= {"threshold": self.threshold, "verdict": self.verdict, "text": self.text}
        return doc | {"details": {k: _plain(v) for k, v in self.details.items()}}


@dataclass(frozen=True)
class Assessment:
    """The assessment: every measure, the overall (worst assessed) verdict and a summary line.

    Attributes
    ----------
    measures : list of Measure
        The six measures, in a fixed order.
    overall : {"good", "fair", "poor", "n/a"}
        The worst verdict among the assessed measures; n/a when fewer than
        :data:`MIN_MEASURED` were assessed (see :func:`overall_verdict`).
    summary : str
        One line.
    """

    measures: list[Measure]
    overall: Verdict
    summary: str

    def measure(self, name: str) -> Measure:
        """Return the measure called ``name`` (see :class:`Measure`)."""
        return next(m for m in self.measures if m.name == name)

    def to_json(self) -> dict[str, Any]:
        """Return ``{"overall", "summary", "measures": [Measure.to_json(), ...]}``."""
        measures = [m.to_json() for m in self.measures]
        return {"overall": self.overall, "summary": self.summary, "measures": measures}


def _plain(value: Detail) -> Detail:
    """Return a plain Python scalar; non-finite floats become None."""
    if value is None or isinstance(value, str | int):
        return value
    number = float(value)
    return number if math.isfinite(number) else None


def grade(value: float, fair_from: float, poor_above: float) -> Verdict:
    """Return good below ``fair_from``, poor above ``poor_above``, fair in between.

    Parameters
    ----------
    value : float
        The measured value.
    fair_from, poor_above : float
        The limits of the fair band.

    Returns
    -------
    {"good", "fair", "poor"}
        The verdict.

    Examples
    --------
    >>> grade(0.1, 0.2, 0.35), grade(0.2, 0.2, 0.35), grade(0.4, 0.2, 0.35)
    ('good', 'fair', 'poor')
    """
    return "good" if value < fair_from else "poor" if value > poor_above else "fair"


def not_assessed(name: str, unit: str, threshold: str, reason: str) -> Measure:
    """Return a measure that could not be assessed.

    Parameters
    ----------
    name, unit, threshold : str
        As :class:`Measure`.
    reason : str
        Why it could not be assessed; the text is ``"n/a: <reason>"``.

    Returns
    -------
    Measure
        The measure, with no value and the verdict n/a.
    """
    return Measure(name, None, unit, threshold, "n/a", f"n/a: {reason}")


def overall_verdict(measures: list[Measure]) -> tuple[Verdict, str]:
    """Return the overall verdict of the measures that were made, and the summary line.

    The overall verdict is the worst of the measured ones, and only when at least
    :data:`MIN_MEASURED` of the six were measured; otherwise it is ``n/a`` and the summary says
    that not enough was measured (a whole-head photo measures at most the symmetry).

    Parameters
    ----------
    measures : list of Measure
        The measures.

    Returns
    -------
    overall : {"good", "fair", "poor", "n/a"}
        The verdict.
    summary : str
        One line: the verdict, then the measures grouped by verdict.

    Examples
    --------
    >>> one = Measure("symmetry", 2.0, "mm", "", "good", "good: ...")
    >>> overall_verdict([one])[1]
    'not enough measured for an overall verdict (good: symmetry)'
    """
    groups = []
    for verdict in ("poor", "fair", "good", "n/a"):
        names = [m.name.replace("_", " ") for m in measures if m.verdict == verdict]
        if names:
            groups.append(f"{'not measured' if verdict == 'n/a' else verdict}: {', '.join(names)}")
    listed = "; ".join(groups)
    assessed = [m.verdict for m in measures if m.verdict != "n/a"]
    if len(assessed) < MIN_MEASURED:
        return "n/a", f"{NOT_ENOUGH} ({listed})"
    worst = max(assessed, key=_RANK.__getitem__)
    return worst, f"{worst} overall ({listed})"
