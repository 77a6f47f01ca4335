"""``scalpmap store prune``: a dry run by default that lists the orphans; ``--delete`` acts."""

from __future__ import annotations

import os
import time

import pytest
from typer.testing import CliRunner

from scalpmap.cli.main import app

runner = CliRunner()


def prune(clinic, *options: str):
    env = {"SCALPMAP_DATABASE_URL": clinic.settings.database_url, "SCALPMAP_DATA_DIR": None}
    args = ["store", "prune", "--data-dir", str(clinic.settings.data_dir), *options]
    return runner.invoke(app, args, env=env)


@pytest.fixture
def orphan(clinic) -> str:
    """An overlay no row refers to any more, written two hours ago."""
    sha256 = clinic.store.put(b"the overlay of a clearance check measured again")
    then = time.time() - 7200
    os.utime(clinic.store.path_for(sha256), (then, then))
    return sha256


def test_prune_lists_first_and_deletes_only_when_told(clinic, orphan):
    photos_before = sorted(p.name for p in clinic.store.root.rglob("*") if p.is_file())
    for options in ((), ("--dry-run",)):
        listed = prune(clinic, *options)
        assert listed.exit_code == 0, listed.output
        assert f"{orphan[:2]}/{orphan[2:4]}/{orphan}" in listed.output
        assert "1 orphaned file(s)" in listed.output and "nothing deleted" in listed.output
        assert clinic.store.exists(orphan)
    young = prune(clinic, "--min-age-hours", "3")
    assert "0 orphaned file(s)" in young.output

    deleted = prune(clinic, "--delete")
    assert deleted.exit_code == 0, deleted.output
    assert "deleted 1 orphaned file(s)" in deleted.output
    assert not clinic.store.exists(orphan)
    after = sorted(p.name for p in clinic.store.root.rglob("*") if p.is_file())
    assert after == [name for name in photos_before if name != orphan]
    assert "0 orphaned file(s)" in prune(clinic).output


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_prune_without_a_store_or_on_an_old_database_is_one_line(clinic, tmp_path):
    env = {"SCALPMAP_DATABASE_URL": None, "SCALPMAP_DATA_DIR": None}
    result = runner.invoke(app, ["store", "prune", "--data-dir", str(tmp_path / "new")], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: there is no photo store at")
    (tmp_path / "new" / "photos").mkdir()
    result = runner.invoke(app, ["store", "prune", "--data-dir", str(tmp_path / "new")], env=env)
    assert result.exit_code == 2
    assert "the database is at revision empty" in result.stderr
    assert "run scalpmap db upgrade first" in result.stderr
