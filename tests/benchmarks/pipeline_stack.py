"""What the pipeline benchmarks share: a stack with only the metering functions, devices
made the way inventory announces them, readings in the seeds' format, and the peak
memory of each process.

The stack file is cut from the real stack.yml (same handlers, settings, annotations),
keeping only ``monitoring-sync`` and ``ingest``, so that the figures do not depend on
the rest of the system and the hourly schedule cannot fire in the middle of a run.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pika
import yaml

from ems.paths import ROOT, STACK_FILE
from faas_ems.runtime import amqp
from tests.harness import TestStack, wait_for

FUNCTIONS = ("monitoring-sync", "ingest")
PROPERTIES = amqp.PERSISTENT_JSON  # as meters and the platform publish


def metering_stack_file(functions=FUNCTIONS) -> Path:
    """stack.yml reduced to ``functions``, with its paths made absolute."""
    stack = yaml.safe_load(STACK_FILE.read_text())
    stack["functions"] = {name: stack["functions"][name] for name in functions}
    stack["configuration"]["copy"] = [str(ROOT / path) for path in stack["configuration"]["copy"]]
    for entry in stack["functions"].values():
        entry["handler"] = str(ROOT / entry["handler"])
        entry["environment_file"] = [str(ROOT / f) for f in entry.get("environment_file", [])]
    folder = Path(tempfile.mkdtemp(prefix="bench-pipeline-"))
    (folder / "stack.yml").write_text(yaml.safe_dump(stack))
    return folder / "stack.yml"


def start_stack(**env: str) -> TestStack:
    settings = {"EMS_STACK_FILE": str(metering_stack_file()), "EMS_REPLICAS": "", **env}
    return TestStack(settings).start()


def create_devices(stack: TestStack, count: int, limit: float) -> list[str]:
    """``device.created`` events, as inventory publishes them; wait for monitoring's copies."""
    ids = [str(uuid.uuid4()) for _ in range(count)]
    with stack.amqp() as connection:
        channel = connection.channel()
        channel.confirm_delivery()
        for n, device_id in enumerate(ids):
            data = {"id": device_id, "name": f"bench-{n}", "max_hourly_kwh": limit,
                    "owner_id": None, "timezone": "UTC", "version": 1}  # fmt: skip
            event = {"id": str(uuid.uuid4()), "type": "device.created", "occurred_at": "",
                     "data": data}  # fmt: skip
            channel.basic_publish("ems", "device.created", json.dumps(event).encode(), PROPERTIES)
    with stack.db("monitoring") as db:
        wait_for(
            lambda: (
                db.execute(
                    "SELECT count(*) FROM devices WHERE id = ANY(%s::uuid[])", [ids]
                ).fetchone()[0]
                == count
            ),
            timeout=300,
            interval=0.5,
            message=f"{count} device copies",
        )
    return ids


def reading_body(device_id: str, moment: datetime, kwh: Decimal) -> bytes:
    """A ``meter.reading`` message in the seeds' format."""
    reading = {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh}
    return json.dumps(reading, default=float).encode()


def queue_depth(channel, queue: str) -> int:
    return channel.queue_declare(queue, passive=True).method.message_count


def wait_for_queue(stack: TestStack, queue: str, timeout: float = 60) -> None:
    """Wait until the connector has declared a function's queue (else messages are unroutable)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with stack.amqp() as connection:
                queue_depth(connection.channel(), queue)
                return
        except pika.exceptions.ChannelClosedByBroker:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def peak_memory_mib(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_roles(stack: TestStack) -> dict[str, list[int]]:
    """The pids of the gateway (ems up itself), the connector and each function's replicas."""
    roles: dict[str, list[int]] = {"gateway": [stack.process.pid]}
    for pid in _children(stack.process.pid):
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"connector" in argv:
            roles.setdefault("connector", []).append(pid)
        elif "/build/" in cwd:
            roles.setdefault(Path(cwd).name, []).append(pid)
    return roles


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time the process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pids_whose_command_has(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


class CpuMeter:
    """CPU seconds each part of the system spends between ``start`` and ``stop``: the
    stack's processes, this run's PostgreSQL backends, and RabbitMQ (which other users
    of the broker share)."""

    def __init__(self, stack: TestStack):
        self.stack = stack
        self.before: dict[int, float] = {}
        self.used: dict[str, float] = {}

    def _roles(self) -> dict[str, list[int]]:
        roles = process_roles(self.stack)
        roles["postgres backends"] = _pids_whose_command_has(f"postgres {self.stack.db_prefix}")
        roles["rabbitmq (shared)"] = _pids_whose_command_has("beam.smp")
        return roles

    def start(self) -> None:
        self.before = {pid: cpu_seconds(pid) for pids in self._roles().values() for pid in pids}

    def stop(self) -> dict[str, float]:
        self.used = {
            role: sum(cpu_seconds(pid) - self.before.get(pid, 0.0) for pid in pids)
            for role, pids in self._roles().items()
        }
        return self.used
