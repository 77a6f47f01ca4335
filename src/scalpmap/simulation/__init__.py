"""Simulated pictures of the plan's outcome: after the laser, after the touch-up, side by side.

- :func:`simulate_after_laser` heals the impressions of the removal zone away.
- :func:`simulate_after_touch_up` adds impressions to the touch-up zone up to the desired density.
- :func:`side_by_side` puts before and both afters next to each other, captioned.
- :func:`check_simulation` analyses the simulated pictures again and judges them.
"""

from __future__ import annotations

from scalpmap.simulation.after_laser import simulate_after_laser
from scalpmap.simulation.after_touch_up import simulate_after_touch_up
from scalpmap.simulation.check import SimulationCheck, check_simulation
from scalpmap.simulation.side_by_side import side_by_side

__all__ = [
    "SimulationCheck",
    "check_simulation",
    "side_by_side",
    "simulate_after_laser",
    "simulate_after_touch_up",
]
