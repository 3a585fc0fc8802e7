"""The directory pages: search without JavaScript, form errors, detail, editing by role,
feedback, the admin pages (unverified, import, export, services)."""

import csv
import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinics.models import Clinic, ClinicFeedback
from core.db import utcnow
from core.extensions import db
from tests.support.factories import DHAKA_POINT


def errors(html: str) -> list[str]:
    return re.findall(r'class="field-error"[^>]*>([^<]+)<', html)


@pytest.fixture
def centres(clinic):
    return (
        clinic(
            name="Alpha Centre",
            latitude=DHAKA_POINT[0],
            longitude=DHAKA_POINT[1],
            services=["prep", "sti"],
            attributes=["walk_in", "female_provider"],
            hours={
                d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
            },
        ),
        clinic(name="Beta Centre", district="Sylhet", services=["sti"], hours={}),
    )


def test_directory_needs_sign_in(client):
    response = client.get("/clinics")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "peer_educator", "clinic_partner", "viewer"])
def test_directory_for_every_role(client, login_as, centres, role):
    login_as(role)
    html = client.get("/clinics").get_data(as_text=True)
    assert "Alpha Centre" in html and "Beta Centre" in html
    assert 'href="/clinics"' in html  # the nav link


def test_search_form_filters_without_javascript(client, login_as, centres):
    login_as("peer_educator")
    html = client.get("/clinics?service=prep&open_now=y&district=Dhaka").get_data(as_text=True)
    assert "Alpha Centre" in html and "Beta Centre" not in html
    assert "Open now" in html
    html = client.get("/clinics?attribute=female_provider").get_data(as_text=True)
    assert "Alpha Centre" in html and "Beta Centre" not in html
    html = client.get("/clinics?district=Sylhet").get_data(as_text=True)
    assert "Beta Centre" in html and "Alpha Centre" not in html


def test_near_shows_distances(client, login_as, centres):
    login_as("peer_educator")
    html = client.get(f"/clinics?lat={DHAKA_POINT[0]}&lon={DHAKA_POINT[1] + 0.1}").get_data(
        as_text=True
    )
    assert re.search(r"10\.\d km", html)


def test_location_button_is_an_external_script(client, login_as, centres):
    login_as("peer_educator")
    html = client.get("/clinics").get_data(as_text=True)
    script = re.search(r'<script src="(/static/js/clinics-location\.[0-9a-f]{12}\.js)"', html)
    assert script  # under its content-hashed name (core.assets)
    assert "<script>" not in html and "onclick" not in html
    assert 'id="use-location"' in html and "hidden" in html  # shown only by the script
    assert client.get(script.group(1)).status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("service=astrology", "Unknown service"),
        ("district=Atlantis", "Unknown district"),
        ("attribute=cheap", "Unknown attribute"),
        ("open_at=someday", "Not a date-time"),
        ("lat=23.8", "Not a point"),
        ("lat=95&lon=90", "inside Bangladesh"),
    ],
)
def test_bad_search_is_a_form_error(client, login_as, catalogue, query, message):
    login_as("peer_educator")
    response = client.get(f"/clinics?{query}")
    assert response.status_code == 400
    assert any(message in e for e in errors(response.get_data(as_text=True)))


def test_pagination_links_keep_the_filters(client, login_as, clinic):
    for n in range(23):
        clinic(name=f"Paged {n:02d}", services=["sti"])
    login_as("peer_educator")
    html = client.get("/clinics?service=sti").get_data(as_text=True)
    assert "Page 1 of 2" in html
    assert re.search(r'href="/clinics\?[^"]*page=2[^"]*service=sti|service=sti[^"]*page=2', html)


def test_detail_page(client, login_as, centres):
    login_as("peer_educator")
    html = client.get(f"/clinics/{centres[0].id}").get_data(as_text=True)
    assert "Open now" in html
    assert "openstreetmap.org/?mlat=23.7806" in html
    assert "Walk-in" in html and "Female provider" in html
    assert "Fewer than 5 reports" in html
    assert "Edit this clinic" not in html
    assert client.get("/clinics/99999").status_code == 404


