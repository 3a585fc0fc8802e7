"""Every page of every role, in Bangla and English, shows words and never codes; Bangla pages
use Bangla digits and no English; no page shows an ambiguous date (issue 11).

The pages come from the app's URL map (every GET rule outside the API), their ids from one seeded
row of each kind (tests.support.seeded), plus a few filters. Visible text only: identifiers
(referral codes, masked phones, e-mails, UICs) are marked in the templates and left out, and the
names people typed (clinics, users) are taken out before the checks.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa

from core.extensions import db
from core.security import ROLES
from tests.support.seeded import seed_everything
from tests.support.signin import sign_in
from tests.support.visible_text import problems, raw_codes, typed_data, visible_nodes

NOT_PAGES = ("static", "core.healthz", "accounts.logout", "core.set_language")
EXTRA_QUERIES = {
    "reports.index": ["group_by=district", "group_by=service", "group_by=peer_educator"],
    "notifications.sms_log": ["status=delivered", "kind=reminder_24h"],
    "clinics.directory": ["district=Chattogram", "service=hiv_testing", "lat=22.35&lon=91.82"],
    "referrals.new_where": [
        "services=hiv_testing&district=",
        "services=hiv_testing&services=prep&near=22.35,91.82",
        "services=prep&district=Chattogram",
    ],
    "safety.help_now": ["near=22.35,91.82&district=", "district=Sylhet"],
}


def _values(world: dict[str, Any]) -> dict[str, object]:
    return {
        "user_id": world["users"]["peer_educator"].id,
        "clinic_id": world["clinic"].id,
        "member_id": world["member"].id,
        "code": world["scheduled"].code,
        "message_id": _first_message_id(),
        "kind": "reminder_24h",
        "variant": "appointment",
        "incident_id": world["incident"].id,
        "contact_id": world["crisis_contact"].id,
        "alert_id": world["alert"].id,
    }


def _first_message_id() -> int:
    from notifications.models import OutboxMessage

    return db.session.scalar(sa.select(sa.func.min(OutboxMessage.id)))


def _urls(app, world) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET page, ids filled from the seeded rows."""
    values = _values(world)
    found = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        if rule.rule.startswith(("/api/", "/webhooks/")) or rule.rule.endswith((".csv", ".json")):
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(values[m.group(1)]), rule.rule)
        found.append((rule.endpoint, url))
        found += [(rule.endpoint, f"{url}?{q}") for q in EXTRA_QUERIES.get(rule.endpoint, ())]
    return sorted(found)


def _sign_in(client, user, language: str) -> None:
    user.language = language
    db.session.commit()
    client.get("/logout")
    response = sign_in(client, user)  # with her authenticator code when her role needs one
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def world(app):
    return seed_everything()


def test_the_checker_sees_codes_digits_english_and_dates():
    codes = frozenset({"hiv_testing", "pending"})
    page = (
        "<html><head><title>x</title></head><body><p>hiv_testing · ১২</p>"
        '<span class="badge">pending</span><span translate="no">K7P-2QX-9MA 42</span>'
        "<p>১২ ডিসে Shapla Centre</p><p>12/2/26, 10:00 AM</p><p>Not translated</p></body></html>"
    )
    found = problems(page, bangla=True, codes=codes, data=("Shapla Centre",))
    kinds = {kind.split(" ")[0] for kind, _node in found}
    assert kinds == {"raw", "ambiguous", "Latin", "English"}
    assert "K7P-2QX-9MA 42" not in visible_nodes(page)
    assert problems("<p>২ ডিসে ২০২৬, ১০:০০</p>", bangla=True, codes=codes) == []


@pytest.mark.parametrize("role", ROLES)
def test_every_page_speaks_words_in_the_readers_language(app, client, world, role):
    user = world["users"][role]
    codes, data = raw_codes(app), typed_data()
    failures: dict[str, None] = {}  # in order, each once
    seen = 0
    for language in ("en", "bn"):
        _sign_in(client, user, language)
        for endpoint, url in _urls(app, world):
            response = client.get(url)
            if response.status_code >= 500:
                failures[f"{language} {url}: error {response.status_code}"] = None
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            seen += 1
            html = response.get_data(as_text=True)
            for kind, node in problems(html, bangla=language == "bn", codes=codes, data=data):
                failures[f"{language} [{endpoint}]: {kind}: {node[:120]!r}"] = None
        for url in ("/referrals/ZZZZZZZZZ", "/clinics/999999"):  # error pages speak too
            response = client.get(url)
            html = response.get_data(as_text=True)
            for kind, node in problems(html, bangla=language == "bn", codes=codes, data=data):
                failures[f"{language} {url} ({response.status_code}): {kind}: {node!r}"] = None
    assert seen > 4, seen
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures)
