"""seed the service catalogue and follow-up rules

Revision ID: 4b2e1d0a3f02
Revises: 3a1f0c9d2e01
Create Date: 2026-11-29 11:00:01

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '4b2e1d0a3f02'
down_revision = '3a1f0c9d2e01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
