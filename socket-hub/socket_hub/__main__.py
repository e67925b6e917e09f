"""``python -m socket_hub`` / ``ems-hub``: the hub on ``HUB_HOST:HUB_PORT``."""

from __future__ import annotations

import logging

import uvicorn

from faas_ems.runtime import settings

from .config import HubConfig
from .server import Hub


def main() -> None:
    config = settings.load(HubConfig)
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s socket-hub %(levelname)s %(name)s %(message)s",
    )
    logging.getLogger("pika").setLevel(logging.WARNING)
    uvicorn.run(
        Hub(config).app,
        host=config.host,
        port=config.port,
        lifespan="on",
        access_log=False,
        log_level="warning",
        # Messages are small; per-connection compression state would cost far more memory.
        ws_per_message_deflate=False,
        # Engine.IO pings every client already; a second, websocket-level ping is waste.
        ws_ping_interval=None,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
