"""`GET /healthz` and the small pages every role shares (home, language)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, request, session, url_for
from flask_login import current_user

from core.extensions import db
from core.redirects import safe_next
from core.registry import registry

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness and readiness: the database answers; packages add their own checks."""
    body: dict = {"status": "ok"}
    status = 200
    try:
        db.session.execute(sa.text("SELECT 1"))
        body["database"] = "ok"
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        body["database"] = "unavailable"
        body["status"] = "unavailable"
        return jsonify(body), 503
    for check in registry().health_checks:  # the packages' (the scheduler, the outbox)
        healthy = check(body)
        if not healthy:
            body["status"] = "degraded"
            status = 503
    return jsonify(body), status


@bp.get("/")
def home():
    """Each role's home page lives in its package; this sends people there."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    home = registry().role_homes.get(current_user.role, "accounts.account")
    return redirect(url_for(home))


@bp.post("/language")
def set_language():
    """Switch the page language; kept on the user when signed in."""
    lang = request.form.get("lang")
    if lang in ("en", "bn"):
        session["lang"] = lang
        if current_user.is_authenticated and current_user.language != lang:
            current_user.language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
