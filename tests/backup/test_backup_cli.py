"""``scalpmap backup``, ``restore`` and ``verify-backup``: what clinic staff type and read.

Every wrong input ends with one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app

runner = CliRunner()


@pytest.fixture
def live(clinic, monkeypatch):
    """The clinic's installation; no ``SCALPMAP_*`` variable names another."""
    for name in ("SCALPMAP_DATABASE_URL", "SCALPMAP_DATA_DIR", "SCALPMAP_PHOTO_STORAGE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return clinic


def invoke(*args: object, database_url: str | None = None):
    """Run ``scalpmap ARGS``, with ``SCALPMAP_DATABASE_URL`` when a database is given."""
    env = {"SCALPMAP_DATABASE_URL": database_url} if database_url else {}
    return runner.invoke(app, [str(arg) for arg in args], env=env)


def assert_one_line_error(result, *fragments: str) -> str:
    assert result.exit_code == 2, result.output
    text = result.stderr
    assert "Traceback" not in text and "Traceback" not in result.output
    assert text.startswith("error: ") and text.count("\n") == 1, text
    for fragment in fragments:
        assert fragment in text, text
    return text


def backup_of(clinic, folder: Path) -> Path:
    result = invoke("backup", folder, "--data-dir", clinic.settings.data_dir,
                    database_url=clinic.settings.database_url)  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder


def test_backup_verify_and_restore_from_the_command_line(live, empty_target_url, tmp_path):
    made = invoke("backup", tmp_path / "backup", "--data-dir", live.settings.data_dir,
                  database_url=live.settings.database_url)  # fmt: skip
    assert made.exit_code == 0, made.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert f"{len(manifest['tables'])} tables" in made.output
    assert f"{len(manifest['files']) - 1} photo-store files" in made.output

    checked = invoke("verify-backup", tmp_path / "backup")
    assert checked.exit_code == 0 and "is whole" in checked.output
    assert f"{len(manifest['files'])} files match their sha256" in checked.output

    options = [] if empty_target_url is None else ["--database-url", empty_target_url]
    restored = invoke("restore", tmp_path / "backup", "--data-dir", tmp_path / "new", *options)
    assert restored.exit_code == 0, restored.output
    assert "all verified" in restored.output
    assert f"{sum(manifest['tables'].values())} rows" in restored.output
    assert (tmp_path / "new" / "photos").is_dir()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_bad_input_is_one_line_with_exit_code_2(live, tmp_path):
    backup = backup_of(live, tmp_path / "backup")

    missing = invoke("restore", tmp_path / "nowhere", "--data-dir", tmp_path / "a")
    assert_one_line_error(missing, "no backup folder at", "nowhere")

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "old.db").write_text("x")
    refused = invoke("restore", backup, "--data-dir", occupied)
    assert_one_line_error(refused, "target folder", "is not empty")
    live_db = invoke("restore", backup, "--data-dir", tmp_path / "c",
                     database_url=live.settings.database_url)  # fmt: skip
    assert_one_line_error(live_db, "target database", "is not empty")
    assert not (tmp_path / "c").exists()
    assert [p.name for p in occupied.iterdir()] == ["old.db"]
    again = invoke("backup", backup, "--data-dir", live.settings.data_dir,
                   database_url=live.settings.database_url)  # fmt: skip
    assert_one_line_error(again, "backup folder", "is not empty")

    other = invoke("restore", backup, "--data-dir", tmp_path / "b", "--database-url",
                   "postgresql://nobody@127.0.0.1:1/none")  # fmt: skip
    assert_one_line_error(other, "holds a sqlite database and the target is postgresql")
    assert not (tmp_path / "b").exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_tampered_file_is_named_by_restore_and_verify(live, tmp_path):
    backup = backup_of(live, tmp_path / "backup")
    manifest = json.loads((backup / "manifest.json").read_text())
    victim = manifest["files"][-1]["path"]
    (backup / victim).chmod(0o600)
    (backup / victim).write_bytes(b"not the photo that was backed up")
    for command in (["verify-backup", backup], ["restore", backup, "--data-dir", tmp_path / "n"]):
        result = invoke(*command)
        assert_one_line_error(result, victim, "does not match the manifest (size differs)")
    assert not (tmp_path / "n").exists()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_corrupt_manifest_is_one_line(live, tmp_path):
    backup = backup_of(live, tmp_path / "backup")
    text = (backup / "manifest.json").read_text()
    (backup / "manifest.json").write_text(text[: len(text) // 2])
    result = invoke("restore", backup, "--data-dir", tmp_path / "n")
    assert_one_line_error(result, "manifest.json", "not valid JSON; the backup is damaged")
    (backup / "manifest.json").unlink()
    result = invoke("verify-backup", backup)
    assert_one_line_error(result, "has no manifest.json", "not a complete scalpmap backup")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_photo_missing_from_the_store_still_backs_up_with_exit_code_1(live, tmp_path):
    lost = live.add_patient_with_photos(1, name="Lost Photo")[0]
    live.store.path_for(lost).unlink()
    result = invoke("backup", tmp_path / "backup", "--data-dir", live.settings.data_dir,
                    database_url=live.settings.database_url)  # fmt: skip
    assert result.exit_code == 1, result.output
    assert f"refers to 1 file(s) missing from the photo store {live.store.root}" in result.output
    assert lost in result.output
    assert json.loads((tmp_path / "backup" / "manifest.json").read_text())["missing_files"] == [
        lost
    ]


def test_the_installed_command_prints_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scalpmap", "restore", str(tmp_path / "nowhere"), "--data-dir",
         str(tmp_path / "d")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "no backup folder at" in result.stderr
    assert "Traceback" not in result.stderr
