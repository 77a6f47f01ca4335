"""Settings of the clinic app, read from ``SCALPMAP_*`` environment variables.

Settings are built by :func:`get_settings`, never at import, so each test and each command builds
its own. Everything the app keeps (the database when it is SQLite, the photos and the secret key)
lives under one data directory.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scalpmap.errors import InputError

__all__ = ["DEFAULT_MAX_UPLOAD_PIXELS", "Settings", "get_settings", "load_or_create_secret_key"]

DEFAULT_MAX_UPLOAD_PIXELS = 100_000_000
"""Same limit as :data:`scalpmap.imaging.photo_io.DEFAULT_MAX_PIXELS`."""

SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "scalpmap.db"


class Settings(BaseSettings):
    """The app's settings; each field ``name`` is read from ``SCALPMAP_NAME``.

    Attributes
    ----------
    data_dir : pathlib.Path
        Folder for the SQLite database, the photos and the secret key.
    database_url : str or None
        SQLAlchemy URL, e.g. ``postgresql+psycopg://user@host/db``; SQLite under ``data_dir``
        when not given (:func:`get_settings` fills it in).
    photo_storage_dir : pathlib.Path or None
        Folder of the photo store when it is not ``data_dir/photos`` (e.g. shared storage for
        several app servers); use :attr:`photos_dir` to read the folder in effect.
    max_upload_bytes : int
        Largest accepted upload, in bytes.
    max_upload_pixels : int
        Largest accepted photo, in ``width * height`` pixels.
    enquiry_max_pixels : int
        Largest photo the public enquiry form accepts, in pixels (checked from the header,
        before any decoding); 40 megapixels by default.
    enquiry_photo_bytes_per_day : int
        Most bytes of photos the public enquiry form stores in any 24 hours, all senders
        together; 500 MB by default. Past it, enquiries are still taken without photos.
    secret_key : pydantic.SecretStr or None
        Key that signs sessions; generated once and kept in ``data_dir/secret_key`` when not given.
    session_https : bool
        Send the session cookie over HTTPS only (set it behind a TLS proxy).
    session_max_age_s : int
        How long a sign-in lasts, in seconds.
    api_token_max_age_days : int
        The longest an API token lives, in days; older tokens stop working.
    trusted_proxies : str
        Comma-separated addresses or networks of the reverse proxies whose ``X-Forwarded-For``
        and ``X-Forwarded-Proto`` are believed (e.g. ``10.0.0.5`` or ``10.0.0.0/24``); none by
        default, so the peer's address is the client's.
    sqlite_busy_timeout_ms : int
        How long SQLite waits for another writer before giving up, in milliseconds.
    analysis_memory_mb : int
        Memory one photo analysis (or follow-up measure) may allocate, in MiB, beyond what its
        child process holds when it starts; 4096 by default. Past it, or past
        :attr:`analysis_time_s`, the job fails with "the analysis ran out of its limits".
    analysis_time_s : float
        Longest time one photo analysis (or follow-up measure) may take, in seconds; 300 by
        default.
    jobs : {"inline", "procrastinate"}
        Where the heavy jobs run: ``inline`` (the default) in the web process, with no other
        service; ``procrastinate`` on a queue in PostgreSQL, run by ``scalpmap worker``
        processes (docs/jobs.md).
    jobs_url : pydantic.SecretStr or None
        The PostgreSQL database of the queue; the app's database when not given (it must then
        be PostgreSQL).
    """

    model_config = SettingsConfigDict(env_prefix="SCALPMAP_", extra="forbid", frozen=True)

    data_dir: Path = Path("scalpmap-data")
    database_url: str | None = None
    photo_storage_dir: Path | None = None
    max_upload_bytes: int = Field(default=30_000_000, gt=0)
    max_upload_pixels: int = Field(default=DEFAULT_MAX_UPLOAD_PIXELS, gt=0)
    enquiry_max_pixels: int = Field(default=40_000_000, gt=0)
    enquiry_photo_bytes_per_day: int = Field(default=500_000_000, ge=0)
    secret_key: SecretStr | None = None
    session_https: bool = False
    session_max_age_s: int = Field(default=12 * 3600, gt=0)
    api_token_max_age_days: int = Field(default=90, gt=0, le=3650)
    trusted_proxies: str = ""
    sqlite_busy_timeout_ms: int = Field(default=30000, ge=0)
    analysis_memory_mb: int = Field(default=4096, ge=1)
    analysis_time_s: float = Field(default=300.0, gt=0)
    jobs: Literal["inline", "procrastinate"] = "inline"
    jobs_url: SecretStr | None = None

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for item in _split(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network; give e.g. 10.0.0.5,10.1.0.0/24"
                ) from None
        return ",".join(_split(value))

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies' addresses and networks, one per item (empty: none)."""
        return _split(self.trusted_proxies)

    @property
    def photos_dir(self) -> Path:
        """Folder of the content-addressed photo store in effect."""
        return self.photo_storage_dir or self.data_dir / "photos"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite."""
        return (self.database_url or "sqlite").startswith("sqlite")


def _split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def get_settings(**overrides: Any) -> Settings:
    """Build the settings: keyword arguments, then ``SCALPMAP_*`` variables, then defaults.

    The data directory is made absolute and created (mode 0700), the database URL defaults to
    ``sqlite:///<data_dir>/scalpmap.db`` and a missing secret key is read from, or generated
    into, ``<data_dir>/secret_key``.

    Parameters
    ----------
    **overrides
        Field values that win over the environment; ``None`` values are ignored, so CLI options
        can be passed through as they are.

    Returns
    -------
    Settings
        The complete settings.

    Raises
    ------
    InputError
        When a value is invalid (one line naming the variable).

    Examples
    --------
    >>> import tempfile
    >>> settings = get_settings(data_dir=tempfile.mkdtemp())
    >>> settings.database_url.startswith("sqlite:///")
    True
    """
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        settings = Settings(**given)
    except ValidationError as error:
        first = error.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"invalid setting SCALPMAP_{name.upper()}: {first['msg'].removeprefix('Value error, ')}"
        ) from None
    data_dir = settings.data_dir.expanduser().resolve()
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the data directory {data_dir}: {error.strerror}") from None
    updates: dict[str, Any] = {"data_dir": data_dir}
    if settings.photo_storage_dir is not None:
        updates["photo_storage_dir"] = settings.photo_storage_dir.expanduser().resolve()
    if settings.database_url is None:
        updates["database_url"] = f"sqlite:///{data_dir / DATABASE_FILE}"
    if settings.secret_key is None:
        updates["secret_key"] = SecretStr(load_or_create_secret_key(data_dir / SECRET_KEY_FILE))
    return settings.model_copy(update=updates)


def load_or_create_secret_key(path: Path) -> str:
    """Read the secret key from ``path``, creating it (mode 0600) on first use.

    Several workers starting at once agree on one key: the key is written to a private temporary
    file that is then hard-linked into place, which fails if another worker got there first.

    Parameters
    ----------
    path : pathlib.Path
        The key file.

    Returns
    -------
    str
        The key (64 hex digits for a generated key).
    """
    if not path.exists():
        temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(temp, path)
            except FileExistsError:
                pass  # another worker created it first: use theirs
        finally:
            temp.unlink(missing_ok=True)
    key = path.read_text().strip()
    if not key:
        raise InputError(f"the secret key file {path} is empty; delete it to generate a new key")
    return key
