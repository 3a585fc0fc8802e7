"""a user's own district; the trace outcome an event records

Revision ID: 7e5b4a3d6c05
Revises: 6d4a3f2c5b04
Create Date: 2026-12-04 18:30:00

`users.district`: the district a peer educator works in (step 3 of a new referral starts there);
one of clinics.reference.DISTRICTS, checked by the accounts service, NULL when not set.
`referral_events.trace_outcome`: the outcome of tracing a missed appointment, so every outcome
is in the referral's history (a `missed -> missed` event, or `missed -> scheduled` when she was
given a new time); NULL for every other event.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7e5b4a3d6c05"
down_revision = "6d4a3f2c5b04"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("district", sa.String(length=40), nullable=True))
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trace_outcome", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("referral_events", schema=None) as batch_op:
        batch_op.drop_column("trace_outcome")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("district")
