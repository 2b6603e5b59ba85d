"""Socket.IO packets decoded like HTTP bodies: a payload the server refuses becomes an error ack, never an exception.

python-socketio decodes a packet before any handler runs; a decoding error there has no handler to answer it, so the
client's request waited for an ack that never came while the server logged a traceback. Here a packet whose JSON is
refused (``payloads``), or that is no event at all, is turned into the request ``REJECTED`` with the same ack id:
its one handler acknowledges ``{"ok": false, "error": {"code": "invalid", …}}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from socketio import packet

from ..services import payloads

# A name no client sends (Socket.IO event names are the client's strings; this one is ours).
REJECTED = "worldcafe:rejected"


@dataclass(frozen=True)
class Rejected:
    """Why a request's payload was refused (translated when the ack is made, in the request's language)."""

    error: payloads.RejectedJSON | None = None

    def message(self) -> str:
        """The ack's message."""
        if self.error is None:
            return _("Send a request as [name, payload] in JSON; binary data is not accepted.")
        return self.error.message(skip=1)  # a path starts with the payload's place among the event's arguments


class PacketJSON:
    """The ``json`` module python-socketio and python-engineio call: our decoder, the standard encoder."""

    loads = staticmethod(payloads.loads)
    dumps = staticmethod(json.dumps)


class SafePacket(packet.Packet):
    """A packet whose decoding never fails: what the server can't accept is answered instead."""

    json = PacketJSON

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kwargs.get("encoded_packet") is not None and not kwargs["encoded_packet"]:
            # An empty message (b"" after a refused binary event): the base class skips decoding and would hand
            # the server an event without data, which raised inside python-socketio.
            self._reject(None)

    def decode(self, encoded_packet: Any) -> int:
        """Decode as python-socketio does; anything refused becomes a ``REJECTED`` event."""
        try:
            count = int(super().decode(encoded_packet) or 0)
        except Exception as exc:  # RejectedJSON, or no Socket.IO packet at all (any error: this is hostile input)
            return self._reject(exc if isinstance(exc, payloads.RejectedJSON) else None)
        if self.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK):
            return self._reject(None)  # no request of ours carries binary data
        if self.packet_type == packet.EVENT and not (
            isinstance(self.data, list) and self.data and isinstance(self.data[0], str)
        ):
            return self._reject(None)
        if self.packet_type not in (packet.CONNECT, packet.DISCONNECT, packet.EVENT, packet.ACK):
            return self._reject(None)
        return count

    def _reject(self, error: payloads.RejectedJSON | None) -> int:
        if self.packet_type == packet.CONNECT:
            self.data = None  # connect without a usable ``auth``: refused as an unknown link
            return 0
        asked = self.packet_type in (packet.EVENT, packet.BINARY_EVENT)
        self.packet_type = packet.EVENT
        self.id = getattr(self, "id", None) if asked else None  # only a request that asked for an ack gets one
        self.data = [REJECTED, Rejected(error)]
        return 0
