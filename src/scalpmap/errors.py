"""User-facing errors.

Every error a clinic user can cause (a bad file, a wrong argument, a missing scale) is raised as a
:class:`ScalpmapError` whose message is one line saying what is wrong and what to do. The CLI prints
that line and exits with code 2; the web app maps it to a 4xx answer.
"""

from __future__ import annotations


class ScalpmapError(Exception):
    """Base class of errors caused by the user's input, with a one-line message."""


class PhotoError(ScalpmapError):
    """A photo could not be read: missing, not an image, corrupt, truncated or too large."""


class ScaleError(ScalpmapError):
    """No usable scale (mm per pixel) for a photo."""


class InputError(ScalpmapError):
    """A wrong argument or option value, e.g. a malformed ROI.

    Parameters
    ----------
    message : str
        One line saying what is wrong and what to do.
    field : str, optional
        The wrong field's key (e.g. ``"fluence_j_cm2"``), which the JSON API reports beside the
        message.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
