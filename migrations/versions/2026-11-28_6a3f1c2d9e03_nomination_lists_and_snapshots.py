"""nomination lists and snapshots

Revision ID: 6a3f1c2d9e03
Revises: 6a3f1c2d9e02
Create Date: 2026-11-28 00:00:00

"""

from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = "6a3f1c2d9e03"
down_revision = "6a3f1c2d9e02"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
