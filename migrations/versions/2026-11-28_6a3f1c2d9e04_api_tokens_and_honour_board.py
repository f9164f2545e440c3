"""api tokens and honour board

Revision ID: 6a3f1c2d9e04
Revises: 6a3f1c2d9e03
Create Date: 2026-11-28 00:00:00

"""

from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = "6a3f1c2d9e04"
down_revision = "6a3f1c2d9e03"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_api_token_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_person_id"), ["person_id"], unique=False)
    # -- honour board tables below --
    op.create_table(
        "honour_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("is_given", sa.Boolean(), nullable=False),
        sa.Column("at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_honour_consent_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honour_consent")),
    )
    with op.batch_alter_table("honour_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_honour_consent_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "honour_board",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column("published_at", lms.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_honour_board_period_in_order")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_honour_board_created_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honour_board")),
    )

    op.create_table(
        "honoured_person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("citation", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["honour_board.id"], name=op.f("fk_honoured_person_board_id_honour_board")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_honoured_person_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honoured_person")),
        sa.UniqueConstraint(
            "board_id", "person_id", name=op.f("uq_honoured_person_board_id_person_id")
        ),
    )
    with op.batch_alter_table("honoured_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_honoured_person_board_id"), ["board_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_honoured_person_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "honoured_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("citation", sa.String(length=500), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["board_id"], ["honour_board.id"], name=op.f("fk_honoured_unit_board_id_honour_board")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_honoured_unit_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_honoured_unit")),
        sa.UniqueConstraint("board_id", "unit_id", name=op.f("uq_honoured_unit_board_id_unit_id")),
    )
    with op.batch_alter_table("honoured_unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_honoured_unit_board_id"), ["board_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_honoured_unit_unit_id"), ["unit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("honoured_unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_honoured_unit_unit_id"))
        batch_op.drop_index(batch_op.f("ix_honoured_unit_board_id"))
    op.drop_table("honoured_unit")
    with op.batch_alter_table("honoured_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_honoured_person_person_id"))
        batch_op.drop_index(batch_op.f("ix_honoured_person_board_id"))
    op.drop_table("honoured_person")
    op.drop_table("honour_board")
    with op.batch_alter_table("honour_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_honour_consent_person_id"))
    op.drop_table("honour_consent")
    # -- honour board tables above --
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_person_id"))
    op.drop_table("api_token")
