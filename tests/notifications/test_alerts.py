"""Safety alerts on the notifications side (issue 13): who an alert may reach, each once, at most
the week's number, in her hours and before it expires; the dispatcher's last look (consent, hold,
shared phone, district, expiry, withdrawal); her language's text through the Twilio fake; the
alert text check in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.extensions import db
from notifications import services as notifications
from notifications.engine.dispatch import dispatch_pass
from notifications.models import OutboxMessage
from tests.support.clock import NOW, dhaka
from tests.support.factories import make_contact, make_user, reload

TEXTS = {
    "bn": "আপা, আজ রাতে গ্রিন পয়েন্টের কাছে সাবধানে থাকুন।",
    "en": "Apa, take care near Green Point tonight.",
}
EXPIRES = NOW + timedelta(days=1)


def alert_contact(**fields):
    """A contact who agreed to alerts and works in Dhaka (committed)."""
    values = {"district": "Dhaka", "alert_consent": True, "alert_consent_at": NOW}
    values.update(fields)
    return make_contact(**values)


def plan(subject="alert:1", *, districts=("Dhaka",), now=NOW, expires_at=EXPIRES):
    result = notifications.plan_alert(
        subject, districts=list(districts), texts=TEXTS, expires_at=expires_at, now=now
    )
    db.session.commit()
    return result


def rows(subject="alert:1") -> dict[int, OutboxMessage]:
    return {m.contact_id: m for m in notifications.planned_for(subject)}


def sent_alert(contact, when, n):
    """A safety alert she already got at `when` (another alert)."""
    row = OutboxMessage(
        contact_id=contact.id,
        kind="safety_alert",
        subject=f"alert:old{n}",
        dedupe_key=f"alert:old{n}|safety_alert|contact:{contact.id}",
        params={},
        send_at=when,
        sent_at=when,
        status="delivered",
    )
    db.session.add(row)
    db.session.commit()


def test_only_the_consenting_reachable_members_of_those_districts_get_it(app):
    yes = alert_contact()
    chattogram = alert_contact(district="Chattogram")
    left_out = {
        "no alert consent": alert_contact(alert_consent=False),
        "other district": alert_contact(district="Khulna"),
        "no district": alert_contact(district=None),
        "shared phone": alert_contact(shared_phone=True),
        "safety hold": alert_contact(safety_hold=True, safety_hold_at=NOW),
        "opted out": alert_contact(opted_out=True),
        "no SMS consent": alert_contact(sms_consent=False),
        "no phone": alert_contact(phone=None, phone_index=None, phone_masked=""),
        "unusable": alert_contact(unusable_reason="21614 not a mobile number"),
    }
    capped = alert_contact()
    sent_alert(capped, NOW - timedelta(days=2), 1)
    sent_alert(capped, NOW - timedelta(days=5), 2)

    result = plan(districts=("Dhaka", "Chattogram"))

    planned = rows()
    assert set(planned) == {yes.id, chattogram.id}
    assert (result.planned, result.capped, result.too_late) == (2, 1, 0)
    for reason, contact in left_out.items():
        assert contact.id not in planned, reason
    row = planned[yes.id]
    assert (row.kind, row.status, row.send_at) == ("safety_alert", "pending", NOW)
    assert row.params["texts"] == TEXTS
    assert row.peer_educator_id is None and row.clinic_id is None


def test_planned_twice_each_member_gets_it_once(app):
    a, b = alert_contact(), alert_contact()
    assert plan().planned == 2
    again = plan()
    assert (again.planned, again.already) == (0, 2)
    assert len(notifications.planned_for("alert:1")) == 2
    # A second alert is its own subject: both members get it too.
    assert plan("alert:2").planned == 2
    assert {m.contact_id for m in notifications.planned_for("alert:2")} == {a.id, b.id}


def test_the_weekly_cap_counts_the_last_seven_days_and_follows_the_setting(app):
    her = alert_contact()
    sent_alert(her, NOW - timedelta(days=1), 1)
    sent_alert(her, NOW - timedelta(days=8), 2)  # older than a week: not counted
    assert plan("alert:1").planned == 1  # 2 in the week now
    capped = plan("alert:2")
    assert (capped.planned, capped.capped) == (0, 1)
    app.config["SAFETY_ALERTS_PER_MEMBER_PER_WEEK"] = 3
    assert plan("alert:3").planned == 1


def test_a_cancelled_alert_does_not_count_towards_the_cap(app):
    her = alert_contact()
    for n in (1, 2):
        plan(f"alert:{n}")
        notifications.cancel_pending(f"alert:{n}", reason="withdrawn")
        db.session.commit()
    assert plan("alert:3").planned == 1
    assert her.id in rows("alert:3")


def test_in_quiet_hours_it_waits_for_her_hours_and_never_outlives_the_alert(app):
    night = dhaka(2026, 12, 1, 22, 0)
    her = alert_contact()
    owl = alert_contact(window_start="20:00", window_end="06:00")
    assert plan(now=night, expires_at=night + timedelta(hours=12)).planned == 2
    assert rows()[her.id].send_at == dhaka(2026, 12, 2, 8, 0)
    assert rows()[owl.id].send_at == night
    # Expiring before 08:00: she cannot get it in her hours; the night owl still can.
    result = plan("alert:2", now=night, expires_at=night + timedelta(hours=2))
    assert (result.planned, result.too_late) == (1, 1)
    assert set(rows("alert:2")) == {owl.id}
    assert plan("alert:3", now=night, expires_at=night).planned == 0  # already expired


def test_each_member_gets_her_own_language_through_twilio(twilio_app, fake_twilio):
    bangla = alert_contact(language="bn")
    english = alert_contact(language="en")
    plan()

    stats = dispatch_pass(now=NOW)

    assert stats.sent == 2
    got = {m.to: m.body for m in fake_twilio.messages}
    assert got == {bangla.phone: TEXTS["bn"], english.phone: TEXTS["en"]}
    assert reload(rows()[bangla.id]).body == TEXTS["bn"]


def test_the_last_look_before_sending(twilio_app, fake_twilio):
    keeps = alert_contact()
    withdrew = alert_contact()
    held = alert_contact()
    shares = alert_contact()
    moved = alert_contact()
    plan()
    # After planning, straight on the rows (as another process would, without cancelling): consent
    # withdrawn, her phone taken, a second member on her phone, she now works elsewhere.
    reload(withdrew).alert_consent = False
    reload(held).safety_hold = True
    reload(shares).shared_phone = True
    reload(moved).district = "Sylhet"
    db.session.commit()

    dispatch_pass(now=NOW)

    assert [m.to for m in fake_twilio.messages] == [keeps.phone]
    outcome = {c: (m.status, m.error_message) for c, m in rows().items()}
    assert outcome[withdrew.id] == ("cancelled", "no alert consent")
    assert outcome[held.id] == ("cancelled", "safety hold")
    assert outcome[shares.id] == ("cancelled", "shared phone")
    assert outcome[moved.id] == ("cancelled", "not in the alert's districts")


def test_a_withdrawn_alert_sends_nothing_more(twilio_app, fake_twilio):
    alert_contact(), alert_contact()
    assert plan().planned == 2
    assert notifications.cancel_pending("alert:1", reason="withdrawn") == 2
    db.session.commit()
    assert dispatch_pass(now=NOW).sent == 0
    assert fake_twilio.messages == []
    assert {(m.status, m.error_message) for m in rows().values()} == {("cancelled", "withdrawn")}


def test_an_expired_alert_is_skipped_at_send_time(twilio_app, fake_twilio):
    alert_contact()
    plan(expires_at=NOW + timedelta(hours=1))
    dispatch_pass(now=NOW + timedelta(hours=2))  # the dispatcher was down until after it expired
    assert fake_twilio.messages == []
    (row,) = rows().values()
    assert (row.status, row.error_message) == ("skipped", "the alert expired")


def test_a_deferral_past_the_expiry_is_skipped(twilio_app, fake_twilio):
    alert_contact()
    evening = dhaka(2026, 12, 1, 20, 50)
    plan(now=evening, expires_at=evening + timedelta(hours=5))
    dispatch_pass(now=evening + timedelta(minutes=20))  # 21:10, quiet hours until after expiry
    (row,) = rows().values()
    assert (row.status, row.error_message) == (
        "skipped",
        "no allowed hour left before the alert expires",
    )
    assert fake_twilio.messages == []


def test_a_text_that_is_not_discreet_is_never_sent(twilio_app, fake_twilio):
    alert_contact()
    plan()
    (row,) = rows().values()
    row.params = {**row.params, "texts": {"bn": TEXTS["bn"], "en": "Police at Green Point"}}
    db.session.commit()
    dispatch_pass(now=NOW)
    row = reload(row)
    assert row.status == "failed" and '"Police"' in row.error_message
    assert fake_twilio.messages == []


def test_alert_preferences_record_who_and_when_and_withdrawal_cancels(app):
    pe = make_user("peer_educator")
    her = make_contact()
    assert (her.alert_consent, her.district) == (False, None)  # nobody starts with consent
    notifications.set_alert_preferences(
        her, district="Dhaka", alert_consent=True, actor_id=pe.id, now=NOW
    )
    db.session.commit()
    assert (her.district, her.alert_consent, her.alert_consent_by_id) == ("Dhaka", True, pe.id)
    assert her.alert_consent_at == NOW
    # Changing the district alone keeps who asked her and when.
    notifications.set_alert_preferences(
        her, district="Khulna", alert_consent=True, actor_id=None, now=NOW + timedelta(days=1)
    )
    assert (her.alert_consent_at, her.alert_consent_by_id) == (NOW, pe.id)
    plan(districts=("Khulna",))
    later = NOW + timedelta(days=2)
    notifications.set_alert_preferences(
        her, district="Khulna", alert_consent=False, actor_id=pe.id, now=later
    )
    db.session.commit()
    assert (her.alert_consent, her.alert_consent_at) == (False, later)
    (row,) = rows().values()
    assert (row.status, row.error_message) == ("cancelled", "alert consent withdrawn")


UX_WORDS = ["police", "raid", "rape", "violence", "attack", "beat", "sex worker"]
UX_BANGLA = ["পুলিশ", "রেইড", "ধর্ষণ", "সহিংসতা", "মারধর", "যৌনকর্মী"]
MORE = ["arrested", "assault", "thugs", "pimp", "brothel", "sex work", "Policeman", "beaten",
        "মাস্তান", "গ্রেপ্তার", "নির্যাতন", "পতিতা", "যৌনপল্লী", "থানা", "র‍্যাব"]  # fmt: skip
HEALTH = ["HIV", "clinic", "test", "এইচআইভি", "ক্লিনিক", "পরীক্ষা"]


@pytest.mark.parametrize("word", UX_WORDS + UX_BANGLA + MORE + HEALTH)
@pytest.mark.parametrize("lang", ["bn", "en"])
def test_alert_text_problems_finds_every_banned_word(word, lang):
    text = f"{TEXTS[lang][:-1]} {word}."
    assert notifications.alert_text_problems(text, lang), word


def test_alert_text_problems_names_the_words_found():
    found = notifications.alert_text_problems("Police raid; পুলিশ এসেছে", "en")
    assert found == ["Police", "raid", "পুলিশ"]


@pytest.mark.parametrize("lang", ["bn", "en"])
def test_the_community_code_phrases_pass(lang):
    assert notifications.alert_text_problems(TEXTS[lang], lang) == []
    # Words that only look like banned ones: whole words for Latin script.
    assert notifications.alert_text_problems("Careful at the beach, copy this", lang) == []
    # জেলা (district) holds জেল (jail): the check does not ban it.
    assert notifications.alert_text_problems("আপা, এই জেলায় সাবধানে থাকুন।", lang) == []


def test_alert_text_problems_knows_only_our_languages():
    with pytest.raises(ValueError):
        notifications.alert_text_problems("Apa", "fr")
