"""Keeps one set of workers per function that has a ``topic`` annotation.

Every refresh it lists the gateway's functions: new ones get workers, changed
ones (topics or batch size) get fresh workers, and removed ones are stopped.
A removed function's queue keeps its bindings, so its messages wait for it
rather than being dropped. When the listing fails, the running workers carry on.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pika
import requests
from pika.exceptions import AMQPError

from faas_ems.runtime import amqp

from . import topology
from .config import Config
from .gateway import Function, Gateway
from .worker import Worker

log = logging.getLogger("ems.connector")


class Supervisor:
    def __init__(self, config: Config):
        self.config = config
        self.gateway = Gateway(
            config.gateway_url,
            config.internal_token,
            config.identity,
            timeout=10,
            auth=config.gateway_auth,
        )
        self.running: dict[str, tuple[Function, list[Worker]]] = {}

    def run(self, stop: threading.Event) -> None:
        log.info("connector %s watching %s", self.config.identity, self.config.gateway_url)
        while True:
            try:
                self.reconcile(self.gateway.functions(self.config.batch_size))
            except (requests.RequestException, ValueError) as exc:
                log.warning("cannot list functions (%s); workers carry on", exc)
            self._report_alive()
            if stop.wait(self.config.refresh_seconds):
                break
        self._stop([workers for _, workers in self.running.values()])
        self.running.clear()
        self.gateway.close()
        log.info("connector stopped")

    def reconcile(self, wanted: dict[str, Function]) -> None:
        retired = []
        for name, (function, workers) in list(self.running.items()):
            replacement = wanted.get(name)
            if replacement == function and all(w.is_alive() for w in workers):
                continue
            retired.append(workers)
            del self.running[name]
            if replacement is None:
                log.info("%s is gone; its queue keeps its messages", name)
            else:
                self._unbind(name, set(function.topics) - set(replacement.topics))
        self._stop(retired)
        for name, function in wanted.items():
            if name not in self.running:
                self.running[name] = (function, self._start(function))

    def _start(self, function: Function) -> list[Worker]:
        log.info(
            "consuming %s for %s (topics %s, batch %s)",
            topology.main_queue(self.config.queue_prefix, function.name),
            function.name,
            ",".join(function.topics),
            function.batch or "off",
        )
        workers = [Worker(self.config, function, slot) for slot in range(self.config.concurrency)]
        for worker in workers:
            worker.start()
        return workers

    @staticmethod
    def _stop(groups: list[list[Worker]]) -> None:
        """Signal every worker first, so that all of them finish their calls in parallel."""
        workers = [w for group in groups for w in group]
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.join()

    def _unbind(self, function: str, topics: set[str]) -> None:
        if not topics:
            return
        try:
            connection = pika.BlockingConnection(amqp.parameters(self.config.amqp_url))
            try:
                topology.unbind(
                    connection.channel(),
                    self.config.exchange,
                    self.config.queue_prefix,
                    function,
                    topics,
                )
            finally:
                connection.close()
        except AMQPError as exc:
            log.warning("could not unbind %s from %s: %s", function, ",".join(topics), exc)

    def _report_alive(self) -> None:
        """Touch the file the container's health check looks at."""
        if self.config.alive_file:
            Path(self.config.alive_file).touch()
