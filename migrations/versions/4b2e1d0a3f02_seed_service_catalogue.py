"""seed the service catalogue and follow-up rules

Revision ID: 4b2e1d0a3f02
Revises: 3a1f0c9d2e01
Create Date: 2026-11-29 11:00:01

A fresh install needs the catalogue: without it every `clinics import` row and every
`POST /api/v1/clinics` fails on an unknown service. The rows below are a snapshot of the seed code
as it stood (clinics/reference.py DEFAULT_SERVICES, referrals/services/followups.py DEFAULT_RULES),
frozen here on purpose: later changes to that code need a migration of their own. Only missing
rows are inserted (by service code), so a second run adds nothing and a row an admin renamed,
switched off or re-timed is left as it is.

Downgrade does nothing: clinics, referrals and rules may point at these rows by then, and a row
that was already there before the upgrade cannot be told from one this revision added.
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "4b2e1d0a3f02"
down_revision = "3a1f0c9d2e01"
branch_labels = None
depends_on = None

# (code, English name, Bangla name); the position is the display order (sort_order).
SERVICES = (
    ("hiv_testing", "HIV testing", "এইচআইভি পরীক্ষা"),
    ("hiv_selftest", "HIV self-test kit", "এইচআইভি স্ব-পরীক্ষা কিট"),
    ("prep", "PrEP (HIV prevention pills)", "প্রেপ (এইচআইভি প্রতিরোধের ওষুধ)"),
    ("pep", "PEP (after exposure)", "পেপ (ঝুঁকির পরে প্রতিরোধ)"),
    ("art", "ART (HIV treatment)", "এআরটি (এইচআইভি চিকিৎসা)"),
    ("viral_load", "Viral load test", "ভাইরাল লোড পরীক্ষা"),
    ("sti", "STI care", "যৌনবাহিত সংক্রমণের চিকিৎসা"),
    ("tb_screening", "TB screening", "যক্ষ্মা স্ক্রিনিং"),
    ("contraception", "Contraception", "জন্মনিয়ন্ত্রণ"),
    ("menstrual_regulation", "Menstrual regulation (MR)", "মাসিক নিয়মিতকরণ (এমআর)"),
    ("antenatal", "Antenatal care", "গর্ভকালীন সেবা"),
    ("gbv_care", "Care after violence", "সহিংসতার পরে সেবা"),
    ("mental_health", "Mental health support", "মানসিক স্বাস্থ্য সহায়তা"),
    ("legal_aid", "Legal aid", "আইনি সহায়তা"),
    ("general", "General health care", "সাধারণ স্বাস্থ্যসেবা"),
)

# service code -> (first follow-up after days, then every days)
FOLLOW_UP_RULES = {
    "hiv_testing": (90, None),
    "prep": (30, 90),
    "art": (30, None),
    "sti": (7, None),
    "contraception": (90, None),
}

services = sa.table(
    "services",
    sa.column("code", sa.String),
    sa.column("name_en", sa.String),
    sa.column("name_bn", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("sort_order", sa.Integer),
)
follow_up_rules = sa.table(
    "follow_up_rules",
    sa.column("service_code", sa.String),
    sa.column("first_after_days", sa.Integer),
    sa.column("repeat_every_days", sa.Integer),
    sa.column("active", sa.Boolean),
)


def upgrade():
    bind = op.get_bind()
    have = set(bind.execute(sa.select(services.c.code)).scalars())
    missing = [
        {"code": code, "name_en": en, "name_bn": bn, "active": True, "sort_order": order}
        for order, (code, en, bn) in enumerate(SERVICES)
        if code not in have
    ]
    if missing:
        op.bulk_insert(services, missing)
    known = set(bind.execute(sa.select(services.c.code)).scalars())
    ruled = set(bind.execute(sa.select(follow_up_rules.c.service_code)).scalars())
    rules = [
        {
            "service_code": code,
            "first_after_days": first,
            "repeat_every_days": repeat,
            "active": True,
        }
        for code, (first, repeat) in FOLLOW_UP_RULES.items()
        if code in known and code not in ruled
    ]
    if rules:
        op.bulk_insert(follow_up_rules, rules)


def downgrade():
    # Nothing: see the module's docstring (the rows stay; the upgrade will not add them twice).
    pass
