"""The JSON API's shared parts: Bearer auth, body parsing, paging, the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, current_app, g, jsonify, request

from core.edge import MAX_INT, check_year, read_int
from core.errors import BadInput, Forbidden, json_error
from core.i18n import N_
from core.registry import registry
from core.schemas import MAX_PAGE
from core.security import PERMISSIONS, can


@dataclass
class ApiRoutes:
    """A package's API endpoints, collected by decorators and added to each app's `api`
    blueprint by the factory (so every endpoint is named `api.<function>`)."""

    rules: list[tuple[str, str, Callable, list[str]]] = field(default_factory=list)

    def add_url_rule(
        self, rule: str, endpoint: str | None = None, view_func: Callable | None = None,
        methods: list[str] | None = None,
    ) -> None:  # fmt: skip
        """Record one endpoint (the name defaults to the view's)."""
        if view_func is None:
            raise ValueError(f"{rule}: no view")
        self.rules.append((rule, endpoint or view_func.__name__, view_func, methods or ["GET"]))

    def route(self, rule: str, methods: list[str]) -> Callable[[Callable], Callable]:
        """Decorator: the view answers `methods` on `rule` (below /api/v1)."""

        def decorator(view: Callable) -> Callable:
            self.add_url_rule(rule, view_func=view, methods=methods)
            return view

        return decorator

    def get(self, rule: str) -> Callable[[Callable], Callable]:
        """`route(rule, ["GET"])`."""
        return self.route(rule, ["GET"])

    def post(self, rule: str) -> Callable[[Callable], Callable]:
        """`route(rule, ["POST"])`."""
        return self.route(rule, ["POST"])

    def patch(self, rule: str) -> Callable[[Callable], Callable]:
        """`route(rule, ["PATCH"])`."""
        return self.route(rule, ["PATCH"])

    def delete(self, rule: str) -> Callable[[Callable], Callable]:
        """`route(rule, ["DELETE"])`."""
        return self.route(rule, ["DELETE"])

    def add_to(self, blueprint: Blueprint) -> None:
        """Add every recorded endpoint to the blueprint."""
        for rule, endpoint, view, methods in self.rules:
            blueprint.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=methods)


# core's own endpoints (the OpenAPI document).
routes = ApiRoutes()


def build_api_blueprint(app: Flask) -> Blueprint:
    """A fresh `api` blueprint for this app: Bearer authentication, core's endpoints, then those
    of every package, in the order the packages were initialised."""
    api = Blueprint("api", __name__, url_prefix="/api/v1")
    api.before_request(authenticate_bearer)
    for package_routes in (routes, *registry(app).api_routes):
        package_routes.add_to(api)
    return api


def api_user():
    """The user of the current API request (set by Bearer authentication)."""
    return g.get("api_user")


def authenticate_bearer():
    """Every API endpoint but the OpenAPI document needs a valid Bearer token: 401 otherwise."""
    from core.extensions import db

    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    load = registry().token_loader
    user = load(token.strip()) if scheme.lower() == "bearer" and load is not None else None
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
                raise Forbidden(N_("Your role may not use this endpoint."))
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    data = request.get_json(silent=True)
    if data is None:
        raise BadInput(N_("The body must be a JSON object (Content-Type: application/json)."))
    if not isinstance(data, dict):
        raise BadInput(N_("The body must be a JSON object."))
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
            N_("%(field)s must be an ISO 8601 date-time."),
            params={"field": field},
            fields={field: N_("Not a date-time.")},
        )
    text = value.strip().replace("Z", "+00:00").replace(" ", "T", 1)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadInput(
            N_("%(field)s must be an ISO 8601 date-time."),
            params={"field": field},
            fields={field: N_("Not a date-time.")},
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=local_zone())
    return check_year(parsed, field)  # within years that convert to UTC and back


def iso_local(value: datetime | None) -> str | None:
    """A stored UTC time as ISO 8601 with APP_TIMEZONE's offset."""
    return None if value is None else value.astimezone(local_zone()).isoformat()


@routes.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of this API, generated from its models (core.openapi)."""
    from core.openapi import build_document

    return jsonify(build_document(current_app))
