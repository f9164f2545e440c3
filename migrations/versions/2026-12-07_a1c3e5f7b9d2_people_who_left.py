"""A partial index of the people who left, so that a unit's head count takes their memberships
off without reading every person's row

Revision ID: a1c3e5f7b9d2
Revises: 7b1e4c9a2f30
Create Date: 2026-12-07 15:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = '7b1e4c9a2f30'
branch_labels = None
depends_on = None


def upgrade():
    # Partial: SQLite, without statistics, would plan queries on active people (most rows)
    # through a plain index on is_active as if it were selective.
    op.create_index(
        'ix_person_left',
        'person',
        ['id'],
        unique=False,
        sqlite_where=sa.text('is_active IS 0'),
        postgresql_where=sa.text('is_active IS false'),
    )


def downgrade():
    op.drop_index('ix_person_left', table_name='person')
