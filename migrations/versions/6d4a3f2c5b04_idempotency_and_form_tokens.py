"""idempotency keys of the API and one-time tokens of page forms

Revision ID: 6d4a3f2c5b04
Revises: 5c3f2e1b4a03
Create Date: 2026-12-04 18:30:00

PLACEHOLDER: filled in by the owner of this revision (issue 11).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "6d4a3f2c5b04"
down_revision = "5c3f2e1b4a03"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
