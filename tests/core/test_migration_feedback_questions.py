"""Revision d2c3e4f5a612: the clinic feedback's optional questions hold yes, no and "not asked"
on both databases, reports made before it read as not asked, and downgrade drops the columns
while the reports stay."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from core import create_app
from core.extensions import db
from tests.support.db import base_config

BEFORE = "c1b2d3e4f511"
QUESTIONS = ("asked_for_id", "charged", "kept_private")


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(db.engine).get_columns("clinic_feedback")}


def test_every_answer_survives_the_round_trip(empty_database, tmp_path):
    app = create_app(base_config(empty_database, str(tmp_path / "instance")))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            connection.execute(
                sa.text(
                    "INSERT INTO clinics (id, name, sms_alias, district, area, address, hours, "
                    "free_of_charge, no_id_required, female_provider, kp_trained_staff, "
                    "night_hours, walk_in, private_entrance, status, created_at, updated_at) "
                    "VALUES (1, 'Alpha', 'Alpha', 'Dhaka', '', '', '{}', false, false, false, "
                    "false, false, false, false, 'active', :now, :now)"
                ),
                {"now": "2026-11-01 00:00:00"},
            )
            insert = sa.text(
                "INSERT INTO clinic_feedback (clinic_id, visited_on, respectful, "
                "refused_service, created_at) VALUES (1, :day, true, false, :now)"
            )
            connection.execute(insert, {"day": date(2026, 10, 1), "now": "2026-11-01 00:00:00"})
        assert not set(QUESTIONS) & _columns()
        upgrade()
        table = sa.Table("clinic_feedback", sa.MetaData(), autoload_with=db.engine)
        values = (True, False, None)
        with db.engine.begin() as connection:
            for value in values:
                connection.execute(
                    table.insert().values(
                        clinic_id=1, visited_on=date(2026, 10, 2), respectful=True,
                        refused_service=False, created_at=sa.func.now(),
                        **dict.fromkeys(QUESTIONS, value),
                    )
                )  # fmt: skip
            read = connection.execute(
                sa.select(*(table.c[q] for q in QUESTIONS)).order_by(table.c.id)
            ).all()
        # The report from before the revision was not asked; then yes, no, not asked.
        assert [tuple(r) for r in read] == [(None,) * 3, *((v,) * 3 for v in values)]
        downgrade(revision=BEFORE)
        assert not set(QUESTIONS) & _columns()
        with db.engine.connect() as connection:
            count = connection.execute(sa.text("SELECT count(*) FROM clinic_feedback")).scalar()
        assert count == 4  # the reports stay; only the answers go
        upgrade()
        assert set(QUESTIONS) <= _columns()
        db.engine.dispose()
