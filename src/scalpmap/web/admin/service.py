"""The staff users page's list; account changes are in :mod:`scalpmap.services.accounts`."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scalpmap.store.models import User

__all__ = ["list_users"]


def list_users(session: Session) -> list[User]:
    """List every staff user, active ones first, then by email.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The session.

    Returns
    -------
    list of User
        The users.
    """
    return list(session.scalars(select(User).order_by(User.is_active.desc(), User.email)))
