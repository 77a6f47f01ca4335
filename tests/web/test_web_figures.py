"""One plan, one set of numbers: the plan page, photo page, designer, both PDFs and the CLI agree.

A close-up and a whole-head photo are each uploaded, analysed and planned in the web app (the
designer's template saved unedited); then every surface that shows the plan's figures is read
back the way a person reads it (the pages' text, the PDFs' extracted text, the command line's
table) and compared with the figures plan.json stores. The command line's own plan of the same
photo (analysed afresh, not rebuilt from the stored analysis.json) must give the same figures.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from typing import Any

import pytest
from pypdf import PdfReader
from rich.console import Console
from typer.testing import CliRunner

from scalpmap.cli.main import app as cli_app
from scalpmap.cli.plan_cmd import summary_table
from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.planning.figure_text import NOT_MEASURED
from scalpmap.planning.plan_figures import NOT_ENOUGH

AGE, SKIN, START = 60, 3, "2031-03-03"
# What each surface shows, by figure name.
PLAN_PAGE = {
    "removal_area_cm2", "removal_impressions", "touch_up_area_cm2", "impressions_to_add",
    "keep_area_cm2", "desired_density_per_cm2", "laser_sessions", "laser_interval",
    "kirby_desai_score", "existing_smp", "skin_type", "scale", "impression_size", "spacing",
    "patchiness", "colour_cast", "hairline_harshness", "symmetry",
}  # fmt: skip
PHOTO_PAGE = {
    "impressions_in_region", "mean_density_per_cm2", "region_area_cm2", "median_diameter_mm",
    "coverage_percent", "ink_tone", "blown_out_percent",
}  # fmt: skip
DESIGNER = {"removal_impressions", "impressions_to_add", "desired_density_per_cm2"}
FACILITY_PDF = {
    "removal_area_cm2", "removal_impressions", "laser_sessions", "laser_interval",
    "impressions_in_region", "median_diameter_mm", "ink_tone", "mean_density_per_cm2",
    "blown_out_percent", "colour_cast", "coverage_percent", "kirby_desai_score",
}  # fmt: skip
PATIENT_PDF = {"removal_area_cm2", "touch_up_area_cm2", "keep_area_cm2"}
CLI_ROWS = {
    "existing SMP": "existing_smp", "colour cast": "colour_cast",
    "blown out": "blown_out_percent", "impressions in the region": "impressions_in_region",
    "removal zone": "removal_area_cm2", "impressions to remove": "removal_impressions",
    "touch-up zone": "touch_up_area_cm2", "impressions to add": "impressions_to_add",
    "kept": "keep_area_cm2", "desired density": "desired_density_per_cm2", "scale": "scale",
    "skin type (Fitzpatrick)": "skin_type", "Kirby-Desai score": "kirby_desai_score",
    "laser sessions": "laser_sessions",
}  # fmt: skip
COUNTS = ("removal_impressions", "impressions_to_add", "impressions_in_region")


@dataclasses.dataclass(frozen=True)
class Photo:
    name: str
    jpeg: bytes
    whole_head: bool


@pytest.fixture(scope="session")
def photos(scalp_jpeg: bytes) -> dict[str, Photo]:
    # A phone photo of the whole head: 0.18 mm/px, single impressions not resolved.
    head, _truth = generate_scalp_jpeg(
        SynthOptions(seed=5, view="front", width_px=1600, height_px=1200, mm_per_px=0.18)
    )
    return {
        "close-up": Photo("closeup.jpg", scalp_jpeg, False),
        "whole head": Photo("head.jpg", head, True),
    }


@pytest.fixture(scope="session")
def cli_figures(photos: dict[str, Photo], tmp_path_factory) -> dict[str, dict[str, Any]]:
    """The command line's plan of each photo (analysed afresh): its figures and its table."""
    found = {}
    for key, photo in photos.items():
        folder = tmp_path_factory.mktemp("cli-plan")
        path = folder / photo.name
        path.write_bytes(photo.jpeg)
        args = ["plan", str(path), "--template", "mature", "--age", str(AGE)]
        args += ["--skin-type", str(SKIN), "--start-date", START, "--no-pdf"]
        result = CliRunner().invoke(cli_app, [*args, "--out", str(folder / "out")])
        assert result.exit_code == 0, result.output
        document = json.loads((folder / "out" / "plan.json").read_text())
        found[key] = {"figures": document["figures"], "output": result.output}
    return found


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())


def _shown(page) -> dict[str, list[str]]:
    """Every element marked with the figure it shows, and its text."""
    shown: dict[str, list[str]] = {}
    for element in page.elements:
        name = element.get("data-figure")
        if name:
            shown.setdefault(name, []).append(" ".join(element.text.split()))
    return shown


def _table(document: dict[str, Any]) -> dict[str, str]:
    console = Console(record=True, width=240, color_system=None)
    console.print(summary_table(document))
    rows = {}
    for line in console.export_text().splitlines():
        cells = [c.strip() for c in line.strip("│ ").split("│")]
        if len(cells) == 2 and cells[0]:
            rows[cells[0]] = cells[1]
    return rows


