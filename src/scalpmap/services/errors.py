"""Errors raised by the services; all are :class:`~scalpmap.errors.ScalpmapError` (one line).

The CLI prints them and exits with code 2; the web app maps them to 404, 403, 409 and 400.
"""

from __future__ import annotations

from scalpmap.errors import InputError, ScalpmapError

__all__ = ["ConflictError", "InputError", "NotFoundError", "PermissionDeniedError"]


class NotFoundError(ScalpmapError):
    """The record does not exist (HTTP 404)."""


class PermissionDeniedError(ScalpmapError):
    """The signed-in user may not do this (HTTP 403)."""


class ConflictError(ScalpmapError):
    """The change clashes with the current state, e.g. a duplicate email (HTTP 409)."""
