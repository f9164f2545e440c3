"""person_position: each person's position (chức vụ) with the day it took effect

A roster for a past period shows the position held then, so a change of position is a new row
from its effective day instead of an edit of person.position (which stays as today's value).
Everyone who has a position gets one row: valid from the start of their first membership, or
from the day they were created when they never belonged to a unit.

Revision ID: e9f1fd6f7d66
Revises: 8c3d5e7f9a10
Create Date: 2026-12-04 09:15:00

"""

import sqlalchemy as sa
from alembic import op

import lms.db
from lms.i18n import local_day

# revision identifiers, used by Alembic.
revision = "e9f1fd6f7d66"
down_revision = "8c3d5e7f9a10"
branch_labels = None
depends_on = None

_INSERT_CHUNK = 1_000


def upgrade():
    op.create_table(
        "person_position",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("recorded_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_position_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["person.id"],
            name=op.f("fk_person_position_recorded_by_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_position")),
        sa.UniqueConstraint(
            "person_id", "valid_from", name=op.f("uq_person_position_person_id_valid_from")
        ),
    )
    with op.batch_alter_table("person_position", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_position_recorded_by_id"), ["recorded_by_id"], unique=False
        )
    _seed_current_positions()


def _seed_current_positions() -> None:
    """Give everyone with a position one history row, from when they are first known."""
    person = sa.table(
        "person",
        sa.column("id", sa.Integer()),
        sa.column("position", sa.String()),
        sa.column("created_at", lms.db.UTCDateTime()),
    )
    membership = sa.table(
        "membership", sa.column("person_id", sa.Integer()), sa.column("valid_from", sa.Date())
    )
    history = sa.table(
        "person_position",
        sa.column("person_id", sa.Integer()),
        sa.column("position", sa.String()),
        sa.column("valid_from", sa.Date()),
        sa.column("recorded_at", lms.db.UTCDateTime()),
    )
    first_day = (
        sa.select(membership.c.person_id, sa.func.min(membership.c.valid_from).label("since"))
        .group_by(membership.c.person_id)
        .subquery()
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(person.c.id, person.c.position, person.c.created_at, first_day.c.since)
        .outerjoin(first_day, first_day.c.person_id == person.c.id)
        .where(person.c.position.is_not(None), person.c.position != "")
        .order_by(person.c.id)
    ).all()
    now = lms.db.utcnow()
    rows = [
        {
            "person_id": person_id,
            "position": position,
            # The creation moment's day where the agency is, as every page shows it.
            "valid_from": since or local_day(created_at),
            "recorded_at": now,
        }
        for person_id, position, created_at, since in found
    ]
    for start in range(0, len(rows), _INSERT_CHUNK):
        connection.execute(sa.insert(history), rows[start : start + _INSERT_CHUNK])


def downgrade():
    with op.batch_alter_table("person_position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_position_recorded_by_id"))

    op.drop_table("person_position")
