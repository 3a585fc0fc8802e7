"""A fresh install: `flask db upgrade` alone seeds the service catalogue and the follow-up rules,
so the first `clinics import` and `POST /api/v1/clinics` work; seeding inserts only what is
missing and never overwrites what admins changed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from clinics.models import Service
from clinics.reference import DEFAULT_SERVICES
from core import create_app
from core.extensions import db
from referrals.models import FollowUpRule
from referrals.services.followups import DEFAULT_RULES
from tests.support.db import PASSWORD, base_config


@pytest.fixture
def migrated(empty_database, tmp_path):
    """An app on a database of its own, built by the migrations alone (as `flask db upgrade`)."""
    app = create_app(base_config(empty_database, str(tmp_path / "instance")))
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def catalogue() -> list[tuple[str, str, str, bool]]:
    db.session.expire_all()
    query = sa.select(Service).order_by(Service.sort_order, Service.code)
    return [(s.code, s.name_en, s.name_bn, s.active) for s in db.session.scalars(query)]


def rules() -> dict[str, tuple[int, int | None, bool]]:
    db.session.expire_all()
    return {
        r.service_code: (r.first_after_days, r.repeat_every_days, r.active)
        for r in db.session.scalars(sa.select(FollowUpRule))
    }


def test_upgrade_seeds_the_catalogue_and_the_follow_up_rules(migrated):
    # The migration's snapshot was copied from the seed code; a new default needs a new migration.
    assert catalogue() == [(code, en, bn, True) for code, en, bn in DEFAULT_SERVICES]
    assert rules() == {code: (*days, True) for code, days in DEFAULT_RULES.items()}


def test_seeding_again_adds_only_what_is_missing_and_keeps_admins_changes(migrated):
    service = db.session.get(Service, "prep")
    service.name_en, service.active = "PrEP pills", False
    rule = db.session.scalar(sa.select(FollowUpRule).where(FollowUpRule.service_code == "art"))
    rule.first_after_days, rule.active = 60, False
    db.session.execute(sa.delete(FollowUpRule).where(FollowUpRule.service_code == "sti"))
    db.session.execute(sa.delete(Service).where(Service.code == "legal_aid"))
    db.session.commit()
    before = catalogue()
    downgrade(revision="3a1f0c9d2e01")  # leaves the rows (see the migration)
    assert catalogue() == before
    upgrade()
    upgrade()  # a second run changes nothing
    after = catalogue()
    assert ("prep", "PrEP pills", "প্রেপ (এইচআইভি প্রতিরোধের ওষুধ)", False) in after
    assert "legal_aid" in [code for code, *_ in after]
    assert len(after) == len(DEFAULT_SERVICES)
    assert rules()["art"] == (60, None, False)
    assert rules()["sti"] == (7, None, True)
    assert len(rules()) == len(DEFAULT_RULES)


def test_a_fresh_install_imports_clinics_and_creates_them_through_the_api(migrated, tmp_path):
    from accounts.services import create_user, issue_token

    path = tmp_path / "clinics.csv"
    path.write_text(
        "name,sms_alias,district,services,hours\n"
        "Shapla Centre,Shapla Ghar,Dhaka,hiv_testing;sti,mon=09:00-17:00\n",
        encoding="utf-8",
    )
    result = migrated.test_cli_runner().invoke(args=["clinics", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    admin = create_user(role="admin", email="admin@example.org", password=PASSWORD)
    token = issue_token(admin)
    db.session.commit()
    response = migrated.test_client().post(
        "/api/v1/clinics",
        json={"name": "Beli Centre", "sms_alias": "Beli Point", "district": "Sylhet",
              "services": ["hiv_testing", "prep"], "hours": {"sat": [["10:00", "16:00"]]}},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 201, response.json
    assert response.json["services"] == ["hiv_testing", "prep"]


def test_seed_demo_finds_the_catalogue_already_there(migrated):
    result = migrated.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "0 services added" in result.output
    assert len(catalogue()) == len(DEFAULT_SERVICES)
