"""progress_credit: the dated ledger of credits; plan_target_rule.full_year

Every completed course and verified external activity becomes one credit on its day, so that a
figure for any days is a sum over the ledger. Existing records are copied in: a course on the
agency's day it was completed, an activity on its last day kept inside the year it was filed for.

Revision ID: 7b1e2c3d4f01
Revises: 6a3f1c2d9e05
Create Date: 2026-12-04 09:30:00

"""

from datetime import date

import sqlalchemy as sa
from alembic import op

import lms.db
from lms.i18n import agency_zone

# revision identifiers, used by Alembic.
revision = "7b1e2c3d4f01"
down_revision = "6a3f1c2d9e05"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table("plan_target_rule", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("full_year", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    credit = op.create_table(
        "progress_credit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("course_progress_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(course_progress_id IS NULL) <> (activity_id IS NULL)",
            name=op.f("ck_progress_credit_one_source"),
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["external_activity.id"],
            name=op.f("fk_progress_credit_activity_id_external_activity"),
        ),
        sa.ForeignKeyConstraint(
            ["course_id"], ["course.id"], name=op.f("fk_progress_credit_course_id_course")
        ),
        sa.ForeignKeyConstraint(
            ["course_progress_id"],
            ["course_progress.id"],
            name=op.f("fk_progress_credit_course_progress_id_course_progress"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_progress_credit_created_by_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_progress_credit_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["progress_credit.id"],
            name=op.f("fk_progress_credit_reverses_id_progress_credit"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_credit")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_progress_credit_reverses_id")),
    )
    with op.batch_alter_table("progress_credit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progress_credit_activity_id"), ["activity_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_progress_credit_course_progress_id"),
            ["course_progress_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_progress_credit_person_day", ["person_id", "day", "unit", "amount", "course_id"], unique=False
        )
    _copy_existing(credit)


def _copy_existing(credit) -> None:
    """One credit per completed course and per verified activity, as they stand."""
    connection = op.get_bind()
    zone = agency_zone()
    now = lms.db.utcnow()
    courses = connection.execute(
        sa.text(
            "SELECT id, person_id, course_id, completed_at, hours_credited FROM course_progress "
            "WHERE completed_at IS NOT NULL ORDER BY id"
        ).columns(
            sa.column("id", sa.Integer),
            sa.column("person_id", sa.Integer),
            sa.column("course_id", sa.Integer),
            sa.column("completed_at", lms.db.UTCDateTime(timezone=True)),
            sa.column("hours_credited", sa.Numeric(6, 2)),
        )
    )
    rows = []
    for progress_id, person_id, course_id, completed_at, hours in courses:
        rows.append(
            dict(
                person_id=person_id,
                day=completed_at.astimezone(zone).date(),
                source="course",
                course_progress_id=progress_id,
                course_id=course_id,
                amount=hours or 0,
                unit="tiet",
                created_at=now,
            )
        )
        if len(rows) >= BATCH:
            connection.execute(credit.insert(), rows)
            rows = []
    activities = connection.execute(
        sa.text(
            "SELECT id, person_id, year, ends_on, hours, decided_by_id FROM external_activity "
            "WHERE status = 'verified' ORDER BY id"
        ).columns(
            sa.column("id", sa.Integer),
            sa.column("person_id", sa.Integer),
            sa.column("year", sa.Integer),
            sa.column("ends_on", sa.Date),
            sa.column("hours", sa.Numeric(7, 2)),
            sa.column("decided_by_id", sa.Integer),
        )
    )
    for activity_id, person_id, year, ends_on, hours, decided_by_id in activities:
        rows.append(
            dict(
                person_id=person_id,
                day=min(max(ends_on, date(year, 1, 1)), date(year, 12, 31)),
                source="activity",
                activity_id=activity_id,
                amount=hours,
                unit="hour",
                created_at=now,
                created_by_id=decided_by_id,
            )
        )
        if len(rows) >= BATCH:
            connection.execute(credit.insert(), rows)
            rows = []
    if rows:
        connection.execute(credit.insert(), rows)


def downgrade():
    with op.batch_alter_table("progress_credit", schema=None) as batch_op:
        batch_op.drop_index("ix_progress_credit_person_day")
        batch_op.drop_index(batch_op.f("ix_progress_credit_course_progress_id"))
        batch_op.drop_index(batch_op.f("ix_progress_credit_activity_id"))
    op.drop_table("progress_credit")
    with op.batch_alter_table("plan_target_rule", schema=None) as batch_op:
        batch_op.drop_column("full_year")
