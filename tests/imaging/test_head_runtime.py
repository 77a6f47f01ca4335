"""The head model's files and runtime: lazy, cached loading and one-line errors when broken."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from scalpmap.errors import ScalpmapError
from scalpmap.imaging.head import HeadModelError, find_head, runtime
from scalpmap.imaging.head.runtime import MODEL_FILES, MODELS_DIR, get_model, load_model_file


@pytest.fixture
def models_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the packaged model folder that the loader reads instead of the real one."""
    folder = tmp_path / "models"
    shutil.copytree(MODELS_DIR, folder)
    monkeypatch.setattr(runtime, "MODELS_DIR", folder)
    runtime.clear_model_cache()
    yield folder
    runtime.clear_model_cache()


def test_every_model_loads_once_and_is_shared() -> None:
    for name in MODEL_FILES:
        first = get_model(name)
        assert get_model(name) is first
        assert first.input_shape[0] == 1 and first.input_shape[-1] == 3


def test_readme_gives_each_file_its_sha256_and_size() -> None:
    readme = (MODELS_DIR / "README.md").read_text(encoding="utf-8")
    assert "Apache License 2.0" in readme and (MODELS_DIR / "LICENSE").is_file()
    files = sorted(p for p in MODELS_DIR.iterdir() if p.suffix in {".tflite", ".txt"})
    assert {p.name for p in files} >= set(MODEL_FILES.values())
    for path in files:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{path.name}`"))
        assert digest in row and f"| {path.stat().st_size} |" in row


def test_missing_model_file_is_a_one_line_error_naming_the_fix(models_copy: Path) -> None:
    (models_copy / MODEL_FILES["face_mesh"]).unlink()
    with pytest.raises(HeadModelError) as caught:
        get_model("face_mesh")
    message = str(caught.value)
    assert "\n" not in message and "face_landmark.tflite" in message
    assert "reinstall the scalpmap package" in message
    assert isinstance(caught.value, ScalpmapError)  # so the CLI prints it and exits 2


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_corrupt_model_file_is_a_one_line_error(models_copy: Path, damage: str) -> None:
    path = models_copy / MODEL_FILES["face_detection"]
    data = path.read_bytes()
    broken = {"truncated": data[:4000], "garbage": bytes(range(256)) * 20, "empty": b""}[damage]
    path.write_bytes(broken)
    with pytest.raises(
        HeadModelError, match=r"^head model file face_detection_short_range\.tflite is broken"
    ):
        load_model_file(path)


def test_find_head_stops_with_the_error_when_a_model_is_missing(models_copy: Path) -> None:
    (models_copy / MODEL_FILES["face_detection"]).unlink()
    photo = np.full((240, 320, 3), 128, dtype=np.uint8)
    with pytest.raises(HeadModelError, match=re.escape("pip install --force-reinstall scalpmap")):
        find_head(photo)


def test_a_photo_without_anything_is_no_face_not_an_error() -> None:
    head = find_head(np.full((240, 320, 3), 128, dtype=np.uint8))
    assert not head.has_face and head.view == "unknown" and head.faces_found == 0
    assert head.person_mask is not None and head.person_mask.shape == (240, 320)


def test_a_non_photo_array_is_refused_with_a_hint() -> None:
    with pytest.raises(ScalpmapError, match="load_photo"):
        find_head(np.zeros((240, 320), dtype=np.uint8))  # type: ignore[arg-type]
