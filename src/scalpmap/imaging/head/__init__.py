"""The head model: face landmarks, pose, view and the person's mask from MediaPipe's models.

:func:`find_head` is imported on first use (:pep:`562`): the models' runtime and the face
search take tens of milliseconds to import, and a close-up's analysis never runs them, while
many modules need only the :class:`HeadModel` record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scalpmap.imaging.head.model import (
    HEAD_VIEWS,
    LANDMARK_NAMES,
    HeadModel,
    HeadModelError,
    HeadView,
)

if TYPE_CHECKING:
    from scalpmap.imaging.head.find import find_head

__all__ = [
    "HEAD_VIEWS",
    "LANDMARK_NAMES",
    "HeadModel",
    "HeadModelError",
    "HeadView",
    "find_head",
]


def __getattr__(name: str) -> Any:
    """Import :func:`find_head` when it is first asked for."""
    if name == "find_head":
        from scalpmap.imaging.head.find import find_head

        return find_head
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
