"""Length-prefixed messages over a socket, in the :mod:`wire` format, both ways.

A receive raises :class:`ChannelClosed` (the other side is gone), :class:`ChannelTimeout` (its deadline
passed) or :class:`wire.WireError` (a malformed or too large message), and nothing else. Deadlines bound
the whole message, not each read: a peer that sent half a frame and was then stopped (SIGSTOP) or
trickles a byte at a time still times out.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import time
from typing import Any

from . import wire

_CHUNK = 1 << 20


class ChannelClosed(ConnectionError):
    """The other side closed the connection or died."""


class ChannelTimeout(TimeoutError):
    """No message arrived (or could be sent) in time."""


class Channel:
    """Send and receive plain-data messages; every receive, and every send, has an optional deadline.

    ``send_timeout``: the default deadline of a send, for the side whose peer may be stopped: a message
    larger than the socket's buffer would otherwise wait forever for a reader that never reads.
    """

    def __init__(self, sock: socket.socket, max_bytes: int = 256 * 2**20, send_timeout: float | None = None) -> None:
        self.sock = sock
        self.max_bytes = max_bytes
        self.send_timeout = send_timeout

    def send(self, message: Any, timeout: float | None = None) -> None:
        timeout = self.send_timeout if timeout is None else timeout
        data = wire.encode(message, self.max_bytes)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            self._wait_until(deadline)
            self.sock.sendall(struct.pack("<Q", len(data)) + data)
        except TimeoutError:  # the frame may be half sent: the caller must close this channel
            raise ChannelTimeout("the other side did not take the message in time") from None
        except OSError as error:
            raise ChannelClosed(f"cannot send: {error}") from None
        finally:
            self._blocking()

    def receive(self, timeout: float | None = None) -> Any:
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            (size,) = struct.unpack("<Q", self._read(8, deadline))
            if size > self.max_bytes:
                raise wire.WireError(f"a message of {size} bytes exceeds the limit of {self.max_bytes} bytes")
            data = self._read(size, deadline)
        finally:
            self._blocking()
        return wire.decode(data)

    def _read(self, size: int, deadline: float | None) -> bytearray:
        # One buffer of the announced size (at most max_bytes), filled in place: no second copy to join.
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            self._wait_until(deadline)
            try:
                count = self.sock.recv_into(view[got:], min(size - got, _CHUNK))
            except TimeoutError:
                raise ChannelTimeout("no answer in time") from None
            except OSError as error:
                raise ChannelClosed(f"cannot receive: {error}") from None
            if not count:
                raise ChannelClosed("the other side closed the connection")
            got += count
        return data

    def _wait_until(self, deadline: float | None) -> None:
        """Make the socket's own timeout the time left: ``recv_into`` and ``sendall`` then never wait past it.

        The socket's timeout, not ``select``: it serves any descriptor number, and ``sendall`` counts it
        for the whole message. Untouched (no system call) when it is already right, as in the worker.
        """
        if deadline is None:
            wanted = None
        else:
            wanted = deadline - time.monotonic()
            if wanted <= 0:
                raise ChannelTimeout("no answer in time")
        if wanted is not None or self.sock.gettimeout() is not None:
            try:
                self.sock.settimeout(wanted)
            except OSError as error:  # a socket closed under us (the grader's close, a worker's descriptor games)
                raise ChannelClosed(f"cannot use the connection: {error}") from None

    def _blocking(self) -> None:
        """Back to a plain blocking socket (the fork server passes descriptors on it), quietly: an error here
        must not replace the one being raised."""
        if self.sock.gettimeout() is not None:
            with contextlib.suppress(OSError):
                self.sock.settimeout(None)

    def close(self) -> None:
        self.sock.close()
