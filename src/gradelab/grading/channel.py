"""Length-prefixed messages over a socket, in the :mod:`wire` format, both ways."""

from __future__ import annotations

import select
import socket
import struct
import time
from typing import Any

from . import wire


class ChannelClosed(ConnectionError):
    """The other side closed the connection or died."""


class ChannelTimeout(TimeoutError):
    """No message arrived in time."""


class Channel:
    """Send and receive plain-data messages; every receive has an optional deadline."""

    def __init__(self, sock: socket.socket, max_bytes: int = 256 * 2**20) -> None:
        self.sock = sock
        self.max_bytes = max_bytes

    def send(self, message: Any) -> None:
        data = wire.encode(message, self.max_bytes)
        try:
            self.sock.sendall(struct.pack("<Q", len(data)) + data)
        except OSError as error:
            raise ChannelClosed(f"cannot send: {error}") from None

    def receive(self, timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        (size,) = struct.unpack("<Q", self._read(8, deadline))
        if size > self.max_bytes:
            raise wire.WireError(f"a message of {size} bytes exceeds the limit of {self.max_bytes} bytes")
        return wire.decode(self._read(size, deadline))

    def _read(self, size: int, deadline: float | None) -> bytes:
        chunks, remaining = [], size
        while remaining:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                    raise ChannelTimeout("no answer in time")
            try:
                chunk = self.sock.recv(min(remaining, 1 << 20))
            except OSError as error:
                raise ChannelClosed(f"cannot receive: {error}") from None
            if not chunk:
                raise ChannelClosed("the other side closed the connection")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self.sock.close()
