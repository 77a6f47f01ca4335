"""Input and output schemas of the auth API."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from scalpmap.store.models import Role

__all__ = [
    "PasswordChange",
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


class PasswordChange(BaseModel):
    """Your current password and the new one (at least 12 characters, not a common one)."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=1000)
    new_password: str = Field(min_length=1, max_length=1000)


class TokenResponse(BaseModel):
    """A new API token; send it as ``Authorization: Bearer TOKEN``."""

    token: str = Field(examples=["smp_3q2...x9"])
    expires_at: dt.datetime | None = None


class TokenCreate(BaseModel):
    """A named API token for an integration."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["batch re-analysis"])
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Lifetime in days; at most SCALPMAP_API_TOKEN_MAX_AGE_DAYS (90), the default.",
    )
    independent: bool = Field(
        default=False,
        description="Admins only: the token outlives the sign-in or token that made it.",
    )


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
    revoke_reason: str | None = Field(
        default=None, examples=["signed out", "password changed", "account deactivated"]
    )
    session_id: int | None = Field(
        default=None, description="The browser sign-in it was made with; it ends with it."
    )
    parent_token_id: int | None = Field(
        default=None, description="The token it was made with; it ends with it."
    )


class UserPublic(BaseModel):
    """The signed-in user."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    full_name: str | None
    role: Role
    must_change_password: bool = Field(
        default=False, description="An admin reset the password: set a new one first."
    )
