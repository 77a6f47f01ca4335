"""Settings: built by a function, SCALPMAP_* variables, a secret key kept once with 0600."""

from __future__ import annotations

import os
import stat

import pytest

from scalpmap.config import DEFAULT_MAX_UPLOAD_PIXELS, get_settings
from scalpmap.errors import InputError
from scalpmap.imaging.photo_io import DEFAULT_MAX_PIXELS


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("SCALPMAP_"):
            monkeypatch.delenv(name)


def test_defaults_put_sqlite_under_the_data_dir(tmp_path):
    settings = get_settings(data_dir=tmp_path / "d")
    assert settings.data_dir == (tmp_path / "d").resolve()
    assert settings.database_url == f"sqlite:///{settings.data_dir / 'scalpmap.db'}"
    assert settings.photos_dir == settings.data_dir / "photos"
    assert settings.is_sqlite and not settings.session_https
    assert settings.max_upload_pixels == DEFAULT_MAX_UPLOAD_PIXELS == DEFAULT_MAX_PIXELS


def test_environment_is_read_and_overrides_win(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALPMAP_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("SCALPMAP_MAX_UPLOAD_BYTES", "1234")
    monkeypatch.setenv("SCALPMAP_DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = get_settings()
    assert settings.data_dir == (tmp_path / "env").resolve()
    assert settings.max_upload_bytes == 1234
    assert not settings.is_sqlite
    assert get_settings(data_dir=tmp_path / "cli", max_upload_bytes=None).data_dir.name == "cli"
    monkeypatch.setenv("SCALPMAP_PHOTO_STORAGE_DIR", str(tmp_path / "shared"))
    assert get_settings().photos_dir == (tmp_path / "shared").resolve()


def test_secret_key_is_generated_once_with_private_permissions(tmp_path):
    first = get_settings(data_dir=tmp_path)
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key is not None and len(first.secret_key.get_secret_value()) == 64
    again = get_settings(data_dir=tmp_path)
    assert again.secret_key == first.secret_key
    given = get_settings(data_dir=tmp_path, secret_key="from-the-environment")
    assert given.secret_key is not None
    assert given.secret_key.get_secret_value() == "from-the-environment"
    assert "from-the-environment" not in repr(given)


def test_invalid_value_is_one_line_naming_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("SCALPMAP_MAX_UPLOAD_BYTES", "lots")
    with pytest.raises(InputError, match="SCALPMAP_MAX_UPLOAD_BYTES") as caught:
        get_settings(data_dir=tmp_path)
    assert "\n" not in str(caught.value)


def test_unknown_field_is_refused(tmp_path):
    with pytest.raises(InputError, match="SCALPMAP_NO_SUCH"):
        get_settings(data_dir=tmp_path, no_such=1)
