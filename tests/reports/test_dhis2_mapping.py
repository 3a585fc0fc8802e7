"""The DHIS2 mapping admins edit on /admin/dhis2 (validation, roles, audit, Bangla) and the
document it gives: one value per org unit, data element and category option combo."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinics.reference import DISTRICTS
from core.audit import AuditEvent
from core.errors import Forbidden, ValidationFailed
from core.extensions import db
from reports import dhis2_mapping, services
from reports.dhis2_models import Dhis2Mapping
from tests.support import factories
from tests.support.clock import dhaka
from tests.support.reports import summarise
from tests.support.visible_text import problems, raw_codes, typed_data

PAGE = "/admin/dhis2"
DHAKA_FIELD = f"ou_d_{DISTRICTS.index('Dhaka')}"
KHULNA_FIELD = f"ou_d_{DISTRICTS.index('Khulna')}"


def _stored():
    return {(r.kind, r.key): r.uid for r in db.session.scalars(sa.select(Dhis2Mapping))}


def test_admin_saves_the_mapping_and_a_blank_field_falls_back_to_the_config(
    client, login_as, world
):
    login_as("admin")
    data = {
        "data_set": "DsNational1",
        "de_referred": "DeReferred1",
        DHAKA_FIELD: "OuDhakaDist",
        f"ou_c_{world['b'].id}": "OuBetaClin1",
    }
    response = client.post(PAGE, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _stored() == {
        ("data_set", ""): "DsNational1",
        ("data_element", "referred"): "DeReferred1",
        ("district", "Dhaka"): "OuDhakaDist",
        ("clinic", str(world["b"].id)): "OuBetaClin1",
    }
    html = client.get(PAGE).get_data(as_text=True)
    assert 'value="OuDhakaDist"' in html and 'placeholder="HARCatt0001"' in html
    with client.application.test_request_context():
        effective = dhis2_mapping.mapping()
    assert effective["dataSet"] == "DsNational1"
    assert effective["dataElements"] == {
        "referred": "DeReferred1",
        "attended": "HARCatt0001",
        "linked_to_care": "HARClnk0001",
    }
    assert effective["districts"] == {"Dhaka": "OuDhakaDist"}
    assert effective["clinics"] == {world["b"].id: "OuBetaClin1"}
    # Emptying the data set's field removes the stored UID: the config's is used again.
    assert client.post(PAGE, data={**data, "data_set": ""}).status_code == 302
    assert ("data_set", "") not in _stored()
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "dhis2.mapping").order_by(AuditEvent.id)
    ).all()
    assert len(events) == 2
    assert {"kind": "district", "key": "Dhaka", "from": None, "to": "OuDhakaDist"} in (
        events[0].details["changes"]
    )
    assert events[1].details["changes"] == [
        {"kind": "data_set", "key": "", "from": "DsNational1", "to": None}
    ]


@pytest.mark.parametrize(
    "uid", ["1bcdefghijk", "Abcdefghij", "Abcdefghijkl", "Abcde-ghijk", "Abcdéfghijk"]
)
def test_a_uid_not_shaped_like_dhis2s_is_refused_on_its_field(client, login_as, world, uid):
    login_as("admin")
    response = client.post(PAGE, data={"de_attended": uid, DHAKA_FIELD: "OuDhakaDist"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "A DHIS2 ID is 11 letters and digits, starting with a letter." in html
    assert _stored() == {}


def test_the_service_checks_uids_keys_and_the_role(app, world, make_user):
    with pytest.raises(ValidationFailed) as bad:
        dhis2_mapping.save_mapping({("district", "Dhaka"): "0bad"}, world["admin"])
    assert "district__Dhaka" in bad.value.fields
    with pytest.raises(ValidationFailed) as unknown:
        dhis2_mapping.save_mapping({("district", "Atlantis"): "OuAtlantis1"}, world["admin"])
    assert "district__Atlantis" in unknown.value.fields
    with pytest.raises(ValidationFailed):
        dhis2_mapping.save_mapping({("clinic", "999999"): "OuNowhere01"}, world["admin"])
    with pytest.raises(Forbidden):
        dhis2_mapping.save_mapping({("district", "Dhaka"): "OuDhakaDist"}, make_user("viewer"))
    assert _stored() == {}


@pytest.mark.parametrize("role", ["viewer", "peer_educator", "clinic_partner"])
def test_only_admins_reach_the_dhis2_page(client, login_as, world, role):
    login_as(role)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, data={DHAKA_FIELD: "OuDhakaDist"}).status_code == 403
    assert client.post(PAGE + "/push", data={"period": "2026-11"}).status_code == 403
    assert _stored() == {}


def test_the_admin_home_and_reports_link_to_the_dhis2_page(client, login_as):
    login_as("admin")
    assert f'href="{PAGE}"' in client.get("/admin").get_data(as_text=True)
    assert f'href="{PAGE}"' in client.get("/reports").get_data(as_text=True)


def test_a_viewers_reports_page_has_no_link_to_it(client, login_as):
    login_as("viewer")
    assert f'href="{PAGE}"' not in client.get("/reports").get_data(as_text=True)


def test_the_bangla_page_speaks_bangla(app, client, login_as, world):
    from clinics.models import Service

    for service in db.session.scalars(sa.select(Service)):  # the world names them by their codes
        service.name_bn = {"hiv_testing": "এইচআইভি পরীক্ষা", "prep": "প্রেপ"}.get(
            service.code, "যৌনরোগ"
        )
    db.session.commit()
    login_as("admin", language="bn")
    html = client.get(PAGE).get_data(as_text=True)
    assert problems(html, bangla=True, codes=raw_codes(app), data=typed_data()) == []
    bad = client.post(PAGE, data={DHAKA_FIELD: "0bad"}).get_data(as_text=True)
    assert "A DHIS2 ID is" not in bad
    assert problems(bad, bangla=True, codes=raw_codes(app), data=typed_data()) == []


# ---- the document per org unit -----------------------------------------------------------


@pytest.fixture
def mapped(app, world):
    """Clinic A has its own org unit; B goes to Khulna's; C and E (Dhaka) to Dhaka's; D (Sylhet)
    to none."""
    world["c"] = factories.make_clinic(name="Gamma Clinic", district="Dhaka", offering=("prep",))
    world["e"] = factories.make_clinic(name="Epsilon Clinic", district="Dhaka", offering=("prep",))
    world["d"] = factories.make_clinic(name="Delta Clinic", district="Sylhet", offering=("sti",))
    values = {
        ("clinic", str(world["a"].id)): "OuAlphaClin",
        ("district", "Khulna"): "OuKhulnaDis",
        ("district", "Dhaka"): "OuDhakaDist",
    }
    dhis2_mapping.save_mapping(values, world["admin"])
    db.session.commit()
    return world


def test_one_value_per_org_unit_element_and_combo(mapped, refer, make_user):
    day, hiv, prep = dhaka(2026, 11, 3), "HARCcoc0001", "HARCcoc0003"
    refer(created=day, clinic="a", services=("hiv_testing", "prep"), count=5)
    refer(created=day, clinic="a", services=("hiv_testing",), attend_after=timedelta(1), count=2)
    refer(created=day, clinic="b", services=("prep",), attend_after=timedelta(1), count=6)
    refer(created=day, clinic="c", services=("prep",), count=3)  # Dhaka's: 3 + 2 = 5
    refer(created=day, clinic="e", services=("prep",), count=2)
    refer(created=day, clinic="d", services=("sti",), count=7)  # no org unit
    refer(created=dhaka(2026, 12, 1), clinic="b", services=("prep",), count=5)  # December
    for reader in (mapped["admin"], make_user("viewer")):
        summarise()
        doc = services.dhis2_data_values("202611", reader)
        values = {
            (v["orgUnit"], v["dataElement"], v["categoryOptionCombo"]): v["value"]
            for v in doc["dataValues"]
        }
        assert values == {
            ("OuAlphaClin", "HARCref0001", hiv): "7",
            ("OuAlphaClin", "HARClnk0001", hiv): "0",
            ("OuAlphaClin", "HARCref0001", prep): "5",
            ("OuAlphaClin", "HARCatt0001", prep): "0",
            ("OuAlphaClin", "HARClnk0001", prep): "0",
            ("OuKhulnaDis", "HARCref0001", prep): "6",
            ("OuKhulnaDis", "HARCatt0001", prep): "6",
            ("OuKhulnaDis", "HARClnk0001", prep): "0",
            ("OuDhakaDist", "HARCref0001", prep): "5",  # two clinics of the district
            ("OuDhakaDist", "HARCatt0001", prep): "0",
            ("OuDhakaDist", "HARClnk0001", prep): "0",
        }
        # Clinic A's 2 attended HIV tests: left out, named without their value.
        assert doc["suppressed"] == [
            {"dataElement": "HARCatt0001", "categoryOptionCombo": hiv, "orgUnit": "OuAlphaClin"}
        ]
        assert doc["unmapped_clinics"] == [
            {"clinic_id": mapped["d"].id, "name": "Delta Clinic", "district": "Sylhet"}
        ]
        assert all(isinstance(v["value"], str) for v in doc["dataValues"])


def test_the_api_document_carries_the_org_unit_of_every_value(client, api_headers, mapped, refer):
    refer(created=dhaka(2026, 11, 3), clinic="b", services=("sti",), count=5)
    summarise()
    response = client.get("/api/v1/exports/dhis2?period=202611", headers=api_headers("viewer"))
    assert response.status_code == 200
    doc = response.get_json()
    assert "orgUnit" not in doc
    assert {v["orgUnit"] for v in doc["dataValues"]} == {"OuKhulnaDis"}
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "orgUnit" in schema["Dhis2Value"]["properties"]
    assert "unmapped_clinics" in schema["Dhis2DataValueSet"]["properties"]


def test_org_units_from_the_config_and_the_page_over_them(app, world, refer):
    app.config["DHIS2_MAPPING"] = json.dumps(
        {
            "orgUnits": {
                "districts": {"Dhaka": "OuCfgDhaka1"},
                "clinics": {world["b"].id: "OuCfgBeta01"},
            }
        }
    )
    refer(created=dhaka(2026, 11, 3), clinic="a", count=5)
    refer(created=dhaka(2026, 11, 3), clinic="b", count=5)

    def units():
        summarise()
        doc = services.dhis2_data_values("202611", world["admin"])
        return {v["orgUnit"] for v in doc["dataValues"]}

    assert units() == {"OuCfgDhaka1", "OuCfgBeta01"}
    dhis2_mapping.save_mapping({("district", "Dhaka"): "OuPageDhaka"}, world["admin"])
    assert units() == {"OuPageDhaka", "OuCfgBeta01"}
