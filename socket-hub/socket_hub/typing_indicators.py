"""Typing indicators that clear themselves.

A browser that stops sending (a closed tab, a lost network) must not leave
"typing..." showing forever, so the hub, not the browser, clears an indicator:
``typing: false`` goes out a few seconds after the last ``typing: true``, or at
once when the typist disconnects.

Each connection may send at most ``limit`` typing events per ``WINDOW_SECONDS``:
every one is relayed to a room and may cost the hub a call to the support
context, so a script that sends thousands a second is refused (429) instead.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import socketio

EVENT = "chat:typing"
WINDOW_SECONDS = 10.0


@dataclass
class _Indicator:
    payload: dict
    rooms: list[str]
    timer: asyncio.TimerHandle | None = None


class TypingIndicators:
    def __init__(self, sio: socketio.AsyncServer, seconds: float, limit: int = 20):
        self.sio = sio
        self.seconds = seconds
        self.limit = limit
        self._active: dict[tuple[str, object], _Indicator] = {}
        self._clearing: set[asyncio.Task] = set()
        self._counts: dict[str, tuple[float, int]] = {}  # sid -> (window start, events)

    def admit(self, sid: str) -> bool:
        """Count one typing event of this connection; False once its window's are used up."""
        now = asyncio.get_running_loop().time()
        started, count = self._counts.get(sid, (now, 0))
        if now - started >= WINDOW_SECONDS:
            started, count = now, 0
        self._counts[sid] = (started, count + 1)
        return count < self.limit

    async def relay(self, sid: str, payload: dict, rooms: list[str]) -> None:
        """Send ``payload`` (with its ``typing`` flag) to ``rooms``, the typist excluded."""
        key = (sid, payload["conversation_id"])
        self._cancel(key)
        await self.sio.emit(EVENT, payload, to=rooms, skip_sid=sid)
        if payload["typing"]:
            indicator = _Indicator(payload, rooms)
            indicator.timer = asyncio.get_running_loop().call_later(self.seconds, self._expire, key)
            self._active[key] = indicator

    async def forget(self, sid: str) -> None:
        """The typist left: clear every indicator they had on."""
        self._counts.pop(sid, None)
        for key in [key for key in self._active if key[0] == sid]:
            indicator = self._cancel(key)
            await self._clear(sid, indicator)

    def _cancel(self, key) -> _Indicator | None:
        indicator = self._active.pop(key, None)
        if indicator is not None and indicator.timer is not None:
            indicator.timer.cancel()
        return indicator

    def _expire(self, key) -> None:
        indicator = self._active.pop(key, None)
        if indicator is not None:
            task = asyncio.create_task(self._clear(key[0], indicator))
            self._clearing.add(task)
            task.add_done_callback(self._clearing.discard)

    async def _clear(self, sid: str, indicator: _Indicator) -> None:
        payload = {**indicator.payload, "typing": False}
        await self.sio.emit(EVENT, payload, to=indicator.rooms, skip_sid=sid)
