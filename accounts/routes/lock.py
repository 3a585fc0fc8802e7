"""The seized-phone lock pages: the lock page (no sign-in: her email and lock phrase), her lock
phrase, and a peer educator locking a colleague's account."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from accounts import lock, services
from accounts.forms import ColleagueLockForm, LockForm, LockPhraseForm
from accounts.routes import bp
from core.extensions import db, limiter
from core.security import require
from core.web import attach_errors, submit


def _lock_account_key() -> str:
    return "lock:" + services.normalise_email(request.form.get("email", ""))


@bp.route("/lock", methods=["GET", "POST"])
@limiter.limit("10/hour", key_func=_lock_account_key, methods=["POST"])
@limiter.limit("30/hour", methods=["POST"])
def lock_page():
    """Lock my account (no sign-in): her email and lock phrase. The answer is the same whether
    or not they matched, so the page tells no one whether an email has an account."""
    form = LockForm()
    if form.validate_on_submit():
        lock.lock_with_phrase(form.email.data, form.phrase.data)
        db.session.commit()
        flash(
            _(
                "If the email and the lock phrase are right, the account is locked now: every "
                "session and API token has ended. An admin can unlock it."
            ),
            "success",
        )
        return redirect(url_for("accounts.lock_page"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/lock.html", form=form), status


@bp.route("/account/lock-phrase", methods=["GET", "POST"])
@require("users.self")
def lock_phrase():
    """Set her lock phrase, which locks her account from the lock page."""
    user = current_user._get_current_object()
    form = LockPhraseForm()
    if submit(
        form,
        lambda: lock.set_lock_phrase(user, form.current_password.data, form.phrase.data),
        done=_("Lock phrase saved. Remember it: it locks your account from the lock page."),
        refused=lambda exc: attach_errors(form, exc),
    ):
        return redirect(url_for("accounts.account"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/lock_phrase.html", form=form), status


@bp.route("/account/lock-colleague", methods=["GET", "POST"])
@require("users.lock_colleague")
def lock_colleague():
    """A peer educator locks a colleague's account (her phone was taken); only an admin
    unlocks it."""
    actor = current_user._get_current_object()
    form = ColleagueLockForm()
    if submit(
        form,
        lambda: lock.lock_colleague(form.email.data, actor=actor),
        done=_(
            "If this is a peer educator's email, her account is locked now: her sessions and "
            "API tokens have ended. Only an admin can unlock it."
        ),
        refused=lambda exc: attach_errors(form, exc),
    ):
        return redirect(url_for("accounts.lock_colleague"))
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/lock_colleague.html", form=form), status
