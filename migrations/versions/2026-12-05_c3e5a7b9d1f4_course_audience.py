"""Courses say who they are for (staff only, every course so far, or everyone) and whether their recordings are synthetic

Revision ID: c3e5a7b9d1f4
Revises: b7d1e3f5a9c2
Create Date: 2026-12-05 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e5a7b9d1f4'
down_revision = 'b7d1e3f5a9c2'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN with a constant default, on SQLite too: a batch copy of `course` would
    # drop a table that lessons, progress and media refer to.
    op.add_column(
        'course',
        sa.Column('audience', sa.String(length=16), server_default='staff', nullable=False),
    )
    op.add_column(
        'course',
        sa.Column('synthetic_audio', sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    with op.batch_alter_table('course', schema=None) as batch_op:
        batch_op.drop_column('synthetic_audio')
        batch_op.drop_column('audience')
