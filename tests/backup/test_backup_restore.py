"""A backup taken while staff keep adding patients and photos restores whole, on both backends.

The write load is interleaved with the backup's steps for certain (not by timing): photos are
committed between the first copy of the store and the database snapshot, and again between the
snapshot and the copy of the newest files. The restored installation is then compared with the
live one: every table, every row count against the manifest, every restored photo's record
against the live record, every referenced file present with its sha256.
"""

from __future__ import annotations

import hashlib
import threading

import pytest
from sqlalchemy import delete, inspect, select

from scalpmap.backup.create import create_backup
from scalpmap.backup.manifest import BackupError, read_manifest
from scalpmap.backup.restore import restore_backup
from scalpmap.config import Settings
from scalpmap.services.photos import referenced_files
from scalpmap.store.engine import create_engine_for, make_session_factory
from scalpmap.store.models import Photo
from scalpmap.store.photos import PhotoStore, sha256_hex


class WriteLoad:
    """Threads adding patients with photos until stopped, counting the photos committed."""

    def __init__(self, clinic, threads: int = 2) -> None:
        self.clinic, self.committed, self.errors = clinic, 0, []
        self.stop_event, self.changed = threading.Event(), threading.Condition()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, index: int) -> None:
        while not self.stop_event.is_set():
            try:
                self.clinic.add_patient_with_photos(1, name=f"Load {index}")
            except Exception as error:  # noqa: BLE001 - reported by the test
                self.errors.append(repr(error))
                return
            with self.changed:
                self.committed += 1
                self.changed.notify_all()

    def __enter__(self) -> WriteLoad:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(60)

    def wait_for_more(self, count: int) -> None:
        """Block until ``count`` more photos are committed."""
        with self.changed:
            goal = self.committed + count
            assert self.changed.wait_for(lambda: self.committed >= goal or self.errors, 60)
        assert not self.errors, self.errors


class Interleaved:
    """A progress sink that lets the write load commit photos before the given steps."""

    def __init__(self, load: WriteLoad, before: tuple[str, ...]) -> None:
        self.load, self.before, self.steps = load, before, []

    def start(self, description: str, total: int) -> None:
        self.steps.append(description)
        if description in self.before:
            self.load.wait_for_more(2)

    def advance(self, amount: int) -> None:
        pass


def photo_rows(settings: Settings) -> dict[int, str]:
    engine = create_engine_for(settings)
    try:
        with engine.connect() as connection:
            return {row[0]: row[1] for row in connection.execute(select(Photo.id, Photo.sha256))}
    finally:
        engine.dispose()


def table_names(settings: Settings) -> set[str]:
    engine = create_engine_for(settings)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_backup_under_write_load_restores_and_matches(clinic, empty_target_url, tmp_path):
    before = len(photo_rows(clinic.settings))
    steps = ("taking the database snapshot", "copying the newest photos")
    with WriteLoad(clinic) as load:
        progress = Interleaved(load, steps)
        made = create_backup(clinic.settings, tmp_path / "backup", progress=progress)
    assert not load.errors, load.errors
    assert made.snapshots == 1 and made.manifest.missing_files == []
    assert [step for step in progress.steps if step in steps] == list(steps)

    done = restore_backup(made.folder, tmp_path / "restored", database_url=empty_target_url)

    live, restored = photo_rows(clinic.settings), photo_rows(done.settings)
    assert before < len(restored) < len(live)  # photos came in before and after the snapshot
    assert all(live[photo_id] == sha256 for photo_id, sha256 in restored.items())
    assert table_names(done.settings) == table_names(clinic.settings)  # every table, generically
    assert done.facts.tables == made.manifest.tables
    assert done.facts.tables["photos"] == len(restored)
    store = PhotoStore(done.settings.photos_dir)
    for sha256 in done.facts.referenced or ():
        assert hashlib.sha256(store.read(sha256)).hexdigest() == sha256
    assert set(restored.values()) <= (done.facts.referenced or set())


def test_a_file_deleted_after_the_snapshot_is_caught_by_a_new_snapshot(
    clinic, empty_target_url, tmp_path
):
    """A photo added after the first copy, then deleted (row, then file) after the snapshot."""
    doomed: list[str] = []

    class AddThenDelete:
        def start(self, description: str, total: int) -> None:
            if description == "taking the database snapshot" and not doomed:
                doomed.extend(clinic.add_patient_with_photos(1, name="Deleted Meanwhile"))
            elif description == "copying the newest photos" and len(doomed) == 1:
                with clinic.sessions() as session:
                    session.execute(delete(Photo).where(Photo.sha256 == doomed[0]))
                    session.commit()
                assert clinic.store.remove(doomed[0], lambda _sha: False)
                doomed.append("deleted")

        def advance(self, amount: int) -> None:
            pass

    made = create_backup(clinic.settings, tmp_path / "backup", progress=AddThenDelete())
    assert doomed[1:] == ["deleted"]
    assert made.snapshots == 2 and made.manifest.missing_files == []
    assert doomed[0] not in (made.manifest.referenced_files or [])
    done = restore_backup(made.folder, tmp_path / "restored", database_url=empty_target_url)
    assert doomed[0] not in photo_rows(done.settings).values()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_committed_photo_whose_file_is_still_staged_is_backed_up(clinic, photo_png, tmp_path):
    """A crash between an upload's commit and its file's move leaves the file under incoming/."""
    data = photo_png(9001)
    staged = clinic.store.stage(data)
    with clinic.sessions() as session:
        case_id = session.scalars(select(Photo.case_id)).first()
        session.add(Photo(case_id=case_id, sha256=staged.sha256, source_format="PNG",
                          byte_size=len(data), width_px=48, height_px=48))  # fmt: skip
        session.commit()
    assert not clinic.store.exists(staged.sha256)
    made = create_backup(clinic.settings, tmp_path / "backup")
    assert staged.sha256 in made.manifest.referenced_files
    done = restore_backup(made.folder, tmp_path / "restored")
    assert PhotoStore(done.settings.photos_dir).read(staged.sha256) == data


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_file_lost_from_the_store_is_named_and_the_rest_restores(clinic, tmp_path):
    lost = clinic.add_patient_with_photos(1, name="Lost File")[0]
    clinic.store.path_for(lost).unlink()
    made = create_backup(clinic.settings, tmp_path / "backup")
    assert made.manifest.missing_files == [lost]
    assert made.snapshots == 3  # it was looked for again, in vain
    done = restore_backup(made.folder, tmp_path / "restored")
    assert lost in photo_rows(done.settings).values()
    assert done.facts.tables == made.manifest.tables


