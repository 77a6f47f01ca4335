"""manifest.json: written and read back whole; anything damaged is refused with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scalpmap.backup.manifest import (
    BackupError,
    FileEntry,
    Manifest,
    read_manifest,
    store_path,
    write_manifest,
)

SHA = "ab" * 32
PHOTO = f"photos/ab/ab/{SHA}"


def manifest() -> Manifest:
    return Manifest(
        created_at="2027-01-02T03:04:05+00:00",
        scalpmap_version="0.1.0",
        backend="sqlite",
        schema_revision="0007",
        tables={"patients": 3, "photos": 1},
        referenced_files=[SHA],
        files=[FileEntry("database/scalpmap.db", "cd" * 32, 4096), FileEntry(PHOTO, SHA, 10)],
    )


def test_a_manifest_reads_back_as_written(tmp_path: Path) -> None:
    written = manifest()
    path = write_manifest(tmp_path, written)
    assert path.stat().st_mode & 0o077 == 0  # health data: the owner's only
    again = read_manifest(tmp_path)
    assert again == written
    assert again.database_file.path == "database/scalpmap.db"
    assert [entry.path for entry in again.photo_files] == [PHOTO]
    assert store_path(PHOTO).as_posix() == f"ab/ab/{SHA}"


def edited(tmp_path: Path, change) -> Path:
    write_manifest(tmp_path, manifest())
    path = tmp_path / "manifest.json"
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return tmp_path


def set_path(path: str):
    def change(document: dict) -> None:
        document["files"][1]["path"] = path

    return change


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (set_path("photos/../../etc/passwd"), "unexpected file path"),
        (set_path(f"photos/cd/ab/{SHA}"), "unexpected file path"),  # not where the sha goes
        (set_path("/etc/passwd"), "unexpected file path"),
        (lambda d: d["files"][0].update(sha256="x"), "bad sha256"),
        (lambda d: d["files"][0].update(bytes=-1), "bad sha256 or size"),
        (lambda d: d.update(backend="oracle"), "unknown database"),
        (lambda d: d.update(format="tarball"), "not a scalpmap-backup manifest"),
        (lambda d: d.update(version=99), "manifest version 99"),
        (lambda d: d.pop("tables"), "missing field 'tables'"),
        (lambda d: d.update(tables={"patients": "many"}), "row counts"),
        (lambda d: d["files"].pop(0), "database file database/scalpmap.db is not listed"),
        (lambda d: d["files"].append(dict(d["files"][1])), "listed twice"),
        (lambda d: d.update(referenced_files=["../x"]), "not a sha256"),
    ],
)
def test_a_damaged_manifest_is_refused_with_one_line(tmp_path: Path, change, says: str) -> None:
    folder = edited(tmp_path, change)
    with pytest.raises(BackupError, match=says) as caught:
        read_manifest(folder)
    assert "\n" not in str(caught.value) and "use another backup" in str(caught.value)


def test_a_manifest_that_is_not_json_is_refused(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text('{"format": "scalpmap-backup", "files": [')
    with pytest.raises(BackupError, match="not valid JSON; the backup is damaged"):
        read_manifest(tmp_path)


def test_a_folder_without_manifest_or_no_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="has no manifest.json"):
        read_manifest(tmp_path)
    with pytest.raises(BackupError, match="no backup folder at"):
        read_manifest(tmp_path / "missing")
