"""A RabbitMQ node of a benchmark's own, on free ports, started and removed by the set-up
code.

MQTT and the meters' auth backend are node-wide settings, so what measures them cannot
share the machine's node: it gets one of its own through ems.services, as a user's machine
would (tests/benchmarks/bench_meter_doors.py; the suite's MQTT tests use the system on
servers of the tests' own, tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

from ems import config as ems_config
from ems.services.host import wait_until
from ems.services.rabbitmq import RabbitMQ
from tests.harness import Services, server_port


@contextlib.contextmanager
def own_node(state_dir: Path, say=print) -> Iterator[Services]:
    port = server_port()
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
