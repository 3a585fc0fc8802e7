"""The aggregate DHIS2 `dataValueSets` document of one month, per service.

The mapping to DHIS2 is configuration (`DHIS2_MAPPING`, `DHIS2_ORG_UNIT` in the app config, or as
environment variables, the mapping as JSON). The default identifiers below are invented
placeholders shaped like DHIS2 UIDs (11 characters, a letter first): replace them with the
instance's own. One data element per measure (referred, attended, linked to care), disaggregated
by service through a category option combo per service code.

DHIS2 takes numbers only, so a suppressed value (1-4; for every role, admins too: the document
leaves the service, DESIGN.md) is left out of
`dataValues` and named, without its value, in an extra `suppressed` list; a service without a
category option combo in the mapping is left out and named in `unmapped`. Strip both keys if the
receiving DHIS2 instance refuses unknown keys.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from typing import Any

from flask import current_app

from clinics.reference import SERVICE_CODES
from core.edge import check_year
from core.errors import BadInput
from core.i18n import N_

DEFAULT_ORG_UNIT = "HARCorgUnit"
DEFAULT_MAPPING: dict[str, Any] = {
    "dataSet": "HARCcasc001",
    "dataElements": {
        "referred": "HARCref0001",
        "attended": "HARCatt0001",
        "linked_to_care": "HARClnk0001",
    },
    # hiv_testing -> HARCcoc0001, hiv_selftest -> HARCcoc0002, ... (the catalogue's order).
    "categoryOptionCombos": {code: f"HARCcoc{n:04d}" for n, code in enumerate(SERVICE_CODES, 1)},
}
PERIOD = re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")


def _setting(name: str) -> Any:
    value = current_app.config.get(name)
    return value if value is not None else os.environ.get(name)


def mapping() -> dict[str, Any]:
    """The configured DHIS2 mapping over the defaults (a JSON string is accepted too)."""
    configured = _setting("DHIS2_MAPPING") or {}
    if isinstance(configured, str):
        configured = json.loads(configured)
    merged = {**DEFAULT_MAPPING, **configured}
    for key in ("dataElements", "categoryOptionCombos"):
        merged[key] = {**DEFAULT_MAPPING[key], **configured.get(key, {})}
    return merged


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


def dhis2_data_values(period: Any, actor: Any) -> dict[str, Any]:
    """The month's referred, attended and linked-to-care counts per service, as DHIS2 wants."""
    from reports.audit import audit_report
    from reports.services import COUNT_KEYS, check_reader, raw_counts

    check_reader(actor)
    start, end = parse_period(period)
    config = mapping()
    elements, combos = config["dataElements"], config["categoryOptionCombos"]
    values: list[dict[str, Any]] = []
    suppressed: list[dict[str, str]] = []
    unmapped: list[str] = []
    for row in sorted(raw_counts("service", start, end), key=lambda r: str(r["key"])):
        combo = combos.get(row["key"])
        if not combo:
            unmapped.append(row["key"])
            continue
        for measure, element in elements.items():
            if measure not in COUNT_KEYS:
                continue  # a misconfigured measure name: nothing to send for it
            value = row[measure]
            ident = {"dataElement": element, "categoryOptionCombo": combo}
            if 1 <= value <= 4:
                suppressed.append(ident)
            else:
                values.append({**ident, "value": str(value)})
    audit_report(actor, "dhis2", start, end, "service", export=True)
    return {
        "dataSet": config["dataSet"],
        "period": period,
        "orgUnit": _setting("DHIS2_ORG_UNIT") or DEFAULT_ORG_UNIT,
        "dataValues": values,
        "suppressed": suppressed,
        "unmapped": unmapped,
    }
