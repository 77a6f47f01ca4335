"""The head model: face landmarks, pose, view and the person's mask from MediaPipe's models."""

from scalpmap.imaging.head.find import find_head
from scalpmap.imaging.head.model import (
    HEAD_VIEWS,
    LANDMARK_NAMES,
    HeadModel,
    HeadModelError,
    HeadView,
)

__all__ = [
    "HEAD_VIEWS",
    "LANDMARK_NAMES",
    "HeadModel",
    "HeadModelError",
    "HeadView",
    "find_head",
]
