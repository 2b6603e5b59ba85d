"""networking: profiles and consents on participants, connections, the event's privacy notice, meet pairs, retention

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 05:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

PARTICIPANT = (
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('role', sa.String(length=200), nullable=True),
    sa.Column('offer', sa.String(length=500), nullable=True),
    sa.Column('seek', sa.String(length=500), nullable=True),
    sa.Column('interests', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('listed', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('share_contact', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
)
EVENT = (
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('privacy_notice', sa.Text(), nullable=True),
    sa.Column('seat_complementary', sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column('meet_added', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('meet_dropped', sa.JSON(), nullable=False, server_default='[]'),
    sa.Column('summary_shared', sa.Boolean(), nullable=False, server_default=sa.false()),
)


def upgrade():
    # Plain ADD COLUMNs: a batch may copy a table on SQLite, and dropping the old copy with foreign keys on cascades.
    for column in PARTICIPANT:
        op.add_column('participant', column)
    for column in EVENT:
        op.add_column('event', column)
    op.create_table(
        'connection',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('requester_id', sa.Integer(), nullable=False),
        sa.Column('addressee_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requester_id'], ['participant.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['addressee_id'], ['participant.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('requester_id', 'addressee_id'),
    )
    op.create_index('ix_connection_event_id', 'connection', ['event_id'])
    op.create_index('ix_connection_addressee', 'connection', ['addressee_id'])


def downgrade():
    op.drop_index('ix_connection_addressee', table_name='connection')
    op.drop_index('ix_connection_event_id', table_name='connection')
    op.drop_table('connection')
    # Plain DROP COLUMNs (SQLite 3.35+): a batch would copy the tables, and with foreign keys on, SQLite's implicit
    # DELETE of the old table cascades to every row that points at it.
    for column in reversed(EVENT):
        op.drop_column('event', column.name)
    for column in reversed(PARTICIPANT):
        op.drop_column('participant', column.name)
