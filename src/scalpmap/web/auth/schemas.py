"""Input and output schemas of the auth API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from scalpmap.store.models import Role

__all__ = [
    "TokenCreate",
    "TokenCreated",
    "TokenLogin",
    "TokenPublic",
    "TokenResponse",
    "UserPublic",
]


class TokenLogin(BaseModel):
    """Email and password, exchanged for an API token."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=1, max_length=254, examples=["you@clinic.example"])
    password: str = Field(min_length=1, max_length=1000)


class TokenResponse(BaseModel):
    """A new API token; send it as ``Authorization: Bearer TOKEN``."""

    token: str = Field(examples=["smp_3q2...x9"])
    expires_at: dt.datetime | None = None


class TokenCreate(BaseModel):
    """A named API token for an integration."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["batch re-analysis"])
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenCreated(BaseModel):
    """A token just created: the only time the token itself is shown."""

    id: int
    name: str
    token: str
    expires_at: dt.datetime | None


class TokenPublic(BaseModel):
    """An API token as listed (never the token itself)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class UserPublic(BaseModel):
    """The signed-in user."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str | None
    role: Role
