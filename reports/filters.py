"""The report filters from a query string, shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from core.api import local_zone
from core.db import utcnow
from core.edge import parse_date
from core.errors import BadInput
from core.i18n import N_
from reports.services import GROUP_BY, check_range


@dataclass(frozen=True)
class Filters:
    """A report request: local dates `start` to `to` (inclusive), and the grouping."""

    start: date
    to: date
    group_by: str

    @property
    def end(self) -> date:
        """The exclusive end the services take: the day after `to`."""
        return self.to + timedelta(days=1)

    def query(self) -> dict[str, str]:
        """The filters as query-string arguments (for links such as the CSV download)."""
        return {
            "from": self.start.isoformat(),
            "to": self.to.isoformat(),
            "group_by": self.group_by,
        }


def default_filters() -> Filters:
    """The last twelve months up to today (local), by month."""
    today = utcnow().astimezone(local_zone()).date()
    first = today.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return Filters(first, today, "month")


def _date(args: Mapping[str, str], name: str, default: date) -> date:
    raw = (args.get(name) or "").strip()
    return parse_date(raw, name) if raw else default  # 400 malformed, 422 year out of range


def parse_filters(args: Mapping[str, str], choices: tuple[str, ...] = GROUP_BY) -> Filters:
    """`from`, `to` (inclusive local dates), `group_by` (one of `choices`, the cascade's by
    default): 400 when malformed, 422 if from > to."""
    defaults = default_filters()
    group_by = (args.get("group_by") or "").strip() or defaults.group_by
    if group_by not in choices:
        raise BadInput(
            N_("group_by must be one of %(choices)s."),
            params={"choices": ", ".join(choices)},
            fields={"group_by": N_("One of %(choices)s.")},
        )
    start = _date(args, "from", defaults.start)
    to = _date(args, "to", defaults.to)
    filters = Filters(start, to, group_by)
    check_range(filters.start, filters.end)
    return filters
