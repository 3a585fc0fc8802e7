"""two-factor sign-in and the lock phrase (issue 15)

Revision ID: e3d4f5a6b713
Revises: d2c3e4f5a612
Create Date: 2026-12-04 21:55:00
"""

# revision identifiers, used by Alembic.
revision = "e3d4f5a6b713"
down_revision = "d2c3e4f5a612"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
