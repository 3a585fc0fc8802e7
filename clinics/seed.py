"""Demo clinics (invented names, numbers and places near real district towns); safe to rerun."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from clinics.models import Clinic, ClinicFeedback
from clinics.reference import ATTRIBUTES, SERVICE_CODES
from clinics.services.catalogue import ensure_default_services
from clinics.services.directory import apply_fields
from clinics.services.fields import clean_fields
from core.db import utcnow
from core.extensions import db

# District towns (a point in the town and a few neighbourhoods); clinics are placed within about
# 2 km of the point, which keeps them inside the district.
TOWNS: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "Dhaka": (23.7806, 90.4070, ("Mohakhali", "Kamrangirchar", "Tejgaon", "Mirpur", "Jatrabari")),
    "Chattogram": (22.3419, 91.8132, ("Agrabad", "Pahartali", "Chawkbazar", "Kotwali")),
    "Narayanganj": (23.6238, 90.4990, ("Tanbazar", "Chashara", "Nitaiganj")),
    "Khulna": (22.8150, 89.5650, ("Daulatpur", "Khalishpur", "Sonadanga")),
    "Rajshahi": (24.3740, 88.6011, ("Shaheb Bazar", "Laxmipur")),
    "Sylhet": (24.8980, 91.8710, ("Zindabazar", "Amberkhana")),
    "Barishal": (22.7010, 90.3700, ("Sadar Road", "Nathullabad")),
    "Jashore": (23.1700, 89.2100, ("Rail Road", "Chanchra")),
    "Rajbari": (23.7570, 89.6440, ("Goalanda", "Sadar")),
    "Tangail": (24.2500, 89.9200, ("Kandapara", "Sadar")),
    "Mymensingh": (24.7500, 90.4070, ("Ganginarpar", "Charpara")),
    "Bogura": (24.8500, 89.3700, ("Satmatha", "Malotinagar")),
}
FLOWERS = (
    "Shapla", "Padma", "Jamuna", "Meghna", "Bakul", "Kadam", "Shimul", "Beli", "Golap", "Tagar",
    "Kamini", "Shefali", "Palash", "Rajani", "Chameli", "Dolon", "Hasna", "Joba", "Kash", "Bela",
    "Champa", "Jarul", "Madhabi", "Kanchan", "Togor", "Shiuli", "Aparajita", "Nayantara",
    "Mallika", "Shonali", "Ashok", "Bokul", "Rongon", "Karabi", "Sandhya", "Shyama",
)  # fmt: skip
KINDS = ("Health Centre", "Drop-in Centre", "Women's Clinic", "Community Clinic", "Care Centre")
ALIAS_ENDINGS = ("Point", "Ghar", "Corner", "Bari", "Angina")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hours(kind: int) -> dict:
    """A few realistic weekly patterns (Friday is the weekend in Bangladesh)."""
    if kind == 0:  # office hours, closed Friday
        return {d: [["09:00", "17:00"]] for d in DAYS if d != "fri"}
    if kind == 1:  # split day
        return {d: [["09:00", "13:00"], ["15:00", "20:00"]] for d in DAYS if d != "fri"}
    if kind == 2:  # night service, past midnight
        return {d: [["18:00", "02:00"]] for d in DAYS}
    if kind == 3:  # round the clock
        return {d: [["00:00", "24:00"]] for d in DAYS}
    return {d: [["10:00", "16:00"]] for d in ("sat", "sun", "mon", "tue", "wed", "thu")}


def demo_clinic_specs() -> list[dict]:
    """The demo directory: 36 clinics in 12 districts, the same on every run."""
    rng = random.Random(3)  # noqa: S311 - demo data, not security
    specs = []
    districts = list(TOWNS)
    for index, flower in enumerate(FLOWERS):
        district = districts[index % len(districts)]
        lat, lon, areas = TOWNS[district]
        hours_kind = index % 5
        services = set(rng.sample(SERVICE_CODES, rng.randint(3, 8)))
        services.add(("hiv_testing", "sti", "general")[index % 3])
        attributes = set(rng.sample(ATTRIBUTES, rng.randint(1, 4))) - {"night_hours"}
        if hours_kind in (2, 3):
            attributes.add("night_hours")
        specs.append(
            {
                "name": f"{flower} {KINDS[index % len(KINDS)]}",
                "sms_alias": f"{flower} {ALIAS_ENDINGS[index % len(ALIAS_ENDINGS)]}",
                "district": district,
                "area": areas[index % len(areas)],
                "address": f"House {rng.randint(2, 120)}, Road {rng.randint(1, 30)}",
                "latitude": round(lat + rng.uniform(-0.018, 0.018), 5),
                "longitude": round(lon + rng.uniform(-0.018, 0.018), 5),
                "phone": f"+8802550{index:05d}",
                "services": sorted(services),
                "attributes": sorted(attributes),
                "hours": _hours(hours_kind),
                "status": "inactive" if index == len(FLOWERS) - 1 else "active",
                # Every seventh entry is overdue for verification, to fill the admin's list.
                "verified_days_ago": 200 + index if index % 7 == 3 else rng.randint(0, 150),
            }
        )
    return specs


def seed_clinics() -> list[str]:
    """Create or update (by name) the service catalogue and the demo clinics."""
    added = ensure_default_services()
    now = utcnow()
    created = updated = 0
    for spec in demo_clinic_specs():
        spec = dict(spec)
        days_ago = spec.pop("verified_days_ago")
        clinic = db.session.scalar(sa.select(Clinic).where(Clinic.name == spec["name"]))
        clean = clean_fields(spec, creating=clinic is None)
        if clinic is None:
            clinic = Clinic(name=clean["name"], sms_alias=clean["sms_alias"], district="")
            db.session.add(clinic)
            created += 1
        else:
            updated += 1
        apply_fields(clinic, clean)
        clinic.verified_at = now - timedelta(days=days_ago)
    db.session.flush()
    feedback = _seed_feedback()
    return [
        f"Clinics: {created} created, {updated} updated; {added} services added; "
        f"{feedback} feedback reports added."
    ]


def _seed_feedback() -> int:
    """Six reports on the first three clinics, so their aggregate shows (once only)."""
    if db.session.scalar(sa.select(sa.func.count(ClinicFeedback.id))):
        return 0
    clinic_ids = db.session.scalars(sa.select(Clinic.id).order_by(Clinic.id).limit(3)).all()
    added = 0
    for offset, clinic_id in enumerate(clinic_ids):
        for n in range(6):
            db.session.add(
                ClinicFeedback(
                    clinic_id=clinic_id,
                    visited_on=date.today() - timedelta(days=3 * n + offset),
                    respectful=(n + offset) % 4 != 0,
                    refused_service=n == 5 and offset == 1,
                    waiting_minutes=15 + 10 * n,
                    asked_for_id=n % 3 == 0,
                    charged=offset == 2 and n < 2,
                    kept_private=n != 4,
                )
            )
            added += 1
    db.session.flush()
    return added
