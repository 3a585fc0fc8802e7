"""Helpers of the incident and help-now page tests: the form as a page sends it, members,
incidents recorded through the service, places and crisis contacts, the visible-text check."""

from __future__ import annotations

import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from tests.support import factories
from tests.support.clock import DHAKA
from tests.support.visible_text import problems, raw_codes, typed_data

ALL_DAY = {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
NEVER = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def today() -> str:
    return utcnow().astimezone(DHAKA).date().isoformat()


def incident_form(**overrides) -> dict:
    data = {
        "occurred_on": today(),
        "district": "Chattogram",
        "area": "Station Road",
        "place_type": "hotel",
        "perpetrators": ["police", "hotel_staff"],
        "violations": ["physical", "extortion"],
        "needs_help_now": "yes",
        "description": "He took her money and hit her.",
        "consent_advocacy": "y",
        "consent_alert": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def new_member(pe, number: int = 1):
    from referrals.services import members

    member = members.register_member(
        actor=pe, phone=factories.phone(900 + number), language="bn", sms_consent=True
    )
    db.session.commit()
    return member


def saved_incidents():
    from safety.models import Incident

    db.session.expire_all()
    return list(db.session.scalars(sa.select(Incident).order_by(Incident.id)))


def record(client, member=None, **overrides):
    url = "/safety/incidents/new" + (f"?member={member.id}" if member is not None else "")
    return client.post(url, data=incident_form(**overrides))


def in_district(user, district: str = "Chattogram"):
    """The user, working in `district` (the default of her pages)."""
    user.district = district
    db.session.commit()
    return user


def clean(app, html: str, *, bangla: bool) -> list:
    typed = (
        *typed_data(),
        incident_form()["description"],
        incident_form()["area"],
    )  # also when not saved
    return problems(html, bangla=bangla, codes=raw_codes(app), data=typed)


def make_places() -> dict:
    """The catalogue; in Chattogram one place helping after violence open all day, one closed
    all week, one offering only HIV testing; crisis contacts here, everywhere and elsewhere."""
    from safety.models import CrisisContact

    factories.default_catalogue()
    made = {
        "open": factories.make_clinic(
            name="Asha Care", district="Chattogram", hours=ALL_DAY, phone="01811-000111",
            offering=("gbv_care", "legal_aid", "hiv_testing"), latitude=22.34, longitude=91.81,
        ),
        "closed": factories.make_clinic(
            name="Nirapad Legal", district="Chattogram", hours=NEVER, offering=("legal_aid",),
            latitude=22.35, longitude=91.82,
        ),
        "other": factories.make_clinic(
            name="Testing Only", district="Chattogram", hours=ALL_DAY, offering=("hiv_testing",)
        ),
    }  # fmt: skip
    for name, kind, district in (
        ("Lawyer Rahima", "legal", "Chattogram"),
        ("Night Hotline", "hotline", None),
        ("Sylhet Shelter", "shelter", "Sylhet"),
    ):
        db.session.add(CrisisContact(name=name, kind=kind, phone="01711-555000", district=district))
    db.session.commit()
    return made


def recorded_for(pe, member=None, **overrides):
    from safety.services.incidents import record_incident

    data = {
        "occurred_on": today(), "district": "Chattogram", "place_type": "street",
        "perpetrators": ["client"], "violations": ["threat"], "needs_help_now": True,
        "description": "private words", "member_id": member.id if member else None,
        "consent": {"advocacy": True, "alert": False, "legal": False},
    }  # fmt: skip
    data.update(overrides)
    incident = record_incident(data, pe)
    db.session.commit()
    return incident
