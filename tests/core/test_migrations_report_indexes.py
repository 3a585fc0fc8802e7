"""Revision a5f6b7c8d915 adds the reports' indexes and takes them away again (both databases)."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from core import create_app
from core.extensions import db
from tests.support.db import base_config

INDEXES = {
    "referral_events": ("ix_referral_events_referral_status", ["referral_id", "to_status"]),
    "follow_ups": ("ix_follow_ups_referral_status", ["referral_id", "status", "service_code"]),
    "outbox_messages": (
        "ix_outbox_subject_kind_status",
        ["subject", "kind", "status", "delivered_at"],
    ),
    "message_attempts": ("ix_message_attempts_last", ["message_id", "number", "gateway"]),
}


def _indexes(table: str) -> dict[str, list[str]]:
    inspector = sa.inspect(db.engine)
    return {ix["name"]: ix["column_names"] for ix in inspector.get_indexes(table)}


def test_report_indexes_up_and_down(empty_database, tmp_path):
    app = create_app(base_config(empty_database, str(tmp_path / "instance")))
    with app.app_context():
        upgrade(revision="a5f6b7c8d915")
        for table, (name, columns) in INDEXES.items():
            assert _indexes(table).get(name) == columns
        downgrade(revision="f4e5a6b7c814")
        for table, (name, _columns) in INDEXES.items():
            assert name not in _indexes(table)
            assert _indexes(table)  # the table's other indexes are still there
        upgrade()
        db.engine.dispose()
