"""Pages of the reports package: the cascade (table, chart), its CSV and the DHIS2 download."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.extensions import db
from core.labels import label
from core.security import require
from core.templating import in_page_digits, localdate, number, per_request
from reports import clinic_experience_pages, dhis2_pages, incidents, services, sms_pages
from reports.pages import form_values, page_filters, report_csv, report_download

bp = Blueprint("reports", __name__)


@bp.context_processor
def _freshness() -> dict[str, Any]:
    """What templates/reports/_as_of.html says: when the summary was computed, how often."""
    from flask import current_app

    from reports.summary.refresh import as_of

    config = current_app.config
    return {
        "report_as_of": as_of,
        "report_refresh_minutes": max(1, int(config["REPORT_SUMMARY_SECONDS"]) // 60),
        "report_recent_days": int(config["REPORT_SUMMARY_RECENT_DAYS"]),
    }


GROUP_LABELS = {
    "month": _l("Month"),
    "clinic": _l("Clinic"),
    "district": _l("District"),
    "service": _l("Service"),
    "peer_educator": _l("Peer educator"),
}


def _count(value: Any) -> float | None:
    """A count as a number for the chart, or None when it is suppressed ("<5")."""
    return float(value) if isinstance(value, int) else None


def chart_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Bar lengths (0-100) of referred and attended per group; suppressed counts draw no bar."""
    numbers = [_count(row["referred"]) or 0.0 for row in report["rows"]]
    top = max(numbers, default=0.0) or 1.0
    bars = []
    for row in report["rows"]:
        referred, attended = _count(row["referred"]), _count(row["attended"])
        bars.append(
            {
                "group": row["group"],
                "referred": row["referred"],
                "attended": row["attended"],
                "referred_width": round(100 * referred / top, 1) if referred else 0,
                "attended_width": round(100 * attended / top, 1) if attended else 0,
            }
        )
    return bars


def report_number(value: Any) -> str:
    """A count or median in the page's digits and grouping; a suppressed count ("<5") too."""
    if value is None:
        return "–"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value, 1 if isinstance(value, float) else None)
    return in_page_digits(value)


bp.add_app_template_filter(per_request(report_number), "report_number")


def group_label(group_by: str, group: Any) -> str:
    """A row's name in the page's language: a month as `Oct 2026`, a service or a district by
    its word; clinics and peer educators by the names people gave them."""
    if group_by == "month" and isinstance(group, str) and len(group) == 7:
        try:
            return localdate(date.fromisoformat(group + "-01"), "MMM y")
        except ValueError:
            return str(group)
    if group_by in ("service", "district", "perpetrator", "violation"):
        return label(group_by, group)
    return "" if group is None else str(group)


@bp.get("/reports")
@require("reports.read")
def index():
    """The viewer's home: filters, the cascade chart and table, and the downloads."""
    filters, errors = page_filters()
    report = services.cascade(
        start=filters.start, end=filters.end, group_by=filters.group_by, actor=current_user
    )
    db.session.commit()  # the audit row of the read
    for row in report["rows"]:
        row["label"] = group_label(filters.group_by, row["group"])
    bars = chart_rows(report)
    for bar, row in zip(bars, report["rows"], strict=True):
        bar["label"] = row["label"]
    html = render_template(
        "reports/index.html",
        filters=filters,
        form=form_values(filters, errors),
        errors=errors,
        report=report,
        bars=bars,
        group_labels=GROUP_LABELS,
        admin=current_user.role == "admin",
        period=filters.to.strftime("%Y-%m"),
    )
    return html, 400 if errors else 200


@bp.get("/reports/cascade.csv")
@require("reports.read")
def cascade_csv():
    """The same table as the page, as a CSV download, suppressed for every role (it leaves the
    service)."""
    return report_download(
        services.cascade, "cascade", services.GROUP_BY, lambda r: report_csv(r, services.KEYS)
    )


@bp.get("/reports/dhis2.json")
@require("reports.read")
def dhis2_json():
    """One month's DHIS2 dataValueSets document as a download (`period` YYYYMM or YYYY-MM)."""
    period = (request.args.get("period") or "").strip().replace("-", "")
    document = services.dhis2_data_values(period, current_user)
    db.session.commit()  # the audit row of the download
    return Response(
        json.dumps(document, indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="dhis2-{period}.json"'},
    )


# ---- the evidence report: incidents with advocacy consent --------------------------------

INCIDENT_GROUP_LABELS = {
    "month": _l("Month"),
    "district": _l("District"),
    "perpetrator": _l("Who did it"),
    "violation": _l("What happened"),
}


def incident_bars(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Bar lengths (0-100) of incidents per group; a suppressed count draws no bar."""
    top = max((_count(row["incidents"]) or 0.0 for row in report["rows"]), default=0.0) or 1.0
    return [
        {
            "label": row["label"],
            "incidents": row["incidents"],
            "width": round(100 * value / top, 1) if (value := _count(row["incidents"])) else 0,
        }
        for row in report["rows"]
    ]


@bp.get("/reports/incidents")
@require("reports.read")
def incidents_page():
    """Incidents with advocacy consent: filters, a chart, the same numbers as a table, CSV."""
    filters, errors = page_filters(incidents.INCIDENT_GROUP_BY)
    report = incidents.incident_counts(
        start=filters.start, end=filters.end, group_by=filters.group_by, actor=current_user
    )
    db.session.commit()  # the audit row of the read
    for row in report["rows"]:
        row["label"] = group_label(filters.group_by, row["group"])
    html = render_template(
        "reports/incidents.html",
        filters=filters,
        form=form_values(filters, errors),
        errors=errors,
        report=report,
        bars=incident_bars(report),
        group_labels=INCIDENT_GROUP_LABELS,
        admin=current_user.role == "admin",
    )
    return html, 400 if errors else 200


@bp.get("/reports/incidents.csv")
@require("reports.read")
def incidents_csv():
    """The same table as a CSV download, suppressed for every role (it leaves the service)."""
    return report_download(
        incidents.incident_counts,
        "incidents",
        incidents.INCIDENT_GROUP_BY,
        lambda r: report_csv(r, incidents.KEYS),
    )


# The SMS reports' pages and downloads, from their own module.
sms_pages.add_to(bp)
dhis2_pages.add_to(bp)
clinic_experience_pages.add_to(bp)
