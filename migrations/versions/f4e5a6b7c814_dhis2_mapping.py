"""the DHIS2 mapping admins edit (issue 14)

Revision ID: f4e5a6b7c814
Revises: e3d4f5a6b713
Create Date: 2026-12-04 22:30:00

One row per mapped data set, measure (data element), service (category option combo), district
or clinic (organisation unit) and its DHIS2 UID; the config's DHIS2_MAPPING fills what is not here.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f4e5a6b7c814"
down_revision = "e3d4f5a6b713"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dhis2_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("uid", sa.String(length=11), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dhis2_mappings")),
        sa.UniqueConstraint("kind", "key", name=op.f("uq_dhis2_mappings_kind")),
    )


def downgrade():
    op.drop_table("dhis2_mappings")
