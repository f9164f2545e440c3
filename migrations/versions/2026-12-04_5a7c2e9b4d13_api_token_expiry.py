"""api_token.expires_at: tokens stop working 90 days (API_TOKEN_DAYS) after they are issued

Tokens issued before this change expire 90 days after they were created, the default, so an
old forgotten token ends too; one already older than that is expired at once.

Revision ID: 5a7c2e9b4d13
Revises: 3c5d7e9f1a20
Create Date: 2026-12-04 12:50:00

"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import lms.db

# revision identifiers, used by Alembic.
revision = "5a7c2e9b4d13"
down_revision = "3c5d7e9f1a20"
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90


def upgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", lms.db.UTCDateTime(timezone=True)))
    token = sa.table(
        "api_token",
        sa.column("id", sa.Integer),
        sa.column("created_at", lms.db.UTCDateTime(timezone=True)),
        sa.column("expires_at", lms.db.UTCDateTime(timezone=True)),
    )
    connection = op.get_bind()
    # In Python rather than SQL: date arithmetic differs between SQLite and PostgreSQL, and a
    # person holds at most ten live tokens, so there are few rows.
    for token_id, created_at in connection.execute(sa.select(token.c.id, token.c.created_at)):
        connection.execute(
            token.update()
            .where(token.c.id == token_id)
            .values(expires_at=created_at + timedelta(days=DEFAULT_DAYS))
        )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=lms.db.UTCDateTime(timezone=True), nullable=False
        )


def downgrade():
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
