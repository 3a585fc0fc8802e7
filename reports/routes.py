"""Pages of the reports package."""

from flask import Blueprint

from core.security import require

bp = Blueprint("reports", __name__)


@bp.get("/reports")
@require("reports.read")
def index():
    """The viewer's home (the reports issue fills it)."""
    from flask import render_template

    return render_template("core/placeholder.html")
