"""contact alert consent and district, the safety_alert message kind

Revision ID: c1b2d3e4f511
Revises: b0a1c2d3e410
Create Date: 2026-12-04 21:30:00

`contacts.district`: the district a member works in (one of clinics.reference.DISTRICTS, set by
referrals); `contacts.alert_consent` with `alert_consent_at` and `alert_consent_by_id`: her own
consent to safety alerts, with when and who asked her. Existing members start without consent and
without a district (DESIGN.md), so an alert reaches only those asked since.
`outbox_messages.kind` gains `safety_alert` (its CHECK constraint is widened; SQLite rebuilds the
table in batch mode). Downgrade deletes the safety_alert messages (and their attempts) first, as
the narrower constraint cannot hold them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c1b2d3e4f511"
down_revision = "b0a1c2d3e410"
branch_labels = None
depends_on = None

OLD_KINDS = (
    "referral_created",
    "appointment_changed",
    "reminder_24h",
    "reminder_2h",
    "missed_appointment",
    "follow_up_due",
)
NEW_KINDS = (*OLD_KINDS, "safety_alert")
CHECK = "ck_outbox_messages_message_kind"


def _kind_check(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _widen(kinds):
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.create_check_constraint(op.f(CHECK), _kind_check(kinds))


def upgrade():
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("alert_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("alert_consent_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("alert_consent_by_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_contacts_district"), ["district"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_contacts_alert_consent_by_id_users"),
            "users",
            ["alert_consent_by_id"],
            ["id"],
        )
    _widen(NEW_KINDS)


def downgrade():
    op.execute(
        sa.text(
            "DELETE FROM message_attempts WHERE message_id IN "
            "(SELECT id FROM outbox_messages WHERE kind = 'safety_alert')"
        )
    )
    op.execute(sa.text("DELETE FROM outbox_messages WHERE kind = 'safety_alert'"))
    _widen(OLD_KINDS)
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_contacts_alert_consent_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_contacts_district"))
        batch_op.drop_column("alert_consent_by_id")
        batch_op.drop_column("alert_consent_at")
        batch_op.drop_column("alert_consent")
        batch_op.drop_column("district")
