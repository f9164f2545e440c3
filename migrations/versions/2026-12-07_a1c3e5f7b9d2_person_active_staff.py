"""An index on who is active and who is a citizen, so that the organisation's home panel counts
its staff and the people who left through it rather than through every person's row

Revision ID: a1c3e5f7b9d2
Revises: 7b1e4c9a2f30
Create Date: 2026-12-07 15:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = '7b1e4c9a2f30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_person_active_staff', 'person', ['is_active', 'is_citizen'])


def downgrade():
    op.drop_index('ix_person_active_staff', table_name='person')
