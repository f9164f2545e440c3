"""credible completions: the learning rule, quiz attempt limits, times kept at completion

A completion keeps its engaged and nominal times and whether the credible-completion rule was in
force, so that it can be judged later without rewriting it. Completions made before this
revision get their engaged time from the event log up to the moment of completion and the
nominal time of the course's current required lessons; the rule was not in force for them.

Revision ID: 59d303e60832
Revises: 7b1e2c3d4f01
Create Date: 2026-12-04 10:00:00

"""

import sqlalchemy as sa
from alembic import op

import lms.db

# revision identifiers, used by Alembic.
revision = "59d303e60832"
down_revision = "7b1e2c3d4f01"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "learning_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("min_share_percent", sa.Integer(), nullable=False),
        sa.Column("flag_share_percent", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["person.id"], name=op.f("fk_learning_rule_created_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_rule")),
    )
    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.add_column(sa.Column("max_attempts", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("wait_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("learning_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("page_view", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_learning_event_page_view"), ["page_view"], unique=False
        )
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.add_column(sa.Column("engaged_seconds", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("nominal_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("is_rule_applied", sa.Boolean(), nullable=True))

    op.execute(
        sa.text(
            """
            UPDATE course_progress SET
              engaged_seconds = (
                SELECT COALESCE(SUM(e.seconds), 0) FROM learning_event e
                WHERE e.person_id = course_progress.person_id
                  AND e.course_id = course_progress.course_id
                  AND e.occurred_at <= course_progress.completed_at),
              nominal_minutes = (
                SELECT COALESCE(
                  NULLIF(SUM(CASE WHEN l.is_required THEN l.minutes ELSE 0 END), 0),
                  SUM(l.minutes), 0)
                FROM lesson l
                WHERE l.course_id = course_progress.course_id AND NOT l.is_retired),
              is_rule_applied = :no
            WHERE completed_at IS NOT NULL
            """
        ).bindparams(no=False)
    )


def downgrade():
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.drop_column("is_rule_applied")
        batch_op.drop_column("nominal_minutes")
        batch_op.drop_column("engaged_seconds")
    with op.batch_alter_table("learning_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_event_page_view"))
        batch_op.drop_column("page_view")
    with op.batch_alter_table("quiz", schema=None) as batch_op:
        batch_op.drop_column("wait_minutes")
        batch_op.drop_column("max_attempts")
    op.drop_table("learning_rule")
