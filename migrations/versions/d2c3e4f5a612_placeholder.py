"""spare revision for issue 13 (filled if a helper needs a schema change)

Revision ID: d2c3e4f5a612
Revises: c1b2d3e4f511
Create Date: 2026-12-04 21:30:00
"""

# revision identifiers, used by Alembic.
revision = "d2c3e4f5a612"
down_revision = "c1b2d3e4f511"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
