"""Pages of the referrals package."""

from flask import Blueprint

from core.security import require

bp = Blueprint("referrals", __name__)


@bp.get("/tasks")
@require("members.read")
def tasks():
    """The peer educator's home (the referrals issue fills it)."""
    from flask import render_template

    return render_template("core/placeholder.html")


@bp.get("/clinic/today")
@require("referrals.confirm")
def clinic_today():
    """The clinic partner's home (the referrals issue fills it)."""
    from flask import render_template

    return render_template("core/placeholder.html")
