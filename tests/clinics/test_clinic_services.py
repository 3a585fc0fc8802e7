"""Directory services: every search filter alone and combined, validation, role rules,
verification, feedback, seed."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from clinics import services
from clinics.models import Clinic, ClinicFeedback, ClinicHours
from core.db import utcnow
from core.errors import BadInput, Forbidden, NotFound, ValidationFailed
from core.extensions import db
from tests.support.clock import local
from tests.support.factories import CHATTOGRAM_POINT, DHAKA_POINT, SYLHET_POINT


def names(page) -> list[str]:
    return [hit.clinic.name for hit in page.items]


@pytest.fixture
def directory(clinic):
    """Five clinics with different services, places, attributes and hours."""
    return {
        "day": clinic(
            name="Day Centre",
            district="Dhaka",
            latitude=DHAKA_POINT[0],
            longitude=DHAKA_POINT[1],
            services=["hiv_testing", "prep", "sti"],
            attributes=["free_of_charge", "walk_in"],
            hours={d: [["09:00", "17:00"]] for d in ("sat", "sun", "mon", "tue", "wed", "thu")},
        ),
        "night": clinic(
            name="Night Centre",
            district="Dhaka",
            latitude=DHAKA_POINT[0] + 0.05,
            longitude=DHAKA_POINT[1],
            services=["hiv_testing", "prep"],
            attributes=["night_hours", "free_of_charge"],
            hours={"fri": [["20:00", "02:00"]], "sun": [["22:00", "03:00"]]},
        ),
        "port": clinic(
            name="Port Centre",
            district="Chittagong",  # an old spelling, stored as Chattogram
            latitude=CHATTOGRAM_POINT[0],
            longitude=CHATTOGRAM_POINT[1],
            services=["sti", "contraception"],
            attributes=["female_provider"],
            hours={"mon": [["00:00", "24:00"]]},
        ),
        "tea": clinic(
            name="Tea Garden Centre",
            district="Sylhet",
            area="Zindabazar",
            latitude=SYLHET_POINT[0],
            longitude=SYLHET_POINT[1],
            services=["prep", "sti", "hiv_testing"],
            attributes=["female_provider", "free_of_charge"],
            hours={"mon": [["09:00", "13:00"], ["14:00", "17:00"]]},
        ),
        "closed": clinic(
            name="Closed Centre",
            district="Dhaka",
            services=["hiv_testing", "prep", "sti"],
            status="inactive",
            hours={"mon": [["00:00", "24:00"]]},
        ),
    }


def test_no_filter_lists_active_clinics_by_name(directory):
    page = services.search_clinics()
    assert names(page) == ["Day Centre", "Night Centre", "Port Centre", "Tea Garden Centre"]
    assert page.total == 4


def test_services_must_all_match(directory):
    assert names(services.search_clinics(services=["sti"])) == [
        "Day Centre",
        "Port Centre",
        "Tea Garden Centre",
    ]
    assert names(services.search_clinics(services=["prep", "sti"])) == [
        "Day Centre",
        "Tea Garden Centre",
    ]
    assert names(services.search_clinics(services="prep,sti,hiv_testing")) == [
        "Day Centre",
        "Tea Garden Centre",
    ]
    assert services.search_clinics(services=["art"]).total == 0


def test_district_accepts_old_spellings(directory):
    assert directory["port"].district == "Chattogram"
    assert names(services.search_clinics(district="Chattogram")) == ["Port Centre"]
    assert names(services.search_clinics(district="chittagong")) == ["Port Centre"]
    assert services.search_clinics(district="Dhaka").total == 2


def test_attributes_must_all_match(directory):
    assert names(services.search_clinics(attributes=["female_provider"])) == [
        "Port Centre",
        "Tea Garden Centre",
    ]
    assert names(services.search_clinics(attributes=["female_provider", "free_of_charge"])) == [
        "Tea Garden Centre"
    ]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (("mon", "10:00"), ["Day Centre", "Port Centre", "Tea Garden Centre"]),
        (("mon", "13:30"), ["Day Centre", "Port Centre"]),  # Tea Garden's lunch break
        (("mon", "17:00"), ["Port Centre"]),  # an end is exclusive
        (("fri", "10:00"), []),
        (("fri", "23:00"), ["Night Centre"]),
        (("sat", "01:00"), ["Night Centre"]),  # Friday's night, past midnight
        (("sat", "02:00"), []),
        (("sun", "23:30"), ["Night Centre"]),
        (("mon", "01:00"), ["Night Centre", "Port Centre"]),  # Sunday's night into Monday
        (("mon", "23:59"), ["Port Centre"]),
    ],
)
def test_open_at_in_sql(directory, moment, expected):
    assert names(services.search_clinics(open_at=local(*moment))) == expected
    for hit in services.search_clinics(open_at=local(*moment)).items:
        assert services.is_open_at(hit.clinic, local(*moment))


def test_text_search(directory):
    assert names(services.search_clinics(q="zindabazar")) == ["Tea Garden Centre"]
    assert names(services.search_clinics(q="NIGHT")) == ["Night Centre"]
    assert services.search_clinics(q="100%").total == 0  # LIKE wildcards are escaped


def test_near_sorts_by_distance_and_reports_it(directory):
    page = services.search_clinics(near=DHAKA_POINT)
    assert names(page) == ["Day Centre", "Night Centre", "Tea Garden Centre", "Port Centre"]
    distances = [hit.distance_km for hit in page.items]
    assert distances[0] == pytest.approx(0, abs=0.01)
    assert distances[1] == pytest.approx(5.56, abs=0.05)  # 0.05 degrees of latitude
    assert distances == sorted(distances)
    assert 190 < distances[3] < 230  # Dhaka to Chattogram, as the crow flies


def test_clinics_without_coordinates_come_last(directory, clinic):
    clinic(name="Nowhere Centre", services=["sti"])
    page = services.search_clinics(near=DHAKA_POINT, services=["sti"])
    assert names(page)[-1] == "Nowhere Centre"
    assert page.items[-1].distance_km is None


def test_within_km(directory):
    assert names(services.search_clinics(near=DHAKA_POINT, within_km=10)) == [
        "Day Centre",
        "Night Centre",
    ]
    assert services.search_clinics(near=DHAKA_POINT, within_km=5).total == 1


def test_filters_combined(directory):
    page = services.search_clinics(
        services=["prep", "hiv_testing"],
        district="Dhaka",
        attributes=["free_of_charge"],
        open_at=local("sat", "01:00"),
        near=DHAKA_POINT,
    )
    assert names(page) == ["Night Centre"]
    assert page.items[0].distance_km == pytest.approx(5.56, abs=0.05)
    page = services.search_clinics(
        services=["sti"], attributes=["female_provider"], open_at=local("mon", "10:00"), q="tea"
    )
    assert names(page) == ["Tea Garden Centre"]


def test_pagination_in_sql_with_total(clinic):
    for n in range(7):
        clinic(name=f"Paged {n}")
    first = services.search_clinics(per_page=3)
    third = services.search_clinics(per_page=3, page=3)
    assert first.total == third.total == 7
    assert names(first) == ["Paged 0", "Paged 1", "Paged 2"]
    assert names(third) == ["Paged 6"]
    assert first.pages == 3
    assert services.search_clinics(per_page=3, page=9).items == []


@pytest.mark.parametrize(
    ("kwargs", "field", "error"),
    [
        ({"services": ["hiv_testing", "astrology"]}, "service", ValidationFailed),
        ({"district": "Atlantis"}, "district", ValidationFailed),
        ({"attributes": ["cheap"]}, "attribute", ValidationFailed),
        ({"near": (51.5, -0.12)}, "near", ValidationFailed),
        ({"near": (90.4, 23.8)}, "near", ValidationFailed),  # latitude and longitude swapped
        ({"within_km": 5}, "within_km", ValidationFailed),
        ({"per_page": 101}, "per_page", BadInput),
        ({"per_page": 0}, "per_page", BadInput),
        ({"page": 0}, "page", BadInput),
    ],
)
def test_bad_search_input_names_the_field(catalogue, kwargs, field, error):
    with pytest.raises(error) as exc:
        services.search_clinics(**kwargs)
    assert field in exc.value.fields


def test_naive_open_at_is_refused(catalogue):
    from datetime import datetime

    with pytest.raises(BadInput) as exc:
        services.search_clinics(open_at=datetime(2026, 11, 30, 10, 0))
    assert "open_at" in exc.value.fields


# --- creating and updating ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"sms_alias": "Shapla HIV Point"}, "sms_alias"),
        ({"sms_alias": "Shapla Clinic"}, "sms_alias"),
        ({"sms_alias": "এইচআইভি কেন্দ্র"}, "sms_alias"),
        ({"sms_alias": "A very long alias beyond twenty"}, "sms_alias"),
        ({"sms_alias": ""}, "sms_alias"),
        ({"name": "Same Name", "sms_alias": "same name"}, "sms_alias"),
        ({"district": "Gotham"}, "district"),
        ({"district": None}, "district"),
        ({"latitude": 30.0, "longitude": 90.0}, "latitude"),
        ({"latitude": 23.8, "longitude": 95.0}, "longitude"),
        ({"latitude": "north", "longitude": 90.0}, "latitude"),
        ({"latitude": 23.8}, "longitude"),
        ({"phone": "call me"}, "phone"),
        ({"services": ["prep", "astrology"]}, "services"),
        ({"attributes": ["cheap"]}, "attributes"),
        ({"hours": {"mon": [["09:00", "13:00"], ["12:00", "17:00"]]}}, "hours"),
        ({"hours": {"mon": [["9", "17:00"]]}}, "hours"),
        ({"status": "closed"}, "status"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_create_refuses_bad_fields(catalogue, fields, bad):
    data = {"name": "New Centre", "sms_alias": "Bakul Point", "district": "Dhaka", **fields}
    with pytest.raises(ValidationFailed) as exc:
        services.create_clinic(data, None)
    assert bad in exc.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 0


def test_create_normalises_and_builds_hour_ranges(catalogue):
    created = services.create_clinic(
        {
            "name": "  Bela   Centre ",
            "sms_alias": "Bela Point",
            "district": "jessore",
            "phone": "01711-000000",
            "latitude": "23.17",
            "longitude": "89.21",
            "services": ["sti", "prep"],
            "attributes": ["walk_in"],
            "hours": {"fri": [["20:00", "02:00"]]},
        },
        None,
        now=utcnow(),
    )
    db.session.commit()
    assert created.name == "Bela Centre"
    assert created.district == "Jashore"
    assert created.phone == "+8801711000000"
    assert created.latitude == 23.17
    assert created.service_codes == ["prep", "sti"]
    assert created.attributes == ["walk_in"]
    assert created.verified_at is not None
    rows = db.session.scalars(sa.select(ClinicHours).where(ClinicHours.clinic_id == created.id))
    assert sorted((r.start_minute, r.end_minute) for r in rows) == [(6960, 7200), (7200, 7320)]
    body = services.clinic_to_dict(created)
    assert body["hours"]["fri"] == [["20:00", "02:00"]] and body["hours"]["mon"] == []
    assert set(body) >= {"id", "name", "sms_alias", "district", "area", "address", "latitude"}


def test_hours_update_replaces_the_ranges(clinic):
    c = clinic(hours={"mon": [["09:00", "17:00"]]})
    services.update_clinic(c.id, {"hours": {"tue": [["10:00", "11:00"]]}}, _admin())
    db.session.commit()
    assert services.search_clinics(open_at=local("mon", "10:00")).total == 0
    assert services.search_clinics(open_at=local("tue", "10:30")).total == 1
    assert db.session.scalar(sa.select(sa.func.count(ClinicHours.id))) == 1


def _admin():
    class Admin:
        role, id, clinic_id = "admin", None, None

    return Admin()


def test_partner_may_change_own_hours_and_phone_only(clinic, make_user):
    own, other = clinic(), clinic()
    partner = make_user("clinic_partner", clinic_id=own.id)
    services.update_clinic(
        own.id, {"phone": "+8801711000001", "hours": {"sat": [["08:00", "12:00"]]}}, partner
    )
    db.session.commit()
    assert own.phone == "+8801711000001"
    with pytest.raises(Forbidden) as exc:
        services.update_clinic(own.id, {"name": "Renamed", "phone": "+8801711000002"}, partner)
    assert "name" in exc.value.fields
    with pytest.raises(NotFound):
        services.update_clinic(other.id, {"phone": "+8801711000002"}, partner)
    for role in ("peer_educator", "viewer"):
        with pytest.raises(Forbidden):
            services.update_clinic(own.id, {"phone": "+8801711000002"}, make_user(role))


def test_get_clinic_and_clinic_offers(clinic):
    c = clinic(services=["prep", "sti"])
    assert services.get_clinic(c.id) is c
    assert services.clinic_offers(c, ["prep"])
    assert services.clinic_offers(c, ["prep", "sti"])
    assert not services.clinic_offers(c, ["prep", "art"])
    with pytest.raises(NotFound):
        services.get_clinic(c.id + 1000)


def test_service_codes_and_catalogue(catalogue):
    assert len(services.SERVICE_CODES) == 15
    assert [s.code for s in services.get_services()] == list(services.SERVICE_CODES)
    services.create_service("hepatitis_b", "Hepatitis B vaccine", "হেপাটাইটিস বি টিকা", None)
    assert "hepatitis_b" in {s.code for s in services.get_services()}
    with pytest.raises(ValidationFailed):
        services.create_service("Bad Code!", "x", "y", None)


def test_verification_is_due_after_180_days(clinic, make_user):
    now = utcnow()
    fresh, stale, never = clinic(), clinic(), clinic(verified=False)
    stale.verified_at = now - timedelta(days=181)
    fresh.verified_at = now - timedelta(days=179)
    db.session.commit()
    assert never.verified_at is None
    assert [c.id for c in services.unverified_clinics(now)] == [never.id, stale.id]
    assert services.verification_due(stale, now) and not services.verification_due(fresh, now)
    admin = make_user("admin")
    services.verify_clinic(stale.id, admin, now=now)
    assert stale.verified_by_id == admin.id
    assert [c.id for c in services.unverified_clinics(now)] == [never.id]
    with pytest.raises(Forbidden):
        services.verify_clinic(never.id, make_user("peer_educator"))


# --- feedback -------------------------------------------------------------------------------


# The optional questions of reports that did not ask them.
NOT_ASKED = {"asked_for_id_share": None, "charged_share": None, "kept_private_share": None}


def test_feedback_aggregate_shows_from_five_reports(clinic, make_user):
    c = clinic()
    peer = make_user("peer_educator")
    for n in range(4):
        services.record_feedback(
            c.id, peer, visited_on=date.today(), respectful=n != 0, comment="kind staff"
        )
    db.session.commit()
    assert services.feedback_summary(c.id) is None
    services.record_feedback(c.id, peer, visited_on=date.today(), respectful=False)
    assert services.feedback_summary(c.id) == {"count": 5, "respectful_share": 0.6, **NOT_ASKED}
    hit = services.search_clinics().items[0]
    assert hit.feedback == {"count": 5, "respectful_share": 0.6, **NOT_ASKED}


def test_feedback_text_is_encrypted_and_erasable(clinic, make_user):
    from referrals.services.members import register_member

    c = clinic()
    peer = make_user("peer_educator")
    member = register_member(actor=peer, phone="01712345678", language="bn", sms_consent=True)
    services.record_feedback(
        c.id,
        peer,
        visited_on=date.today(),
        respectful=False,
        comment="made to wait",
        member_id=member.id,  # her own member: feedback names only those (issue 9, item 8)
    )
    db.session.commit()
    raw = db.session.execute(sa.text("SELECT comment FROM clinic_feedback")).scalar()
    assert "wait" not in raw
    assert services.list_feedback(c.id, make_user("admin"))[0].comment == "made to wait"
    assert services.erase_member_feedback_text(member.id) == 1
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(sa.select(ClinicFeedback.comment)) is None
    assert db.session.scalar(sa.select(sa.func.count(ClinicFeedback.id))) == 1


def test_feedback_role_and_input_rules(clinic, make_user):
    c = clinic()
    with pytest.raises(Forbidden):
        services.record_feedback(
            c.id, make_user("clinic_partner"), visited_on=date.today(), respectful=True
        )
    peer = make_user("peer_educator")
    with pytest.raises(ValidationFailed) as exc:
        services.record_feedback(
            c.id, peer, visited_on=date.today() + timedelta(days=2), respectful=True
        )
    assert "visited_on" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        services.record_feedback(
            c.id, peer, visited_on=date.today(), respectful=True, waiting_minutes=-5
        )
    assert "waiting_minutes" in exc.value.fields
    with pytest.raises(NotFound):
        services.record_feedback(c.id + 99, peer, visited_on=date.today(), respectful=True)
    with pytest.raises(Forbidden):
        services.list_feedback(c.id, peer)


# --- seed -----------------------------------------------------------------------------------


def test_seed_is_idempotent_and_plausible(app):
    from clinics.seed import TOWNS, seed_clinics

    seed_clinics()
    db.session.commit()
    seed_clinics()
    db.session.commit()
    clinics = db.session.scalars(sa.select(Clinic)).all()
    assert len(clinics) >= 30
    assert len({c.district for c in clinics}) >= 8
    for c in clinics:
        lat, lon, _areas = TOWNS[c.district]
        assert abs(c.latitude - lat) < 0.03 and abs(c.longitude - lon) < 0.03
    assert len({tuple(sorted(c.service_codes)) for c in clinics}) > 10
    assert any(c.hours["fri"] == [["18:00", "02:00"]] for c in clinics)
    assert services.search_clinics(open_at=local("sat", "01:00")).total > 0


def test_near_with_box_prefilter_gives_the_same_pages(clinic, monkeypatch):
    """Growing boxes (used when many clinics match) must not change the order or the pages."""
    from clinics import geo
    from clinics.services import search

    points = [(23.78 + 0.01 * n * (-1) ** n, 90.40 + 0.013 * n) for n in range(12)]
    for n, (lat, lon) in enumerate(points):
        clinic(name=f"Box {n:02d}", latitude=lat, longitude=lon)
    clinic(name="No Place")
    expected = sorted(range(12), key=lambda n: geo.haversine_km(*DHAKA_POINT, *points[n]))
    expected_names = [f"Box {n:02d}" for n in expected] + ["No Place"]
    monkeypatch.setattr(search, "PREFILTER_FROM", 1)
    monkeypatch.setattr(search, "PREFILTER_RADII_KM", (2.0, 5.0, 10.0))
    got = []
    for page in range(1, 6):
        result = services.search_clinics(near=DHAKA_POINT, per_page=3, page=page)
        assert result.total == 13
        got += names(result)
    assert got == expected_names
