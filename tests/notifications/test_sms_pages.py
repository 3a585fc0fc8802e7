"""Admin pages: the template editor (refusals, preview, reset), the SMS log, the console."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.extensions import db
from notifications.message_log import messages_for_contact
from notifications.models import Contact, InboundMessage
from notifications.texts import store
from notifications.texts.catalog import load_default_template
from tests.support.clock import NOW
from tests.support.factories import make_contact, make_message, reload

EDIT = "/admin/sms-templates/reminder_24h/appointment"
CODE = "K7P-2QX-9MN"  # the preview's sample: a real code, shown as the slip shows it


def page(response, status=200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


# -- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner", "viewer"])
def test_template_pages_are_for_admins(app, client, login_as, role):
    login_as(role)
    assert client.get("/admin/sms-templates").status_code == 403
    assert client.get(EDIT).status_code == 403
    assert client.post(EDIT + "/reset", data={"lang": "en"}).status_code == 403


def test_the_list_shows_every_kind_and_variant(app, client, login_as):
    login_as("admin")
    html = page(client.get("/admin/sms-templates"))
    links = set(re.findall(r'href="(/admin/sms-templates/[a-z_0-9]+/[a-z_]+)"', html))
    assert len(links) == 14  # referral_created has 4 cases, the other five kinds 2 each
    assert "/admin/sms-templates/referral_created/shared_no_appointment" in links
    assert "Without an appointment" in html and "Shared phone, follow-up" in html
    assert "/admin/sms-templates" in page(client.get("/admin"))  # the admin home links here


def test_the_editor_shows_plain_text_and_previews_both_languages_with_cost(app, client, login_as):
    login_as("admin")
    html = page(client.get(EDIT))
    assert "Reminder: {day} {time} at {place}. Code {code}." in html  # the text box
    assert "{{" not in html and "{%" not in html
    assert "{code}, {place}, {day}, {time}" in html  # what this case may use
    assert f"Reminder: tomorrow 11:00 at Shapla Point. Code {CODE}." in html
    assert f"মনে রাখবেন: কাল সকাল ১১টা, Shapla Point। কোড {CODE}" in html
    assert "GSM-7" in html and "UCS-2" in html
    assert "0.0537 USD" in html and "0.1074 USD" in html  # 1 and 2 segments at the longest
    assert "OK: nothing that could expose her" in html
    assert client.get("/admin/sms-templates/birthday/appointment").status_code == 404
    assert client.get("/admin/sms-templates/reminder_24h/no_appointment").status_code == 404
    assert client.get("/admin/sms-templates/reminder_24h/normal").status_code == 404


def test_each_case_has_its_own_editor(app, client, login_as):
    login_as("admin")
    html = page(client.get("/admin/sms-templates/referral_created/no_appointment"))
    assert f"Your code for Shapla Point: {CODE}. Ask your apa for a time." in html
    assert "{code}, {place}" in html and "{time}" not in html.split("<form")[0]
    html = page(client.get("/admin/sms-templates/follow_up_due/shared_follow_up"))
    assert "{code}, {due_day}" in html


def _form(en: str, **extra) -> dict:
    bn = load_default_template("reminder_24h", "bn", "appointment")
    return {"source_bn": bn, "source_en": en, **extra}


def test_preview_renders_the_new_text_without_saving(app, client, login_as):
    login_as("admin")
    html = page(client.post(EDIT, data=_form("{day} at {time}. {code}", preview="1")))
    assert f"Tomorrow at 11:00. {CODE}" in html
    assert store.overrides() == set()
    html = page(client.post(EDIT, data=_form("HIV {day} {code}", preview="1")))
    assert "It holds a word that may reveal health, HIV or sex work: HIV." in html
    assert store.overrides() == set()


def test_save_refuses_what_fails_the_checks(app, client, login_as):
    login_as("admin")
    html = page(client.post(EDIT, data=_form("Test {day} {time}. {code}", save="1")), 422)
    assert "may reveal health, HIV or sex work: Test" in html
    html = page(client.post(EDIT, data=_form("Hi {nickname} {code}", save="1")), 422)
    assert "This text cannot use {nickname}; it may use {code}, {place}, {day}, {time}." in html
    html = page(client.post(EDIT, data=_form("{{ code }}", save="1")), 422)
    assert "single braces, like {code}" in html
    html = page(client.post(EDIT, data=_form("At {time}.", save="1")), 422)
    assert "The text must show the referral code: add {code}." in html
    long_text = "Please remember to come. " * 12 + "{day} {time} {code}"
    html = page(client.post(EDIT, data=_form(long_text, save="1")), 422)
    assert "With the longest values it takes 3 SMS segments (at most 2): shorten it." in html
    assert store.overrides() == set()


def test_refusals_are_shown_in_bangla_on_a_bangla_page(app, client, login_as):
    login_as("admin", language="bn")
    html = page(client.post(EDIT, data=_form("Hi {nickname} HIV", save="1")), 422)
    assert "এই লেখায় {nickname} ব্যবহার করা যাবে না" in html
    assert "This text cannot use" not in html
    html = page(client.post(EDIT, data=_form("HIV {day} {time}", save="1")), 422)
    assert "স্বাস্থ্য, এইচআইভি বা যৌনকর্মের কথা প্রকাশ করে দিতে পারে: HIV" in html
    assert "লেখায় রেফারেল কোড থাকতেই হবে: {code} যোগ করুন।" in html


def test_save_then_reset(app, client, login_as):
    admin = login_as("admin")
    text = "Tomorrow's plan: {day} {time}, {place}. Code {code}."
    response = client.post(EDIT, data=_form(text, save="1"))
    assert response.status_code == 302
    assert store.overrides() == {("reminder_24h", "appointment", "en")}  # bn was unchanged
    assert store.effective_template("reminder_24h", "en", "appointment") == text
    html = page(client.get(EDIT))
    assert "changed from the default" in html and "Reset the English text to default" in html
    assert client.post(EDIT + "/reset", data={"lang": "en"}).status_code == 302
    assert store.overrides() == set()
    assert client.post(EDIT + "/reset", data={"lang": "fr"}).status_code == 400
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.entity_type == "sms_template")
    ).all()
    assert [(e.action, e.actor_id) for e in events] == [
        ("sms_template.save", admin.id), ("sms_template.reset", admin.id)
    ]  # fmt: skip


# -- the SMS log ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["peer_educator", "clinic_partner", "viewer"])
def test_the_log_is_for_admins(app, client, login_as, role):
    login_as(role)
    message = make_message(make_contact(), status="delivered")
    assert client.get("/admin/sms").status_code == 403
    assert client.get(f"/admin/sms/{message.id}").status_code == 403


def test_the_log_filters_and_pages(app, client, login_as, make_user, make_clinic):
    login_as("admin")
    pe, other_pe = make_user("peer_educator", display_name="Rina"), make_user("peer_educator")
    clinic, other_clinic = make_clinic(), make_clinic()
    contact = make_contact()
    for _ in range(3):
        make_message(contact, status="delivered", peer_educator_id=pe.id, clinic_id=clinic.id)
    make_message(contact, "reminder_2h", status="failed", error_code="30003",
                 peer_educator_id=pe.id, clinic_id=clinic.id)  # fmt: skip
    make_message(contact, status="undelivered", peer_educator_id=other_pe.id,
                 clinic_id=other_clinic.id, send_at=NOW - timedelta(days=10))  # fmt: skip
    make_message(contact, status="pending", peer_educator_id=pe.id, clinic_id=clinic.id)

    html = page(client.get("/admin/sms"))
    assert "6 messages" in html
    assert "delivered: 60.0% (3 of 5 that ended)" in html
    html = page(client.get("/admin/sms", query_string={"status": "delivered"}))
    assert "3 messages" in html and "100.0%" in html
    html = page(client.get("/admin/sms", query_string={"kind": "reminder_2h"}))
    assert "1 message" in html and "0.0% (0 of 1" in html
    html = page(client.get("/admin/sms", query_string={"clinic_id": other_clinic.id}))
    assert "1 message" in html
    html = page(client.get("/admin/sms", query_string={"peer_educator_id": pe.id}))
    assert "5 messages" in html and "Rina" in html
    day = (NOW - timedelta(days=10)).date().isoformat()
    html = page(client.get("/admin/sms", query_string={"date_from": day, "date_to": day}))
    assert "1 message" in html
    html = page(client.get("/admin/sms", query_string={"date_from": date(2027, 1, 1).isoformat()}))
    assert "0 messages" in html and "none ended yet" in html
    page(client.get("/admin/sms", query_string={"status": "lost"}), 400)
    page(client.get("/admin/sms", query_string={"date_from": "yesterday"}), 400)
    page(client.get("/admin/sms", query_string={"date_from": "2026-12-02",
                                                "date_to": "2026-12-01"}), 400)  # fmt: skip


def test_the_log_pages_in_sql(app, client, login_as):
    login_as("admin")
    contact = make_contact()
    for i in range(55):
        make_message(contact, status="delivered", send_at=NOW - timedelta(minutes=i))
    first = page(client.get("/admin/sms"))
    assert first.count('href="/admin/sms/') == 50 and "page=2" in first
    second = page(client.get("/admin/sms", query_string={"page": 2}))
    assert second.count('href="/admin/sms/') == 5 and "page=3" not in second


def test_numbers_are_masked_and_bodies_only_on_the_message_page(app, client, login_as):
    admin = login_as("admin")
    contact = make_contact("+8801711222333")
    message = make_message(contact, status="failed", error_code="30003", code="K7P2QX9M",
                           error_message="provider error 30003")  # fmt: skip
    html = page(client.get("/admin/sms"))
    assert "+880•••••••333" in html
    assert "1711222333" not in html and message.body not in html
    html = page(client.get(f"/admin/sms/{message.id}"))
    assert message.body in html and "1711222333" not in html
    assert "Phone unreachable" in html and "30003" in html
    assert message.provider_sid in html
    assert (
        db.session.scalar(sa.select(AuditEvent.actor_id).where(AuditEvent.action == "message.read"))
        == admin.id
    )
    assert client.get("/admin/sms/999999").status_code == 404


def test_messages_for_contact_carry_no_body(app):
    contact = make_contact()
    make_message(contact, status="delivered", send_at=NOW - timedelta(hours=2))
    make_message(contact, status="failed", error_code="21211")
    make_message(make_contact(), status="delivered")
    rows = messages_for_contact(contact.id)
    assert [(r["status"], r["delivered"]) for r in rows] == [("failed", False), ("delivered", True)]
    with app.test_request_context(headers={"Accept-Language": "en"}):  # the page's language
        assert "Invalid phone number" in str(rows[0]["error_meaning"])
    assert all("body" not in r and "to_phone" not in r for r in rows)


# -- the console outbox ---------------------------------------------------------------------


def test_the_console_shows_what_she_would_have_received(app, client, login_as):
    login_as("admin")
    contact = make_contact("+8801711222444", language="bn")
    message = make_message(contact, status="sent", code="K7P2QX9M")
    html = page(client.get("/admin/sms-console"))
    assert message.body in html and "+880•••••••444" in html and "1711222444" not in html
    response = client.post("/admin/sms-console", data={"message_id": message.id, "body": "বন্ধ"})
    assert response.status_code == 302
    assert reload(Contact, contact.id).opted_out is True
    html = page(client.get("/admin/sms-console"))
    assert "আর কোনো বার্তা আসবে না" in html  # the answer, flashed
    assert db.session.scalar(sa.select(InboundMessage.keyword)) == "stop"
    page(client.post("/admin/sms-console", data={"message_id": message.id, "body": ""}), 400)


def test_the_console_is_for_admins(app, client, login_as):
    login_as("peer_educator")
    assert client.get("/admin/sms-console").status_code == 403


@pytest.fixture
def twilio_config(app_config):
    app_config.update(SMS_BACKEND="twilio", TWILIO_ACCOUNT_SID="AC" + "0" * 32,
                      TWILIO_AUTH_TOKEN="token", TWILIO_FROM_NUMBER="+15005550006")  # fmt: skip


def test_the_console_is_not_found_outside_development(twilio_config, app, client, login_as):
    login_as("admin")
    assert client.get("/admin/sms-console").status_code == 404
    assert client.post("/admin/sms-console", data={"message_id": 1, "body": "1"}).status_code == 404
    assert "/admin/sms-console" not in page(client.get("/admin/sms"))


@pytest.fixture
def csrf_on(app_config):
    app_config["WTF_CSRF_ENABLED"] = True


def test_the_editor_needs_its_csrf_token(csrf_on, app, client, make_user):
    from tests.support.db import csrf_token_from
    from tests.support.signin import sign_in

    admin = make_user("admin")
    token = csrf_token_from(page(client.get("/login")))
    assert sign_in(client, admin, data={"csrf_token": token}).status_code == 302
    text = "Soon: {day} {time}, {place}. Code {code}."
    page(client.post(EDIT, data=_form(text, save="1")), 400)
    assert store.overrides() == set()
    token = csrf_token_from(page(client.get(EDIT)))
    assert client.post(EDIT, data=_form(text, save="1", csrf_token=token)).status_code == 302
    assert store.overrides() == {("reminder_24h", "appointment", "en")}
    assert client.post(EDIT + "/reset", data={"lang": "en"}).status_code == 400
    response = client.post(EDIT + "/reset", data={"lang": "en", "csrf_token": token})
    assert response.status_code == 302
    assert store.overrides() == set()


@pytest.fixture
def production_console(app_config):
    """Production with the console backend still configured (a forgotten SMS_BACKEND)."""
    app_config.update(APP_ENV="production", SMS_BACKEND="console")


def test_the_console_is_not_found_in_production(production_console, app, client, login_as):
    client.environ_base["wsgi.url_scheme"] = "https"  # production cookies are Secure
    login_as("admin")
    message = make_message(make_contact("+8801711222445"), status="sent", code="K7P2QX9N")
    assert client.get("/admin/sms-console").status_code == 404
    response = client.post("/admin/sms-console", data={"message_id": message.id, "body": "STOP"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InboundMessage)) == 0
    assert "/admin/sms-console" not in page(client.get("/admin/sms"))
