"""The clinic experience page: filters, a chart of the share treated with respect and of
attendance, the same numbers as a table, and a CSV download (suppressed for every role).

reports.routes adds these views to the reports blueprint (`add_to`), so they are named
`reports.<function>` like the cascade's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from clinics.reference import FEEDBACK_MIN_REPORTS
from core.extensions import db
from core.security import require
from reports import clinic_experience
from reports.pages import form_values, page_filters, report_csv, report_download, width
from reports.sms_pages import row_label

GROUPS = {"month": _l("Month"), "clinic": _l("Clinic")}


def share(part: Any, whole: Any) -> float | None:
    """part ÷ whole when both are shown counts and whole is not 0 (a hidden one gives none)."""
    numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (part, whole))
    return part / whole if numbers and whole else None


def csv_text(report: dict[str, Any]) -> str:
    """The table as CSV: one row per group, then the totals (null is empty)."""
    keys = clinic_experience.KEYS
    return report_csv(report, keys)


def _decorate(rows: list[dict[str, Any]], group_by: str) -> None:
    """Each row's name in words, its two shares and bar lengths, and whether its answers are
    held back under 5 reports."""
    for row in rows:
        row["label"] = row_label(group_by, row["group"])
        row["respectful_share"] = share(row["respectful"], row["reports"])
        row["attended_share"] = share(row["attended"], row["referred"])
        row["respectful_width"] = width(row["respectful_share"])
        row["attended_width"] = width(row["attended_share"])
        row["few_reports"] = group_by == "clinic" and row["respectful"] is None


@require("reports.read")
def clinic_experience_page():
    """Community feedback and attendance per clinic or month: filters, a chart, the table."""
    filters, errors = page_filters(clinic_experience.GROUP_BY)
    report = clinic_experience.clinic_experience(
        start=filters.start, end=filters.end, group_by=filters.group_by, actor=current_user
    )
    db.session.commit()  # the audit row of the read
    _decorate(report["rows"], filters.group_by)
    html = render_template(
        "reports/clinic_experience.html",
        filters=filters,
        form=form_values(filters, errors),
        errors=errors,
        report=report,
        group_labels=GROUPS,
        min_reports=FEEDBACK_MIN_REPORTS,
        admin=current_user.role == "admin",
    )
    return html, 400 if errors else 200


@require("reports.read")
def clinic_experience_csv():
    """The table as a download, suppressed for every role (it leaves the service)."""
    return report_download(
        clinic_experience.clinic_experience,
        "clinic-experience",
        clinic_experience.GROUP_BY,
        csv_text,
    )


def add_to(bp: Blueprint) -> None:
    """Add the clinic experience page and its download to the blueprint."""
    for rule, view in (
        ("/reports/clinic-experience", clinic_experience_page),
        ("/reports/clinic-experience.csv", clinic_experience_csv),
    ):
        bp.add_url_rule(rule, view_func=view, methods=["GET"])
