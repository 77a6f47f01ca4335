"""The photo page shows the analysis's warnings: what the clinic should know about the photo."""

from __future__ import annotations

import re
from pathlib import Path

REAL_HEADS = Path(__file__).resolve().parents[1] / "data" / "real-heads"


def test_the_photo_page_shows_the_analysis_warnings(client, signed_in, parse, case_by_form):
    _user, csrf = signed_in()
    case_id = case_by_form(csrf, name="Sam Side")
    # 25-front.jpg is stored on its side: the head model says so, and the page must too.
    photo_bytes = (REAL_HEADS / "25-front.jpg").read_bytes()
    answer = client.post(
        f"/cases/{case_id}/photos",
        data={"view": "front", "mm_per_px": "0.35", "csrf_token": csrf},
        files=[("files", ("25-front.jpg", photo_bytes, "image/jpeg"))],
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    tiles = [a.get("href") for a in parse(client.get(f"/cases/{case_id}")).find_all("a")]
    photo_id = int(next(t for t in tiles if t and re.fullmatch(r"/photos/\d+", t)).split("/")[-1])
    stored = client.get(f"/api/photos/{photo_id}/analysis").json()["analysis"]["warnings"]
    assert any("on its side" in w for w in stored)
    page = parse(client.get(f"/photos/{photo_id}"))
    shown = [" ".join(e.text.split()) for e in page.find_all("dd", class_="warnings")]
    assert len(shown) == 1 and all(w in shown[0] for w in stored)
    # A whole head's overlay shows the landmarks and what was left out, and its caption says so.
    captions = [" ".join(e.text.split()) for e in page.find_all("figcaption")]
    assert any("face landmarks in yellow" in c and "left out" in c for c in captions), captions
