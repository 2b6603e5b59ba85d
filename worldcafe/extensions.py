"""Flask extensions, created unbound and attached to an app in ``create_app``."""

from __future__ import annotations

import contextlib

from flask_babel import Babel
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    """Declarative base of every model."""


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()
babel = Babel()
csrf = CSRFProtect()


def discard_session() -> None:
    """End a request or background task's session, rolling back what is open; a dead connection (the database
    down or restarting) has nothing left to roll back and must not turn the cleanup into a second failure."""
    with contextlib.suppress(Exception):
        db.session.rollback()
    db.session.remove()
