"""the report summary: counts per local day and month that the reports read

Revision ID: b6a7c8d9ea16
Revises: a5f6b7c8d915
Create Date: 2026-12-05 01:40:00

Issue 14: every report within 3x a count(*) of the referrals at a million referrals. The
summary is filled by `flask reports refresh --all` or the scheduler's `reports.summary` job
(reports/summary/refresh.py), not here: a migration of a large database should not wait on it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b6a7c8d9ea16"
down_revision = "a5f6b7c8d915"
branch_labels = None
depends_on = None


def _period():
    return [
        sa.Column("grain", sa.String(8), primary_key=True),
        sa.Column("period", sa.Date(), primary_key=True),
    ]


def upgrade():
    op.create_table(
        "report_referral_counts",
        sa.Column("dimension", sa.String(16), primary_key=True),
        *_period(),
        sa.Column("gkey", sa.String(64), primary_key=True),
        *(
            sa.Column(name, sa.Integer(), nullable=False)
            for name in ("referred", "scheduled", "attended", "linked_to_care", "follow_up_done")
        ),
    )
    op.create_table(
        "report_reminder_arms",
        *_period(),
        sa.Column("clinic_id", sa.Integer(), primary_key=True),
        sa.Column("arm", sa.String(24), primary_key=True),
        sa.Column("referred", sa.Integer(), nullable=False),
        sa.Column("attended", sa.Integer(), nullable=False),
    )
    op.create_table(
        "report_value_counts",
        sa.Column("measure", sa.String(24), primary_key=True),
        sa.Column("dimension", sa.String(16), primary_key=True),
        *_period(),
        sa.Column("gkey", sa.String(64), primary_key=True),
        sa.Column("value", sa.Integer(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_table(
        "report_message_counts",
        *_period(),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("gateway", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), primary_key=True),
        sa.Column("error_code", sa.String(32), primary_key=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
    )
    state = op.create_table(
        "report_summary_state",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rebuilt_at", sa.DateTime(timezone=True), nullable=True),
    )
    # The row refreshes lock (reports/summary/refresh.py), there before the first one.
    op.bulk_insert(state, [{"name": "reports"}])


def downgrade():
    for table in (
        "report_summary_state",
        "report_message_counts",
        "report_value_counts",
        "report_reminder_arms",
        "report_referral_counts",
    ):
        op.drop_table(table)
