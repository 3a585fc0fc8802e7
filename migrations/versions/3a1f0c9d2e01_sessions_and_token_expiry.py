"""server-side sign-in sessions, API token expiry

Revision ID: 3a1f0c9d2e01
Revises: 2b021653b299
Create Date: 2026-11-29 11:00:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '3a1f0c9d2e01'
down_revision = '2b021653b299'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
