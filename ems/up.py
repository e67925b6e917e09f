"""``ems up``: the whole system on one machine, on one URL, without Docker."""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import signal
import time

import aiohttp
from aiohttp import web

from connector.config import Config as ConnectorConfig
from faas_ems.notifications.mail import describe as describe_mail
from faas_ems.runtime.settings import Platform
from socket_hub.config import HubConfig

from . import callbacks, databases, demo, services
from . import stack as stack_file
from .config import Config
from .functions import FunctionPool
from .gateway import READY, create_app
from .paths import FRONTEND_DIST, ROOT
from .processes import Child, base_env, free_port, python

log = logging.getLogger("ems.up")


class CannotStart(Exception):
    """Something outside ems stands in the way; the message says what to do."""


class System:
    """Everything ``ems up`` starts, so that it can stop all of it."""

    def __init__(self, config: Config, say):
        self.config = config
        self.say = say
        self.stack = stack_file.load(config.stack_file)
        self.pools = {
            name: FunctionPool(spec, config, self.stack)
            for name, spec in self.stack.functions.items()
        }
        self.hub_urls: list[str] = []
        self.children: list[Child] = []
        self.runner: web.AppRunner | None = None
        self.session: aiohttp.ClientSession | None = None
        self.watchers: list[asyncio.Task] = []

    def prepare(self) -> None:
        missing = services.ensure(
            self.config,
            start=self.config.get("EMS_START_SERVICES") != "0",
            say=self.say,
            meters=True,
        )
        if missing:
            raise SystemExit(1)
        created = databases.create_missing(self.config)
        if created:
            self.say(f"created databases: {', '.join(created)}")
        applied = databases.migrate(self.config)
        self.say("migrations applied: " + ", ".join(f"{c} {n}" for c, n in applied.items()))
        if databases.seed_admin(self.config):
            self.say(f"seeded administrator {self.config.values['EMS_ADMIN_USERNAME']!r}")
        for pool in self.pools.values():
            pool.assemble()

    def _replicas(self, pool: FunctionPool) -> int:
        forced = self.config.get("EMS_REPLICAS")
        return int(forced) if forced else pool.spec.scale_min

    async def start(self) -> None:
        app = create_app(
            self.pools,
            self.hub_urls,
            FRONTEND_DIST,
            credentials=self.config.gateway_credentials,
            callback_hosts=callbacks.allowed_hosts(self.config.get("EMS_CALLBACK_HOSTS")),
        )
        # Bodies pass as they came, like OpenFaaS's gateway: the function answers an encoding
        # it does not take (415), rather than the gateway failing to decompress it (500).
        self.runner = web.AppRunner(app, access_log=None, auto_decompress=False)
        await self.runner.setup()
        bind = self.config.values["EMS_BIND"]
        site = web.TCPSite(self.runner, bind, self.config.port)
        try:
            await site.start()
        except OSError as exc:
            raise CannotStart(
                f"cannot listen on {bind}:{self.config.port} ({exc.strerror}); is another"
                " `ems up` running? Choose another port with --port or EMS_PORT."
            ) from None
        self.session = aiohttp.ClientSession()
        await asyncio.gather(
            *(pool.scale(self._replicas(pool), self.session) for pool in self.pools.values())
        )
        self.watchers = [
            asyncio.create_task(pool.keep_alive(self.session)) for pool in self.pools.values()
        ]
        self._start_hubs()
        self._start_connectors()
        await self._wait_hubs()
        app[READY].set()
        if self.config.get("EMS_DEMO") == "1":
            await asyncio.to_thread(self._start_demo)

    def _start_demo(self) -> None:
        """Seed the demo client and its meters, then simulate them: two days back, then live."""
        values = self.config.values
        username, password = values["EMS_ADMIN_USERNAME"], values["EMS_ADMIN_PASSWORD"]
        try:
            count = demo.seed(self.config.url, username, password)
        except (demo.DemoError, OSError) as error:
            self.say(f"demo not started: {error}")
            return
        simulator = self._child(
            "simulator-0",
            "simulator",
            ["rabbitmq-readings"],
            {
                "RABBITMQ_ACCOUNT": "readings",
                "EMS_ADMIN_USERNAME": username,
                "EMS_ADMIN_PASSWORD": password,
            },
        )
        simulator.argv += [
            "--from-gateway", self.config.url, "--backfill", "2", "--follow", "--quiet",
        ]  # fmt: skip
        self.children.append(simulator.start())
        self.say(
            f"demo: client {demo.DEMO_USERNAME} / {demo.DEMO_PASSWORD} owns {count} meters; "
            "the simulator fills the last two days, then publishes every 10 minutes"
        )

    def _child(
        self,
        name: str,
        module: str,
        secrets: list[str],
        extra: dict[str, str],
        kind: type[Platform] = Platform,
    ) -> Child:
        env = base_env()
        env.update(self.config.child_env(kind))
        env.update(self.config.secret_env(secrets))
        env.update(extra)
        return Child(
            name=name,
            argv=[python(), "-m", module],
            env=env,
            cwd=ROOT,
            log_path=self.config.state_dir / "logs" / f"{name.rsplit('-', 1)[0]}.log",
            port=int(extra["HUB_PORT"]) if "HUB_PORT" in extra else None,
        )

    def _start_hubs(self) -> None:
        if importlib.util.find_spec("socket_hub.__main__") is None:
            return
        for index in range(int(self.config.get("EMS_HUB_REPLICAS") or 1)):
            port = free_port()
            child = self._child(
                f"socket-hub-{index}",
                "socket_hub",
                ["jwt-secret", "internal-token", "rabbitmq-hub"],
                {"RABBITMQ_ACCOUNT": "hub", "HUB_HOST": "127.0.0.1", "HUB_PORT": str(port)},
                HubConfig,
            ).start()
            self.children.append(child)
            self.hub_urls.append(f"http://127.0.0.1:{port}")

    async def _wait_hubs(self) -> None:
        async with aiohttp.ClientSession() as session:
            for url in self.hub_urls:
                for _ in range(300):
                    try:
                        async with session.get(url + "/healthz") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)

    def _start_connectors(self) -> None:
        """The queue connector (as many as configured) and the one cron connector."""
        gateway = ["basic-auth-user", "basic-auth-password"]  # they list /system/functions
        self.children.append(
            self._child(
                "cron-connector-0",
                "connector.cron",
                ["internal-token", *gateway],
                {},
                ConnectorConfig,
            ).start()
        )
        if importlib.util.find_spec("connector.__main__") is None:
            return
        for index in range(int(self.config.get("EMS_CONNECTOR_REPLICAS") or 1)):
            child = self._child(
                f"connector-{index}",
                "connector",
                ["internal-token", "rabbitmq-connector", *gateway],
                {"RABBITMQ_ACCOUNT": "connector"},
                ConnectorConfig,
            )
            self.children.append(child.start())

    def report(self, seconds: float) -> None:
        url = self.config.url
        lines = [f"faas-ems is up on {url} (ready in {seconds:.1f}s)", ""]
        for pool in self.pools.values():
            ports = ", ".join(str(r.child.port) for r in pool.replicas)
            lines.append(f"  /function/{pool.spec.name:<18} {len(pool.replicas)} x ({ports})")
        for child in self.children:
            where = f"127.0.0.1:{child.port}" if child.port else "-"
            lines.append(f"  {child.name:<28} {where}")
        spa = "built" if (FRONTEND_DIST / "index.html").is_file() else "not built"
        lines += [
            f"  web app ({spa})               {url}/",
            f"  socket hub                    {url}/socket.io/",
            f"  meters over HTTP              {url}/function/readings",
        ]
        if self.config.get("EMS_MQTT") != "0":
            mqtt = (
                f"mqtt://{services.RabbitMQ(self.config).host}:{self.config.get('EMS_MQTT_PORT')}"
            )
            lines.append(f"  meters over MQTT              {mqtt}  topic meters/<device>/reading")
        values = self.config.values
        mail = describe_mail(
            values.get("SMTP_HOST"),
            values.get("SMTP_PORT", "587"),
            values.get("SMTP_TLS", "starttls"),
            values.get("SMTP_USER"),
        )
        lines.append(f"  notification e-mail           {mail}")
        lines += [
            "",
            "  gateway /system/ (basic auth): {} / {}".format(*self.config.gateway_credentials),
            f"  administrator: {self.config.values['EMS_ADMIN_USERNAME']} / "
            f"{self.config.values['EMS_ADMIN_PASSWORD']}",
            f"  logs: {self.config.state_dir / 'logs'}",
            "  Ctrl-C stops everything.",
        ]
        self.say("\n".join(lines))

    async def stop(self) -> None:
        for watcher in self.watchers:
            watcher.cancel()
        await asyncio.gather(*self.watchers, return_exceptions=True)
        for child in self.children:
            child.terminate()
        await asyncio.gather(*(pool.stop() for pool in self.pools.values()))
        if self.session is not None:
            await self.session.close()
        await asyncio.gather(*(asyncio.to_thread(c.wait, 15) for c in self.children))
        if self.runner is not None:
            await self.runner.cleanup()


def say_flushed(text: str) -> None:
    print(text, flush=True)


async def run(config: Config, say=say_flushed) -> None:
    started = time.monotonic()
    system = System(config, say)
    await asyncio.to_thread(system.prepare)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await system.start()
        system.report(time.monotonic() - started)
        say("ready")
        await stop.wait()
    finally:
        say("stopping ...")
        await system.stop()
