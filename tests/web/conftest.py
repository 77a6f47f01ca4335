"""Fixtures for the web tests: an app per test on each backend, users, sign-in, photos, cases.

The database is the session's (``scalpmap.store.testing``) and the app commits for real, so
every test makes its own users and records (unique emails, unique facility names) and never
counts global rows.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from scalpmap.config import Settings
from scalpmap.imaging.synth import SynthOptions, generate_scalp_jpeg
from scalpmap.services import cases, plans, referrals
from scalpmap.services.sample_case import (
    add_sample_facility,
    open_sample_case,
    plan_sample_case,
    sample_baseline_png,
    sample_follow_up_png,
)
from scalpmap.services.users import create_user
from scalpmap.store import testing
from scalpmap.store.models import Case, CaseStage, PhotoView, Role, User, utcnow
from scalpmap.web.app import create_app

backend = testing.backend
cheap_password_hashing = testing.cheap_password_hashing
db_engine = testing.db_engine
db_settings = testing.db_settings

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def unique_email(prefix: str = "staff") -> str:
    return f"{prefix}{next(_counter)}-{id(_counter)}@clinic.example"


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)


class Page(HTMLParser):
    """A tiny HTML parser: every element with its attributes and text."""

    VOID = {"input", "img", "meta", "link", "br", "hr", "source"}

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find_all(self, tag: str, **attrs: str) -> list[Element]:
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in wanted.items())
        ]

    def find(self, tag: str, **attrs: str) -> Element:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag} {attrs}>"
        return found[0]

    @property
    def title(self) -> str:
        return self.find("title").text.strip()

    @property
    def csrf(self) -> str:
        value = self.find("meta", name="csrf-token").get("content")
        assert value
        return value

    def alerts(self) -> list[str]:
        return [
            " ".join(e.text.split()) for e in self.elements if "alert" in (e.get("class") or "")
        ]

    def links(self) -> list[str]:
        return [e.attrs["href"] or "" for e in self.find_all("a") if "href" in e.attrs]


def page(response: Any) -> Page:
    assert response.headers["content-type"].startswith("text/html"), response.headers
    return Page(response.text)


@pytest.fixture
def web_settings(db_settings: Settings, tmp_path: Path) -> Settings:
    return db_settings.model_copy(update={"photo_storage_dir": tmp_path / "photos"})


@pytest.fixture
def app(web_settings: Settings, cheap_password_hashing: Any) -> FastAPI:
    return create_app(web_settings, inline_jobs=True)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_user(app: FastAPI, client: TestClient):
    def make(role: Role = Role.PRACTITIONER, email: str | None = None) -> User:
        with app.state.scalpmap.session_factory() as session:
            return create_user(session, email or unique_email(str(role)), PASSWORD, role)

    return make


def sign_in(client: TestClient, user: User, password: str = PASSWORD) -> str:
    """Sign in through the form; return the session's CSRF token."""
    form = page(client.get("/signin"))
    response = client.post(
        "/signin",
        data={"email": user.email, "password": password, "csrf_token": form.csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return page(client.get("/")).csrf


@pytest.fixture
def signed_in(client: TestClient, make_user):
    """``signed_in(role)``: sign the client in as a new user; returns ``(user, csrf)``."""

    def login(role: Role = Role.PRACTITIONER) -> tuple[User, str]:
        user = make_user(role)
        return user, sign_in(client, user)

    return login


@pytest.fixture
def token_headers(client: TestClient, make_user):
    """``token_headers(role)``: bearer headers of a new user's API token."""

    def headers(role: Role = Role.PRACTITIONER) -> dict[str, str]:
        user = make_user(role)
        response = client.post("/api/auth/token", json={"email": user.email, "password": PASSWORD})
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['token']}"}

    return headers


@pytest.fixture(scope="session")
def scalp_jpeg() -> bytes:
    """A small synthetic close-up with the printed marker (analysed in well under a second)."""
    data, _truth = generate_scalp_jpeg(
        SynthOptions(seed=5, width_px=900, height_px=700, mm_per_px=0.035)
    )
    return data


@pytest.fixture(scope="session")
def other_jpeg() -> bytes:
    data, _truth = generate_scalp_jpeg(
        SynthOptions(seed=7, width_px=640, height_px=480, mm_per_px=0.035)
    )
    return data


@pytest.fixture
def parse():
    """``parse(response)``: the HTML page of a response, parsed."""
    return page


def _saved_plan(answer: Any) -> dict[str, Any]:
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["kind"] == "plan_save" and job["status"] == "done", job
    result = job["result"]
    return {"id": result["plan_id"], "version": result["version"], "url": result["url"]}


@pytest.fixture
def saved_plan() -> Callable[[Any], dict[str, Any]]:
    """``saved_plan(answer)``: the version a save made (the save answers its job, 202, done at
    once with inline jobs): its ``id``, ``version`` and ``url``."""
    return _saved_plan


def _design_state(parsed: Page) -> dict[str, Any]:
    script = parsed.find("script", id="design-state")
    return dict(json.loads(script.text))


@pytest.fixture
def design_state() -> Callable[[Page], dict[str, Any]]:
    """``design_state(parsed_page)``: the designer page's state, from its JSON script."""
    return _design_state


@dataclass(frozen=True)
class TreatmentCase:
    """A case made by ``make_case``: its id, its facility's id and name, and its user's id."""

    case_id: int
    facility_id: int
    facility_name: str
    user_id: int


@pytest.fixture(scope="session")
def followups() -> dict[str, bytes]:
    """Follow-up PNGs of the sample case's baseline, made once by the first analysed case.

    ``forty``: 40 % of the removal zone erased; ``all``: all of it; ``stranger``: a photo of
    someone else (it cannot be registered).
    """
    return {}


@pytest.fixture(scope="session")
def sample_png() -> bytes:
    """The sample case's baseline photo, a synthetic PNG."""
    return sample_baseline_png()


@pytest.fixture
def make_case(
    app: FastAPI, make_user: Callable[..., User], sample_png: bytes, followups: dict[str, bytes]
) -> Iterator[Callable[..., TreatmentCase]]:
    """``make_case(user=None, plan="analysed"|"minimal"|"none", referred_on=None)``.

    A case of a new patient (of a new practitioner by default) with a plan (of the analysed
    sample baseline, or a bare one) and a new facility, referred there when ``referred_on`` is
    given. Every case is marked complete afterwards: the dashboard's tests count the sessions
    due.
    """
    state = app.state.scalpmap
    made: list[TreatmentCase] = []

    def make(
        user: User | None = None, plan: str = "analysed", referred_on: dt.date | None = None
    ) -> TreatmentCase:
        user = user or make_user(Role.PRACTITIONER)
        with state.session_factory() as session:
            actor = session.get(User, user.id)
            assert actor is not None
            if plan == "analysed":
                sample = plan_sample_case(
                    session,
                    state.store,
                    actor,
                    photo_png=sample_png,
                    patient_name="Tess Treatment",
                    view=PhotoView.FRONT,
                    plan_day=utcnow().date() - dt.timedelta(days=90),
                )
                case_id = sample.case_id
                if not followups:
                    for name, erase, seed in (("forty", 0.4, 1), ("all", 1.0, 2)):
                        followups[name] = sample_follow_up_png(sample, erase_share=erase, seed=seed)
                    followups["stranger"] = sample_baseline_png(seed=42)
            else:
                case_id = open_sample_case(session, actor, patient_name="Tess Treatment").id
                if plan == "minimal":
                    plans.save_plan(session, case_id, {"format": "scalpmap-plan/1"}, actor)
            name = f"Treat Laser {next(_counter)}-{uuid.uuid4().hex[:6]}"
            facility = add_sample_facility(session, actor, name=name)
            if referred_on is not None:
                referrals.create_referral(
                    session, case_id, facility.id, actor, referred_on=referred_on
                )
            made.append(TreatmentCase(case_id, facility.id, name, user.id))
            return made[-1]

    yield make
    with state.session_factory() as session:  # leave no session due for the dashboard's tests
        for item in made:
            actor = session.get(User, item.user_id)
            cases.set_stage(session, item.case_id, CaseStage.COMPLETE, actor, allow_backwards=True)


@pytest.fixture
def case_by_form(client: TestClient) -> Callable[..., int]:
    """``case_by_form(csrf, name=..., reason=..., title=...)``: a new patient and case, made
    through the web forms as a user would; returns the case's id."""

    def make(
        csrf: str, name: str = "Sam Form", reason: str = "reposition", title: str = "Check"
    ) -> int:
        patient = client.post(
            "/patients/new",
            data={"full_name": name, "date_of_birth": "1980-02-01", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert patient.status_code == 303, patient.text
        patient_id = int(patient.headers["location"].rsplit("/", 1)[1])
        case = client.post(
            f"/patients/{patient_id}/cases",
            data={"reason": reason, "title": title, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert case.status_code == 303, case.text
        return int(case.headers["location"].rsplit("/", 1)[1])

    return make


@pytest.fixture
def face_case(client: TestClient, face_photo: Any) -> Callable[..., tuple[int, int, int]]:
    """``face_case(csrf, name=...)``: a case with the whole-head front photo (``face_photo``),
    analysed at its given scale through the API; returns the case's, photo's and analysis's ids."""

    def make(csrf: str, name: str = "Faye Face") -> tuple[int, int, int]:
        path, truth = face_photo
        headers = {"X-CSRF-Token": csrf}
        patient = client.post(
            "/api/patients", json={"name": name, "date_of_birth": "1990-02-03"}, headers=headers
        )
        assert patient.status_code == 201, patient.text
        case = client.post(
            "/api/cases",
            json={"patient_id": patient.json()["id"], "reason": "reposition"},
            headers=headers,
        ).json()
        upload = client.post(
            f"/api/cases/{case['id']}/photos",
            files={"file": ("face.jpg", path.read_bytes(), "image/jpeg")},
            data={"view": "front", "mm_per_px": str(truth.mm_per_px)},
            headers=headers,
        )
        assert upload.status_code == 201 and upload.json()["status"] == "done", upload.text
        return case["id"], upload.json()["id"], upload.json()["analysis_id"]

    return make


@pytest.fixture
def stage_of(app: FastAPI) -> Callable[[int], CaseStage]:
    """``stage_of(case_id)``: the case's stage now."""

    def stage(case_id: int) -> CaseStage:
        with app.state.scalpmap.session_factory() as session:
            found = session.get(Case, case_id)
            assert found is not None
            return found.stage

    return stage
