"""Schemathesis over the published OpenAPI document, with a token of each role on seeded data:
no 5xx, no status the document does not list, no answer that breaks its schema.

A fixed seed (derandomize) and a bounded number of examples per operation keep the run the
same every time. Each generated request is sent with every role's token in turn, so the data
changes as the run goes (a referral cancelled by the admin is a 409 for the peer educator next);
the order is fixed, so every run meets the same states."""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from flask import g
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.db import utcnow
from core.extensions import db

ROLES = ("admin", "peer_educator", "clinic_partner", "viewer")
# Per operation; each example is sent once per role. For a longer search:
# FUZZ_EXAMPLES=300 pytest tests/api/test_api_fuzz.py --timeout=0
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ALL_WEEK = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
DHAKA = ZoneInfo("Asia/Dhaka")


def _local(days: int, hour: int) -> datetime:
    day = utcnow().astimezone(DHAKA).date() + timedelta(days=days)
    return datetime.combine(day, time(hour), tzinfo=DHAKA)


@pytest.fixture
def world(app, make_user, make_clinic, api_headers) -> dict:
    """Clinics, a user of each role, members and referrals; returns tokens and known ids."""
    from clinics.models import Service
    from clinics.services import set_hours
    from referrals.services import followups, lifecycle, members

    codes = ("hiv_testing", "prep", "sti")
    for i, code in enumerate(codes):
        db.session.add(Service(code=code, name_en=code, name_bn=code, sort_order=i))
    db.session.flush()
    followups.seed_rules()
    clinics = [make_clinic(district=d) for d in ("Dhaka", "Chattogram", "Khulna")]
    for clinic in clinics:
        set_hours(clinic, ALL_WEEK)
        clinic.services = [db.session.get(Service, c) for c in codes]
    db.session.commit()
    users = {role: make_user(role) for role in ROLES if role != "clinic_partner"}
    users["clinic_partner"] = make_user("clinic_partner", clinic_id=clinics[0].id)
    pe = users["peer_educator"]
    people = [
        members.register_member(actor=pe, phone=f"0171234567{n}", language="bn", sms_consent=True)
        for n in range(3)
    ]
    referrals = []
    for n, member in enumerate(people * 2):
        referral, _ = lifecycle.create_referral(
            actor=pe,
            member_id=member.id,
            clinic_id=clinics[0].id,
            services=["hiv_testing"],
            appointment_at=_local(3 + n, 11) if n % 2 else None,
            channel="api",
        )
        referrals.append(referral)
    admin = users["admin"]
    lifecycle.confirm(referrals[-1].code, ["hiv_testing"], actor=admin, channel="api")
    db.session.commit()
    due = followups.list_follow_ups(admin, status="due", page=1, per_page=10)[0]
    assert due, "the seed needs a follow-up"
    return {
        # identity: schemathesis's WSGI transport hands over the body as sent, undecoded.
        "headers": {
            role: {**api_headers(user=user), "Accept-Encoding": "identity"}
            for role, user in users.items()
        },
        "known": {
            "clinic_id": [c.id for c in clinics],
            "member_id": [m.id for m in people],
            "code": [r.code for r in referrals],
            "follow_up_id": [f.id for f in due],
            "services": [["hiv_testing"], ["prep", "sti"]],
            "services_delivered": [["hiv_testing"]],
            "appointment_at": [_local(2, 10).isoformat(), _local(5, 15).isoformat()],
            "phone": ["01811111111", "+8801922222222", "01712345670"],
            "district": ["Dhaka", "Comilla", "Cox's Bazar"],
            "from_follow_up_id": [None],
        },
    }


def _with_known(case, known: dict, i: int):
    """The case with seeded ids in its body, so that it reaches more than the 422 of an id
    that does not exist."""
    if isinstance(case.body, dict):
        for key, values in known.items():
            if key in case.body:
                case.body[key] = values[i % len(values)]
    return case


def _strategy(operation, known: dict, mode: GenerationMode):
    """Generated cases, and as many again on the seeded records (a random id is a 404)."""
    names = [p.name for p in operation.path_parameters]
    base = operation.as_strategy(generation_mode=mode)
    strategies = [base]
    if names and all(name in known for name in names):
        for i in range(max(len(known[name]) for name in names)):
            fixed = {name: known[name][i % len(known[name])] for name in names}
            strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=fixed))
    if operation.body:
        strategies += [
            s.map(lambda c, i=i: _with_known(c, known, i)) for i, s in enumerate(strategies)
        ]
    return st.one_of(strategies)


def _order(operation) -> tuple:
    """Reads first, then changes; what ends a record's life (anonymise, cancel) last."""
    last = ("anonymise", "cancel", "confirm")
    return (
        operation.method.upper() != "GET",
        any(operation.path.endswith(word) for word in last),
        operation.label,
    )


def _exercise(operation, world: dict, mode: GenerationMode) -> list[str]:
    """Every generated request, with each role's token in turn; returns the failures.
    Failures are collected, not raised: the data changes as the run goes, so hypothesis could
    not replay a failing request to shrink it (it would call the result flaky)."""
    found: list[str] = []

    @given(case=_strategy(operation, world["known"], mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        for role in ROLES:
            g.__dict__.clear()  # a fresh request's g, as FreshRequestClient does
            response = case.call(headers=world["headers"][role])
            try:
                case.validate_response(response, checks=CHECKS)
            except Exception as exc:
                if len(found) < 3:  # enough to see it; the rest are usually the same
                    found.append(f"{operation.label} as {role}: {exc}")

    run()
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_holds_to_its_document(app, world, mode):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_order)
    assert len(operations) > 25
    failures = [failure for op in operations for failure in _exercise(op, world, mode)]
    assert not failures, "\n\n".join(failures)
