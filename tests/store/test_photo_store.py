"""The content-addressed photo store: stored once, never modified, no user path, no orphans."""

from __future__ import annotations

import hashlib
import os
import stat

import pytest

from scalpmap.errors import InputError
from scalpmap.store.photos import PhotoStore, validate_sha256


def stored_files(store: PhotoStore) -> list:
    return [p for p in store.root.rglob("*") if p.is_file() and store.incoming not in p.parents]


def test_same_content_is_stored_once(photo_store):
    sha = photo_store.put(b"photo bytes")
    assert sha == hashlib.sha256(b"photo bytes").hexdigest()
    assert photo_store.put(b"photo bytes") == sha
    assert stored_files(photo_store) == [photo_store.path_for(sha)]
    assert photo_store.read(sha) == b"photo bytes"
    path = photo_store.path_for(sha)
    assert path.relative_to(photo_store.root).parts == (sha[:2], sha[2:4], sha)
    assert not stat.S_IMODE(path.stat().st_mode) & 0o222  # read-only: never modified


@pytest.mark.parametrize(
    "bad",
    ["../../etc/passwd", "A" * 64, "a" * 63, "a" * 65, "g" * 64, "", "a" * 62 + "/.", None],
)
def test_only_a_sha256_becomes_a_path(photo_store, bad):
    with pytest.raises(InputError, match="64 lowercase hex"):
        photo_store.path_for(bad)
    with pytest.raises(InputError):
        validate_sha256(bad)


def test_missing_file_raises_file_not_found(photo_store):
    with pytest.raises(FileNotFoundError):
        photo_store.read("0" * 64)
    assert not photo_store.exists("0" * 64)


def test_staged_file_is_invisible_until_committed_and_discard_leaves_nothing(photo_store):
    staged = photo_store.stage(b"pending")
    assert not photo_store.exists(staged.sha256)
    staged.discard()
    assert list(photo_store.incoming.iterdir()) == []
    assert stored_files(photo_store) == []
    with photo_store.stage(b"kept") as kept:
        kept.commit()
    assert photo_store.read(kept.sha256) == b"kept"
    assert list(photo_store.incoming.iterdir()) == []


def test_staged_file_is_discarded_when_the_block_fails(photo_store):
    with pytest.raises(RuntimeError), photo_store.stage(b"doomed"):
        raise RuntimeError("the transaction failed")
    assert list(photo_store.incoming.iterdir()) == []


def test_committing_content_that_is_already_stored_keeps_one_file(photo_store):
    first, second = photo_store.stage(b"twice"), photo_store.stage(b"twice")
    first.commit()
    second.commit()
    assert len(stored_files(photo_store)) == 1
    assert list(photo_store.incoming.iterdir()) == []


def test_open_promotes_a_file_left_staged_by_a_crash_after_commit(photo_store):
    staged = photo_store.stage(b"committed row, then crash")
    # the process died here: the row was committed but staged.commit() never ran
    assert photo_store.read(staged.sha256) == b"committed row, then crash"
    assert list(photo_store.incoming.iterdir()) == []


def test_recover_promotes_referenced_and_removes_old_unreferenced(photo_store):
    referenced = photo_store.stage(b"row committed")
    orphan = photo_store.stage(b"row never committed")
    young = photo_store.stage(b"upload in progress elsewhere")
    truncated = photo_store.stage(b"crash while writing")
    truncated.temp_path.write_bytes(b"crash wh")
    for staged in (referenced, orphan, truncated):
        os.utime(staged.temp_path, (0, 0))
    handled = photo_store.recover(lambda sha: sha in {referenced.sha256, truncated.sha256})
    assert handled == 3
    assert photo_store.read(referenced.sha256) == b"row committed"
    assert not photo_store.exists(orphan.sha256) and not photo_store.exists(truncated.sha256)
    assert list(photo_store.incoming.iterdir()) == [young.temp_path]
