"""RabbitMQ from Debian's package: the standard node on 5672, a node of its own elsewhere.

The user that ``AMQP_URL`` names by default, ``ems``, is faas-ems's own: the set-up
adds it with the ``rabbitmq-password`` secret (given on standard input, never on a
command line) and full rights on the configured vhost. Other users, and guest, stay
as they are.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pika
import pika.exceptions

from faas_ems.operations import queues
from faas_ems.runtime.events import declare_exchange

from .. import broker_accounts
from ..config import BROKER_ACCOUNT_SECRETS, OWN_ACCOUNT, Config
from .host import LOCAL_HOSTS, SetupError, has_systemd, installed, listening, run

DEBIAN_PORT = 5672
NODES_DIR = Path("/var/lib/rabbitmq")
MQTT_PLUGINS = ("rabbitmq_auth_backend_http", "rabbitmq_auth_backend_cache", "rabbitmq_mqtt")
# How long the broker keeps meter-auth's answers: a revoked credential's next login is
# refused at most this long after the revocation.
AUTH_CACHE_MS = 5000


@dataclass(frozen=True)
class MqttDoor:
    port: int
    vhost: str
    exchange: str
    auth_url: str  # meter-auth's address, with the token the broker cannot send as a header
    token: str

    @classmethod
    def from_config(cls, config: Config, vhost: str, exchange: str) -> MqttDoor | None:
        if config.values.get("EMS_MQTT", "1") == "0":
            return None
        gateway = config.values.get("GATEWAY_URL") or config.url
        return cls(
            port=int(config.values.get("EMS_MQTT_PORT") or 1884),
            vhost=vhost,
            exchange=exchange,
            auth_url=f"{gateway.rstrip('/')}/function/meter-auth",
            token=config.secrets.get("internal-token", ""),
        )


def _erlang_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mqtt_settings(door: MqttDoor) -> str:
    """The ``rabbitmqctl eval`` expression that sets the MQTT plugin and the auth backends."""
    query = "?token=" + quote(door.token, safe="")
    http = {
        kind: _erlang_text(f"{door.auth_url}/{kind}{query}")
        for kind in ("user", "vhost", "resource", "topic")
    }
    return (
        "[application:load(A) || A <- [rabbitmq_mqtt, rabbitmq_auth_backend_http,"
        " rabbitmq_auth_backend_cache]],"
        f" application:set_env(rabbitmq_mqtt, tcp_listeners, [{door.port}]),"
        f" application:set_env(rabbitmq_mqtt, vhost, <<{_erlang_text(door.vhost)}>>),"
        f" application:set_env(rabbitmq_mqtt, exchange, <<{_erlang_text(door.exchange)}>>),"
        " application:set_env(rabbitmq_mqtt, allow_anonymous, false),"
        " application:set_env(rabbitmq_auth_backend_http, http_method, post),"
        f" application:set_env(rabbitmq_auth_backend_http, user_path, {http['user']}),"
        f" application:set_env(rabbitmq_auth_backend_http, vhost_path, {http['vhost']}),"
        f" application:set_env(rabbitmq_auth_backend_http, resource_path, {http['resource']}),"
        f" application:set_env(rabbitmq_auth_backend_http, topic_path, {http['topic']}),"
        " application:set_env(rabbitmq_auth_backend_cache, cached_backend,"
        " rabbit_auth_backend_http),"
        f" application:set_env(rabbitmq_auth_backend_cache, cache_ttl, {AUTH_CACHE_MS}),"
        " application:set_env(rabbit, auth_backends,"
        " [rabbit_auth_backend_internal, rabbit_auth_backend_cache]), ok."
    )


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
        hub_queue = config.values.get("HUB_QUEUE") or "ems.socket-hub"
        passwords = {
            name: config.secrets[name] for name in BROKER_ACCOUNT_SECRETS if name in config.secrets
        }
        self.component_accounts = broker_accounts.definitions(
            self.vhost, passwords, self.exchange, prefix, hub_queue
        )
        self.mqtt = MqttDoor.from_config(config, self.vhost, self.exchange)
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
        env = {
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_MNESIA_BASE": str(self.node_dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.node_dir / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.node_dir / "enabled_plugins"),
        }
        if self.mqtt is not None:
            # The door's settings are set at run time (``_open_mqtt``); a node started
            # again boots with the plugin enabled, so it must not take the plugin's
            # default port meanwhile (another node's: the boot fails on eaddrinuse).
            env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = (
                f"-rabbitmq_mqtt tcp_listeners [{self.mqtt.port}]"
            )
        return env

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

    def configure(self, say, *, meters: bool = False) -> None:
        """Keep unrouted messages, and with ``meters`` open the meters' MQTT door; say only
        what changed, so that a second run reads as the check it is."""
        name, pattern, definition = queues.unrouted_policy(self.exchange)
        policies = json.loads(self.ctl("list_policies", "-p", self.vhost, "--formatter=json"))
        if not any(p["name"] == name and p["pattern"] == pattern for p in policies):
            self.ctl(
                "set_policy", "-p", self.vhost, "--apply-to", "exchanges", name, pattern, definition
            )
            unrouted = f"{self.exchange!r} go to {self.unrouted_queue!r}"
            say(f"RabbitMQ: messages no queue takes on {unrouted}")
        if self.own_account and self.component_accounts["users"]:
            # One call for every account: each rabbitmqctl call starts an Erlang VM.
            self.ctl("import_definitions", stdin=json.dumps(self.component_accounts))
        with pika.BlockingConnection(self._parameters()) as connection:
            channel = connection.channel()
            declare_exchange(channel, self.exchange, create=True)
            queues.declare_unrouted(channel, self.unrouted_queue)
        if meters and self.mqtt is not None:
            self._open_mqtt(say)

    def _plugins(self, *args: str) -> None:
        env = {"RABBITMQ_ENABLED_PLUGINS_FILE": str(self.node_dir / "enabled_plugins")}
        node = ["-n", self.node] if self.node else []
        run(["rabbitmq-plugins", "-q", *node, *args], env=env if self.node else None, timeout=180)

    def _open_mqtt(self, say) -> None:
        """Enable rabbitmq_mqtt with meters' logins checked by faas-ems (meter-auth).

        The broker's own users (the components) are checked first, so they keep working
        when the function is down; others are asked of meter-auth through
        rabbitmq_auth_backend_http, behind rabbitmq_auth_backend_cache. Set at run time
        (``rabbitmqctl eval``) because the answers' address is this system's gateway.
        """
        listeners = self.ctl("eval", "application:get_env(rabbitmq_mqtt, tcp_listeners).")
        self.ctl("eval", mqtt_settings(self.mqtt))
        if f"[{self.mqtt.port}]" in listeners and listening(self.host, self.mqtt.port):
            return  # open already, on this port; the settings above follow the gateway
        if "ok" in listeners:
            self._plugins("disable", "--online", "rabbitmq_mqtt")  # to listen on the new port
        try:
            self._plugins("enable", "--online", *MQTT_PLUGINS)
        except SetupError as exc:
            # An optional door: the rest of the system works without it. Leave the plugin
            # off rather than enabled and failing at every start of the node.
            self._plugins("disable", "--online", "rabbitmq_mqtt")
            say(f"RabbitMQ: MQTT for meters not opened on port {self.mqtt.port}: {exc}")
            return
        say(f"RabbitMQ: MQTT for meters on port {self.mqtt.port} (topic meters/<device>/reading)")

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
