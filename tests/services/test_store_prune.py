"""Orphaned store files: listed by a dry run that changes nothing, then deleted and audited.

Also the guard that keeps the pruning safe: every model column that names a stored file is
known to :mod:`scalpmap.services.photos`, and plan files count as referenced for recovery.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import String, select

from scalpmap.services import photos
from scalpmap.services.store_prune import delete_orphans, find_orphans
from scalpmap.store.models import AuditEvent, Base, PhotoAnalysis, PlanVersion
from scalpmap.store.photos import StagedFile

HOURS = 3600


def age(path, seconds: float) -> None:
    """Make a file look ``seconds`` old."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def stored_names(store) -> set[str]:
    return {p.name for p in store.root.rglob("*") if p.is_file()}


def test_dry_run_lists_old_orphans_only_and_delete_removes_them_with_audit(
    db_session, photo_store, case, practitioner, photo_bytes
):
    photo = photos.add_photo(
        db_session, photo_store, photo_bytes(1), case_id=case.id, actor=practitioner
    )
    first, second = photo_store.put(b"first overlay"), photo_store.put(b"overlay made again")
    analysis = PhotoAnalysis(photo_id=photo.id, overlay_sha256=first)
    plan_file = photo_store.put(b"facility report of plan 1")
    db_session.add(analysis)
    db_session.flush()
    db_session.add(PlanVersion(case_id=case.id, version=1, document={"files": {"pdf": plan_file}}))
    db_session.commit()
    analysis.overlay_sha256 = second  # the analysis made again: its first overlay is orphaned
    db_session.commit()
    young = photo_store.put(b"an upload of a moment ago, its row not committed yet")
    for sha256 in (photo.sha256, first, second, plan_file):
        age(photo_store.path_for(sha256), 2 * HOURS)

    before = stored_names(photo_store)
    orphans = find_orphans(db_session, photo_store, min_age_s=HOURS)
    assert [(o.sha256, o.staged) for o in orphans] == [(first, False)]
    assert orphans[0].byte_size == len(b"first overlay")
    assert stored_names(photo_store) == before  # the dry run changed nothing

    result = delete_orphans(db_session, photo_store, orphans, actor=None)
    assert (result.deleted, result.bytes_freed, result.kept) == (1, len(b"first overlay"), 0)
    assert stored_names(photo_store) == before - {first}
    for kept in (photo.sha256, second, plan_file, young):
        assert photo_store.exists(kept)
    event = db_session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.entity, event.user_id) == ("delete", "stored_file", None)
    assert event.details == {"sha256": first, "bytes": len(b"first overlay"), "staged": False}


def test_a_file_referenced_again_before_the_deletion_is_kept(
    db_session, photo_store, case, practitioner, photo_bytes
):
    data = photo_bytes(2)
    sha256 = photo_store.put(data)
    age(photo_store.path_for(sha256), 2 * HOURS)
    orphans = find_orphans(db_session, photo_store, min_age_s=HOURS)
    assert [o.sha256 for o in orphans] == [sha256]
    photos.add_photo(db_session, photo_store, data, case_id=case.id, actor=practitioner)
    result = delete_orphans(db_session, photo_store, orphans, actor=practitioner)
    assert (result.deleted, result.kept) == (0, 1)
    assert photo_store.read(sha256) == data


def test_staged_leftovers_are_listed_unless_recovery_will_promote_them(
    db_session, photo_store, case, practitioner, photo_bytes, monkeypatch
):
    abandoned = photo_store.stage(b"an upload whose transaction failed in a crash")
    monkeypatch.setattr(StagedFile, "commit", lambda self: None)  # "crash" after the commit
    committed = photos.add_photo(
        db_session, photo_store, photo_bytes(3), case_id=case.id, actor=practitioner
    )
    monkeypatch.undo()
    for path in photo_store.incoming.iterdir():
        age(path, 2 * HOURS)
    orphans = find_orphans(db_session, photo_store, min_age_s=HOURS)
    assert [(o.path, o.staged) for o in orphans] == [(abandoned.temp_path, True)]
    assert delete_orphans(db_session, photo_store, orphans, actor=None).deleted == 1
    assert not abandoned.temp_path.exists()
    assert photos.recover_photo_store(db_session, photo_store, min_age_s=HOURS) == 1
    assert photo_store.read(committed.sha256) == photo_bytes(3)


def test_recovery_promotes_a_plan_file_left_staged_by_a_crash(db_session, photo_store, case):
    staged = photo_store.stage(b"zones picture of a plan saved just before a crash")
    db_session.add(
        PlanVersion(case_id=case.id, version=1, document={"files": {"zones": staged.sha256}})
    )
    db_session.commit()
    assert photos.file_is_referenced(db_session, staged.sha256)
    assert staged.sha256 in photos.referenced_files(db_session)
    assert photos.recover_photo_store(db_session, photo_store, min_age_s=HOURS) == 1
    assert photo_store.exists(staged.sha256)


NOT_FILES = {"sign_in_sessions.key_sha256", "api_tokens.token_sha256"}
"""sha256 columns that hash secrets (sign-in keys, API tokens), not files in the store."""


def test_every_column_naming_a_stored_file_is_known_to_the_reference_checks():
    """A new ``*sha256`` column must be added to FILE_COLUMNS, or prune would delete its files."""
    known = {f"{column.table.name}.{column.name}" for column in photos.FILE_COLUMNS}
    hashes = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if "sha256" in column.name and isinstance(column.type, String)
    }
    assert hashes - NOT_FILES == known
    assert NOT_FILES <= hashes  # the exceptions still exist under these names