def _plan_in_web(client, csrf: str, photo: Photo) -> tuple[int, int, int, dict[str, Any]]:
    """Upload, analyse and plan a photo as the designer does: template mature, unedited."""
    headers = {"X-CSRF-Token": csrf}
    patient = client.post(
        "/api/patients", json={"name": "Nia Numbers", "date_of_birth": "1970-01-02"},
        headers=headers,
    )  # fmt: skip
    assert patient.status_code == 201, patient.text
    case = client.post(
        "/api/cases", json={"patient_id": patient.json()["id"], "reason": "reposition"},
        headers=headers,
    )  # fmt: skip
    case_id = case.json()["id"]
    upload = client.post(
        f"/api/cases/{case_id}/photos",
        files={"file": (photo.name, photo.jpeg, "image/jpeg")},
        data={"view": "front"},
        headers=headers,
    )
    assert upload.status_code == 201 and upload.json()["status"] == "done", upload.text
    photo_id, analysis_id = upload.json()["id"], upload.json()["analysis_id"]
    start = client.post(
        f"/api/cases/{case_id}/designs",
        json={"analysis_id": analysis_id, "template": "mature", "age": AGE},
        headers=headers,
    )
    assert start.status_code == 200, start.text
    body = {
        "analysis_id": analysis_id, "template": "mature", "age": AGE, "skin_type": SKIN,
        "hairline": start.json()["hairline"], "start_date": START,
    }  # fmt: skip
    saved = client.post(f"/api/cases/{case_id}/plans", json=body, headers=headers)
    assert saved.status_code == 202 and saved.json()["status"] == "done", saved.text
    plan_id = saved.json()["result"]["plan_id"]
    document = client.get(f"/api/plans/{plan_id}").json()
    return case_id, photo_id, plan_id, document


@pytest.mark.parametrize("key", ["close-up", "whole head"])
def test_every_surface_shows_the_plans_figures(
    key: str, client, signed_in, parse, photos, cli_figures
) -> None:
    photo = photos[key]
    _user, csrf = signed_in()
    case_id, photo_id, plan_id, document = _plan_in_web(client, csrf, photo)
    figures = document["figures"]
    text = {name: figure["text"] for name, figure in figures.items()}
    assert document["target"]["template"] == "mature"  # saved unedited: the template's own

    # The plan page shows each figure once or more, always as stored.
    plan_page = _shown(parse(client.get(f"/plans/{plan_id}")))
    assert PLAN_PAGE <= set(plan_page)
    for name, shown in plan_page.items():
        assert shown == [text[name]] * len(shown), name
    # The photo page shows its analysis' figures as the plan does.
    photo_page = _shown(parse(client.get(f"/photos/{photo_id}")))
    assert PHOTO_PAGE <= set(photo_page)
    for name, shown in photo_page.items():
        assert shown == [text[name]] * len(shown), name
    # The designer, opened on the plan, shows the plan's zones.
    designer = parse(client.get(f"/cases/{case_id}/designer?plan={plan_id}"))
    state = json.loads(designer.find("script", id="design-state").text)
    for name in DESIGNER:
        assert state["figures"][name]["text"] == text[name], name
    assert designer.find("span", id="removal-impressions").text == text["removal_impressions"]
    assert designer.find("span", id="desired-density").text == text["desired_density_per_cm2"]
    for zone in ("removal", "touch_up", "keep"):
        shown = f"{state['zones'][zone]['area_cm2']:.2f} cm²"
        assert shown == text[f"{zone}_area_cm2"], zone

    # Both PDFs, as text.
    facility = _pdf_text(client.get(f"/plans/{plan_id}/files/facility_pdf").content)
    patient = _pdf_text(client.get(f"/plans/{plan_id}/files/patient_pdf").content)
    for name in FACILITY_PDF:
        assert text[name] in facility, (name, text[name])
    for name in PATIENT_PDF:
        if figures[name]["value"]:  # the patient's legend lists the zones the plan has
            assert text[name] in patient, (name, text[name])
    # The command line's table of this plan.
    table = _table(document)
    for label, name in CLI_ROWS.items():
        assert table[label] == text[name], label

    if photo.whole_head:
        # Nothing is counted on a whole head: said in words everywhere, never 0 or a dash.
        for name in (*COUNTS, "desired_density_per_cm2", "blown_out_percent", "colour_cast"):
            assert not figures[name]["measured"] and text[name] == NOT_MEASURED, name
            assert figures[name]["why"], name
        assert text["existing_smp"] == NOT_ENOUGH
        assert re.search(r"Impressions\s+0\b", facility, re.IGNORECASE) is None
        assert "—" not in facility and "—" not in " ".join(sum(plan_page.values(), []))
        assert "Overall, your current SMP is" not in patient
    else:
        for name in (*COUNTS, "desired_density_per_cm2", "blown_out_percent", "colour_cast"):
            assert figures[name]["measured"], name
        assert figures["existing_smp"]["measured"]
        assert int(text["removal_impressions"]) == document["zones"]["removal"]["impressions"]
        for name in ("removal_impressions", "impressions_to_add"):
            if figures[name]["value"]:
                assert text[name] in patient, name

    # The command line, analysing the photo afresh, writes the same figures.
    cli = cli_figures[key]
    for name, figure in figures.items():
        assert cli["figures"][name]["text"] == figure["text"], name
    for label, name in CLI_ROWS.items():
        assert text[name] in cli["output"], label
