"""Course versions: a course's files after each save or import that changed them

Revision ID: e5a7c9d1f3b6
Revises: d4f6b8c0e2a5
Create Date: 2026-12-05 05:45:00.000000

"""
from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = 'e5a7c9d1f3b6'
down_revision = 'd4f6b8c0e2a5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('course_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('media', sa.JSON(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_course_version_author_id_person')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_version_course_id_course')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_version')),
    sa.UniqueConstraint('course_id', 'number', name=op.f('uq_course_version_course_id_number'))
    )
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_version_course_id'), ['course_id'], unique=False)


def downgrade():
    with op.batch_alter_table('course_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_version_course_id'))
    op.drop_table('course_version')
