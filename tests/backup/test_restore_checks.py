"""The restore proves what it restored: a file or a row lost on the way fails the check."""

from __future__ import annotations

import dataclasses

import pytest

from scalpmap.backup import restore as restore_module
from scalpmap.backup import verify as verify_module
from scalpmap.backup.create import create_backup
from scalpmap.backup.manifest import BackupError
from scalpmap.backup.restore import restore_backup

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def test_a_photo_lost_during_the_restore_fails_the_verification(clinic, tmp_path, monkeypatch):
    made = create_backup(clinic.settings, tmp_path / "backup")
    skipped = made.manifest.photo_files[0]
    copy = restore_module.copy_hashed

    def copy_all_but_one(source, target, **options):
        if source.name == skipped.sha256:
            return skipped.sha256, skipped.bytes  # "copied", but nothing was written
        return copy(source, target, **options)

    monkeypatch.setattr(restore_module, "copy_hashed", copy_all_but_one)
    with pytest.raises(BackupError) as caught:
        restore_backup(made.folder, tmp_path / "restored")
    message = str(caught.value)
    assert f"{skipped.path} is missing from the restored copy" in message
    assert f"the restore into {tmp_path / 'restored'} is incomplete" in message
    assert "\n" not in message


def test_a_row_count_that_differs_fails_the_verification(clinic, tmp_path, monkeypatch):
    made = create_backup(clinic.settings, tmp_path / "backup")
    read_facts = verify_module.read_facts

    def one_patient_short(settings):
        facts = read_facts(settings)
        tables = dict(facts.tables, patients=facts.tables["patients"] - 1)
        return dataclasses.replace(facts, tables=tables)

    monkeypatch.setattr(verify_module, "read_facts", one_patient_short)
    expected = made.manifest.tables["patients"]
    with pytest.raises(BackupError, match=(
        f"table patients has {expected - 1} row\\(s\\) after the restore and {expected} row\\(s\\) "
        "in the backup"
    )):  # fmt: skip
        restore_backup(made.folder, tmp_path / "restored")
