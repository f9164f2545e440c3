"""A stamp that changes with every write of reference data (rules, assignments, courses, the
unit tree), so that a server may keep what it read of them while the stamp stays the same

Revision ID: 7b1e4c9a2f30
Revises: 3dab22d69af2
Create Date: 2026-12-06 00:10:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b1e4c9a2f30'
down_revision = '3dab22d69af2'
branch_labels = None
depends_on = None


def upgrade():
    stamp = op.create_table(
        'reference_stamp',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_stamp')),
    )
    op.bulk_insert(stamp, [{'id': 1, 'token': secrets.token_hex(16)}])


def downgrade():
    op.drop_table('reference_stamp')
