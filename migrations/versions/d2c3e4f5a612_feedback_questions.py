"""the clinic feedback's three optional questions: asked for ID, charged, kept private

Revision ID: d2c3e4f5a612
Revises: c1b2d3e4f511
Create Date: 2026-12-04 21:30:00

`clinic_feedback.asked_for_id`, `charged` and `kept_private`: nullable booleans (null: the
question was not asked; every report recorded before this revision). SQLite adds them in batch
mode like the other revisions; downgrade drops them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2c3e4f5a612"
down_revision = "c1b2d3e4f511"
branch_labels = None
depends_on = None

QUESTIONS = ("asked_for_id", "charged", "kept_private")


def upgrade():
    with op.batch_alter_table("clinic_feedback", schema=None) as batch_op:
        for name in QUESTIONS:
            batch_op.add_column(sa.Column(name, sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("clinic_feedback", schema=None) as batch_op:
        for name in reversed(QUESTIONS):
            batch_op.drop_column(name)
