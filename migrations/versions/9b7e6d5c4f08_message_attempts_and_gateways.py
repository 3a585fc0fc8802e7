"""message attempts and gateway states (routing between SMS gateways)

Revision ID: 9b7e6d5c4f08
Revises: 8a6c5b4e7d06
Create Date: 2026-12-04 18:30:00

Issue 12: each try at sending a message is a row of its own (which gateway took it, our reference,
the gateway's id, its status); each gateway's health, today's count and last send are shared by
every dispatcher through gateway_states.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9b7e6d5c4f08"
down_revision = "8a6c5b4e7d06"
branch_labels = None
depends_on = None


ATTEMPT_STATUSES = ("sending", "unknown", "sent", "delivered", "undelivered", "failed", "cancelled")


def upgrade():
    op.create_table(
        "gateway_states",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_ping_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=255), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("sent_today", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("last_send_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_gateway_states")),
    )
    op.create_table(
        "message_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("gateway", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                *ATTEMPT_STATUSES,
                name="attempt_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("error_code", sa.String(length=16), nullable=True),
        sa.Column("error_message", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("final_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_messages.id"],
            name=op.f("fk_message_attempts_message_id_outbox_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attempts")),
        sa.UniqueConstraint("message_id", "number", name="uq_message_attempts_number"),
        sa.UniqueConstraint("reference", name=op.f("uq_message_attempts_reference")),
    )
    with op.batch_alter_table("message_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_attempts_gateway_created", ["gateway", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_message_attempts_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_message_attempts_provider_id"), ["provider_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("message_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_attempts_provider_id"))
        batch_op.drop_index(batch_op.f("ix_message_attempts_message_id"))
        batch_op.drop_index("ix_message_attempts_gateway_created")
    op.drop_table("message_attempts")
    op.drop_table("gateway_states")
