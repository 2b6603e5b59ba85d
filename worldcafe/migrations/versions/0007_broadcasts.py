"""broadcasts on show (expiry, withdraw)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('broadcasts', sa.JSON(), server_default='[]', nullable=False))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35+ has it): a batch would copy the event table and drop the old one, and with
    # foreign keys on, SQLite's implicit DELETE of that drop cascades to every participant, table and note.
    op.drop_column('event', 'broadcasts')
