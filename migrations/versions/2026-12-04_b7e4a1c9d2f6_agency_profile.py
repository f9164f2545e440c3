"""agency profile: the name, parent body, seat and signers printed on documents

One row (id 1), edited by an administrator; until it exists, documents print the defaults.

Revision ID: b7e4a1c9d2f6
Revises: 59d303e60832
Create Date: 2026-12-04 10:00:00

"""

from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = "b7e4a1c9d2f6"
down_revision = "59d303e60832"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agency_profile",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agency_name", sa.String(length=200), nullable=False),
        sa.Column("parent_body", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=100), nullable=False),
        sa.Column("preparer_title", sa.String(length=100), nullable=False),
        sa.Column("preparer_name", sa.String(length=100), nullable=False),
        sa.Column("head_title", sa.String(length=100), nullable=False),
        sa.Column("head_name", sa.String(length=100), nullable=False),
        sa.Column("updated_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_agency_profile_single_row")),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["person.id"], name=op.f("fk_agency_profile_updated_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_profile")),
    )


def downgrade():
    op.drop_table("agency_profile")
