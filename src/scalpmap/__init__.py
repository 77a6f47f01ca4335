"""scalpmap: plan and track the removal and revision of scalp micropigmentation (SMP).

The main entry points are :func:`load_photo` and :func:`analyse_photo`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from scalpmap.imaging.analysis import Analysis, analyse_photo
from scalpmap.imaging.photo_io import Photo, load_photo

__all__ = ["Analysis", "Photo", "__version__", "analyse_photo", "load_photo"]
