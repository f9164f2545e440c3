"""A partial index of the agency's active staff, so that HCTH's home page counts them without
reading every person's row

Revision ID: c4e6a8b0d2f1
Revises: a1c3e5f7b9d2
Create Date: 2026-12-07 17:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4e6a8b0d2f1'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    # On the staff count's own condition (lms.home.queries._STAFF), so that SQLite, which
    # plans without statistics, uses it for that count and for nothing else.
    op.create_index(
        'ix_person_staff',
        'person',
        ['id'],
        unique=False,
        sqlite_where=sa.text('is_active IS 1 AND is_citizen IS 0'),
        postgresql_where=sa.text('is_active IS true AND is_citizen IS false'),
    )


def downgrade():
    op.drop_index('ix_person_staff', table_name='person')
