"""harvest edits: the event's time zone, the moderator's theme edits and the vote shortlist

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 02:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('theme_edits', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('vote_shortlist', sa.JSON(), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+ has it): a batch would copy the event table and drop the old one, and with
    # foreign keys on, SQLite's implicit DELETE of that drop cascades to every participant, table and note.
    for column in ('vote_shortlist', 'theme_edits', 'timezone'):
        op.drop_column('event', column)
