"""A Socket.IO client as the browser app connects: through nginx, WebSocket first,
reconnecting by itself; every event it receives is kept in order."""

from __future__ import annotations

import queue
import time

import socketio

WAIT = 60.0


class Browser:
    def __init__(self, url: str, token: str):
        self.client = socketio.Client(reconnection=True, reconnection_delay=0.5)
        self.inbox: queue.Queue = queue.Queue()
        self.seen: list[tuple[str, object]] = []
        self.connects = 0
        self.client.on("*", lambda event, data=None: self.inbox.put((event, data)))
        self.client.on("connect", self._connected)
        self.client.connect(
            url,
            auth={"token": token},
            socketio_path="socket.io",
            transports=["websocket"],
            wait_timeout=30,
        )

    def _connected(self) -> None:
        self.connects += 1

    def next(self, event: str, where=lambda data: True, timeout: float = WAIT):
        """The next ``event`` whose data satisfies ``where``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                name, data = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {event} within {timeout}s; saw {self.seen}") from None
            self.seen.append((name, data))
            if name == event and where(data):
                return data

    def close(self) -> None:
        self.client.disconnect()
