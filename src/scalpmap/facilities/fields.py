"""Read and write the facility fields written as text: lasers, Fitzpatrick types, yes/no.

Each parser raises :class:`ValueError` with a message that says what was expected; the CSV
reader puts the line number in front of it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "MAX_WAVELENGTH_NM",
    "MIN_WAVELENGTH_NM",
    "ROMAN",
    "Laser",
    "Pulse",
    "format_fitzpatrick",
    "format_lasers",
    "parse_fitzpatrick",
    "parse_lasers",
    "parse_yes_no",
]

MIN_WAVELENGTH_NM = 400
MAX_WAVELENGTH_NM = 1100
"""Wavelengths accepted for a tattoo-removal laser (532, 694, 755, 785, 1064 nm...)."""

ROMAN = ("I", "II", "III", "IV", "V", "VI")
_PULSE_WORDS = {
    "ps": "ps",
    "pico": "ps",
    "picosecond": "ps",
    "ns": "ns",
    "nano": "ns",
    "nanosecond": "ns",
    "qs": "ns",
    "q-switched": "ns",
}
_LASER = re.compile(
    r"^(?:(?P<device>.*?\S)\s+)?(?P<nm>\d+(?:\s*/\s*\d+)*)\s*(?:nm)?\s+(?P<pulse>[a-z\-]+)$",
    re.IGNORECASE,
)
_TWO_LASERS = re.compile(r"\d\s*(?:nm)?\s+(?:ps|ns|pico\w*|nano\w*|qs|q-switched)\b", re.IGNORECASE)
_EXAMPLE = "e.g. 'Nd:YAG 1064 ps; Nd:YAG 1064/532 ns'"


class Pulse(enum.StrEnum):
    """Pulse duration class of a laser: nanosecond (Q-switched) or picosecond."""

    NS = "ns"
    PS = "ps"


@dataclass(frozen=True)
class Laser:
    """One laser of a facility.

    Attributes
    ----------
    device : str
        The device or medium, e.g. ``"Nd:YAG"`` or ``"PicoWay"``.
    wavelengths_nm : tuple of int
        Its wavelengths, in nm.
    pulse : Pulse
        Nanosecond or picosecond.
    """

    device: str
    wavelengths_nm: tuple[int, ...]
    pulse: Pulse

    def to_json(self) -> dict[str, Any]:
        """Return the JSON form stored in ``Facility.lasers``."""
        return {
            "device": self.device,
            "wavelengths_nm": list(self.wavelengths_nm),
            "pulse": str(self.pulse),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Laser:
        """Build a laser from its JSON form."""
        return cls(
            str(data["device"]),
            tuple(int(nm) for nm in data["wavelengths_nm"]),
            Pulse(data["pulse"]),
        )

    def __str__(self) -> str:
        return f"{self.device} {'/'.join(str(nm) for nm in self.wavelengths_nm)} {self.pulse}"


def parse_lasers(text: str) -> tuple[Laser, ...]:
    """Parse a list of lasers: ``DEVICE WAVELENGTH[/WAVELENGTH...] ns|ps``, separated by ``;``.

    Parameters
    ----------
    text : str
        E.g. ``"Nd:YAG 1064 ps; Nd:YAG 1064/532 ns; Alexandrite 755 ps"``; empty for none.
        The device may be left out (it is then ``"laser"``); ``nm`` after the wavelengths is
        allowed; ``picosecond``, ``nanosecond``, ``QS`` and
        ``Q-switched`` are read as ``ps``, ``ns``, ``ns`` and ``ns``.

    Returns
    -------
    tuple of Laser
        The lasers, in the order given.

    Raises
    ------
    ValueError
        When an entry cannot be read.

    Examples
    --------
    >>> [str(laser) for laser in parse_lasers("Nd:YAG 1064/532 nm Q-switched; PicoSure 755 ps")]
    ['Nd:YAG 1064/532 ns', 'PicoSure 755 ps']
    """
    lasers = []
    for entry in (e.strip() for e in text.split(";")):
        if not entry:
            continue
        match = _LASER.match(" ".join(entry.split()))
        pulse = _PULSE_WORDS.get(match["pulse"].lower()) if match else None
        if match is None or pulse is None:
            raise ValueError(
                f"cannot read laser {entry!r}: write DEVICE WAVELENGTH[/WAVELENGTH] ns|ps, "
                + _EXAMPLE
            )
        if match["device"] and _TWO_LASERS.search(match["device"]):
            raise ValueError(f"laser {entry!r} looks like two lasers: separate lasers with ';'")
        wavelengths = tuple(int(nm) for nm in match["nm"].replace(" ", "").split("/"))
        for nm in wavelengths:
            if not MIN_WAVELENGTH_NM <= nm <= MAX_WAVELENGTH_NM:
                raise ValueError(
                    f"laser {entry!r}: {nm} nm is not a tattoo-removal wavelength "
                    f"({MIN_WAVELENGTH_NM}-{MAX_WAVELENGTH_NM} nm)"
                )
        lasers.append(Laser(match["device"] or "laser", wavelengths, Pulse(pulse)))
    return tuple(lasers)


def format_lasers(lasers: tuple[Laser, ...] | list[Laser]) -> str:
    """Write lasers back as text that :func:`parse_lasers` reads.

    Parameters
    ----------
    lasers : sequence of Laser
        The lasers.

    Returns
    -------
    str
        E.g. ``"Nd:YAG 1064 ps; Nd:YAG 1064/532 ns"``.
    """
    return "; ".join(str(laser) for laser in lasers)


def _skin_type(token: str, text: str) -> int:
    token = token.strip().upper()
    if token.isdigit() and 1 <= int(token) <= 6:
        return int(token)
    if token in ROMAN:
        return ROMAN.index(token) + 1
    raise ValueError(
        f"Fitzpatrick types must be I-VI (or 1-6), e.g. 'I-IV' or 'I,II,III'; got {text!r}"
    )


def parse_fitzpatrick(text: str) -> tuple[int, int] | None:
    """Parse the Fitzpatrick skin types a facility treats into a range.

    Parameters
    ----------
    text : str
        A range ``"I-VI"``, ``"1-4"``, ``"II to V"``; a list ``"I,II,III"``; one type ``"III"``;
        ``"all"`` for I-VI; empty when not stated. Roman or Arabic numerals.

    Returns
    -------
    tuple of (int, int) or None
        The lowest and highest type, 1-6; ``None`` when not stated.

    Raises
    ------
    ValueError
        When a type is not I-VI, a range runs backwards or a list has gaps.

    Examples
    --------
    >>> parse_fitzpatrick("I-IV"), parse_fitzpatrick("2,3,4"), parse_fitzpatrick("all")
    ((1, 4), (2, 4), (1, 6))
    """
    cleaned = " ".join(text.strip().split())
    if not cleaned:
        return None
    if cleaned.casefold() == "all":
        return 1, 6
    bounds = re.split(r"\s*(?:-|–|—|\bto\b)\s*", cleaned, flags=re.IGNORECASE)
    if len(bounds) == 2:
        low, high = (_skin_type(b, text) for b in bounds)
        if low > high:
            raise ValueError(f"Fitzpatrick range {text!r} runs backwards; write it low-high")
        return low, high
    if len(bounds) > 2:
        raise ValueError(f"Fitzpatrick types {text!r}: give one range, e.g. 'I-IV'")
    types = sorted({_skin_type(t, text) for t in re.split(r"[,;/ ]+", cleaned) if t})
    if types != list(range(types[0], types[-1] + 1)):
        raise ValueError(f"Fitzpatrick types {text!r} have a gap; give a range, e.g. 'I-IV'")
    return types[0], types[-1]


def format_fitzpatrick(low: int | None, high: int | None) -> str:
    """Write a Fitzpatrick range in Roman numerals.

    Parameters
    ----------
    low, high : int or None
        The range, 1-6; ``None`` when not stated.

    Returns
    -------
    str
        ``"I-VI"``, ``"III"``, or ``""`` when not stated.

    Examples
    --------
    >>> format_fitzpatrick(1, 4), format_fitzpatrick(3, 3), format_fitzpatrick(None, None)
    ('I-IV', 'III', '')
    """
    if low is None or high is None:
        return ""
    if low == high:
        return ROMAN[low - 1]
    return f"{ROMAN[low - 1]}-{ROMAN[high - 1]}"


def parse_yes_no(text: str) -> bool:
    """Parse ``yes``/``no`` (also ``y``/``n``, ``true``/``false``, ``1``/``0``), any case.

    Parameters
    ----------
    text : str
        The cell.

    Returns
    -------
    bool
        The answer.

    Raises
    ------
    ValueError
        For anything else, including an empty cell.

    Examples
    --------
    >>> parse_yes_no("Yes"), parse_yes_no("n")
    (True, False)
    """
    value = text.strip().casefold()
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0"):
        return False
    raise ValueError(f"must be yes or no; got {text!r}")
