"""Limits on input photos, in a module without numpy so that the CLI's help shows them at once."""

from __future__ import annotations

__all__ = ["DEFAULT_MAX_PIXELS"]

DEFAULT_MAX_PIXELS: int = 100_000_000
"""Largest accepted width * height; protects against decompression bombs."""
