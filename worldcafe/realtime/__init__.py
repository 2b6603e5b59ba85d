"""Socket.IO adapters: authenticate, join rooms, catch clients up, relay client requests to services."""

from . import errors, handlers, notes, resync, revocation  # noqa: F401  (registers the handlers once, at import)
