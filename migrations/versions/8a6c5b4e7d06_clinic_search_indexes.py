"""indexes that serve the clinic search

Revision ID: 8a6c5b4e7d06
Revises: 7e5b4a3d6c05
Create Date: 2026-12-04 18:30:00

PLACEHOLDER: filled in by the owner of this revision (issue 11).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "8a6c5b4e7d06"
down_revision = "7e5b4a3d6c05"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
