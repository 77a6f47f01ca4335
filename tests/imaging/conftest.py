"""Fixtures of the imaging tests: sample photos drawn and encoded for the photo-loading tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from numpy.typing import NDArray
from PIL import Image


def _pattern(h: int = 24, w: int = 32) -> NDArray[np.uint8]:
    """Four flat quadrants: red, green / blue, white (survives lossy codecs)."""
    rgb = np.zeros((h, w, 3), np.uint8)
    rgb[: h // 2, : w // 2] = (220, 30, 30)
    rgb[: h // 2, w // 2 :] = (30, 200, 40)
    rgb[h // 2 :, : w // 2] = (30, 40, 210)
    rgb[h // 2 :, w // 2 :] = (250, 250, 250)
    return rgb


def _save_image(img: Image.Image, path: Path, fmt: str, **kwargs: object) -> Path:
    if fmt == "HEIF":  # save without registering the opener: photo_io must do that itself
        pillow_heif.from_pillow(img).save(path, **kwargs)
    else:
        img.save(path, format=fmt, **kwargs)
    return path


@pytest.fixture
def pattern() -> Callable[..., NDArray[np.uint8]]:
    """Draw four flat quadrants, red, green / blue, white: ``pattern(h=24, w=32)``."""
    return _pattern


@pytest.fixture
def save_image() -> Callable[..., Path]:
    """Save a PIL image: ``save_image(img, path, fmt)`` (HEIF without registering its opener)."""
    return _save_image
