"""The broker's accounts: one per component, each with only the rights it needs.

One table serves both deployments: ``ems up``'s set-up imports it into the system's
vhost (:func:`definitions`, through ``rabbitmqctl import_definitions``) and
``swarm/rabbitmq/render_definitions.py`` writes it into the Swarm broker's
definitions. A component finds its account through ``RABBITMQ_ACCOUNT`` (the role)
and its password in the secret ``rabbitmq-<role>``; the broker user is ``ems-<role>``.

RabbitMQ checks *configure* (declare, delete), *write* (publish to an exchange; bind a
queue) and *read* (consume; bind from an exchange) against resource names, and on a
topic exchange also the routing key of each publish (topic *write*) and the binding
key of each bind (topic *read*). Components only declare ``ems`` passively, which
needs no right: the set-up and the Swarm definitions create it. The default exchange
(``amq.default``) is written only by what moves messages between its own queues: the
connector, the hub and dead-letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NOTHING = "^$"
ROLES = (
    "connector", "hub", "identity", "inventory", "monitoring", "support", "readings", "operations",
)  # fmt: skip
DEFAULT_EXCHANGE = "amq.default"


@dataclass(frozen=True)
class Account:
    role: str
    configure: str
    write: str
    read: str
    publishes: str = NOTHING  # routing keys it may publish on ``ems``
    binds: str = NOTHING  # binding keys it may bind from ``ems``

    @property
    def user(self) -> str:
        return f"ems-{self.role}"

    @property
    def secret(self) -> str:
        return f"rabbitmq-{self.role}"


def _one_of(*names: str) -> str:
    return "^(" + "|".join(re.escape(name) for name in names) + ")$"


def _keys(*patterns: str) -> str:
    """Routing keys matching any of ``patterns`` (regular expressions), whole."""
    return "^(" + "|".join(patterns) + ")$"


def accounts(exchange: str, queue_prefix: str, hub_queue: str) -> list[Account]:
    """Every component's account on a system with these names."""
    # Here, not at the top: ems.config needs only ROLES, in images without these packages.
    from faas_ems.operations.queues import UNROUTED_EXCHANGE
    from socket_hub.routing import TOPICS as HUB_TOPICS

    ems = re.escape(exchange)
    hub_queues = _one_of(hub_queue, f"{hub_queue}.dead")
    # The connector's queues: ems.<function>, its retries and its dead letters; never the hub's.
    functions = (
        f"^{re.escape(queue_prefix)}(?!{re.escape(hub_queue[len(queue_prefix) :])}(\\.|$))"
        "[a-z0-9-]+(\\.retry\\.[0-9]+|\\.dead)?$"
        if hub_queue.startswith(queue_prefix)
        else f"^{re.escape(queue_prefix)}[a-z0-9-]+(\\.retry\\.[0-9]+|\\.dead)?$"
    )
    dead = f"^({re.escape(queue_prefix)}unrouted|.+\\.dead)$"
    unrouted = _one_of(UNROUTED_EXCHANGE)
    publisher = {"configure": NOTHING, "write": f"^{ems}$", "read": NOTHING}
    return [
        Account(
            "connector",
            configure=functions,
            write=f"{functions}|^{re.escape(DEFAULT_EXCHANGE)}$",
            read=f"{functions}|^{ems}$",
            binds=".*",
        ),
        Account(
            "hub",
            configure=hub_queues,
            write=f"{hub_queues}|^{re.escape(DEFAULT_EXCHANGE)}$",
            read=f"{hub_queues}|^{ems}$",
            binds=_one_of(*HUB_TOPICS),
        ),
        Account("identity", **publisher, publishes=_keys(r"user\.(created|updated|deleted)")),
        Account(
            "inventory",
            **publisher,
            publishes=_keys(r"device\.(created|updated|deleted|assigned|unassigned)"),
        ),
        Account(
            "monitoring",
            **publisher,
            # every alert.* event is monitoring's (raised, warning, and the lifecycle's)
            publishes=_keys(r"alert\.[a-z]+", r"device\.(online|offline)"),
        ),
        Account("support", **publisher, publishes=_keys(r"chat\.(message|reply|state)")),
        Account("readings", **publisher, publishes=_keys(r"meter\.reading")),
        Account(
            "operations",
            configure=f"{dead}|{unrouted}",
            write=_one_of(f"{queue_prefix}unrouted", exchange, DEFAULT_EXCHANGE),
            read=f"{dead}|{unrouted}",
            publishes=".*",  # a replay goes out with the letter's own routing key
        ),
    ]


def definitions(
    vhost: str, passwords: dict[str, str], exchange: str, queue_prefix: str, hub_queue: str
) -> dict:
    """RabbitMQ definitions (users, permissions, topic permissions) of every account
    whose password is in ``passwords`` (by secret name), on ``vhost``."""
    chosen = [a for a in accounts(exchange, queue_prefix, hub_queue) if a.secret in passwords]
    return {
        "users": [{"name": a.user, "password": passwords[a.secret], "tags": []} for a in chosen],
        "permissions": [
            {
                "user": a.user,
                "vhost": vhost,
                "configure": a.configure,
                "write": a.write,
                "read": a.read,
            }
            for a in chosen
        ],
        "topic_permissions": [
            {
                "user": a.user,
                "vhost": vhost,
                "exchange": exchange,
                "write": a.publishes,
                "read": a.binds,
            }
            for a in chosen
        ],
    }


def secret_names() -> list[str]:
    """The secrets holding the accounts' passwords."""
    return [f"rabbitmq-{role}" for role in ROLES]
