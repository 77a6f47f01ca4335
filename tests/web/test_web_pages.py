"""Pages render, parse and work: sign-in, dashboard, patients, cases, photos, enquiries, admin."""

from __future__ import annotations

import re

from scalpmap.services import analyses, cases, patients
from scalpmap.store.models import CaseReason, Role

PASSWORD = "correct horse battery"


def _patient(client, csrf, name="Jordan Page", **fields):
    data = {"full_name": name, "date_of_birth": "1985-06-15", "csrf_token": csrf, **fields}
    answer = client.post("/patients/new", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    match = re.fullmatch(r"/patients/(\d+)", answer.headers["location"])
    assert match
    return int(match.group(1))


def _case(client, csrf, patient_id, reason="reposition"):
    answer = client.post(
        f"/patients/{patient_id}/cases",
        data={"reason": reason, "title": "Soften hairline", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return int(answer.headers["location"].rsplit("/", 1)[1])


def test_signin_page_then_dashboard(client, make_user, parse):
    first = client.get("/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/signin?next=/"
    signin = parse(client.get("/signin"))
    assert signin.title == "Sign in · scalpmap"
    form = signin.find("form", action="/signin")
    assert form.get("method") == "post"
    labels = {label.get("for") for label in signin.find_all("label")}
    assert {"email", "password"} <= labels
    assert signin.find("input", name="csrf_token", type="hidden").get("value") == signin.csrf
    user = make_user(Role.PRACTITIONER)
    wrong = client.post(
        "/signin",
        data={"email": user.email, "password": "wrong password!", "csrf_token": signin.csrf},
    )
    assert wrong.status_code == 401 and parse(wrong).alerts() == ["wrong email or password"]
    empty = client.post("/signin", data={"email": "", "csrf_token": signin.csrf})
    assert empty.status_code == 422
    answer = client.post(
        "/signin",
        data={"email": user.email, "password": PASSWORD, "csrf_token": signin.csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    dashboard = parse(client.get("/"))
    assert dashboard.title == "Dashboard · scalpmap"
    assert dashboard.find("nav", class_="mainnav")
    hrefs = dashboard.links()
    for target in ("/patients", "/cases", "/enquiries", "/account/tokens", "/api/docs"):
        assert target in hrefs
    assert "/admin/users" not in hrefs  # practitioners do not manage users
    stages = [
        a.get("href") for a in dashboard.find_all("a") if "stage-card" in (a.get("class") or "")
    ]
    assert stages == [
        f"/cases?stage={s}"
        for s in ("enquiry", "assessment", "planned", "referred", "laser", "touch_up", "complete")
    ]
    assert "No follow-ups due." in [p.text.strip() for p in dashboard.find_all("p")]


def test_patient_create_edit_and_search(client, signed_in, parse):
    _user, csrf = signed_in()
    new = parse(client.get("/patients/new"))
    for name in ("full_name", "date_of_birth", "email", "phone", "fitzpatrick_type", "notes"):
        field = (
            new.find_all("input", name=name)
            or new.find_all("select", name=name)
            or (new.find_all("textarea", name=name))
        )
        assert field, name
        assert new.find("label", for_=name)
    bad = client.post(
        "/patients/new", data={"full_name": "", "date_of_birth": "1990-01-01", "csrf_token": csrf}
    )
    alert = parse(bad).alerts()[0]
    assert bad.status_code == 422 and alert == "Full name is required: type the patient's full name"
    future = client.post(
        "/patients/new",
        data={"full_name": "Sky Future", "date_of_birth": "2999-01-01", "csrf_token": csrf},
    )
    assert parse(future).alerts() == [
        "Date of birth is in the future (2999-01-01): type the day the patient was born"
    ]
    assert parse(future).find("input", name="full_name").get("value") == "Sky Future"
    patient_id = _patient(client, csrf, name="Jordan Pagewright", fitzpatrick_type="2")
    detail = parse(client.get(f"/patients/{patient_id}"))
    assert detail.title == f"Patient #{patient_id} · scalpmap"
    assert "Jordan Pagewright" in detail.find("h1").text
    edit = parse(client.get(f"/patients/{patient_id}/edit"))
    assert edit.find("input", name="full_name").get("value") == "Jordan Pagewright"
    bad_type = client.post(
        f"/patients/{patient_id}/edit",
        data={"full_name": "Jordan Pagewright", "fitzpatrick_type": "9", "csrf_token": csrf},
    )
    assert bad_type.status_code == 422
    assert parse(bad_type).alerts()[0].startswith("Fitzpatrick skin type must be 6 or less")
    saved = client.post(
        f"/patients/{patient_id}/edit",
        data={"full_name": "Jordan Pagewright", "phone": "0123", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    found = parse(client.post("/patients/search", data={"q": "pagewri", "csrf_token": csrf}))
    assert f"/patients/{patient_id}" in found.links()
    consent = client.post(
        f"/patients/{patient_id}/consent",
        data={"consent_text": "photos and planning", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert consent.status_code == 303
    assert "Given" in [
        b.text for b in parse(client.get(f"/patients/{patient_id}")).find_all("span")
    ]


def test_case_page_stage_and_plans_slot(client, signed_in, parse):
    _user, csrf = signed_in()
    patient_id = _patient(client, csrf)
    missing_reason = client.post(f"/patients/{patient_id}/cases", data={"csrf_token": csrf})
    assert missing_reason.status_code == 422
    case_id = _case(client, csrf, patient_id)
    case_page = parse(client.get(f"/cases/{case_id}"))
    assert case_page.title == f"Case #{case_id} · scalpmap"
    tabs = case_page.find("nav", class_="tabs")
    assert tabs
    plans = [e for e in case_page.elements if e.text.strip() == "Plans" and e.tag in ("a", "span")]
    assert plans, "the case page shows a Plans entry"
    zone = case_page.find("div", id="dropzone")
    assert zone.get("data-upload-url") == f"/api/cases/{case_id}/photos"
    assert zone.get("data-views") == "front,left,right,top,back"
    scripts = {s.get("src") for s in case_page.find_all("script")}
    assert {"/static/app.js", "/static/upload.js", "/static/analysis.js"} <= scripts
    moved = client.post(
        f"/cases/{case_id}/stage",
        data={"stage": "planned", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert moved.status_code == 303
    back = client.post(f"/cases/{case_id}/stage", data={"stage": "enquiry", "csrf_token": csrf})
    assert back.status_code == 422 and "cannot go back" in parse(back).alerts()[0]
    unknown = client.post(f"/cases/{case_id}/stage", data={"stage": "nowhere", "csrf_token": csrf})
    assert unknown.status_code == 422
    edited = client.post(
        f"/cases/{case_id}/edit",
        data={"title": "New title", "practitioner_id": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    listing = parse(client.get("/cases?stage=planned"))
    assert f"/cases/{case_id}" in listing.links()
    assert client.get("/cases?stage=bogus").status_code == 422


def test_photo_upload_form_and_photo_page(client, signed_in, parse, scalp_jpeg):
    _user, csrf = signed_in()
    case_id = _case(client, csrf, _patient(client, csrf))
    none = client.post(f"/cases/{case_id}/photos", data={"view": "front", "csrf_token": csrf})
    assert none.status_code == 422
    empty_part = client.post(  # what a browser sends when no file was chosen
        f"/cases/{case_id}/photos",
        data={"view": "front", "csrf_token": csrf},
        files=[("files", ("", b"", "application/octet-stream"))],
    )
    assert empty_part.status_code == 422
    assert parse(empty_part).alerts() == ["choose at least one photo"]
    answer = client.post(
        f"/cases/{case_id}/photos",
        data={"view": "front", "mm_per_px": "", "csrf_token": csrf},
        files=[("files", ("front.jpg", scalp_jpeg, "image/jpeg"))],
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    case_page = parse(client.get(f"/cases/{case_id}"))
    tiles = [a.get("href") for a in case_page.find_all("a", class_="thumb")]
    assert len(tiles) == 1
    photo_id = int(tiles[0].rsplit("/", 1)[1])
    photo = parse(client.get(f"/photos/{photo_id}"))
    assert photo.title == f"Photo #{photo_id} · scalpmap"
    metrics = {
        e.text.strip()
        for e in photo.elements
        if e.tag == "span" and "metric-label" in (e.get("class") or "")
    }
    assert {"Impressions in the region", "Mean density", "Pigmented area"} <= metrics
    shown = {
        e.get("data-figure"): e.text.strip() for e in photo.find_all("span", class_="metric-value")
    }
    stored = client.get(f"/api/photos/{photo_id}/analysis").json()["analysis"]["summary"]
    assert shown["impressions_in_region"] == str(stored["count_in_region"])
    assert shown["region_area_cm2"].endswith(" cm²")
    assert shown["mean_density_per_cm2"].endswith(" per cm²")
    images = {img.get("src") for img in photo.find_all("img")}
    assert f"/photos/{photo_id}/overlay.png" in images
    for suffix, kind in (("thumb.jpg", "image/jpeg"), ("overlay.png", "image/png")):
        got = client.get(f"/photos/{photo_id}/{suffix}")
        assert got.status_code == 200 and got.headers["content-type"] == kind
    original = client.get(f"/photos/{photo_id}/original")
    assert original.content == scalp_jpeg


def test_progress_indicator_while_pending(app, client, signed_in, parse, scalp_jpeg):
    user, csrf = signed_in()
    case_id = _case(client, csrf, _patient(client, csrf))
    client.post(
        f"/cases/{case_id}/photos",
        data={"view": "top", "csrf_token": csrf},
        files=[("files", ("top.jpg", scalp_jpeg, "image/jpeg"))],
    )
    photo_id = client.get(f"/api/cases/{case_id}", headers={}).json()["photo_ids"][0]
    with app.state.scalpmap.session_factory() as session:
        analyses.request_analysis(session, photo_id, user)  # queued, not run
    photo = parse(client.get(f"/photos/{photo_id}"))
    progress = photo.find("section", class_="card progress-card")
    assert progress.get("data-analysis-url") == f"/api/photos/{photo_id}/analysis?document=false"
    assert photo.find("div", role="progressbar")
    status = client.get(f"/api/photos/{photo_id}/analysis?document=false").json()
    assert status["status"] == "pending" and status["analysis"] is None


def test_public_enquiry_to_patient_and_case(client, signed_in, parse, scalp_jpeg, other_jpeg):
    form = parse(client.get("/enquire"))
    assert form.find("form", action="/enquire").get("enctype") == "multipart/form-data"
    assert form.find("input", name="consent", type="checkbox")
    fields = {"name": "Casey Enquirer", "email": "casey@example.org", "reason": "reposition"}
    no_consent = client.post("/enquire", data={**fields, "csrf_token": form.csrf})
    assert no_consent.status_code == 422 and "consent" in parse(no_consent).alerts()[0]
    no_contact = client.post(
        "/enquire", data={"name": "X", "consent": "on", "csrf_token": form.csrf}
    )
    assert (
        no_contact.status_code == 422
        and "email address or a phone" in parse(no_contact).alerts()[0]
    )
    sent = client.post(
        "/enquire",
        data={**fields, "consent": "on", "message": "Softer line please", "csrf_token": form.csrf},
        files=[
            ("photos", ("a.jpg", scalp_jpeg, "image/jpeg")),
            ("photos", ("b.jpg", other_jpeg, "image/jpeg")),
        ],
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == "/enquire/thanks"
    no_photos = client.post(
        "/enquire",
        data={**fields, "consent": "on", "csrf_token": form.csrf},
        files=[("photos", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert no_photos.status_code == 303
    assert parse(client.get("/enquire/thanks")).find("h1").text == "Thank you"

    _user, csrf = signed_in(Role.RECEPTION)
    inbox = parse(client.get("/enquiries"))
    links = [a for a in inbox.find_all("a") if a.text.strip() == "Casey Enquirer"]
    assert links
    detail_url = links[-1].get("href")
    detail = parse(client.get(detail_url))
    enquiry_id = int(detail_url.rsplit("/", 1)[1])
    photo_srcs = [img.get("src") for img in detail.find_all("img")]
    assert len(photo_srcs) == 2
    assert client.get(photo_srcs[0]).headers["content-type"] == "image/jpeg"
    converted = client.post(
        f"/enquiries/{enquiry_id}/convert",
        data={"reason": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert converted.status_code == 303
    case_url = converted.headers["location"]
    case_page = parse(client.get(case_url))
    assert len(case_page.find_all("a", class_="thumb")) == 2
    again = client.post(f"/enquiries/{enquiry_id}/convert", data={"csrf_token": csrf})
    assert again.status_code == 409


def test_admin_manages_users(client, signed_in, make_user, parse):
    admin, csrf = signed_in(Role.ADMIN)
    users = parse(client.get("/admin/users"))
    assert users.title == "Staff users · scalpmap"
    assert users.find("form", action="/admin/users")
    email = f"new-reception-{id(users)}@clinic.example"
    weak = client.post(
        "/admin/users",
        data={"email": email, "role": "reception", "password": "short", "csrf_token": csrf},
    )
    assert weak.status_code == 422 and "at least 12 characters" in parse(weak).alerts()[0]
    created = client.post(
        "/admin/users",
        data={"email": email, "role": "reception", "password": PASSWORD, "csrf_token": csrf},
    )
    assert created.status_code == 201
    duplicate = client.post(
        "/admin/users",
        data={"email": email, "role": "reception", "password": PASSWORD, "csrf_token": csrf},
    )
    assert duplicate.status_code == 409
    listed = parse(client.get("/admin/users"))
    forms = [f.get("action") for f in listed.find_all("form")]
    target = next(a for a in forms if a and a.endswith("/deactivate") and f"/{admin.id}/" not in a)
    assert client.post(target, data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    own = client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": csrf})
    assert own.status_code == 409


def test_tokens_page_shows_a_token_once(client, signed_in, parse):
    _user, csrf = signed_in()
    made = client.post("/account/tokens", data={"name": "lab export", "csrf_token": csrf})
    assert made.status_code == 201
    token = parse(made).find("pre", class_="token").text.strip()
    assert token.startswith("smp_")
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = parse(client.get("/account/tokens"))
    assert token not in client.get("/account/tokens").text
    revoke = next(
        f.get("action") for f in listed.find_all("form") if "/revoke" in (f.get("action") or "")
    )
    client.post(revoke, data={"csrf_token": csrf})
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    unnamed = client.post("/account/tokens", data={"name": " ", "csrf_token": csrf})
    assert unnamed.status_code == 422


def test_every_page_uses_the_layout_without_inline_code(client, signed_in, parse):
    _user, csrf = signed_in(Role.ADMIN)
    patient_id = _patient(client, csrf)
    case_id = _case(client, csrf, patient_id)
    for path in (
        "/",
        "/patients",
        "/patients/new",
        f"/patients/{patient_id}",
        f"/patients/{patient_id}/edit",
        "/cases",
        f"/cases/{case_id}",
        "/enquiries",
        "/admin/users",
        "/admin/clinic",
        "/account/tokens",
        "/api/docs",
        "/enquire",
    ):
        html = parse(client.get(path))
        assert html.find("link", rel="stylesheet").get("href") == "/static/app.css", path
        assert all(s.get("src", "").startswith("/static/") for s in html.find_all("script")), path
        assert not [e for e in html.elements if "style" in e.attrs or e.tag == "style"], path
        # Staff pages are scalpmap's; the public enquiry page carries the clinic's name only.
        assert html.title.endswith("· scalpmap") == (path != "/enquire"), path
        for form in html.find_all("form"):
            if (form.get("method") or "get").lower() == "post":
                assert form.get("action"), path
    assert client.get("/static/app.css").headers["content-type"].startswith("text/css")


def test_dashboard_lists_cases_and_new_enquiries(app, client, signed_in, parse):
    user, _csrf = signed_in()
    with app.state.scalpmap.session_factory() as session:
        patient = patients.create_patient(
            session, patients.PatientCreate(full_name="Dash Board"), user
        )
        case = cases.open_case(session, patient.id, CaseReason.FADED, user)
    dashboard = parse(client.get("/"))
    assert f"/cases/{case.id}" in dashboard.links()
