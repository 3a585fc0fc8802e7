"""indexes that serve the reports at a million referrals

Revision ID: a5f6b7c8d915
Revises: f4e5a6b7c814
Create Date: 2026-12-04 23:10:00

Issue 14 (bench/reports.py): the reports' per-referral and per-message lookups become index-only
probes. The cascade's "ever scheduled" asks referral_events by (referral_id, to_status) and its
"follow-up done" asks follow_ups by (referral_id, status, service_code); the SMS effect asks a
referral's reminders by (subject, kind, status, delivered_at); the delivery report's "gateway of
the last attempt" reads (message_id, number, gateway). The single-column indexes these extend
stay (their foreign keys and other queries use them).
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "a5f6b7c8d915"
down_revision = "f4e5a6b7c814"
branch_labels = None
depends_on = None

INDEXES = (
    ("referral_events", "ix_referral_events_referral_status", ["referral_id", "to_status"]),
    ("follow_ups", "ix_follow_ups_referral_status", ["referral_id", "status", "service_code"]),
    (
        "outbox_messages",
        "ix_outbox_subject_kind_status",
        ["subject", "kind", "status", "delivered_at"],
    ),
    ("message_attempts", "ix_message_attempts_last", ["message_id", "number", "gateway"]),
)


def upgrade():
    for table, name, columns in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    for table, name, _columns in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(name)
