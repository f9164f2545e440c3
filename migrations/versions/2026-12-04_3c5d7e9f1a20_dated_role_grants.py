"""role_grant: grants get the days they are in force (valid_from, valid_until), and history

A manager's reach over people is decided day by day (lms.org.scope): through a grant in force,
over the units under the granted one as the tree stood each day. Ending a grant keeps the row.

Existing grants had no dates and reached every day. To keep that, a manager's grant starts on
the day its unit opened; another role's grant on the day it was given. Administrators can
correct a grant's first day afterwards (the person's page shows it).

Revision ID: 3c5d7e9f1a20
Revises: e9f1fd6f7d66
Create Date: 2026-12-04 12:15:00

"""

import sqlalchemy as sa
from alembic import op

import lms.db
from lms.i18n import local_day

# revision identifiers, used by Alembic.
revision = "3c5d7e9f1a20"
down_revision = "e9f1fd6f7d66"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("ended_at", lms.db.UTCDateTime(timezone=True), nullable=True)
        )
    _backfill_first_days()
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.alter_column("valid_from", existing_type=sa.Date(), nullable=False)
        # A person may hold the same role over the same unit again after it ended.
        batch_op.drop_constraint("uq_role_grant_person_id_role_unit_id", type_="unique")
        batch_op.create_check_constraint(
            op.f("ck_role_grant_valid_span"), "valid_until IS NULL OR valid_until >= valid_from"
        )
        batch_op.create_index("ix_role_grant_role_unit", ["role", "unit_id"], unique=False)


def _backfill_first_days() -> None:
    grant = sa.table(
        "role_grant",
        sa.column("id", sa.Integer()),
        sa.column("unit_id", sa.Integer()),
        sa.column("granted_at", lms.db.UTCDateTime()),
        sa.column("valid_from", sa.Date()),
    )
    unit = sa.table("unit", sa.column("id", sa.Integer()), sa.column("valid_from", sa.Date()))
    connection = op.get_bind()
    found = connection.execute(
        sa.select(grant.c.id, unit.c.valid_from, grant.c.granted_at).outerjoin(
            unit, unit.c.id == grant.c.unit_id
        )
    ).all()
    for grant_id, unit_opened, granted_at in found:
        connection.execute(
            sa.update(grant)
            .where(grant.c.id == grant_id)
            .values(valid_from=unit_opened or local_day(granted_at))
        )


def downgrade():
    connection = op.get_bind()
    # Only one grant per person, role and unit fits the old table: keep the newest of each.
    grant = sa.table(
        "role_grant",
        sa.column("id", sa.Integer()),
        sa.column("person_id", sa.Integer()),
        sa.column("role", sa.String()),
        sa.column("unit_id", sa.Integer()),
    )
    newest = (
        sa.select(sa.func.max(grant.c.id))
        .group_by(grant.c.person_id, grant.c.role, grant.c.unit_id)
        .scalar_subquery()
    )
    connection.execute(sa.delete(grant).where(grant.c.id.not_in(newest)))
    with op.batch_alter_table("role_grant", schema=None) as batch_op:
        batch_op.drop_index("ix_role_grant_role_unit")
        batch_op.drop_constraint(op.f("ck_role_grant_valid_span"), type_="check")
        batch_op.create_unique_constraint(
            "uq_role_grant_person_id_role_unit_id", ["person_id", "role", "unit_id"]
        )
        batch_op.drop_column("ended_at")
        batch_op.drop_column("valid_until")
        batch_op.drop_column("valid_from")
