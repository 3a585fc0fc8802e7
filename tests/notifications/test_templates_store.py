"""Template overrides: the default until an admin saves a text that passes every check."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core.audit import AuditEvent
from core.errors import NotFound, ValidationFailed
from core.extensions import db
from notifications.models import SmsTemplate
from notifications.texts import store
from notifications.texts.catalog import TEMPLATE_KINDS, discretion_problems, load_default_template


@pytest.fixture
def admin(make_user):
    return make_user("admin")


def _refusal(kind, lang, shared, source, actor) -> str:
    with pytest.raises(ValidationFailed) as info:
        store.save_template(kind, lang, shared, source, actor)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SmsTemplate)) == 0
    return info.value.fields["source"]


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("lang", ["bn", "en"])
@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_every_default_passes_the_checks(app, kind, lang, shared):
    assert store.effective_template(kind, lang, shared) == load_default_template(kind, lang, shared)
    check = store.check_template(kind, lang, shared, store.effective_template(kind, lang, shared))
    assert check.ok, check.problems
    assert 1 <= check.worst_segments <= store.MAX_SEGMENTS
    assert all(sample.text and not discretion_problems(sample.text) for sample in check.samples)


def test_an_override_wins_until_it_is_reset(app, admin):
    source = "Soon: {{ day }} {{ time }}, {{ place }}. Code {{ code }}."
    store.save_template("reminder_24h", "en", False, source, admin)
    db.session.commit()
    assert store.effective_template("reminder_24h", "en", False) == source
    # Only that variant: the other language and the shared-phone text keep their defaults.
    assert store.effective_template("reminder_24h", "bn", False) == load_default_template(
        "reminder_24h", "bn"
    )
    assert store.effective_template("reminder_24h", "en", True) == load_default_template(
        "reminder_24h", "en", True
    )
    assert store.overrides() == {("reminder_24h", "en", False)}
    # Saving again updates the one row.
    store.save_template("reminder_24h", "en", False, "Code {{ code }}: {{ day }}.", admin)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SmsTemplate)) == 1
    assert store.reset_template("reminder_24h", "en", False, admin) is True
    db.session.commit()
    assert store.effective_template("reminder_24h", "en", False) == load_default_template(
        "reminder_24h", "en"
    )
    assert store.reset_template("reminder_24h", "en", False, admin) is False
    actions = db.session.scalars(
        sa.select(AuditEvent.action).where(AuditEvent.entity_type == "sms_template")
    ).all()
    assert actions == ["sms_template.save", "sms_template.save", "sms_template.reset"]


@pytest.mark.parametrize(
    ("lang", "source", "word"),
    [
        ("en", "Your HIV visit {{ day }} {{ time }}. Code {{ code }}.", "HIV"),
        ("en", "Test day: {{ day }} {{ time }}. Code {{ code }}.", "Test"),
        ("en", "Condoms free {{ day }} {{ time }}. Code {{ code }}.", "Condoms"),
        ("bn", "পরীক্ষা {{ day }} {{ time }}। কোড {{ code }}", "পরীক্ষা"),
        ("bn", "ক্লিনিক {{ day }} {{ time }}। কোড {{ code }}", "ক্লিনিক"),
    ],
)
def test_a_health_word_is_refused_and_named(app, admin, lang, source, word):
    reason = _refusal("reminder_2h", lang, False, source, admin)
    assert reason.startswith("contains a health word:")
    assert word in reason


def test_a_health_word_in_a_branch_the_samples_skip_is_still_found(app, admin):
    source = "{% if time %}{{ day }} {{ time }}{% else %}sex{% endif %}. Code {{ code }}."
    assert "contains a health word: sex" in _refusal("reminder_2h", "en", False, source, admin)
    source = '{{ day }} {{ time }} {{ "PrEP" }}. Code {{ code }}.'
    assert "PrEP" in _refusal("reminder_2h", "en", False, source, admin)


def test_a_clinic_name_is_refused(app, admin, make_clinic):
    make_clinic(name="Shapla Kendra Mirpur")
    reason = _refusal(
        "reminder_2h", "en", False, "Shapla Kendra Mirpur {{ time }} {{ code }}", admin
    )
    assert "names the clinic" in reason


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Hello {{ name }} {{ code }}", "unknown placeholder(s): name"),
        ("{{ day }} {{ code }", "cannot be read"),
        ("{% for x in code %}{{ x }}{% endfor %}", "loops"),
        ("{{ code.upper() }}", "cannot use"),
        ("   ", "empty"),
    ],
)
def test_bad_syntax_and_unknown_placeholders_are_refused(app, admin, source, expected):
    assert expected in _refusal("reminder_2h", "en", False, source, admin)


def test_a_text_over_two_segments_with_the_longest_values_is_refused(app, admin):
    # ~60 Bangla characters plus the longest alias, day and time: three UCS-2 segments.
    source = "মনে রাখবেন, " * 6 + "{{ day }} {{ time }}, {{ place }}। কোড {{ code }}"
    check = store.check_template("reminder_24h", "bn", False, source)
    assert check.worst_segments == 3
    reason = _refusal("reminder_24h", "bn", False, source, admin)
    assert "3 SMS segments with the longest values" in reason


def test_a_bangla_alias_makes_an_english_text_ucs2(app):
    # 130 GSM-7 characters fit one segment with a Latin alias; a Bangla alias makes it UCS-2.
    source = "Please remember your visit. " * 3 + "{{ day }} {{ time }} at {{ place }}. {{ code }}"
    check = store.check_template("reminder_24h", "en", False, source)
    assert [s.info.encoding for s in check.samples] == ["GSM-7"]
    assert check.worst_segments == 3
    assert not check.ok


def test_a_shared_phone_text_shows_only_time_and_code(app, admin):
    reason = _refusal("reminder_2h", "en", True, "{{ time }} at {{ place }}. {{ code }}", admin)
    assert "shared-phone text shows only the time and the code" in reason
    store.save_template("reminder_2h", "en", True, "{{ time|capfirst }}. {{ code }}", admin)


def test_a_text_must_render_for_every_message_of_its_kind(app, admin):
    # A follow-up message has no place; a referral may have no appointment yet.
    assert "cannot be rendered" in _refusal(
        "follow_up_due", "en", False, "{{ due_day }} at {{ place }}. {{ code }}", admin
    )
    assert "without an appointment" in _refusal(
        "referral_created", "en", False, "{{ day }} {{ time }}, {{ place }}. {{ code }}", admin
    )


def test_cost_uses_the_configured_price_and_currency(app):
    app.config.update(SMS_PRICE_PER_SEGMENT="0.25", SMS_PRICE_CURRENCY="BDT")
    source = "Today {{ time }}. Code {{ code }}."
    check = store.check_template("reminder_2h", "en", False, source)
    assert (check.worst_segments, check.cost_per_message, check.currency) == (1, 0.25, "BDT")
    assert store.price_per_segment() == (0.25, "BDT")


def test_unknown_kind_or_language_is_not_found(app, admin):
    with pytest.raises(NotFound):
        store.effective_template("birthday", "en", False)
    with pytest.raises(NotFound):
        store.save_template("reminder_2h", "fr", False, "{{ code }}", admin)
