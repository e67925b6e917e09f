"""``python -m connector`` / ``ems-connector``: RabbitMQ messages to functions.

``ems-connector --health`` exits 0 when a running connector touched its alive
file (``CONNECTOR_ALIVE_FILE``) within three refresh periods; the container's
health check uses it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from faas_ems.runtime import settings

from .config import Config
from .supervisor import Supervisor


def healthy(config: Config) -> bool:
    try:
        age = time.time() - os.path.getmtime(config.alive_file)
    except OSError:
        return False
    return age < max(30.0, 3 * config.refresh_seconds)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    config = settings.load(Config)
    if args[:1] == ["--health"]:
        sys.exit(0 if healthy(config) else 1)
    logging.basicConfig(
        level=config.log_level.upper(),
        format="%(asctime)s connector %(levelname)s %(threadName)s %(message)s",
    )
    logging.getLogger("pika").setLevel(logging.WARNING)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    Supervisor(config).run(stop)


if __name__ == "__main__":
    main()
