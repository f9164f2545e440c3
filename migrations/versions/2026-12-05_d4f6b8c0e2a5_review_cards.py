"""Spaced review: a learner's cards with their FSRS memory state, and the log of gradings

Revision ID: d4f6b8c0e2a5
Revises: c3e5a7b9d1f4
Create Date: 2026-12-05 05:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import lms.db


# revision identifiers, used by Alembic.
revision = 'd4f6b8c0e2a5'
down_revision = 'c3e5a7b9d1f4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('review_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('word', sa.String(length=200), nullable=False),
    sa.Column('word_folded', sa.String().with_variant(sa.String(collation='C'), 'postgresql'), nullable=False),
    sa.Column('meaning', sa.Text(), nullable=False),
    sa.Column('audio_url', sa.String(length=300), nullable=True),
    sa.Column('audio_synthetic', sa.Boolean(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Integer(), nullable=False),
    sa.Column('step', sa.Integer(), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('due', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_review', lms.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('created_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_review_card_course_id_course')),
    sa.ForeignKeyConstraint(['entry_id'], ['dictionary_entry.id'], name=op.f('fk_review_card_entry_id_dictionary_entry'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lesson_id'], ['lesson.id'], name=op.f('fk_review_card_lesson_id_lesson')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_review_card_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_card')),
    sa.UniqueConstraint('person_id', 'language', 'word_folded', name=op.f('uq_review_card_person_id_language_word_folded'))
    )
    with op.batch_alter_table('review_card', schema=None) as batch_op:
        batch_op.create_index('ix_review_card_person_due', ['person_id', 'due'], unique=False)

    op.create_table('review_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.String(length=200), nullable=False),
    sa.Column('reviewed_at', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=False),
    sa.Column('due_after', lms.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['review_card.id'], name=op.f('fk_review_log_card_id_review_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_review_log_course_id_course')),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_review_log_person_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_log')),
    sa.UniqueConstraint('event_id', name=op.f('uq_review_log_event_id'))
    )
    with op.batch_alter_table('review_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_log_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_log_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('review_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_log_person_id'))
        batch_op.drop_index(batch_op.f('ix_review_log_card_id'))
    op.drop_table('review_log')
    with op.batch_alter_table('review_card', schema=None) as batch_op:
        batch_op.drop_index('ix_review_card_person_due')
    op.drop_table('review_card')
