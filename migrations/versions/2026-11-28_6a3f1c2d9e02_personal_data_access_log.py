"""personal data access log

Revision ID: 6a3f1c2d9e02
Revises: 6a3f1c2d9e01
Create Date: 2026-11-28 00:00:00

"""

import sqlalchemy as sa
from alembic import op

import lms.db

# revision identifiers, used by Alembic.
revision = "6a3f1c2d9e02"
down_revision = "6a3f1c2d9e01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("viewer_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("what", sa.String(length=80), nullable=False),
        sa.Column("scope", sa.String(length=300), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_access_log_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["viewer_id"], ["person.id"], name=op.f("fk_access_log_viewer_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_access_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_access_log_viewer_id"), ["viewer_id"], unique=False)


def downgrade():
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_log_viewer_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_person_id"))
        batch_op.drop_index(batch_op.f("ix_access_log_at"))

    op.drop_table("access_log")
