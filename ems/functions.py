"""Function replicas: build contexts, processes, readiness, scaling and supervision.

Like OpenFaaS's provider, ``ems up`` keeps the number of replicas asked for: a
replica that dies is replaced, after a delay that doubles with each death in a row
(so a function that cannot start costs little), and scaling counts live replicas.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from dataclasses import dataclass, field

import aiohttp

from faas_ems.runtime.settings import FunctionSettings

from . import build
from .config import Config
from .processes import Child, base_env, free_port, python
from .stack import FunctionSpec, Stack

log = logging.getLogger("ems.functions")

READY_TIMEOUT = 60.0
# A port picked free can be taken by another process before the replica binds it.
START_ATTEMPTS = 3
WATCH_SECONDS = 0.5
RESTART_FIRST_DELAY = 0.5
RESTART_MAX_DELAY = 30.0
# A replica that lived this long was healthy: its death starts the delays afresh.
STEADY_SECONDS = 60.0


class ReplicaExited(RuntimeError):
    """The replica's process ended before it answered its health check."""


def function_settings(spec: FunctionSpec, config: Config) -> dict[str, str]:
    """The variables a function's replica reads its settings from: stack.yml's, then this
    machine's (only those :class:`FunctionSettings` declares), then its secrets."""
    env = dict(spec.environment)
    env.update(config.child_env(FunctionSettings))
    env.update(config.secret_env(spec.secrets))
    env["EMS_FUNCTION"] = spec.name
    return env


@dataclass
class Replica:
    child: Child
    in_flight: int = 0
    started_at: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.child.port}"


@dataclass
class FunctionPool:
    """The running replicas of one function, and the calls spread across them."""

    spec: FunctionSpec
    config: Config
    stack: Stack
    replicas: list[Replica] = field(default_factory=list)
    wanted: int = 0
    invocations: int = 0
    restart_delay: float = 0.0
    restart_at: float = 0.0
    _counter: itertools.count = field(default_factory=itertools.count)
    _names: itertools.count = field(default_factory=itertools.count)
    _scaling: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def build_dir(self):
        return self.config.state_dir / "build" / self.spec.name

    def assemble(self) -> None:
        build.assemble(self.spec, self.stack, self.build_dir)

    def _env(self, port: int) -> dict[str, str]:
        env = base_env()
        env.update(function_settings(self.spec, self.config))
        env.update(EMS_PORT=str(port), EMS_HOST="127.0.0.1")
        # As the template's Dockerfile: the build context's own copy of faas_ems first.
        env["PYTHONPATH"] = str(self.build_dir / build.template_pythonpath(self.spec.lang))
        return env

    def _new_child(self, index: int) -> Child:
        port = free_port()
        argv = build.template_command(self.spec.lang)
        if argv[0] == "python":
            argv = [python(), *argv[1:]]
        return Child(
            name=f"{self.spec.name}-{index}",
            argv=argv,
            env=self._env(port),
            cwd=self.build_dir,
            log_path=self.config.state_dir / "logs" / f"{self.spec.name}.log",
            port=port,
        )

    async def scale(self, replicas: int, session: aiohttp.ClientSession) -> None:
        """Keep ``replicas`` live replicas (dead ones do not count)."""
        async with self._scaling:
            self.wanted = max(0, min(replicas, self.spec.scale_max))
            self._forget_dead()
            await self._start_missing(session)
            while len(self.replicas) > self.wanted:
                await self._retire(self.replicas.pop())

    async def keep_alive(self, session: aiohttp.ClientSession) -> None:
        """Replace replicas that died, waiting longer after each death in a row."""
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            async with self._scaling:
                for replica in self._forget_dead():
                    self._schedule_restart(replica)
                if len(self.replicas) < self.wanted and time.monotonic() >= self.restart_at:
                    try:
                        await self._start_missing(session)
                    except (ReplicaExited, RuntimeError) as exc:
                        log.warning("%s did not start again: %s", self.spec.name, exc)
                        self._schedule_restart(None)

    def _forget_dead(self) -> list[Replica]:
        dead = [r for r in self.replicas if not r.child.alive]
        self.replicas = [r for r in self.replicas if r.child.alive]
        return dead

    def _schedule_restart(self, replica: Replica | None) -> None:
        """The next start waits twice as long as the last, unless the dead one was healthy."""
        now = time.monotonic()
        steady = replica is not None and now - replica.started_at >= STEADY_SECONDS
        previous = 0.0 if steady else self.restart_delay
        self.restart_delay = min(RESTART_MAX_DELAY, max(RESTART_FIRST_DELAY, previous * 2))
        self.restart_at = now + self.restart_delay
        if replica is not None:
            log.warning(
                "%s exited (status %s) after %.1fs; starting a new one in %.1fs",
                replica.child.name,
                replica.child.process.returncode,
                now - replica.started_at,
                self.restart_delay,
            )

    async def _start_missing(self, session: aiohttp.ClientSession) -> None:
        count = self.wanted - len(self.replicas)
        started = await asyncio.gather(
            *(self._start_replica(next(self._names), session) for _ in range(count))
        )
        self.replicas.extend(started)

    async def _start_replica(self, index: int, session: aiohttp.ClientSession) -> Replica:
        """Start one replica and wait until it answers; a lost port race gets a new port."""
        attempts_left = START_ATTEMPTS
        while True:
            replica = Replica(self._new_child(index).start())
            try:
                await wait_ready(replica, session)
                return replica
            except ReplicaExited:
                attempts_left -= 1
                if not attempts_left:
                    raise
                log.warning("%s exited during start; starting it again", replica.child.name)

    async def _retire(self, replica: Replica) -> None:
        """Stop one replica the way OpenFaaS does: SIGTERM, and let it drain."""
        replica.child.terminate()
        await asyncio.to_thread(replica.child.wait, 30)

    def pick(self) -> Replica | None:
        """The least busy live replica; ties go round-robin."""
        live = [r for r in self.replicas if r.child.alive]
        if not live:
            return None
        start = next(self._counter) % len(live)
        rotated = live[start:] + live[:start]
        return min(rotated, key=lambda r: r.in_flight)

    async def stop(self) -> None:
        for replica in self.replicas:
            replica.child.terminate()
        await asyncio.gather(*(asyncio.to_thread(r.child.wait, 30) for r in self.replicas))
        self.replicas.clear()

    def describe(self) -> dict:
        """This function as OpenFaaS's ``/system/functions`` lists it."""
        live = sum(1 for r in self.replicas if r.child.alive)
        return {
            "name": self.spec.name,
            "image": self.spec.image,
            "namespace": "openfaas-fn",
            "envProcess": " ".join(build.template_command(self.spec.lang)),
            "replicas": self.wanted,
            "availableReplicas": live,
            "invocationCount": self.invocations,
            "labels": self.spec.labels,
            "annotations": self.spec.annotations,
        }


async def wait_ready(replica: Replica, session: aiohttp.ClientSession) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT
    while loop.time() < deadline:
        if not replica.child.alive:
            raise ReplicaExited(
                f"{replica.child.name} exited during start; see {replica.child.log_path}"
            )
        try:
            async with session.get(replica.url + "/_/health") as response:
                # Another process may hold the port this replica failed to bind.
                if response.status == 200 and response.headers.get("X-Process-Id") == str(
                    replica.child.process.pid
                ):
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise RuntimeError(f"{replica.child.name} was not ready in {READY_TIMEOUT:.0f}s")
