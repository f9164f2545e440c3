"""membership: a covering index on (unit, valid_from, valid_until)

Who was a member of which units over a period is then read from the index alone: the roster
counts each unit's members for every page it shows. The index on unit alone is its prefix.

Revision ID: 6a3f1c2d9e05
Revises: 6a3f1c2d9e04
Create Date: 2026-11-28 02:40:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "6a3f1c2d9e05"
down_revision = "6a3f1c2d9e04"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(
            "ix_membership_unit_span", ["unit_id", "valid_from", "valid_until"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_membership_unit_id"))


def downgrade():
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_membership_unit_id"), ["unit_id"], unique=False)
        batch_op.drop_index("ix_membership_unit_span")
