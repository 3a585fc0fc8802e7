"""Pages of the SMS reports: the SMS effect and SMS delivery, each with filters, a chart, the same
numbers as tables, and CSV downloads of every table (suppressed for every role).

reports.routes adds these views to the reports blueprint (`add_to`), so they are named
`reports.<function>` like the cascade's."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core.extensions import db
from core.labels import label
from core.security import require
from core.templating import localdate, number, per_request
from reports import sms_delivery, sms_effect
from reports.filters import Filters, parse_filters
from reports.pages import csv_table, download, form_values, page_filters, report_download, width

EFFECT_GROUPS = {"month": _l("Month"), "clinic": _l("Clinic")}
DELIVERY_GROUPS = {"month": _l("Month"), "kind": _l("Message kind"), "gateway": _l("Gateway")}
DELIVERY_TABLES = ("messages", "statuses", "failures", "changes")


def row_label(group_by: str, group: Any) -> str:
    """A group's name in the page's language: a month as `Oct 2026`, a kind or gateway by its
    word; clinics by their names."""
    if group_by == "month" and isinstance(group, str) and len(group) == 7:
        try:
            return localdate(date.fromisoformat(group + "-01"), "MMM y")
        except ValueError:
            return group
    if group_by == "kind":
        return label("message_kind", group)
    if group_by == "gateway":
        if group == sms_delivery.NO_GATEWAY:
            return _("not recorded")
        return label("sms_gateway", group)
    return "" if group is None else str(group)


def points(value: float | None) -> str:
    """A difference of two fractions in percentage points, signed (`+20.0`); "–" for none."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + number(abs(value) * 100, 1)


# ---- the SMS effect -------------------------------------------------------------------------

EFFECT_KEYS = ("difference", "ci_low", "ci_high", "median_hours_last_reminder_to_visit")


def _effect_cells(cells: dict[str, Any]) -> list[Any]:
    values = [cells[arm][k] for arm in sms_effect.ARMS for k in ("referred", "attended", "rate")]
    return values + [cells[k] for k in EFFECT_KEYS]


def effect_csv_text(report: dict[str, Any]) -> str:
    """The effect table as CSV: one row per group, then the totals."""
    header = [f"{arm}_{k}" for arm in sms_effect.ARMS for k in ("referred", "attended", "rate")]
    rows = [[row["group"], *_effect_cells(row)] for row in report["rows"]]
    rows.append(["Total", *_effect_cells(report["totals"])])
    return csv_table(["group", *header, *EFFECT_KEYS], rows)


@require("reports.read")
def sms_effect_page():
    """Attendance with and without reminders: filters, a chart, the table, the CSV link."""
    filters, errors = page_filters(sms_effect.GROUP_BY)
    report = sms_effect.sms_effect(
        start=filters.start, end=filters.end, group_by=filters.group_by, actor=current_user
    )
    db.session.commit()  # the audit row of the read
    for row in report["rows"]:
        row["label"] = row_label(filters.group_by, row["group"])
        row["widths"] = {arm: width(row[arm]["rate"]) for arm in sms_effect.ARMS}
    html = render_template(
        "reports/sms_effect.html",
        filters=filters,
        form=form_values(filters, errors),
        errors=errors,
        report=report,
        arms=sms_effect.ARMS,
        group_labels=EFFECT_GROUPS,
        admin=current_user.role == "admin",
    )
    return html, 400 if errors else 200


@require("reports.read")
def sms_effect_csv():
    """The effect table as a download, suppressed for every role (it leaves the service)."""
    return report_download(
        sms_effect.sms_effect, "sms-effect", sms_effect.GROUP_BY, effect_csv_text
    )


# ---- SMS delivery ---------------------------------------------------------------------------


def delivery_tables(filters: Filters, *, export: bool) -> dict[str, Any]:
    """The delivery report (with its statuses per month) and its side tables (failures by code,
    contact changes)."""
    report = sms_delivery.sms_delivery(
        start=filters.start,
        end=filters.end,
        group_by=filters.group_by,
        actor=current_user,
        export=export,
    )
    admin = current_user.role == "admin" and not export
    return {
        "messages": report,
        "statuses": report["statuses"],
        "failures": sms_delivery.failures_by_code(filters.start, filters.end, admin=admin),
        "changes": sms_delivery.contact_changes(filters.start, filters.end, admin=admin),
    }


