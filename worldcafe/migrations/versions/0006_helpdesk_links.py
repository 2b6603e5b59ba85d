"""help desk links: every event made before the help desk role gets its own secret link

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 02:20:00

"""
import secrets
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import worldcafe.dbtypes


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# As worldcafe.services.access.TOKEN_BYTES (a migration keeps its own copy: later code may change).
TOKEN_BYTES = 24


def upgrade():
    bind = op.get_bind()
    links = sa.table(
        "access_link",
        sa.column("token", sa.String), sa.column("role", sa.String), sa.column("event_id", sa.Integer),
        sa.column("created_at", worldcafe.dbtypes.UTCDateTime(timezone=True)),
    )
    missing = bind.execute(sa.text(
        "SELECT id FROM event WHERE id NOT IN (SELECT event_id FROM access_link WHERE role = 'helpdesk')"
    )).scalars().all()
    now = datetime.now(UTC)
    if missing:
        op.bulk_insert(links, [
            {"token": secrets.token_urlsafe(TOKEN_BYTES), "role": "helpdesk", "event_id": event_id, "created_at": now}
            for event_id in missing
        ])


def downgrade():
    op.execute("DELETE FROM access_link WHERE role = 'helpdesk'")