def test_a_non_empty_target_is_refused_and_left_as_it_was(clinic, empty_target_url, tmp_path):
    made = create_backup(clinic.settings, tmp_path / "backup")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("keep me")
    with pytest.raises(BackupError, match="is not empty"):
        restore_backup(made.folder, occupied, database_url=empty_target_url)
    assert [p.name for p in occupied.iterdir()] == ["notes.txt"]
    if empty_target_url is not None:  # a PostgreSQL database with tables is refused too
        with pytest.raises(BackupError, match="target database .* is not empty"):
            restore_backup(made.folder, tmp_path / "new", database_url=clinic.settings.database_url)
        assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_tampered_file_stops_the_restore_before_anything_is_written(clinic, tmp_path):
    made = create_backup(clinic.settings, tmp_path / "backup")
    victim = made.manifest.photo_files[0]
    path = made.folder / victim.path
    path.chmod(0o600)
    path.write_bytes(path.read_bytes()[:-1] + b"\0")
    with pytest.raises(BackupError, match=f"{victim.path} in the backup does not match"):
        restore_backup(made.folder, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_backup_folder_must_be_new_and_an_interrupted_backup_leaves_nothing(
    clinic, tmp_path, monkeypatch
):
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "x").write_text("x")
    with pytest.raises(BackupError, match="is not empty"):
        create_backup(clinic.settings, occupied)

    def fail(*_args, **_kwargs):
        raise BackupError("the disk is full")

    monkeypatch.setattr("scalpmap.backup.create.snapshot_database", fail)
    with pytest.raises(BackupError, match="disk is full"):
        create_backup(clinic.settings, tmp_path / "interrupted")
    assert sorted(p.name for p in tmp_path.iterdir() if "interrupted" in p.name) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_plan_files_and_overlays_are_referenced_and_restored(clinic, tmp_path):
    """Every kind of reference (photo, overlays, a plan's files) is found in the snapshot."""
    from scalpmap.store.models import PhotoAnalysis, PlanVersion

    picture, report = clinic.store.put(b"zones picture"), clinic.store.put(b"facility report")
    overlay = clinic.store.put(b"overlay picture")
    with clinic.sessions() as session:
        photo = session.scalars(select(Photo)).first()
        analysis = PhotoAnalysis(photo_id=photo.id, status="done", overlay_sha256=overlay)
        session.add(analysis)
        session.flush()
        files = {"zones": picture, "facility_pdf": report}
        session.add(
            PlanVersion(
                case_id=photo.case_id, version=1, analysis_id=analysis.id, document={"files": files}
            )
        )
        session.commit()
    made = create_backup(clinic.settings, tmp_path / "backup")
    assert {picture, report, overlay} <= set(made.manifest.referenced_files or [])
    done = restore_backup(made.folder, tmp_path / "restored")
    engine = create_engine_for(done.settings)
    try:
        with make_session_factory(engine)() as session:
            assert {picture, report, overlay} <= referenced_files(session)
    finally:
        engine.dispose()
    assert PhotoStore(done.settings.photos_dir).read(report) == b"facility report"
    assert sha256_hex(b"zones picture") == picture


class Counting:
    """A progress sink that adds up the bytes reported for each step."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.current = ""

    def start(self, description: str, total: int) -> None:
        self.current = description
        self.totals[description] = total
        self.done.setdefault(description, 0)

    def advance(self, amount: int) -> None:
        self.done[self.current] += amount


def test_progress_counts_every_byte_copied_and_checked(clinic, empty_target_url, tmp_path):
    counting = Counting()
    made = create_backup(clinic.settings, tmp_path / "backup", progress=counting)
    copied = counting.done["copying the photos"]
    assert copied == counting.totals["copying the photos"] == made.photo_bytes > 0
    counting = Counting()
    restore_backup(made.folder, tmp_path / "restored", database_url=empty_target_url,
                   progress=counting)  # fmt: skip
    every_file = sum(entry.bytes for entry in made.manifest.files)
    assert counting.done["checking the backup"] == every_file
    assert counting.done["restoring the photos"] == made.photo_bytes
    assert counting.done["verifying the restored photos"] == made.photo_bytes
    assert read_manifest(made.folder).files == made.manifest.files
