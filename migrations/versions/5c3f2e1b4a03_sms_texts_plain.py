"""sms texts: plain text with named placeholders, one per variant

Revision ID: 5c3f2e1b4a03
Revises: 4b2e1d0a3f02
Create Date: 2026-12-04 18:30:00

PLACEHOLDER: filled in by the owner of this revision (issue 11).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "5c3f2e1b4a03"
down_revision = "4b2e1d0a3f02"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
