"""webhook events seen (SMSGate webhooks are idempotent by their id)

Revision ID: ac8f7e6d5a09
Revises: 9b7e6d5c4f08
Create Date: 2026-12-04 18:30:00

PLACEHOLDER: filled in by the owner of this revision (issue 12).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "ac8f7e6d5a09"
down_revision = "9b7e6d5c4f08"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
