"""nomination lists and snapshots

Revision ID: 6a3f1c2d9e03
Revises: 6a3f1c2d9e02
Create Date: 2026-11-28 00:00:00

"""

from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = "6a3f1c2d9e03"
down_revision = "6a3f1c2d9e02"
branch_labels = None
depends_on = None

# The same defaults as lms.nominations.services.DEFAULT_FORMS, written out: a migration must not
# change when the code does.
DEFAULT_FORMS = (
    "Giấy khen của Giám đốc Sở",
    "Bằng khen của Chủ tịch UBND tỉnh",
    "Biểu dương",
)


def upgrade():
    form = op.create_table(
        "commendation_form",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commendation_form")),
        sa.UniqueConstraint("name", name=op.f("uq_commendation_form_name")),
    )
    op.create_table(
        "nomination_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("criteria_set_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("refreshed_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_nomination_list_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["criteria_set_id"],
            ["criteria_set.id"],
            name=op.f("fk_nomination_list_criteria_set_id_criteria_set"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_nomination_list_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_list")),
    )
    with op.batch_alter_table("nomination_list", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_list_criteria_set_id"), ["criteria_set_id"], unique=False
        )

    op.create_table(
        "nomination_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit_name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("is_summary_edited", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("is_passing", sa.Boolean(), nullable=False),
        sa.Column("removed_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.Integer(), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["commendation_form.id"],
            name=op.f("fk_nomination_entry_form_id_commendation_form"),
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["nomination_list.id"],
            name=op.f("fk_nomination_entry_list_id_nomination_list"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_nomination_entry_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"], ["person.id"], name=op.f("fk_nomination_entry_removed_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_nomination_entry_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_entry")),
        sa.UniqueConstraint(
            "list_id", "person_id", name=op.f("uq_nomination_entry_list_id_person_id")
        ),
    )
    with op.batch_alter_table("nomination_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nomination_entry_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "nomination_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("frozen_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["frozen_by_id"], ["person.id"], name=op.f("fk_nomination_snapshot_frozen_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["nomination_list.id"],
            name=op.f("fk_nomination_snapshot_list_id_nomination_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nomination_snapshot")),
        sa.UniqueConstraint("list_id", name=op.f("uq_nomination_snapshot_list_id")),
    )
    op.bulk_insert(
        form,
        [
            {"name": name, "position": position, "is_active": True}
            for position, name in enumerate(DEFAULT_FORMS, start=1)
        ],
    )


def downgrade():
    op.drop_table("nomination_snapshot")
    with op.batch_alter_table("nomination_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_entry_person_id"))

    op.drop_table("nomination_entry")
    with op.batch_alter_table("nomination_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nomination_list_criteria_set_id"))

    op.drop_table("nomination_list")
    op.drop_table("commendation_form")
