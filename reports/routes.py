"""Pages of the reports package: the cascade (table, chart), its CSV and the DHIS2 download."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import csvsafe
from core.edge import YEAR_MESSAGE
from core.errors import DomainError
from core.extensions import db
from core.labels import label
from core.security import require
from core.templating import in_page_digits, localdate, number, per_request
from reports import clinic_experience_pages, dhis2_pages, incidents, services, sms_pages
from reports.filters import Filters, default_filters, parse_filters

bp = Blueprint("reports", __name__)

GROUP_LABELS = {
    "month": _l("Month"),
    "clinic": _l("Clinic"),
    "district": _l("District"),
    "service": _l("Service"),
    "peer_educator": _l("Peer educator"),
}

# The services name fields in English; the page says it in the reader's language.
FIELD_MESSAGES = {
    "Not a date (YYYY-MM-DD).": _l("Enter a date as YYYY-MM-DD."),
    "After the end date.": _l("The start date is after the end date."),
    "Range too long.": _l("Choose a range of at most ten years."),
    YEAR_MESSAGE: _l("Enter a date between the years 1900 and 2200."),
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
    errors: dict[str, Any] = {}
    try:
        filters = parse_filters(request.args)
    except DomainError as exc:
        errors = {name: _field_message(name, text) for name, text in exc.fields.items()}
        filters = default_filters()
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
        form=_form_values(filters, errors),
        errors=errors,
        report=report,
        bars=bars,
        group_labels=GROUP_LABELS,
        admin=current_user.role == "admin",
        period=filters.to.strftime("%Y-%m"),
    )
    return html, 400 if errors else 200


def _field_message(name: str, text: str) -> Any:
    if name == "group_by":
        return _l("Choose a grouping from the list.")
    return FIELD_MESSAGES.get(text, text)


def _form_values(filters: Filters, errors: dict[str, Any]) -> dict[str, str]:
    """What the form shows: the request's own text where it was wrong, else the filters used."""
    values = filters.query()
    for name in errors:
        values[name] = request.args.get(name, "")
    return values


def csv_text(report: dict[str, Any]) -> str:
    """The cascade as CSV: one row per group, then the totals (suppression already applied)."""
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")  # null is empty, formulas quoted
    writer.writerow(["group", *services.KEYS])
    for row in report["rows"]:
        writer.writerow([row["group"], *(row[k] for k in services.KEYS)])
    writer.writerow(["Total", *(report["totals"][k] for k in services.KEYS)])
    return out.getvalue()


@bp.get("/reports/cascade.csv")
@require("reports.read")
def cascade_csv():
    """The same table as the page, as a CSV download, suppressed for every role (it leaves the
    service)."""
    filters = parse_filters(request.args)
    report = services.cascade(
        start=filters.start,
        end=filters.end,
        group_by=filters.group_by,
        actor=current_user,
        export=True,
    )
    db.session.commit()  # the audit row of the download
    name = f"cascade-{filters.group_by}-{filters.start}-{filters.to}.csv"
    return Response(
        csv_text(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
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
    errors: dict[str, Any] = {}
    try:
        filters = parse_filters(request.args, incidents.INCIDENT_GROUP_BY)
    except DomainError as exc:
        errors = {name: _field_message(name, text) for name, text in exc.fields.items()}
        filters = default_filters()
    report = incidents.incident_counts(
        start=filters.start, end=filters.end, group_by=filters.group_by, actor=current_user
    )
    db.session.commit()  # the audit row of the read
    for row in report["rows"]:
        row["label"] = group_label(filters.group_by, row["group"])
    html = render_template(
        "reports/incidents.html",
        filters=filters,
        form=_form_values(filters, errors),
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
    filters = parse_filters(request.args, incidents.INCIDENT_GROUP_BY)
    report = incidents.incident_counts(
        start=filters.start,
        end=filters.end,
        group_by=filters.group_by,
        actor=current_user,
        export=True,
    )
    db.session.commit()  # the audit row of the download
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")  # null is empty, formulas quoted
    writer.writerow(["group", *incidents.KEYS])
    for row in report["rows"]:
        writer.writerow([row["group"], *(row[k] for k in incidents.KEYS)])
    writer.writerow(["Total", *(report["totals"][k] for k in incidents.KEYS)])
    name = f"incidents-{filters.group_by}-{filters.start}-{filters.to}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# The SMS reports' pages and downloads, from their own module.
sms_pages.add_to(bp)
dhis2_pages.add_to(bp)
clinic_experience_pages.add_to(bp)
