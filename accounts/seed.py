"""Demo users, one per role (development only); those whose role needs a second factor are
enrolled, and their TOTP secrets printed with their passwords."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from accounts import services, two_factor
from accounts.models import User
from core.extensions import db

DEMO_USERS = [
    ("admin@demo.harc", "admin", "Admin"),
    ("peer@demo.harc", "peer_educator", "Rina (peer educator)"),
    ("clinic@demo.harc", "clinic_partner", "Clinic desk"),
    ("viewer@demo.harc", "viewer", "Report viewer"),
]


def has_users() -> bool:
    """Whether any user exists (`seed-demo --if-empty` then seeds nothing)."""
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(User)))


def seed_users() -> list[str]:
    """Create or refresh the demo users with new passwords; returns the lines to print."""
    from clinics.models import Clinic

    first_clinic = db.session.scalar(sa.select(Clinic.id).order_by(Clinic.id).limit(1))
    if first_clinic is None:
        clinic = Clinic(name="Demo clinic", sms_alias="Demo Point", district="Dhaka")
        db.session.add(clinic)
        db.session.flush()
        first_clinic = clinic.id
    lines = [
        "Demo logins (passwords are new each run; admin and clinic partner sign in with a code",
        "from an authenticator app set up with the TOTP secret shown):",
    ]
    for email, role, name in DEMO_USERS:
        password = "demo-" + secrets.token_urlsafe(9)
        user = db.session.scalar(sa.select(User).where(User.email == email))
        clinic_id = first_clinic if role == "clinic_partner" else None
        if user is None:
            user = services.create_user(
                email=email,
                role=role,
                password=password,
                display_name=name,
                clinic_id=clinic_id,
                language="en",
            )
        else:
            services.reset_password(user, password, actor=None)
            services.unlock_user(user, actor=None)
            user.active = True
        if role == "peer_educator" and user.district is None:
            services.set_district(user, "Dhaka", actor=None)  # step 3 starts near her
        lines.append(f"  {role:15} {email:20} {password}")
        if two_factor.required_for(user):
            secret = two_factor.enrol_without_code(user)
            lines.append(f"  {'':15} TOTP secret of {email}: {secret}")
    return lines
