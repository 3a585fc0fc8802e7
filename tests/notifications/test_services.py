"""notifications.services, the one door other packages use: its new functions and the subject
registry that keeps subjects opaque to notifications."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import Flask

from core.extensions import db
from notifications import services, subjects

DHAKA = ZoneInfo("Asia/Dhaka")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=DHAKA)
PERSONAL = {"phone", "phone_index", "phone_masked", "body", "to_phone", "params"}


def _contact(n: int, **fields):
    contact = services.create_contact(
        phone=f"0171234{n:04d}", language="bn", sms_consent=True, actor_id=None, now=NOW
    )
    for name, value in fields.items():
        setattr(contact, name, value)
    db.session.flush()
    return contact


def _plan(contact, subject: str, kind: str = "referral_created", hours: int = 1):
    return services.plan_message(
        contact=contact,
        kind=kind,
        subject=subject,
        params={},
        target_at=None,
        now=NOW,
        peer_educator_id=None,
        clinic_id=None,
        send_at=NOW + timedelta(hours=hours),
    )


def test_each_public_name_is_one_object_and_says_what_it_does():
    objects = [getattr(services, name) for name in services.__all__]
    assert len({id(o) for o in objects}) == len(objects)  # no function under two names
    for name, obj in zip(services.__all__, objects, strict=True):
        if callable(obj) and not isinstance(obj, type):
            assert obj.__doc__, name


def test_subject_types_are_per_app_and_fill_their_field():
    def thing_id(subject, params):
        return subject.removeprefix("thing:") if subject.startswith("thing:") else None

    first, second = Flask("first"), Flask("second")
    subjects.register_subject_type(first, subjects.SubjectType("thing", "thing_id", thing_id))
    with first.app_context():
        assert subjects.message_fields("thing:7", None) == {"thing_id": "7"}
        assert subjects.message_fields("other:7", {}) == {"thing_id": None}
    with second.app_context():
        assert subjects.message_fields("thing:7", {}) == {}


def test_a_subject_type_names_the_subject_its_query_parameter_filters_on():
    def parse(value):
        if not value.isdigit():
            raise ValueError(value)
        return f"thing:{value}"

    app = Flask("filters")
    thing = subjects.SubjectType("thing", "thing_id", lambda s, p: None, "thing", parse)
    subjects.register_subject_type(app, thing)
    with app.app_context():
        assert subjects.subject_filter({"thing": "7", "status": "sent"}) == "thing:7"
        assert subjects.subject_filter({"thing": "", "other": "x"}) is None
        with pytest.raises(ValueError):
            subjects.subject_filter({"thing": "x"})


def test_without_a_scope_hook_nobody_reads_any_message(app):
    from notifications import scope

    _contact(1)
    db.session.flush()
    with Flask("bare").app_context():
        ids = scope.contact_ids_for(object())
    assert ids is not None and db.session.scalars(ids).all() == []


def test_unusable_contact_ids_leave_out_erased_and_usable_numbers(app):
    usable = _contact(1)
    unusable = _contact(2, unusable_reason="30005")
    erased = _contact(3, unusable_reason="30006")
    services.erase(erased, now=NOW)
    ids = set(db.session.scalars(services.unusable_contact_ids()))
    assert ids == {unusable.id}
    assert usable.id not in ids


def test_the_selectables_for_reports_join_and_hold_no_personal_data(app):
    outbox, contacts = services.outbox_table(), services.contacts_table()
    assert not PERSONAL & set(outbox.c.keys())
    assert not PERSONAL & set(contacts.c.keys())
    _plan(_contact(1), "thing:1")
    _plan(_contact(2, language="en"), "thing:2")
    by_language = db.session.execute(
        sa.select(contacts.c.language, sa.func.count())
        .join(outbox, outbox.c.contact_id == contacts.c.id)
        .group_by(contacts.c.language)
        .order_by(contacts.c.language)
    ).all()
    assert [tuple(row) for row in by_language] == [("bn", 1), ("en", 1)]


def test_list_messages_filters_scopes_and_pages(app):
    mine, other = _contact(1), _contact(2)
    first = _plan(mine, "thing:1", hours=1)
    second = _plan(mine, "thing:2", kind="appointment_changed", hours=2)
    _plan(other, "thing:3", hours=3)
    services.cancel_pending("thing:2", reason="moved")
    scope = sa.select(services.Contact.id).where(services.Contact.id == mine.id)

    items, total = services.list_messages(contact_ids=scope)
    assert total == 2 and [m["id"] for m in items] == [second.id, first.id]  # newest first
    assert services.list_messages()[1] == 3
    assert [m["id"] for m in services.list_messages(subject="thing:1")[0]] == [first.id]
    assert [m["id"] for m in services.list_messages(status="cancelled")[0]] == [second.id]
    assert services.list_messages(kind="appointment_changed")[1] == 1
    page, total = services.list_messages(page=2, per_page=2)
    assert total == 3 and len(page) == 1
