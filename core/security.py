"""Roles and permissions (least privilege per DESIGN.md), and the security headers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Protocol

from flask import Flask, abort, g, request
from flask_login import current_user

ADMIN, PEER_EDUCATOR, CLINIC_PARTNER, VIEWER = "admin", "peer_educator", "clinic_partner", "viewer"
ROLES = (ADMIN, PEER_EDUCATOR, CLINIC_PARTNER, VIEWER)


class Actor(Protocol):
    """What services read from the person acting: core and the other domains may not import
    accounts, so they name this shape instead of accounts.models.User (which satisfies it)."""

    # Read-only properties, so a User's mapped columns (descriptors) satisfy them.
    @property
    def id(self) -> int: ...

    @property
    def role(self) -> str: ...

    @property
    def clinic_id(self) -> int | None: ...


# What each role may do at all. Scope (own members, own clinic) is checked by the services.
PERMISSIONS: dict[str, frozenset[str]] = {
    "clinics.read": frozenset(ROLES),
    "clinics.edit": frozenset({ADMIN}),
    "clinics.edit_own": frozenset({ADMIN, CLINIC_PARTNER}),
    "clinics.feedback": frozenset({ADMIN, PEER_EDUCATOR}),
    "clinics.feedback_read": frozenset({ADMIN}),
    "services.edit": frozenset({ADMIN}),
    "members.read": frozenset({ADMIN, PEER_EDUCATOR}),
    "members.write": frozenset({ADMIN, PEER_EDUCATOR}),
    "members.reassign": frozenset({ADMIN}),
    "referrals.create": frozenset({ADMIN, PEER_EDUCATOR}),
    "referrals.read": frozenset({ADMIN, PEER_EDUCATOR, CLINIC_PARTNER}),
    "referrals.manage": frozenset({ADMIN, PEER_EDUCATOR}),
    "referrals.confirm": frozenset({ADMIN, CLINIC_PARTNER}),
    "followups.read": frozenset({ADMIN, PEER_EDUCATOR}),
    "followups.rules": frozenset({ADMIN}),
    "messages.read": frozenset({ADMIN, PEER_EDUCATOR}),
    "messages.admin": frozenset({ADMIN}),
    "templates.edit": frozenset({ADMIN}),
    "users.manage": frozenset({ADMIN}),
    "users.self": frozenset(ROLES),  # one's own account: password, own API tokens
    "users.lock_colleague": frozenset({PEER_EDUCATOR}),  # a colleague's seized phone (issue 15)
    "audit.read": frozenset({ADMIN}),
    "reports.read": frozenset({ADMIN, VIEWER}),
    "reports.admin": frozenset({ADMIN}),  # the DHIS2 mapping and push
    # Safety (DESIGN.md's table): incidents are never a clinic partner's; viewers see counts only
    # (through reports.read); alerts are drafted and approved by admins only.
    "incidents.record": frozenset({ADMIN, PEER_EDUCATOR}),
    "crisis_contacts.read": frozenset({ADMIN, PEER_EDUCATOR}),
    "crisis_contacts.edit": frozenset({ADMIN}),
    "alerts.manage": frozenset({ADMIN}),
}


def can(user: Any, permission: str) -> bool:
    """Whether a user's role grants a permission (unknown permissions grant nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role in PERMISSIONS.get(permission, frozenset())


def require(permission: str) -> Callable:
    """Page decorator: sign-in required, then the permission, else 403."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            from core.extensions import login_manager

            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        mark_permission(wrapped, permission)
        return wrapped

    return decorator


def mark_permission(view: Callable[..., Any], permission: str) -> None:
    """Record on a view the permission it requires (the role matrix and OpenAPI read it)."""
    # A function's attributes live in its __dict__; writing there keeps the type checker's view
    # of the function intact (it knows no `required_permission` attribute on functions).
    view.__dict__["required_permission"] = permission


CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "img-src 'self'; form-action 'self'"
)


def register_security_headers(app: Flask) -> None:
    """Headers on every response; `no-store` wherever someone is signed in or a token was used."""
    production = app.config["APP_ENV"] == "production"

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        signed_in = current_user.is_authenticated if _user_loaded() else False
        if signed_in or g.get("api_user") is not None or request.path.startswith("/api/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def _user_loaded() -> bool:
    try:
        return current_user is not None
    except Exception:
        return False
