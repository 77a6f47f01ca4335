"""Shared fixtures: small synthetic photos written once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

from scalpmap.imaging.synth import SynthOptions, SynthTruth, write_synthetic_photo

np.seterr(all="raise")

# Under CI the property tests draw the same examples on every run, so a landing never depends on
# luck; on a developer's machine they keep exploring new examples.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def closeup_photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthTruth]:
    """A close-up with the printed marker, as a JPEG file with its truth."""
    path = tmp_path_factory.mktemp("photos") / "closeup.jpg"
    truth = write_synthetic_photo(
        path, SynthOptions(seed=21, width_px=1600, height_px=1200, mm_per_px=0.036, fitzpatrick=3)
    )
    return path, truth


@pytest.fixture(scope="session")
def unmarked_photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthTruth]:
    """A close-up without the marker."""
    path = tmp_path_factory.mktemp("photos") / "unmarked.jpg"
    truth = write_synthetic_photo(
        path, SynthOptions(seed=22, width_px=1200, height_px=900, mm_per_px=0.035, marker=False)
    )
    return path, truth


@pytest.fixture(scope="session")
def face_photo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SynthTruth]:
    """A whole head seen from the front, with SMP and a face the head model finds (no marker)."""
    path = tmp_path_factory.mktemp("photos") / "face-front.jpg"
    truth = write_synthetic_photo(
        path, SynthOptions(seed=1, view="front", width_px=1600, height_px=1200, marker=False)
    )
    return path, truth
