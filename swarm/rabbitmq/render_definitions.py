"""Write swarm/rabbitmq/definitions.json from stack.yml, the connector and the hub.

Run it after a function's ``topic`` annotation or the hub's topics change:

    .venv/bin/python swarm/rabbitmq/render_definitions.py

The queues are declared exactly as the connector and the hub declare them (names,
durability, arguments), so that their own declarations at start-up agree with what
RabbitMQ already has. tests/test_swarm.py checks that on a real broker.
"""

from __future__ import annotations

import json
from pathlib import Path

from connector import topology
from connector.config import Config
from ems import broker_accounts, stack
from socket_hub.routing import TOPICS as HUB_TOPICS

HERE = Path(__file__).parent
EXCHANGE = "ems"
PREFIX = "ems."
HUB_QUEUE = "ems.socket-hub"
VHOST = "/"


def placeholder(secret: str) -> str:
    """Where the broker's entry point puts the password from /run/secrets/<secret>."""
    return f"__{secret}__"


def queue(name: str, arguments: dict | None = None) -> dict:
    return {
        "name": name,
        "vhost": VHOST,
        "durable": True,
        "auto_delete": False,
        "arguments": arguments or {},
    }


def binding(destination: str, topic: str) -> dict:
    return {
        "source": EXCHANGE,
        "vhost": VHOST,
        "destination": destination,
        "destination_type": "queue",
        "routing_key": topic,
        "arguments": {},
    }


def function_queues(name: str, delays: tuple[float, ...]) -> list[dict]:
    main = topology.main_queue(PREFIX, name)
    retries = [
        queue(
            topology.retry_queue(PREFIX, name, ms),
            {"x-message-ttl": ms, "x-dead-letter-exchange": "", "x-dead-letter-routing-key": main},
        )
        for ms in sorted({topology.delay_ms(seconds) for seconds in delays})
    ]
    return [queue(main), *retries, queue(topology.dead_queue(PREFIX, name))]


def definitions() -> dict:
    delays = Config.model_fields["retry_delays"].default
    queues, bindings = [], []
    for name, spec in sorted(stack.load().functions.items()):
        if spec.topics:
            queues += function_queues(name, delays)
            bindings += [binding(topology.main_queue(PREFIX, name), t) for t in spec.topics]
    queues += [queue(HUB_QUEUE), queue(f"{HUB_QUEUE}.dead")]
    bindings += [binding(HUB_QUEUE, topic) for topic in HUB_TOPICS]
    passwords = {name: placeholder(name) for name in broker_accounts.secret_names()}
    components = broker_accounts.definitions(VHOST, passwords, EXCHANGE, PREFIX, HUB_QUEUE)
    operator = {"name": "ems", "password": placeholder("rabbitmq-password"), "tags": ["management"]}
    return {
        "users": [operator, *components["users"]],
        "vhosts": [{"name": VHOST}],
        "permissions": [
            {"user": "ems", "vhost": VHOST, "configure": ".*", "write": ".*", "read": ".*"},
            *components["permissions"],
        ],
        "topic_permissions": components["topic_permissions"],
        "exchanges": [
            {
                "name": EXCHANGE,
                "vhost": VHOST,
                "type": "topic",
                "durable": True,
                "auto_delete": False,
                "internal": False,
                "arguments": {},
            }
        ],
        "queues": queues,
        "bindings": bindings,
    }


if __name__ == "__main__":
    target = HERE / "definitions.json"
    target.write_text(json.dumps(definitions(), indent=2) + "\n")
    print(f"wrote {target}")
