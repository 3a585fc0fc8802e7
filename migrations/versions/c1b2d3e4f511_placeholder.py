"""contact alert consent and district, the safety_alert message kind

Revision ID: c1b2d3e4f511
Revises: b0a1c2d3e410
Create Date: 2026-12-04 21:30:00
"""

# revision identifiers, used by Alembic.
revision = "c1b2d3e4f511"
down_revision = "b0a1c2d3e410"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
