"""Covering indexes for rosters: plan approval, completion times, memberships per person

A roster asks of every plan in its period whether a version was approved (and when), of every
person how many completions were far below their nominal time and where they were a member:
all answered from an index alone. The membership one replaces the index on person_id.

Revision ID: 8c3d5e7f9a10
Revises: b7e4a1c9d2f6
Create Date: 2026-12-04 10:05:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8c3d5e7f9a10"
down_revision = "b7e4a1c9d2f6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(
            "ix_membership_person_span",
            ["person_id", "valid_from", "valid_until", "unit_id"],
            unique=False,
        )
        batch_op.drop_index(batch_op.f("ix_membership_person_id"))
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.create_index(
            "ix_plan_version_plan_status", ["plan_id", "status", "decided_at"], unique=False
        )
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.create_index(
            "ix_course_progress_person_times",
            ["person_id", "completed_at", "engaged_seconds", "nominal_minutes", "is_rule_applied"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_person_id"), ["person_id"], unique=False)
        batch_op.drop_index("ix_membership_person_span")
    with op.batch_alter_table("course_progress", schema=None) as batch_op:
        batch_op.drop_index("ix_course_progress_person_times")
    with op.batch_alter_table("plan_version", schema=None) as batch_op:
        batch_op.drop_index("ix_plan_version_plan_status")