def test_admin_edits_a_clinic(client, login_as, centres):
    login_as("admin")
    alpha = centres[0]
    page = client.get(f"/clinics/{alpha.id}/edit").get_data(as_text=True)
    assert 'value="00:00-24:00"' in page
    form = {
        "name": "Alpha Renamed",
        "sms_alias": "Alpha Point",
        "district": "Dhaka",
        "latitude": "23.78",
        "longitude": "90.40",
        "services": ["prep", "art"],
        "attributes": ["walk_in"],
        "status": "active",
        "hours_fri": "20:00-02:00",
        "hours_mon": "09:00-13:00, 14:00-17:00",
    }
    response = client.post(f"/clinics/{alpha.id}/edit", data=form)
    assert response.status_code == 302
    db.session.expire_all()
    alpha = db.session.get(Clinic, alpha.id)
    assert alpha.name == "Alpha Renamed"
    assert alpha.service_codes == ["art", "prep"]
    assert alpha.hours["fri"] == [["20:00", "02:00"]]
    assert alpha.hours["mon"] == [["09:00", "13:00"], ["14:00", "17:00"]]
    assert alpha.hours["tue"] == []


def test_edit_form_errors(client, login_as, centres):
    login_as("admin")
    alpha = centres[0]
    base = {"name": "Alpha", "sms_alias": "Alpha Point", "district": "Dhaka", "status": "active"}
    for extra, message in (
        ({"hours_mon": "09:00-13:00, 12:00-17:00"}, "overlaps"),
        ({"hours_tue": "nine to five"}, "START-END"),
        ({"latitude": "40", "longitude": "90"}, "inside Bangladesh"),
        ({"sms_alias": "HIV Point"}, "no health words"),
    ):
        response = client.post(f"/clinics/{alpha.id}/edit", data={**base, **extra})
        assert response.status_code == 200
        assert any(message in e for e in errors(response.get_data(as_text=True))), extra
    db.session.expire_all()
    assert db.session.get(Clinic, alpha.id).name == "Alpha Centre"