def delivery_csv_text(tables: dict[str, Any], table: str) -> str:
    """One of the delivery page's tables as CSV."""
    if table == "failures":
        rows = [
            [row["code"], row["meaning"] and str(row["meaning"]), row["count"]]
            for row in tables["failures"]
        ]
        return csv_table(["error_code", "meaning", "count"], rows)
    if table == "changes":
        changes = tables["changes"]
        keys = tuple(sms_delivery.CHANGES)
        rows = [[row["group"], *(row[k] for k in keys)] for row in changes["rows"]]
        rows.append(["Total", *(changes["totals"][k] for k in keys)])
        return csv_table(["month", *keys], rows)
    if table == "statuses":
        statuses = tables["statuses"]
        rows = [[row["group"], *(row[k] for k in sms_delivery.COUNTED)] for row in statuses["rows"]]
        rows.append(["Total", *(statuses["totals"][k] for k in sms_delivery.COUNTED)])
        return csv_table(["month", *sms_delivery.COUNTED], rows)
    report = tables["messages"]
    # One column per currency (cost_USD, cost_BDT): amounts of two currencies are never added.
    currencies = list(report["totals"]["costs"])

    def cells(row: dict[str, Any]) -> list[Any]:
        amounts = [row["costs"].get(currency) for currency in currencies]
        return [*(row[k] for k in sms_delivery.KEYS), *amounts]

    rows = [[row["group"], *cells(row)] for row in report["rows"]]
    rows.append(["Total", *cells(report["totals"])])
    header = ["group", *sms_delivery.KEYS, *(f"cost_{currency}" for currency in currencies)]
    return csv_table(header, rows)


@require("reports.read")
def sms_delivery_page():
    """Delivery and cost: filters, a chart, the tables, the CSV links."""
    filters, errors = page_filters(sms_delivery.GROUP_BY)
    tables = delivery_tables(filters, export=False)
    db.session.commit()  # the audit row of the read
    report = tables["messages"]
    top = max((r["sent"] for r in report["rows"] if isinstance(r["sent"], int)), default=0)
    for row in report["rows"]:
        row["label"] = row_label(filters.group_by, row["group"])
        row["sent_width"] = width(row["sent"], top)
        row["delivered_width"] = width(row["delivered"], top)
    for row in tables["changes"]["rows"] + tables["statuses"]["rows"]:
        row["label"] = row_label("month", row["group"])
    html = render_template(
        "reports/sms_delivery.html",
        filters=filters,
        form=form_values(filters, errors),
        errors=errors,
        tables=tables,
        report=report,
        group_labels=DELIVERY_GROUPS,
        csv_tables=DELIVERY_TABLES,
        counted_statuses=sms_delivery.COUNTED,
        admin=current_user.role == "admin",
    )
    return html, 400 if errors else 200


@require("reports.read")
def sms_delivery_csv():
    """One of the page's tables (`table` = messages, statuses, failures or changes) as a download,
    suppressed for every role."""
    filters = parse_filters(request.args, sms_delivery.GROUP_BY)
    table = request.args.get("table") or "messages"
    if table not in DELIVERY_TABLES:
        table = "messages"
    tables = delivery_tables(filters, export=True)
    db.session.commit()  # the audit row of the download
    name = f"sms-delivery-{table}-{filters.group_by}-{filters.start}-{filters.to}.csv"
    return download(delivery_csv_text(tables, table), name)


def add_to(bp: Blueprint) -> None:
    """Add the SMS reports' pages and downloads (and the `points` filter) to the blueprint."""
    bp.add_app_template_filter(per_request(points), "points")
    for rule, view in (
        ("/reports/sms-effect", sms_effect_page),
        ("/reports/sms-effect.csv", sms_effect_csv),
        ("/reports/sms-delivery", sms_delivery_page),
        ("/reports/sms-delivery.csv", sms_delivery_csv),
    ):
        bp.add_url_rule(rule, view_func=view, methods=["GET"])
