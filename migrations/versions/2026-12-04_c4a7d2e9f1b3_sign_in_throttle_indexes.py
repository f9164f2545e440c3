"""Sign-in throttle indexes: failures by account and address, by address; sessions to prune

The throttle reads failures of one account from one address, of one account, and the accounts
one address failed on, each since a moment: two composite indexes answer all three (and the
success that deletes an account's failures from an address) and replace the single-column
ones. Pruning finds revoked sessions and sessions idle too long.

Revision ID: c4a7d2e9f1b3
Revises: 5a7c2e9b4d13
Create Date: 2026-12-04 12:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "c4a7d2e9f1b3"
down_revision = "5a7c2e9b4d13"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_failure_account_address", ["username", "address", "at"], unique=False
        )
        batch_op.create_index(
            "ix_login_failure_address_account", ["address", "at", "username"], unique=False
        )
        batch_op.drop_index(batch_op.f("ix_login_failure_username"))
        batch_op.drop_index(batch_op.f("ix_login_failure_address"))
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_user_session_last_seen_at"), ["last_seen_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_user_session_revoked_at"), ["revoked_at"], unique=False)


def downgrade():
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_session_revoked_at"))
        batch_op.drop_index(batch_op.f("ix_user_session_last_seen_at"))
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_username"), ["username"], unique=False)
        batch_op.drop_index("ix_login_failure_address_account")
        batch_op.drop_index("ix_login_failure_account_address")
