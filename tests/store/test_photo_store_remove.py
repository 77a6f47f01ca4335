"""Removing a file from the photo store only when no committed row references it."""

from __future__ import annotations

from scalpmap.store.photos import PhotoStore


def files(store: PhotoStore) -> list[str]:
    return sorted(p.name for p in store.root.rglob("*") if p.is_file())


def test_remove_deletes_an_unreferenced_file(photo_store: PhotoStore) -> None:
    sha = photo_store.put(b"enquiry photo")
    other = photo_store.put(b"another photo")
    assert photo_store.remove(sha, lambda _sha: False) is True
    assert not photo_store.exists(sha) and files(photo_store) == [other]
    assert photo_store.remove(sha, lambda _sha: False) is False  # already gone


def test_remove_keeps_a_referenced_file(photo_store: PhotoStore) -> None:
    sha = photo_store.put(b"also uploaded to a case")
    asked: list[str] = []

    def referenced(candidate: str) -> bool:
        asked.append(candidate)
        assert not photo_store.path_for(sha).exists()  # asked once the file is moved aside
        return True

    assert photo_store.remove(sha, referenced) is False
    assert asked == [sha] and photo_store.read(sha) == b"also uploaded to a case"
    assert files(photo_store) == [sha]  # nothing left under incoming/


def test_a_crash_during_remove_is_recovered(photo_store: PhotoStore) -> None:
    sha = photo_store.put(b"crash")

    def crash(_sha: str) -> bool:
        raise KeyboardInterrupt

    try:
        photo_store.remove(sha, crash)
    except KeyboardInterrupt:
        pass
    assert not photo_store.exists(sha)
    assert photo_store.recover(lambda _sha: True, min_age_s=0) == 1  # still referenced: back
    assert photo_store.read(sha) == b"crash"
    try:
        photo_store.remove(sha, crash)
    except KeyboardInterrupt:
        pass
    assert photo_store.recover(lambda _sha: False, min_age_s=0) == 1  # not referenced: gone
    assert files(photo_store) == []
