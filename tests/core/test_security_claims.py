"""SECURITY.md's claims that no other test proves, each test named after its claim (the others
are referenced in SECURITY.md beside the claim)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.crypto import encrypted_columns
from core.extensions import db
from tests.support.factories import make_world, phone
from tests.support.incidents import SECRET_DESCRIPTION, record, register

FERNET = re.compile(r"^gAAAAA[A-Za-z0-9_\-]+=*$")


def test_the_lock_page_opens_without_signing_in(client):
    response = client.get("/lock")
    assert response.status_code == 200
    assert 'name="phrase"' in response.get_data(as_text=True)


def test_every_encrypted_column_holds_only_fernet_tokens(app, make_user):
    """Seed what the encrypted columns hold, then read them raw: Fernet tokens, no clear text."""
    from safety.services.crisis_contacts import create_contact

    world = make_world()
    pe, admin = world["amina"], world["admin"]
    number = phone()
    member = register(pe, phone=number, nickname="Moonlight Rina")
    record(pe, member_id=member.id)
    create_contact({"name": "Legal aid", "kind": "legal", "phone": "01711000009"}, admin)
    db.session.commit()
    columns = encrypted_columns(db.metadata)
    names = {f"{table.name}.{column.name}" for table, column in columns}
    assert {"contacts.phone", "incidents.description", "incidents.area"} <= names
    raw = {
        f"{table.name}.{column.name}": db.session.execute(
            sa.text(f'SELECT "{column.name}" FROM "{table.name}"')
        ).scalars().all()
        for table, column in columns
    }  # fmt: skip
    values = [v for found in raw.values() for v in found if v is not None]
    assert len(values) >= 4
    assert all(FERNET.match(v) for v in values), raw
    clear = (number, number[-10:], "Moonlight Rina", SECRET_DESCRIPTION, "01711000009")
    assert not [v for v in values for secret in clear if secret in v]


def test_the_twilio_logger_cannot_log_numbers(app, caplog):
    """The twilio client logs request parameters (numbers) at INFO: its logger stays at WARNING,
    and what does get through is masked."""
    for name in ("twilio", "twilio.http_client"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("twilio.http_client").info("POST To=+8801711000123")
        logging.getLogger("twilio.http_client").warning("failed for +8801711000123")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST To" not in text
    assert "failed for" in text and "+8801711000123" not in text


def test_no_get_endpoint_takes_a_phone(app, client):
    """Phones never go in URLs (they end up in proxy and browser logs): no GET endpoint of the
    API takes a phone or a free search in its query or path; search is a POST, on the API and
    the search page alike."""
    document = client.get("/api/v1/openapi.json").get_json()
    in_urls = [
        f"{method.upper()} {path} {param['name']}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method == "get"
        for param in operation.get("parameters", [])
        if "phone" in param["name"]
        or "number" in param["name"]
        # a free search may be a phone; the directory's search by clinic name is not about her
        or (param["name"] in ("q", "search") and not path.startswith("/clinics"))
    ]
    assert not in_urls
    assert set(document["paths"]["/members/search"]) == {"post"}
    assert "q" in document["components"]["schemas"]["MemberSearch"]["properties"]
    assert app.url_map.bind("").match("/search", method="POST")[0] == "referrals.search"
    assert client.get("/search").status_code == 405


def test_api_answers_are_not_cached(client, api_headers, make_user):
    """Every API answer is no-store: with a token, without one, and an error."""
    headers = api_headers(user=make_user("admin"))
    for response in (
        client.get("/api/v1/me", headers=headers),
        client.get("/api/v1/members", headers=headers),
        client.get("/api/v1/me"),
        client.get("/api/v1/members/999999", headers=headers),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.path


@pytest.mark.parametrize("role", ["clinic_partner", "viewer"])
def test_a_clinic_partner_is_refused_every_safety_page_and_endpoint(
    app, client, login_as, api_headers, role
):
    """Incidents, crisis contacts and alerts: 403 on every page and endpoint for a clinic partner
    (and a viewer, who sees incident counts only in the reports), existing ids or not."""
    world = make_world()
    incident = record(world["amina"])
    user = login_as(role, **({"clinic_id": world["a"].id} if role == "clinic_partner" else {}))
    pages = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("safety.") and "GET" in (rule.methods or ())
    ]
    assert len(pages) >= 6
    for rule in pages:
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<int:{arg}>", str(incident.id))
        if rule.endpoint == "safety.help_now":  # help now is every peer educator's page
            continue
        assert client.get(path).status_code == 403, path
    headers = api_headers(user=user)
    for path in ("/incidents", f"/incidents/{incident.id}", "/crisis-contacts", "/alerts"):
        assert client.get(f"/api/v1{path}", headers=headers).status_code == 403, path
    body = client.get(f"/api/v1/incidents/{incident.id}", headers=headers).get_data(as_text=True)
    assert SECRET_DESCRIPTION not in body


def test_every_test_security_md_names_exists():
    """SECURITY.md's brackets name the tests that prove its claims: each must exist, so that a
    renamed or deleted test cannot leave a claim unproven without this failing."""
    root = Path(__file__).resolve().parents[2]
    text = (root / "SECURITY.md").read_text(encoding="utf-8")
    current: Path | None = None
    named = []
    for token in re.findall(r"`([^`\s]+)`", text):
        module, _, test = token.partition("::")
        if module.startswith("tests/") and module.endswith(".py"):
            current = root / module
        elif module == "test_security_claims.py":
            current = Path(__file__)
        elif module:
            continue
        if module or test:
            assert current is not None and current.is_file(), token
            if test:
                named.append((current, test))
    assert len(named) >= 20
    missing = [
        f"{path.relative_to(root)}::{test}"
        for path, test in named
        if not re.search(rf"^\s*def {test}\(", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert not missing
