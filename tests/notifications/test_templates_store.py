"""Text overrides: the default until an admin saves a plain text that passes every check."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from notifications.models import SmsTemplate
from notifications.texts import store
from notifications.texts.catalog import VARIANTS, discretion_problems, load_default_template

ALL_VARIANTS = [(kind, variant) for kind, variants in VARIANTS.items() for variant in variants]


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _refusal(kind, lang, variant, source, actor) -> str:
    """Every reason the save was refused, in English, after checking nothing was stored."""
    with pytest.raises(ValidationFailed) as info:
        store.save_template(kind, lang, variant, source, actor)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SmsTemplate)) == 0
    return info.value.message


@pytest.mark.parametrize("lang", ["bn", "en"])
@pytest.mark.parametrize(("kind", "variant"), ALL_VARIANTS)
def test_every_default_passes_the_checks(app, kind, variant, lang):
    source = store.effective_template(kind, lang, variant)
    assert source == load_default_template(kind, lang, variant)
    check = store.check_template(kind, lang, variant, source)
    assert check.ok, [str(p) for p in check.problems]
    assert 1 <= check.worst_segments <= store.MAX_SEGMENTS
    assert check.sample and not discretion_problems(check.sample)
    assert "K7P-2QX-9MN" in check.sample  # a real code, shown as the slip shows it


def test_an_override_wins_until_it_is_reset(app, admin):
    source = "Soon: {day} {time}, {place}. Code {code}."
    store.save_template("reminder_24h", "en", "appointment", source, admin)
    db.session.commit()
    assert store.effective_template("reminder_24h", "en", "appointment") == source
    # Only that variant: the other language and the shared-phone text keep their defaults.
    assert store.effective_template("reminder_24h", "bn", "appointment") == load_default_template(
        "reminder_24h", "bn", "appointment"
    )
    assert store.effective_template(
        "reminder_24h", "en", "shared_appointment"
    ) == load_default_template("reminder_24h", "en", "shared_appointment")
    assert store.overrides() == {("reminder_24h", "appointment", "en")}
    # Saving again updates the one row.
    store.save_template("reminder_24h", "en", "appointment", "Code {code}: {day}.", admin)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SmsTemplate)) == 1
    assert store.reset_template("reminder_24h", "en", "appointment", admin) is True
    db.session.commit()
    assert store.effective_template("reminder_24h", "en", "appointment") == (
        load_default_template("reminder_24h", "en", "appointment")
    )
    assert store.reset_template("reminder_24h", "en", "appointment", admin) is False
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_type == "sms_template")
    ).all()
    assert actions == ["sms_template.save", "sms_template.save", "sms_template.reset"]


def test_each_case_of_a_kind_has_its_own_text(app, admin):
    store.save_template("referral_created", "en", "no_appointment", "Ask apa. {code}", admin)
    db.session.commit()
    assert store.effective_template("referral_created", "en", "no_appointment") == (
        "Ask apa. {code}"
    )
    assert "{time}" in store.effective_template("referral_created", "en", "appointment")


@pytest.mark.parametrize(
    ("lang", "source", "word"),
    [
        ("en", "Your HIV visit {day} {time}. Code {code}.", "HIV"),
        ("en", "Test day: {day} {time}. Code {code}.", "Test"),
        ("en", "Condoms free {day} {time}. Code {code}.", "Condoms"),
        ("bn", "পরীক্ষা {day} {time}। কোড {code}", "পরীক্ষা"),
        ("bn", "ক্লিনিক {day} {time}। কোড {code}", "ক্লিনিক"),
    ],
)
def test_a_health_word_is_refused_and_named(app, admin, lang, source, word):
    reason = _refusal("reminder_2h", lang, "appointment", source, admin)
    assert "may reveal health, HIV or sex work: " + word in reason


def test_a_clinic_name_is_refused(app, admin, make_clinic):
    make_clinic(name="Shapla Kendra Mirpur")
    source = "Shapla Kendra Mirpur {time} {code}"
    reason = _refusal("reminder_2h", "en", "appointment", source, admin)
    assert "It names a clinic (Shapla Kendra Mirpur): use {place}" in reason


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Hello {name} {code}", "This text cannot use {name}; it may use {code}, {place}, {day}"),
        ("{{ day }} {{ code }}", "single braces, like {code}"),
        ("{% if time %}{time}{% endif %} {code}", "template commands are not used"),
        ("{day} {code", "A brace { or } that is not part of a placeholder"),
        ("{Day} {code}", "A placeholder is a name in braces"),
        ("Today {time}.", "must show the referral code: add {code}"),
        ("   ", "The text is empty."),
        ("x" * 1001, "longer than 1000 characters"),
    ],
)
def test_what_is_not_plain_text_with_known_placeholders_is_refused(app, admin, source, expected):
    assert expected in _refusal("reminder_2h", "en", "appointment", source, admin)


def test_a_text_over_two_segments_with_the_longest_values_is_refused(app, admin):
    # ~60 Bangla characters plus the longest alias, day and time: three UCS-2 segments.
    source = "মনে রাখবেন, " * 6 + "{day} {time}, {place}। কোড {code}"
    check = store.check_template("reminder_24h", "bn", "appointment", source)
    assert check.worst_segments == 3
    reason = _refusal("reminder_24h", "bn", "appointment", source, admin)
    assert "With the longest values it takes 3 SMS segments (at most 2)" in reason


def test_a_bangla_alias_makes_an_english_text_ucs2(app):
    # 130 GSM-7 characters fit one segment with a Latin alias; a Bangla alias makes it UCS-2.
    source = "Please remember your visit. " * 3 + "{day} {time} at {place}. {code}"
    check = store.check_template("reminder_24h", "en", "appointment", source)
    assert check.info is not None and check.info.encoding == "GSM-7"
    assert check.worst_segments == 3
    assert not check.ok


def test_a_shared_phone_text_has_no_place(app, admin):
    reason = _refusal("reminder_2h", "en", "shared_appointment", "{time} at {place}. {code}", admin)
    assert "This text cannot use {place}; it may use {code}, {day}, {time}." in reason
    store.save_template("reminder_2h", "en", "shared_appointment", "{day}. {code}", admin)


def test_a_case_without_a_value_cannot_use_it(app, admin):
    # A follow-up message has no place; a referral without an appointment has no day or time.
    assert "cannot use {place}" in _refusal(
        "follow_up_due", "en", "follow_up", "{due_day} at {place}. {code}", admin
    )
    assert "cannot use {day}, {time}; it may use {code}, {place}." in _refusal(
        "referral_created", "en", "no_appointment", "{day} {time}, {place}. {code}", admin
    )


def test_the_reasons_are_sentences_in_the_readers_language(app):
    source = "HIV {nickname} {{ x }}"
    with app.test_request_context(headers={"Accept-Language": "bn"}):
        from flask_babel import refresh

        refresh()
        for text in ("HIV {day}", "{nickname} {code}", "{{ x }}", "{x", "{day}", " ", source):
            check = store.check_template("reminder_2h", "bn", "appointment", text)
            for problem in check.problems:
                shown = problem.localized()
                assert shown != problem.english(), shown
                assert any("\u0980" <= ch <= "\u09ff" for ch in shown), shown


def test_cost_uses_the_configured_price_and_currency(app):
    app.config.update(SMS_PRICE_PER_SEGMENT="0.25", SMS_PRICE_CURRENCY="BDT")
    check = store.check_template("reminder_2h", "en", "appointment", "Today {time}. Code {code}.")
    assert (check.worst_segments, check.cost_per_message, check.currency) == (1, 0.25, "BDT")
    assert store.price_per_segment() == (0.25, "BDT")


def test_unknown_kind_variant_or_language_is_not_found(app, admin):
    with pytest.raises(NotFound):
        store.effective_template("birthday", "en", "appointment")
    with pytest.raises(NotFound):
        store.effective_template("reminder_2h", "en", "no_appointment")
    with pytest.raises(NotFound):
        store.save_template("reminder_2h", "fr", "appointment", "{code}", admin)
