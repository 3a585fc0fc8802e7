"""The aggregate DHIS2 `dataValueSets` document of one month: one value per (org unit, data
element, category option combo).

The mapping is reports.dhis2_mapping's (stored on /admin/dhis2 over the config). Referrals are
counted per clinic and service by the report summary (reports.summary, as of its last refresh);
each clinic's counts go to its org unit if mapped, else to its district's, else to
`DHIS2_ORG_UNIT` if that is set; the clinics mapped none of these ways are named in
`unmapped_clinics` and left out. One data element per measure
(referred, attended, linked to care), disaggregated by service (a category option combo each);
a service without one is named in `unmapped`.

DHIS2 takes numbers only, so a value from 1 to 4 (for every role, admins too: the document leaves
the service, DESIGN.md) is left out of `dataValues` and named, without its value, in `suppressed`.
`push_document` strips the three extra keys before the document goes to DHIS2.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa

from clinics.models import Clinic
from core.edge import check_year
from core.errors import BadInput
from core.extensions import db
from core.i18n import N_
from reports import tuning
from reports.dhis2_mapping import MEASURES, mapping

PERIOD = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")
EXTRA_KEYS = ("suppressed", "unmapped", "unmapped_clinics")


def parse_period(period: Any) -> tuple[date, date]:
    """A DHIS2 monthly period `YYYYMM` → the first day of that month and of the next; else 400."""
    match = PERIOD.match(period) if isinstance(period, str) else None
    try:
        if match is None:
            raise ValueError
        year, month = int(match.group(1)), int(match.group(2))
        start = date(year, month, 1)
        end = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    except ValueError:  # also year 0, and December 9999 (no month after it)
        raise BadInput(
            N_("period must be a month as YYYYMM, e.g. 202611."),
            fields={"period": N_("Not YYYYMM.")},
        ) from None
    return check_year(start, "period"), end  # years that convert to UTC and back


class CellCounts(NamedTuple):
    """A clinic's counts of one service in the month."""

    clinic_id: int
    district: str
    service: str
    referred: int
    attended: int
    linked_to_care: int


def clinic_service_counts(start: date, end: date) -> list[CellCounts]:
    """Referred, attended and linked-to-care per (clinic, district, service) of referrals made
    in [start, end), from the report summary's clinic_service rows (one GROUP BY of its month
    and day rows); the key "<clinic id>:<service code>" is split here, on the few sums."""
    from reports.summary import read
    from reports.summary.models import ReferralCounts

    table = ReferralCounts.__table__
    rows = read.sums(
        table,
        start,
        end,
        MEASURES,
        (table.c.gkey, table.c.gkey),
        where=table.c.dimension == "clinic_service",
    )
    districts: dict[int, str] = dict(
        db.session.execute(sa.select(Clinic.id, Clinic.district)).all()
    )
    counts = []
    for row in rows:
        clinic, service = str(row.gkey).split(":", 1)
        clinic_id = int(clinic)
        if clinic_id in districts:  # a clinic since deleted has no org unit to count under
            counts.append(
                CellCounts(
                    clinic_id=clinic_id,
                    district=districts[clinic_id],
                    service=service,
                    referred=int(row.referred or 0),
                    attended=int(row.attended or 0),
                    linked_to_care=int(row.linked_to_care or 0),
                )
            )
    return counts


def org_unit_of(config: dict[str, Any], clinic_id: int, district: str) -> str | None:
    """The clinic's org unit, else its district's, else the whole service's (or None)."""
    return (
        config["clinics"].get(clinic_id) or config["districts"].get(district) or config["orgUnit"]
    )


def document(period: Any) -> dict[str, Any]:
    """The month's document (no role check, no audit: the callers do both)."""
    start, end = parse_period(period)
    tuning.for_report()
    config = mapping()
    combos = config["categoryOptionCombos"]
    elements = {m: config["dataElements"].get(m) for m in MEASURES}
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))
    unmapped: set[str] = set()
    unmapped_clinics: dict[int, str] = {}
    for row in clinic_service_counts(start, end):
        unit = org_unit_of(config, row.clinic_id, row.district)
        if unit is None:
            unmapped_clinics[row.clinic_id] = row.district
        elif not combos.get(row.service):
            unmapped.add(row.service)
        else:
            for measure in MEASURES:
                totals[(unit, combos[row.service])][measure] += int(getattr(row, measure) or 0)
    values: list[dict[str, str]] = []
    suppressed: list[dict[str, str]] = []
    for (unit, combo), counts in sorted(totals.items()):
        for measure, element in elements.items():
            if not element:
                continue
            ident = {"dataElement": element, "categoryOptionCombo": combo, "orgUnit": unit}
            if 1 <= counts[measure] <= 4:
                suppressed.append(ident)
            else:
                values.append({**ident, "value": str(counts[measure])})
    return {
        "dataSet": config["dataSet"],
        "period": period,
        "dataValues": values,
        "suppressed": suppressed,
        "unmapped": sorted(unmapped),
        "unmapped_clinics": _clinic_names(unmapped_clinics),
    }


def _clinic_names(found: dict[int, str]) -> list[dict[str, Any]]:
    if not found:
        return []
    query = sa.select(Clinic.id, Clinic.name).where(Clinic.id.in_(list(found)))
    names = {cid: name for cid, name in db.session.execute(query)}
    return [
        {"clinic_id": cid, "name": names.get(cid, ""), "district": found[cid]}
        for cid in sorted(found)
    ]


def dhis2_data_values(period: Any, actor: Any) -> dict[str, Any]:
    """The month's counts per org unit, measure and service, as DHIS2 wants (viewer, admin;
    audited as a report download)."""
    from reports.audit import audit_report
    from reports.services import check_reader

    check_reader(actor)
    start, end = parse_period(period)
    result = document(period)
    audit_report(actor, "dhis2", start, end, "org_unit", export=True)
    return result


def push_document(full: dict[str, Any]) -> dict[str, Any]:
    """The document as DHIS2 takes it: without the keys DHIS2 does not know."""
    return {k: v for k, v in full.items() if k not in EXTRA_KEYS}
