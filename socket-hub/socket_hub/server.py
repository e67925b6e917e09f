"""The hub assembled: Socket.IO server, Redis manager, AMQP consumer, probes."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import redis.asyncio as redis
import socketio

from . import chat, connections
from .census import Census
from .config import HubConfig
from .consumer import EventConsumer
from .fanout import Fanout
from .probes import Probes
from .session_watch import SessionWatch
from .support import SupportClient
from .typing_indicators import TypingIndicators

log = logging.getLogger("socket_hub")


class Hub:
    def __init__(self, config: HubConfig):
        self.config = config
        self.store = redis.from_url(config.redis_url)
        manager = socketio.AsyncRedisManager(config.redis_url, channel=config.redis_channel)
        self.sio = socketio.AsyncServer(
            async_mode="asgi", client_manager=manager, cors_allowed_origins=config.cors_origins
        )
        self.census = Census(self.store, config.key_prefix, config.hub_id)
        self.support = SupportClient(config)
        typing = TypingIndicators(self.sio, config.typing_seconds, config.typing_limit)
        self.session_watch = SessionWatch(self.sio, self.store, config.session_check_seconds)
        connections.register(self.sio, self.census, typing, self.session_watch)
        chat.register(self.sio, self.support, typing)
        self.consumer = EventConsumer(config, Fanout(self.sio, self.store, config.key_prefix))
        self._background: list[asyncio.Task] = []
        self.app = socketio.ASGIApp(
            self.sio,
            other_asgi_app=Probes(config.hub_id, self.census, self.consumer, self.session_watch),
            socketio_path="socket.io",
            on_startup=self.start,
            on_shutdown=self.stop,
        )

    async def start(self) -> None:
        await self.support.open()
        self.consumer.start()
        self._background = [
            asyncio.create_task(self.census.report_forever()),
            asyncio.create_task(self.session_watch.listen_forever()),
            asyncio.create_task(self.session_watch.sweep_forever()),
        ]
        log.info("hub %s serving", self.config.hub_id)

    async def stop(self) -> None:
        await self.consumer.stop()
        for task in self._background:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(redis.RedisError):
            await self.census.withdraw()
        await self.support.close()
        await self.store.aclose()
