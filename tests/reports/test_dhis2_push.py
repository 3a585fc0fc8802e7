"""The DHIS2 push against a DHIS2-compatible fake: the dry run and its summary, the real push on
confirmation, a wrong UID as a conflict, refused credentials, no server, DHIS2's own errors, the
audit rows and the command line."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import BadInput, Forbidden
from core.extensions import db
from reports import dhis2_mapping, dhis2_push
from tests.support.clock import dhaka
from tests.support.dhis2_fake import Dhis2Fake
from tests.support.reports import summarise

PUSH = "/admin/dhis2/push"
KNOWN_UNITS = {"OuAlphaClin", "OuKhulnaDis"}


@pytest.fixture
def fake():
    with Dhis2Fake(org_units=KNOWN_UNITS) as server:
        yield server


@pytest.fixture
def month(app, world, refer, fake):
    """November 2026: 6 HIV tests at clinic A (attended), 5 PrEP at clinic B (Khulna); the
    mapping gives A its own org unit and Khulna one; the app points at the fake."""
    app.config.update(fake.config())
    dhis2_mapping.save_mapping(
        {("clinic", str(world["a"].id)): "OuAlphaClin", ("district", "Khulna"): "OuKhulnaDis"},
        world["admin"],
    )
    db.session.commit()
    day = dhaka(2026, 11, 3)
    refer(created=day, clinic="a", services=("hiv_testing",), attend_after=dhaka(2026, 11, 4) - day,
          count=6)  # fmt: skip
    refer(created=day, clinic="b", services=("prep",), count=5)
    summarise()  # the document reads the report summary
    return world


def _pushes():
    query = sa.select(AuditEvent).where(AuditEvent.entity_id == "dhis2_push")
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


def test_dry_run_then_the_real_push_from_the_page(client, login_as, month, fake):
    admin = login_as("admin")
    dry = client.post(PUSH, data={"period": "2026-11", "dry_run": "1"})
    assert dry.status_code == 200
    html = dry.get_data(as_text=True)
    assert "What DHIS2 would do" in html and "DHIS2 would take every value." in html
    assert "Send these figures to DHIS2" in html
    assert fake.stored == {}  # a dry run stores nothing
    assert fake.requests[0]["query"]["dryRun"] == "true"
    sent = json.loads(fake.requests[0]["body"])
    assert set(sent) == {"dataSet", "period", "dataValues"}  # our extra keys stay home
    real = client.post(PUSH, data={"period": "2026-11", "dry_run": "0"})
    assert "What DHIS2 did" in real.get_data(as_text=True)
    assert "DHIS2 took every value." in real.get_data(as_text=True)
    assert "Send these figures to DHIS2" not in real.get_data(as_text=True)
    assert fake.requests[1]["query"]["dryRun"] == "false"
    assert fake.stored == {
        ("HARCref0001", "202611", "OuAlphaClin", "HARCcoc0001"): "6",
        ("HARCatt0001", "202611", "OuAlphaClin", "HARCcoc0001"): "6",
        ("HARClnk0001", "202611", "OuAlphaClin", "HARCcoc0001"): "0",
        ("HARCref0001", "202611", "OuKhulnaDis", "HARCcoc0003"): "5",
        ("HARCatt0001", "202611", "OuKhulnaDis", "HARCcoc0003"): "0",
        ("HARClnk0001", "202611", "OuKhulnaDis", "HARCcoc0003"): "0",
    }
    rows = _pushes()
    assert [(r.action, r.actor_id, r.channel) for r in rows] == [
        ("report.export", admin.id, "web")
    ] * 2
    assert [{k: r.details[k] for k in ("report", "period", "dry_run", "status")} for r in rows] == [
        {"report": "dhis2_push", "period": "202611", "dry_run": True, "status": "SUCCESS"},
        {"report": "dhis2_push", "period": "202611", "dry_run": False, "status": "SUCCESS"},
    ]
    assert rows[1].details["counts"]["imported"] == 6


def test_a_second_push_updates_what_dhis2_has(month, fake):
    first = dhis2_push.push("202611", month["admin"], dry_run=False)
    again = dhis2_push.push("202611", month["admin"], dry_run=False)
    assert (first.status, first.counts["imported"], first.sent) == ("SUCCESS", 6, 6)
    assert (again.counts["imported"], again.counts["updated"]) == (0, 6)


def test_a_wrong_uid_comes_back_as_a_conflict_on_the_page(client, login_as, month, fake):
    dhis2_mapping.save_mapping({("district", "Khulna"): "OuUnknown01"}, month["admin"])
    db.session.commit()
    login_as("admin")
    html = client.post(PUSH, data={"period": "2026-11", "dry_run": "1"}).get_data(as_text=True)
    assert "DHIS2 would take the figures, with warnings." in html
    assert "What DHIS2 did not accept" in html and "OuUnknown01" in html
    assert "Organisation unit not found or not accessible" in html
    result = dhis2_push.push("202611", month["admin"], dry_run=True)
    assert (result.status, result.counts["imported"], result.counts["ignored"]) == ("WARNING", 3, 3)
    assert not result.ok and result.http_status == 409
    assert {c["object"] for c in result.conflicts} == {"OuUnknown01"}
    assert fake.stored == {}


def test_an_unknown_data_set_is_refused_whole(month, fake):
    dhis2_mapping.save_mapping({("data_set", ""): "DsUnknown01"}, month["admin"])
    result = dhis2_push.push("202611", month["admin"], dry_run=False)
    assert (result.status, result.counts["imported"]) == ("ERROR", 0)
    assert result.conflicts[0]["object"] == "DsUnknown01" and fake.stored == {}


def test_refused_credentials_are_said_in_words(app, client, login_as, month, fake):
    app.config["DHIS2_PASSWORD"] = "not-the-password"
    login_as("admin")
    response = client.post(PUSH, data={"period": "2026-11", "dry_run": "1"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "DHIS2 refused the user name or password set on the server." in html
    assert "Send these figures to DHIS2" not in html
    assert _pushes()[-1].details["status"] == "unauthorized"
    assert fake.requests[-1]["status"] == 401


def test_no_server_listening_is_said_in_words(app, client, login_as, month, fake):
    fake.stop()  # the port is closed now: connection refused
    login_as("admin")
    response = client.post(PUSH, data={"period": "2026-11", "dry_run": "1"})
    assert response.status_code == 200
    assert "DHIS2 could not be reached." in response.get_data(as_text=True)
    assert _pushes()[-1].details["status"] == "unreachable"


def test_dhis2s_own_error_a_slow_answer_and_no_address(app, month, fake):
    fake.fail_next(500)
    assert dhis2_push.push("202611", month["admin"], dry_run=True).status == "server_error"
    fake.latency, app.config["DHIS2_TIMEOUT"] = 2.0, 0.2
    assert dhis2_push.push("202611", month["admin"], dry_run=True).status == "timeout"
    fake.latency = 0.0
    app.config["DHIS2_URL"] = ""
    assert dhis2_push.push("202611", month["admin"], dry_run=True).status == "not_configured"
    assert [r.details["status"] for r in _pushes()] == ["server_error", "timeout", "not_configured"]


def test_only_admins_push_and_the_month_is_checked(client, login_as, month, make_user, fake):
    with pytest.raises(Forbidden):
        dhis2_push.push("202611", make_user("viewer"), dry_run=True)
    with pytest.raises(BadInput):
        dhis2_push.push("2026-11", month["admin"], dry_run=True)
    login_as("admin")
    response = client.post(PUSH, data={"period": "November", "dry_run": "1"})
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM." in response.get_data(as_text=True)
    assert fake.requests == [] and _pushes() == []


def test_the_command_line_push(app, month, fake):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["reports", "dhis2-push", "--period", "202611", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["counts"]["imported"] == 6 and fake.stored == {}
    real = runner.invoke(args=["reports", "dhis2-push", "--period", "202611"])
    assert real.exit_code == 0 and len(fake.stored) == 6
    app.config["DHIS2_PASSWORD"] = "wrong"
    refused = runner.invoke(args=["reports", "dhis2-push", "--period", "202611"])
    assert refused.exit_code != 0 and "unauthorized" in refused.output
    bad = runner.invoke(args=["reports", "dhis2-push", "--period", "2026-11"])
    assert bad.exit_code != 0
    db.session.expire_all()
    rows = _pushes()
    assert [(r.channel, r.actor_id, r.details["dry_run"]) for r in rows] == [
        ("cli", None, True),
        ("cli", None, False),
        ("cli", None, False),
    ]


def test_the_fake_checks_a_document_as_dhis2s_importer_does(fake):
    """The fake itself: values as numeric strings, periods as months, known combos, basic auth."""
    import requests

    def post(document, auth=(fake.username, fake.password), dry="false"):
        url = fake.base_url + "/api/dataValueSets"
        answer = requests.post(url, json=document, auth=auth, params={"dryRun": dry}, timeout=5)
        return answer.status_code, answer.json()

    good = {"dataElement": "HARCref0001", "categoryOptionCombo": "HARCcoc0001",
            "orgUnit": "OuAlphaClin", "value": "7"}  # fmt: skip
    values = [
        good,
        {**good, "value": 7},  # a number, not a numeric string
        {**good, "value": "seven"},
        {**good, "categoryOptionCombo": "CocUnknown1"},
        {**good, "period": "2026-11"},
    ]
    status, body = post({"dataSet": "HARCcasc001", "period": "202611", "dataValues": values})
    summary = body["response"]
    assert (status, summary["status"], summary["importCount"]["imported"]) == (409, "WARNING", 1)
    assert [c["indexes"] for c in summary["conflicts"]] == [[1], [2], [3], [4]]
    assert [c["errorCode"] for c in summary["conflicts"]] == ["E7619", "E7619", "E7613", "E7611"]
    whole = post({"dataSet": "HARCcasc001", "period": "2026-11", "dataValues": [good]})
    assert whole[0] == 409 and whole[1]["response"]["status"] == "ERROR"
    stored_before = dict(fake.stored)
    dry = post({"dataSet": "HARCcasc001", "period": "202612", "dataValues": [good]}, dry="true")
    assert dry[0] == 200 and dry[1]["response"]["importCount"]["imported"] == 1
    assert fake.stored == stored_before  # the dry run stored nothing
    assert post({"dataValues": []}, auth=(fake.username, "wrong"))[0] == 401


def test_the_summary_speaks_bangla(app, client, login_as, month, fake):
    from tests.support.visible_text import problems, raw_codes, typed_data

    login_as("admin", language="bn")
    html = client.post(PUSH, data={"period": "2026-11", "dry_run": "1"}).get_data(as_text=True)
    assert "DHIS2 সব হিসাব গ্রহণ করবে।" in html and "<td>৬</td>" in html
    text = html[: html.index('<form method="post" action="/admin/dhis2" novalidate>')]
    assert problems(text, bangla=True, codes=raw_codes(app), data=typed_data()) == []
