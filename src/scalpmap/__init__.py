"""scalpmap: plan and track the removal and revision of scalp micropigmentation (SMP)."""

from __future__ import annotations

__version__ = "0.1.0"
