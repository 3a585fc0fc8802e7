"""indexes that serve the clinic search

Revision ID: 8a6c5b4e7d06
Revises: 7e5b4a3d6c05
Create Date: 2026-12-04 18:30:00

The clinic search (issue 11): "offers this service" becomes an index-only scan of
(service_code, clinic_id), which replaces the index on service_code alone (its leading column
serves the foreign key as before); a district's active clinics come by name, and the search's
count of active clinics from (status, district, name, id) alone.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8a6c5b4e7d06"
down_revision = "7e5b4a3d6c05"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("clinic_services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clinic_services_service_clinic", ["service_code", "clinic_id"], unique=False
        )
        batch_op.drop_index("ix_clinic_services_service_code")
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clinics_status_district_name", ["status", "district", "name", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("clinics", schema=None) as batch_op:
        batch_op.drop_index("ix_clinics_status_district_name")
    with op.batch_alter_table("clinic_services", schema=None) as batch_op:
        batch_op.create_index("ix_clinic_services_service_code", ["service_code"], unique=False)
        batch_op.drop_index("ix_clinic_services_service_clinic")