def test_admin_adds_a_clinic(client, login_as, catalogue):
    login_as("admin")
    assert client.get("/clinics/new").status_code == 200
    response = client.post(
        "/clinics/new",
        data={
            "name": "Delta Centre",
            "sms_alias": "Delta Point",
            "district": "Khulna",
            "services": ["sti"],
            "status": "active",
            "hours_sat": "10:00-16:00",
            "verified": "y",
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(sa.select(Clinic).where(Clinic.name == "Delta Centre"))
    assert created.verified_at is not None and created.hours["sat"] == [["10:00", "16:00"]]


def test_partner_corrects_own_hours_and_phone_only(client, login_as, centres):
    own, other = centres
    login_as("clinic_partner", clinic_id=own.id)
    page = client.get(f"/clinics/{own.id}/edit").get_data(as_text=True)
    assert 'name="phone"' in page and 'name="name"' not in page
    response = client.post(
        f"/clinics/{own.id}/edit",
        data={"phone": "01711-222333", "hours_sun": "08:00-12:00", "name": "Hijacked"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    own = db.session.get(Clinic, own.id)
    assert own.phone == "+8801711222333" and own.name == "Alpha Centre"
    assert own.hours["sun"] == [["08:00", "12:00"]] and own.hours["mon"] == []
    assert client.get(f"/clinics/{other.id}/edit").status_code == 404
    assert client.post(f"/clinics/{other.id}/edit", data={"phone": "1"}).status_code == 404
    assert "Correct the hours and phone" in client.get(f"/clinics/{own.id}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["peer_educator", "viewer"])
def test_others_may_not_edit(client, login_as, centres, role):
    login_as(role)
    assert client.get(f"/clinics/{centres[0].id}/edit").status_code == 403
    assert client.get("/clinics/new").status_code == 403
    assert client.get("/admin/clinics/import").status_code == 403


def test_feedback_flow(client, login_as, make_user, centres):
    alpha = centres[0]
    login_as("peer_educator")
    today = utcnow().date().isoformat()
    for n in range(5):
        response = client.post(
            f"/clinics/{alpha.id}/feedback/new",
            data={
                "visited_on": today,
                "respectful": "yes" if n else "no",
                "waiting_minutes": "20",
                "comment": "asked for ID",
            },
        )
        assert response.status_code == 302
    html = client.get(f"/clinics/{alpha.id}").get_data(as_text=True)
    assert "80% treated with respect (5 reports)" in html
    assert client.get(f"/clinics/{alpha.id}/feedback").status_code == 403
    response = client.post(f"/clinics/{alpha.id}/feedback/new", data={"visited_on": today})
    assert response.status_code == 200 and errors(response.get_data(as_text=True))
    assert db.session.scalar(sa.select(sa.func.count(ClinicFeedback.id))) == 5


def test_admin_reads_feedback(client, login_as, centres, make_user):
    from clinics.services import record_feedback

    record_feedback(
        centres[0].id,
        make_user("peer_educator"),
        visited_on=utcnow().date(),
        respectful=False,
        comment="made to wait",
    )
    db.session.commit()
    login_as("admin")
    assert "made to wait" in client.get(f"/clinics/{centres[0].id}/feedback").get_data(as_text=True)


def test_clinic_partner_may_not_record_feedback(client, login_as, centres):
    login_as("clinic_partner", clinic_id=centres[0].id)
    assert client.get(f"/clinics/{centres[0].id}/feedback/new").status_code == 403


def test_unverified_list_and_verify(client, login_as, centres):
    stale = centres[1]
    stale.verified_at = utcnow() - timedelta(days=200)
    db.session.commit()
    login_as("admin")
    html = client.get("/admin/clinics/unverified").get_data(as_text=True)
    assert "Beta Centre" in html and "Alpha Centre" not in html
    assert "Clinics not verified for 180 days" in client.get("/admin").get_data(as_text=True)
    response = client.post(
        f"/clinics/{stale.id}/verify", data={"next": "/admin/clinics/unverified"}
    )
    assert response.status_code == 302
    assert "Beta Centre" not in client.get("/admin/clinics/unverified").get_data(as_text=True)


def test_import_page_all_or_nothing(client, login_as, catalogue):
    login_as("admin")
    csv_text = (
        "name,sms_alias,district,services,hours\n"
        "Good Centre,Good Point,Dhaka,sti,mon=09:00-17:00\n"
        "Bad Centre,Bad Point,Atlantis,sti,mon=09:00-17:00\n"
    )
    response = client.post(
        "/admin/clinics/import",
        data={"file": (io.BytesIO(csv_text.encode()), "clinics.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "line 3: district" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 0
    response = client.post(
        "/admin/clinics/import",
        data={"file": (io.BytesIO(csv_text.encode()), "clinics.csv"), "skip_invalid": "y"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "line 3: district" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(Clinic.name)).all() == ["Good Centre"]


def test_export_download(client, login_as, centres):
    login_as("admin")
    response = client.get("/admin/clinics/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("id,name,sms_alias,district")


def test_services_admin_page(client, login_as, catalogue):
    login_as("admin")
    assert "hiv_testing" in client.get("/admin/services").get_data(as_text=True)
    response = client.post(
        "/admin/services", data={"code": "hepatitis_b", "name_en": "Hep B", "name_bn": "হেপ বি"}
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/services", data={"code": "hepatitis_b", "name_en": "Hep B", "name_bn": "হেপ বি"}
    )
    assert "Already exists" in response.get_data(as_text=True)
    client.post("/admin/services/prep/toggle")
    from clinics.services import get_services

    assert "prep" not in {s.code for s in get_services()}


def test_admins_may_list_inactive_clinics_and_see_flags(client, login_as, clinic):
    clinic(name="Sleeping Centre", status="inactive")
    stale = clinic(name="Stale Centre")
    stale.verified_at = utcnow() - timedelta(days=181)
    db.session.commit()
    login_as("admin")
    html = client.get("/clinics").get_data(as_text=True)
    assert "Sleeping Centre" not in html and "Needs verification" in html
    html = client.get("/clinics?inactive=y").get_data(as_text=True)
    assert "Sleeping Centre" in html and "Inactive" in html


def test_others_never_list_inactive_clinics(client, login_as, clinic):
    clinic(name="Sleeping Centre", status="inactive")
    login_as("peer_educator")
    html = client.get("/clinics?inactive=y").get_data(as_text=True)
    assert "Sleeping Centre" not in html and "Include inactive" not in html


def test_export_download_quotes_formulas(client, login_as, clinic):
    clinic(name="=HYPERLINK(1)", sms_alias="Kadam Ghar", address="+1 Road")
    login_as("admin")
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/clinics/export.csv").text)))
    assert (rows[0]["name"], rows[0]["address"]) == ("'=HYPERLINK(1)", "'+1 Road")
