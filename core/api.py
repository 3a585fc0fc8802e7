"""The JSON API's shared parts: Bearer auth, body parsing, paging, the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, g, jsonify, request

from core.edge import MAX_INT, check_year, read_int
from core.errors import BadInput, Forbidden, json_error
from core.schemas import MAX_PAGE
from core.security import PERMISSIONS, can

api = Blueprint("api", __name__, url_prefix="/api/v1")


def api_user():
    """The user of the current API request (set by Bearer authentication)."""
    return g.get("api_user")


@api.before_request
def authenticate_bearer():
    """Every API endpoint but the OpenAPI document needs a valid Bearer token: 401 otherwise."""
    from accounts.services import user_for_token
    from core.extensions import db

    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        db.session.rollback()
        response = json_error(401, "unauthorized", "A valid Bearer token is required.")
        response[0].headers["WWW-Authenticate"] = 'Bearer realm="harc"'
        return response
    if db.session.dirty:
        db.session.commit()  # last_used_at, in its own short transaction
    else:
        db.session.rollback()  # end the read transaction; the view starts its own
    g.api_user = user
    return None


PUBLIC_ENDPOINTS = {"api.openapi"}


def api_require(permission: str) -> Callable:
    """API decorator: the caller's role must hold the permission, else 403."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(api_user(), permission):
                raise Forbidden("Your role may not use this endpoint.")
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return wrapped

    return decorator


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    data = request.get_json(silent=True)
    if data is None:
        raise BadInput("The body must be a JSON object (Content-Type: application/json).")
    if not isinstance(data, dict):
        raise BadInput("The body must be a JSON object.")
    return data


def int_arg(name: str, default: int, *, minimum: int = 1, maximum: int | None = MAX_INT) -> int:
    """An integer query argument: 400 when it is not a whole number, 422 outside its bounds
    (by default what a database INTEGER holds)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    return read_int(raw, name, minimum=minimum, maximum=maximum)


def page_args(max_per_page: int = 100) -> tuple[int, int]:
    """`page` (up to MAX_PAGE, so OFFSET fits any database) and `per_page` (at most 100)."""
    return int_arg("page", 1, maximum=MAX_PAGE), int_arg("per_page", 20, maximum=max_per_page)


def paged(items: list[Any], total: int, page: int, per_page: int):
    """The list envelope of CONTRACT.md."""
    return jsonify({"items": items, "total": total, "page": page, "per_page": per_page})


def local_zone() -> ZoneInfo:
    """APP_TIMEZONE, the zone people read and type times in."""
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def parse_datetime(value: Any, field: str) -> datetime:
    """ISO 8601; without an offset it is read in APP_TIMEZONE. Returns an aware datetime: 400
    when it does not parse, 422 when its year is outside core.edge's range."""
    if not isinstance(value, str) or not value.strip():
        raise BadInput(
            f"{field} must be an ISO 8601 date-time.", fields={field: "Not a date-time."}
        )
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            f"{field} must be an ISO 8601 date-time.", fields={field: "Not a date-time."}
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    return check_year(parsed, field)  # within years that convert to UTC and back


def iso_local(value: datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 with APP_TIMEZONE's offset."""
    return None if value is None else value.astimezone(local_zone()).isoformat()


@api.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, generated from its models (core.openapi)."""
    from core.openapi import build_document

    return jsonify(build_document(current_app))
