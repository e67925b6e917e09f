"""RabbitMQ from Debian's package: the standard node on 5672, a node of its own elsewhere.

The user that ``AMQP_URL`` names by default, ``ems``, is faas-ems's own: the set-up
adds it with the ``rabbitmq-password`` secret (given on standard input, never on a
command line) and full rights on the configured vhost. Other users, and guest, stay
as they are.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pika
import pika.exceptions

from faas_ems.operations import queues

from ..config import OWN_ACCOUNT, Config
from .host import LOCAL_HOSTS, has_systemd, installed, run

DEBIAN_PORT = 5672
NODES_DIR = Path("/var/lib/rabbitmq")


class RabbitMQ:
    name = "RabbitMQ"
    packages = ("rabbitmq-server",)

    def __init__(self, config: Config):
        url = urlsplit(config.values["AMQP_URL"])
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or DEBIAN_PORT
        self.user = unquote(url.username or "guest")
        self.password = config.secrets.get("rabbitmq-password") or unquote(url.password or "")
        self.vhost = unquote(url.path[1:]) if len(url.path) > 1 else "/"
        self.exchange = config.values.get("EMS_EXCHANGE") or "ems"
        prefix = config.values.get("CONNECTOR_QUEUE_PREFIX") or "ems."
        self.unrouted_queue = f"{prefix}unrouted"
        self.local = self.host in LOCAL_HOSTS
        self.own_account = self.user == OWN_ACCOUNT
        # Debian's node keeps its standard name; a node for another port is the project's own.
        self.node = None if self.port == DEBIAN_PORT else f"ems-{self.port}@localhost"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def account(self) -> str:
        return f"user {self.user} on vhost {self.vhost}"

    @property
    def node_dir(self) -> Path:
        return NODES_DIR / f"ems-{self.port}"

    def installed(self) -> bool:
        return installed("rabbitmq-server")

    def ctl(self, *args: str, stdin: str | None = None) -> str:
        node = ["-n", self.node] if self.node else []
        return run(["rabbitmqctl", "-q", *node, *args], stdin=stdin, timeout=120).stdout

    def start(self, say) -> None:
        if self.node is None and has_systemd():
            run(["systemctl", "start", "rabbitmq-server"])
        else:
            run(["rabbitmq-server", "-detached"], env=self._node_env())
        say(f"RabbitMQ: started node {self.node or 'rabbit (Debian standard)'} on port {self.port}")

    def _node_env(self) -> dict[str, str]:
        """Where a node of the project's own keeps its data, apart from Debian's node."""
        if self.node is None:
            return {}
        self.node_dir.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.node_dir, "rabbitmq", "rabbitmq")
        return {
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_MNESIA_BASE": str(self.node_dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.node_dir / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.node_dir / "enabled_plugins"),
        }

    def _parameters(self) -> pika.ConnectionParameters:
        return pika.ConnectionParameters(
            host=self.host,
            port=self.port,
            virtual_host=self.vhost,
            credentials=pika.PlainCredentials(self.user, self.password),
            connection_attempts=1,
            socket_timeout=3,
        )

    def sign_in(self) -> str | None:
        try:
            pika.BlockingConnection(self._parameters()).close()
        except pika.exceptions.ProbableAuthenticationError:
            return f"user {self.user} cannot sign in (wrong password or no such user)"
        except pika.exceptions.ProbableAccessDeniedError:
            return f"user {self.user} may not use vhost {self.vhost!r}"
        except pika.exceptions.AMQPError as exc:
            return f"no AMQP connection ({exc.__class__.__name__}: {exc})"
        return None

    def provision(self, say) -> None:
        """Add faas-ems's own user (or reset its password) with rights on its vhost."""
        users = {entry["user"] for entry in json.loads(self.ctl("list_users", "--formatter=json"))}
        verb = "change_password" if self.user in users else "add_user"
        self.ctl(verb, self.user, stdin=self.password + "\n")
        vhosts = {e["name"] for e in json.loads(self.ctl("list_vhosts", "--formatter=json"))}
        if self.vhost not in vhosts:
            self.ctl("add_vhost", self.vhost)
        self.ctl("set_permissions", "-p", self.vhost, self.user, ".*", ".*", ".*")
        say(f"RabbitMQ: user {self.user} may sign in to vhost {self.vhost!r}")

    def configure(self, say) -> None:
        """Give the exchange its alternate exchange, so that unrouted messages are kept."""
        name, pattern, definition = queues.unrouted_policy(self.exchange)
        self.ctl(
            "set_policy", "-p", self.vhost, "--apply-to", "exchanges", name, pattern, definition
        )
        with pika.BlockingConnection(self._parameters()) as connection:
            queues.declare_unrouted(connection.channel(), self.exchange, self.unrouted_queue)
        say(f"RabbitMQ: messages no queue takes on {self.exchange!r} go to {self.unrouted_queue!r}")

    def remove(self, say) -> None:
        """Stop and delete a node the set-up started for a port of its own."""
        if self.node is None:
            return
        run(["rabbitmqctl", "-q", "-n", self.node, "stop"], check=False)
        shutil.rmtree(self.node_dir, ignore_errors=True)
        say(f"RabbitMQ: removed node {self.node}")

    def hint(self) -> str:
        return (
            "Set AMQP_URL (and RABBITMQ_PASSWORD) for a RabbitMQ of your own,"
            " or run `sudo make services` once to install and set up Debian's."
        )
