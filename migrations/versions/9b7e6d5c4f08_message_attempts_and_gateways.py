"""message attempts and gateway states (routing between SMS gateways)

Revision ID: 9b7e6d5c4f08
Revises: 8a6c5b4e7d06
Create Date: 2026-12-04 18:30:00

PLACEHOLDER: filled in by the owner of this revision (issue 12).
"""

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = "9b7e6d5c4f08"
down_revision = "8a6c5b4e7d06"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
