"""The database is unreachable (a restart, a full disk, no connection slots left): answer 503 with
Retry-After, so that load balancers and API clients retry, instead of the 500 of a bug.

The answer must not need the database itself: no user lookup (her language comes from the
session's choice or the browser), no context processors (Flask-Login's loads the user), no
base.html (it shows the signed-in user's buttons)."""

from __future__ import annotations

import psycopg
import sqlalchemy as sa
from flask import Flask, Response, current_app, g, make_response, request, session
from flask_babel import force_locale, get_locale
from flask_login import AnonymousUserMixin

from core.i18n import N_

RETRY_AFTER_SECONDS = 30
MESSAGE = N_("The service is briefly unavailable. Try again in a minute.")
_CONNECTION_ERRORS = (psycopg.OperationalError, psycopg.InterfaceError)


def is_connection_failure(exc: BaseException) -> bool:
    """Whether the error says the database could not be reached or the connection was lost (not
    a broken query or constraint: those stay errors of ours)."""
    if isinstance(exc, sa.exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(exc.orig, _CONNECTION_ERRORS)
    return isinstance(exc, _CONNECTION_ERRORS)


def unavailable(app: Flask, exc: BaseException, *, as_json: bool) -> Response:
    """The 503: JSON in the API's error shape, or a page in the reader's language."""
    _log(app, exc)
    # Later hooks (the security headers) ask whether someone is signed in: answer "no" without
    # trying to load her from the database again.
    g._login_user = AnonymousUserMixin()
    _end_transaction()
    if as_json:
        from core.errors import json_error

        body, status = json_error(503, "service_unavailable", MESSAGE)
        response = make_response(body, status)
    else:
        response = make_response(_page(), 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def _log(app: Flask, exc: BaseException) -> None:
    """One warning, no traceback: the error's text may carry a query's parameters (personal
    data), so only its class, its SQLSTATE and the route's pattern (not its ids) are logged."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)  # e.g. 53300: too many connections
    rule = request.url_rule.rule if request.url_rule is not None else "(no route)"
    app.logger.warning(
        "database unavailable (%s%s) on %s %s: answered 503",
        type(orig).__name__,
        f" {sqlstate}" if sqlstate else "",
        request.method,
        rule,
    )


def _end_transaction() -> None:
    """Give the session's connection back; a dead one may refuse even that."""
    from core.extensions import db

    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.close()


def _language() -> str:
    """The language already chosen for this request, else the session's choice, else the
    browser's (core.app.select_locale without the signed-in user, who cannot be read)."""
    chosen = getattr(g.get("_flask_babel"), "babel_locale", None)
    if chosen is None:
        chosen = session.get("lang")
    if str(chosen) in ("en", "bn"):
        return str(chosen)
    return request.accept_languages.best_match(["bn", "en"]) or "bn"


def _page() -> str:
    """The page, rendered straight from its template (no context processors)."""
    language = _language()
    with force_locale(language):
        template = current_app.jinja_env.get_template("core/unavailable.html")
        # force_locale needs a non-empty `g`: unavailable() has set the anonymous user there.
        return template.render(locale=str(get_locale() or language))
