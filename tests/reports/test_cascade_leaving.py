"""What leaves the service is suppressed for every role, and every report view is audited: the
cascade's CSV and the DHIS2 download hide 1-4 from admins too (DESIGN.md), and the cascade's
page, API, CSV and DHIS2 download each leave a report.read or report.export row."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from core.audit import AuditEvent
from core.extensions import db
from tests.support.clock import dhaka
from tests.support.reports import summarise

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def _audit(action: str) -> list[AuditEvent]:
    query = sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_the_admins_cascade_csv_hides_small_counts(client, login_as, world, refer):
    login_as("admin")
    refer(created=dhaka(2026, 10, 4), count=3)
    summarise()
    page = client.get("/reports", query_string={**OCTOBER, "group_by": "month"})
    assert "<td>3</td>" in page.get_data(as_text=True)  # on the page an admin sees it exactly
    response = client.get("/reports/cascade.csv", query_string={**OCTOBER, "group_by": "month"})
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][:2] == ["2026-10", "<5"]
    assert rows[-1][:2] == ["Total", "<5"]
    assert "3" not in [cell for row in rows[1:] for cell in row[1:3]]


def test_the_admins_dhis2_download_leaves_small_counts_out(app, client, login_as, world, refer):
    app.config["DHIS2_ORG_UNIT"] = "HARCorgUnit"  # every clinic's org unit
    login_as("admin")
    refer(created=dhaka(2026, 10, 4), services=("prep",), count=2)
    summarise()
    document = client.get("/reports/dhis2.json?period=2026-10").get_json()
    assert not any(value["value"] == "2" for value in document["dataValues"])
    assert document["suppressed"]


def test_every_cascade_view_and_download_is_audited(client, login_as, api_headers, world):
    headers = api_headers("viewer")
    client.get(
        "/api/v1/reports/cascade", query_string={**OCTOBER, "group_by": "clinic"}, headers=headers
    )
    client.get("/api/v1/exports/dhis2?period=202610", headers=headers)
    viewer = login_as("viewer")
    client.get("/reports", query_string={**OCTOBER, "group_by": "service"})
    client.get("/reports/cascade.csv", query_string={**OCTOBER, "group_by": "district"})
    client.get("/reports/dhis2.json?period=2026-10")
    reads = _audit("report.read")
    assert [(e.entity_id, e.channel, e.details["group_by"]) for e in reads] == [
        ("cascade", "api", "clinic"),
        ("cascade", "web", "service"),
    ]
    assert reads[1].actor_id == viewer.id and reads[1].details["from"] == "2026-10-01"
    exports = _audit("report.export")
    assert [(e.entity_id, e.channel) for e in exports] == [
        ("dhis2", "api"),
        ("cascade", "web"),
        ("dhis2", "web"),
    ]
