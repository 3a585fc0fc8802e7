"""Domain errors raised by services, and how the edges turn them into responses."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from core.i18n import Text, as_text
from core.outage import is_connection_failure, unavailable


class DomainError(Exception):
    """A rule said no. Carries an HTTP status, a stable code, the message (an English msgid
    with %(name)s parameters) and, for invalid input, field messages (msgids too, or Texts).

    `message` and `fields` are the English renderings (the API's body, the command line);
    `localized()` and `localized_fields()` render them in the reader's language (pages)."""

    status = 400
    code = "bad_request"

    def __init__(
        self,
        message: str | Text,
        *,
        code: str | None = None,
        params: Mapping[str, object] | None = None,
        fields: Mapping[str, str | Text] | None = None,
        extra: dict | None = None,
    ) -> None:
        self.params = dict(params or {})
        self.text = as_text(message, self.params)
        self.field_texts = {
            name: as_text(value, self.params) for name, value in (fields or {}).items()
        }
        self.message = self.text.english()
        self.fields = {name: text.english() for name, text in self.field_texts.items()}
        super().__init__(self.message)
        self.code = code or self.code
        self.extra = extra or {}

    def localized(self) -> str:
        """The message in the reader's language."""
        return self.text.localized()

    def localized_fields(self) -> dict[str, str]:
        """The field messages in the reader's language."""
        return {name: text.localized() for name, text in self.field_texts.items()}


class BadInput(DomainError):
    """A malformed body or query value (400)."""

    status, code = 400, "bad_request"


class ValidationFailed(DomainError):
    """Fields that are well-formed but not acceptable (422)."""

    status, code = 422, "invalid"


class NotFound(DomainError):
    """Missing, or outside the caller's scope: both look the same to the caller (404)."""

    status, code = 404, "not_found"


class Forbidden(DomainError):
    """The caller's role may not do this at all (403)."""

    status, code = 403, "forbidden"


class Conflict(DomainError):
    """The record's state does not allow this change (409)."""

    status, code = 409, "conflict"


def json_error(status: int, code: str, message: str, fields: dict | None = None, **extra):
    """The API's error body, CONTRACT.md's shape."""
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    body.update(extra)
    return jsonify({"error": body}), status


def wants_json() -> bool:
    """Whether this request gets JSON errors: the API and the webhooks."""
    return request.path.startswith("/api/") or request.path.startswith("/webhooks/")


def _with_headers(response, exc: HTTPException):
    """Keep the headers the exception defines (405's Allow, 401's WWW-Authenticate, ...)."""
    for name, value in exc.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    """JSON errors under /api, friendly pages elsewhere; never a traceback to the client."""

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        if wants_json():
            return json_error(exc.status, exc.code, exc.message, exc.fields, **exc.extra)
        return render_template(
            "core/error.html", status=exc.status, message=exc.localized()
        ), exc.status

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        if wants_json():
            body, status = json_error(exc.code or 500, code, exc.description or exc.name)
            return _with_headers(body, exc), status
        # Werkzeug's descriptions are English: the page says it in its own (translated) words.
        page = render_template("core/error.html", status=exc.code, message=None)
        return _with_headers(make_response(page, exc.code), exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if is_connection_failure(exc):  # the database is down, not a bug: 503, retry later
            return unavailable(app, exc, as_json=wants_json())
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        from core.extensions import db

        db.session.rollback()
        if wants_json():
            return json_error(500, "internal_error", "Something went wrong on our side.")
        return render_template("core/error.html", status=500, message=None), 500
