"""Shared fixtures for the report tests: the sample photo's plans as plan.json documents."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from scalpmap.imaging.analysis import analyse_photo
from scalpmap.imaging.photo_io import load_photo
from scalpmap.planning.plan import PlanOptions, build_plan
from scalpmap.planning.plan_json import plan_to_json
from scalpmap.reports import report_images

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="session")
def sample_rgb() -> NDArray[np.uint8]:
    path = resources.files("scalpmap").joinpath("data/sample_scalp.jpg")
    with resources.as_file(path) as file:
        return load_photo(file).rgb


@pytest.fixture(scope="session")
def plan_documents(sample_rgb: NDArray[np.uint8]) -> dict[str, dict[str, Any]]:
    """The sample photo planned twice: template mature (skin type estimated) and remove-all (V)."""
    analysis = analyse_photo(sample_rgb)
    options = {
        "mature": PlanOptions(template="mature", age=45),
        "remove_all": PlanOptions(template="remove-all", skin_type=5),
    }
    return {
        name: plan_to_json(
            build_plan(sample_rgb, analysis, option, today=TODAY),
            source="sample_scalp.jpg",
            created=TODAY,
        )
        for name, option in options.items()
    }


@pytest.fixture(scope="session")
def mature_doc(plan_documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return plan_documents["mature"]


@pytest.fixture(scope="session")
def remove_all_doc(plan_documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return plan_documents["remove_all"]


@pytest.fixture(scope="session")
def mature_images(sample_rgb: NDArray[np.uint8], mature_doc: dict[str, Any]) -> dict[str, bytes]:
    """The report pictures, with the photo standing in for the simulation's pictures."""
    images = report_images(sample_rgb, mature_doc)
    return {**images, "after_laser": images["before"], "after_touch_up": images["before"]}


@pytest.fixture(scope="session")
def remove_all_images(
    sample_rgb: NDArray[np.uint8], remove_all_doc: dict[str, Any]
) -> dict[str, bytes]:
    images = report_images(sample_rgb, remove_all_doc)
    return {**images, "after_laser": images["before"], "after_touch_up": images["before"]}
