"""Numbers and spans in English words, for text a patient reads."""

from __future__ import annotations

from collections.abc import Sequence

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """Spell a whole number from 0 to 999 in English words (others stay digits).

    Examples
    --------
    >>> number_words(3), number_words(42), number_words(160)
    ('three', 'forty-two', 'one hundred and sixty')
    """
    if n < 0 or n > 999:
        return str(n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else "-" + _ONES[n % 10])
    rest = n % 100
    return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + number_words(rest))


def weeks_words(weeks: Sequence[int] | int) -> str:
    """Say a number of weeks, or a span of weeks, in words.

    Parameters
    ----------
    weeks : int or sequence of two ints
        The weeks, or the lowest and highest.

    Returns
    -------
    str
        E.g. ``"six weeks"``, ``"one week"`` or ``"six to eight weeks"``.

    Examples
    --------
    >>> weeks_words(6), weeks_words((6, 8)), weeks_words((1, 1))
    ('six weeks', 'six to eight weeks', 'one week')
    """
    low, high = (weeks, weeks) if isinstance(weeks, int) else (int(weeks[0]), int(weeks[-1]))
    unit = "week" if high == 1 else "weeks"
    if low == high:
        return f"{number_words(low)} {unit}"
    return f"{number_words(low)} to {number_words(high)} {unit}"
