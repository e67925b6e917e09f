"""A RabbitMQ node of a test's own, on free ports, started and removed by the set-up code.

MQTT and the meters' auth backend are node-wide settings, so what tests them cannot share
the machine's node: it gets one of its own through ems.services, as a user's machine would.
"""

from __future__ import annotations

import contextlib
import random
import socket
from collections.abc import Iterator
from pathlib import Path

from ems import config as ems_config
from ems.services.host import wait_until
from ems.services.rabbitmq import RabbitMQ
from tests.harness import Services


def free_port() -> int:
    """A free port whose Erlang distribution port (port + 20000, RabbitMQ's rule) is free too."""
    while True:
        port = random.randrange(21000, 45000)
        with socket.socket() as a, socket.socket() as b:
            if a.connect_ex(("127.0.0.1", port)) and b.connect_ex(("127.0.0.1", port + 20000)):
                return port


@contextlib.contextmanager
def own_node(state_dir: Path, say=print) -> Iterator[Services]:
    port = free_port()
    config = ems_config.load(
        {"AMQP_URL": f"amqp://ems@127.0.0.1:{port}/%2F", "EMS_STATE_DIR": str(state_dir)}
    )
    node = RabbitMQ(config)

    def listening() -> str | None:
        with socket.socket() as probe:
            return None if probe.connect_ex(("127.0.0.1", port)) == 0 else "down"

    node.start(say)
    try:
        if wait_until(listening, 120) is not None:
            raise RuntimeError(f"the RabbitMQ node on port {port} did not start")
        node.provision(say)
        yield Services(config)
    finally:
        node.remove(say)
