"""What every report page shares: its filters read from the query (or the defaults and the
form's errors in the reader's words), the form's values, a bar's width, and a CSV download."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from core import csvsafe
from core.edge import YEAR_MESSAGE
from core.errors import DomainError
from core.extensions import db
from reports.filters import Filters, default_filters, parse_filters
from reports.services import GROUP_BY

# The services name fields in English; the page says it in the reader's language.
FIELD_MESSAGES = {
    "Not a date (YYYY-MM-DD).": _l("Enter a date as YYYY-MM-DD."),
    "After the end date.": _l("The start date is after the end date."),
    "Range too long.": _l("Choose a range of at most ten years."),
    YEAR_MESSAGE: _l("Enter a date between the years 1900 and 2200."),
}


def field_message(name: str, text: str) -> Any:
    """A filter field's error in the reader's language."""
    if name == "group_by":
        return _l("Choose a grouping from the list.")
    return FIELD_MESSAGES.get(text, text)


def page_filters(choices: tuple[str, ...] = GROUP_BY) -> tuple[Filters, dict[str, Any]]:
    """The request's filters, or the defaults with the form's errors."""
    try:
        return parse_filters(request.args, choices), {}
    except DomainError as exc:
        errors = {name: field_message(name, text) for name, text in exc.fields.items()}
        return default_filters(), errors


def form_values(filters: Filters, errors: dict[str, Any]) -> dict[str, str]:
    """What the form shows: the request's own text where it was wrong, else the filters used."""
    values = filters.query()
    for name in errors:
        values[name] = request.args.get(name, "")
    return values


def width(value: Any, top: float = 1.0) -> float:
    """A bar's length (0-100); a hidden or missing value draws none."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not top:
        return 0
    return round(100 * value / top, 1)


def csv_table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV text (null is empty; formula-like cells quoted by core.csvsafe)."""
    out = io.StringIO()
    writer = csvsafe.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def report_csv(report: dict[str, Any], keys: Iterable[str]) -> str:
    """A report's table as CSV: a row per group, then the totals (suppression already applied)."""
    keys = list(keys)
    rows = [[row["group"], *(row[k] for k in keys)] for row in report["rows"]]
    rows.append(["Total", *(report["totals"][k] for k in keys)])
    return csv_table(["group", *keys], rows)


def download(text: str, name: str) -> Response:
    """A CSV file to save."""
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def report_download(
    compute: Callable[..., dict[str, Any]],
    name: str,
    choices: tuple[str, ...],
    to_csv: Callable[[dict[str, Any]], str],
) -> Response:
    """A report's CSV download: the filters from the query (400 or 422 when wrong), the report
    computed as an export (suppressed for every role, audited), committed, sent as a file."""
    filters = parse_filters(request.args, choices)
    report = compute(
        start=filters.start,
        end=filters.end,
        group_by=filters.group_by,
        actor=current_user,
        export=True,
    )
    db.session.commit()  # the audit row of the download
    return download(to_csv(report), f"{name}-{filters.group_by}-{filters.start}-{filters.to}.csv")
