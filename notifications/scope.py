"""Whose messages a user may read: a hook the package that owns people fills at `init_app`.

Notifications knows contacts, not who is responsible for them. The package that does (referrals:
a peer educator's members) registers a function user → a select of contact ids, or None for every
contact. Without a hook nobody sees any message: the list fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app

from core.security import Actor
from notifications.models import Contact

_KEY = "notifications.contact_scope"

ContactScope = Callable[[Actor], "sa.Select[Any] | None"]


def register_contact_scope(app: Flask, scope: ContactScope) -> None:
    """Set this app's scope hook: `scope(user)` → a select of contact ids, or None for all."""
    app.extensions[_KEY] = scope


def contact_ids_for(user: Actor) -> sa.Select[Any] | None:
    """The contact ids whose messages the user may read (None: all); none without a hook."""
    scope: ContactScope | None = current_app.extensions.get(_KEY)
    if scope is None:
        return sa.select(Contact.id).where(sa.false())
    return scope(user)
