"""a user's own district

Revision ID: 7e5b4a3d6c05
Revises: 6d4a3f2c5b04
Create Date: 2026-12-04 18:30:00

PLACEHOLDER: filled in by the owner of this revision (issue 11).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "7e5b4a3d6c05"
down_revision = "6d4a3f2c5b04"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
