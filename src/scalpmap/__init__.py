"""scalpmap: plan and track the removal and revision of scalp micropigmentation (SMP).

The package root stays light, so that ``scalpmap --help`` answers at once: import the analysis
from its modules, :func:`scalpmap.imaging.photo_io.load_photo` and
:func:`scalpmap.imaging.analysis.analyse_photo`.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
