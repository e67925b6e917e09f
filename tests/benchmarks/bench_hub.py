"""The socket hub: alert latency under load, clients one process holds, broadcast time.

    .venv/bin/python -m tests.benchmarks.bench_hub [--rate 2000] [--seconds 20]
        [--clients 5000] [--broadcasts 5] [--skip latency clients]

Runs the whole system (``ems up``, one hub) with its own databases and vhost.

1. Alert latency: readings flow to ``meter.reading`` at ``--rate`` per second (single
   messages, for devices far below their limit) while, every 100 ms, a probe reading
   over the limit of another device is published; the clock runs from just before
   publishing the probe to the ``alert`` event in a python-socketio client connected
   through the gateway, as a browser is (ingest, monitoring, RabbitMQ, hub, Redis).
   Between probes an ``alert.raised`` is published directly, which times the hub's own
   leg (RabbitMQ, hub, Redis, gateway) under the same load.
2. Clients one hub process holds: ``--clients`` authenticated websocket connections,
   opened straight to the hub (not through the gateway) by one asyncio process
   speaking Engine.IO 4 / Socket.IO 5 itself, so the client side stays light; the
   hub's resident memory before and after gives the memory per connection.
3. Broadcast: an alert of a device nobody owns goes to every administrator; all
   the connected clients are administrators, so the clock runs from publishing it to
   the last of them receiving it.

Everything shares the machine's cores with the broker, PostgreSQL and the functions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import aiohttp
import pika
import requests
import socketio

from tests.harness import TestStack, wait_for

PROBE_INTERVAL = 0.1
PROBE_DEVICES = 20
FLOW_DEVICES = 100
READING_SECONDS = 600


def raise_open_files_limit() -> int:
    """Sockets are files: lift the soft limit to the hard one (the hub inherits it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def publisher(stack: TestStack):
    connection = stack.amqp()
    channel = connection.channel()
    channel.exchange_declare("ems", "topic", durable=True)
    return connection, channel


PERSISTENT = pika.BasicProperties(content_type="application/json", delivery_mode=2)


# 1. alert latency -------------------------------------------------------------------


def devices_for(stack: TestStack, owner_id: str, count: int, limit: float) -> list[dict]:
    devices = []
    for _ in range(count):
        device = stack.create_device(max_hourly_kwh=limit)
        answer = stack.call(
            "POST",
            "/function/device-assign",
            token=stack.admin_token,
            json={"device_id": device["id"], "user_id": owner_id},
        )
        answer.raise_for_status()
        devices.append(device)
    return devices


def known_to_monitoring(stack: TestStack, token: str, device: dict) -> bool:
    today = datetime.now(UTC).date().isoformat()
    path = f"/function/consumption?device_id={device['id']}&date={today}"
    return stack.call("GET", path, token=token).status_code == 200


class ReadingFlow(threading.Thread):
    """Readings at a steady rate, each a new (device, time), all far below the limit."""

    def __init__(self, stack: TestStack, devices: list[dict], rate: int):
        super().__init__(name="reading-flow", daemon=True)
        self.stack, self.devices, self.rate = stack, devices, rate
        self.stop = threading.Event()
        self.published = 0
        self.elapsed = 0.0

    def run(self) -> None:
        connection, channel = publisher(self.stack)
        start = time.monotonic()
        first = int(time.time()) // READING_SECONDS * READING_SECONDS - 30 * 86400
        while not self.stop.is_set():
            due = int((time.monotonic() - start) * self.rate)
            for n in range(self.published, due):
                device = self.devices[n % len(self.devices)]
                moment = first + (n // len(self.devices)) * READING_SECONDS
                reading = {
                    "timestamp": moment,
                    "device_id": device["id"],
                    "measurement_value": 0.01,
                }
                channel.basic_publish("ems", "meter.reading", json.dumps(reading), PERSISTENT)
            self.published = max(self.published, due)
            connection.sleep(0.005)
        self.elapsed = time.monotonic() - start
        connection.close()


def measure_latency(stack: TestStack, rate: int, seconds: float) -> None:
    owner, token = stack.create_user()
    print(f"creating {FLOW_DEVICES + PROBE_DEVICES} devices ...", flush=True)
    flow_devices = devices_for(stack, owner["id"], FLOW_DEVICES, 100_000.0)
    probe_devices = devices_for(stack, owner["id"], PROBE_DEVICES, 1.0)
    for device in flow_devices + probe_devices:
        wait_for(lambda d=device: known_to_monitoring(stack, token, d), timeout=60)

    sent: dict[tuple[str, str], float] = {}
    latencies: list[float] = []
    since_raised: list[float] = []
    direct_sent: dict[str, float] = {}
    direct: list[float] = []

    def on_alert(alert):
        if alert["id"] in direct_sent:
            direct.append(time.perf_counter() - direct_sent[alert["id"]])
            return
        hour = datetime.fromisoformat(alert["hour_start"]).astimezone(UTC).isoformat()
        started = sent.get((alert["device_id"], hour))
        if started is not None:
            latencies.append(time.perf_counter() - started)
            raised = datetime.fromisoformat(alert["raised_at"])
            since_raised.append((datetime.now(UTC) - raised).total_seconds())

    async def listen(stop: asyncio.Event):
        client = socketio.AsyncClient(reconnection=False)
        client.on("alert", on_alert)
        await client.connect(
            stack.url, auth={"token": token}, socketio_path="socket.io", transports=["websocket"]
        )
        ready.set()
        await stop.wait()
        await client.disconnect()

    ready = threading.Event()
    loop = asyncio.new_event_loop()
    stop_listening = asyncio.Event()
    listener = threading.Thread(
        target=loop.run_until_complete, args=(listen(stop_listening),), daemon=True
    )
    listener.start()
    ready.wait(30)

    flow = ReadingFlow(stack, flow_devices, rate)
    flow.start()
    print(f"readings flowing at {rate}/s; warming up 3 s ...", flush=True)
    time.sleep(3)
    connection, channel = publisher(stack)
    this_hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    probes = int(seconds / PROBE_INTERVAL)
    for n in range(probes):
        device = probe_devices[n % PROBE_DEVICES]
        hour = this_hour - timedelta(hours=n // PROBE_DEVICES)
        reading = {
            "timestamp": (hour + timedelta(minutes=10)).isoformat(),
            "device_id": device["id"],
            "measurement_value": 5.0,
        }
        sent[(device["id"], hour.isoformat())] = time.perf_counter()
        channel.basic_publish("ems", "meter.reading", json.dumps(reading), PERSISTENT)
        connection.sleep(PROBE_INTERVAL / 2)
        # The hub's own leg: an alert.raised published as monitoring would.
        event = alert_event(owner["id"])
        direct_sent[event["data"]["id"]] = time.perf_counter()
        channel.basic_publish("ems", "alert.raised", json.dumps(event), PERSISTENT)
        connection.sleep(PROBE_INTERVAL / 2)
        if n % 50 == 49:
            print(f"  {n + 1}/{probes} probes, {len(latencies)} alerts back", flush=True)
    connection.close()
    flow.stop.set()
    flow.join()
    wait_for(lambda: len(latencies) + len(direct) >= 2 * probes, timeout=30, message="alerts lost")
    loop.call_soon_threadsafe(stop_listening.set)
    listener.join(10)

    ms = [value * 1000 for value in latencies]
    hub_ms = [value * 1000 for value in since_raised]
    print(
        f"alert latency with {flow.published / flow.elapsed:.0f} readings/s flowing "
        f"({len(ms)} alerts): p50 {percentile(ms, 0.5):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms,"
        f" max {max(ms):.1f} ms; of which from the alert's raised_at (the ingest transaction's"
        f" start) to the browser: p50 {percentile(hub_ms, 0.5):.1f} ms,"
        f" p99 {percentile(hub_ms, 0.99):.1f} ms",
        flush=True,
    )
    direct_ms = [value * 1000 for value in direct]
    print(
        f"the hub's leg (alert.raised published -> alert in the browser, same load): "
        f"p50 {percentile(direct_ms, 0.5):.1f} ms, p99 {percentile(direct_ms, 0.99):.1f} ms",
        flush=True,
    )


# 2. and 3. many clients, one broadcast -----------------------------------------------


class RawClients:
    """Socket.IO clients as bare websockets: open, authenticate, answer pings, count."""

    def __init__(self, hub: str, token: str):
        self.url = hub.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        self.token = token
        self.sockets: list[aiohttp.ClientWebSocketResponse] = []
        self.arrivals: dict[str, list[float]] = {}
        self.readers: list[asyncio.Task] = []
        self.session: aiohttp.ClientSession | None = None

    async def open(self, count: int, parallel: int = 200) -> int:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        gate = asyncio.Semaphore(parallel)
        failures = 0

        async def one():
            nonlocal failures
            async with gate:
                try:
                    await self._connect()
                except (aiohttp.ClientError, TimeoutError, ConnectionError) as exc:
                    failures += 1
                    if failures <= 3:
                        print(f"  connect failed: {exc!r}", flush=True)

        batch = 1000
        for start in range(0, count, batch):
            await asyncio.gather(*(one() for _ in range(min(batch, count - start))))
            print(f"  {len(self.sockets)} connected, {failures} failed", flush=True)
        return failures

    async def _connect(self) -> None:
        ws = await self.session.ws_connect(self.url, timeout=aiohttp.ClientWSTimeout(ws_close=5))
        opened = await asyncio.wait_for(ws.receive_str(), 30)
        if not opened.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opened[:80]}")
        await ws.send_str("40" + json.dumps({"token": self.token}))
        answer = await asyncio.wait_for(ws.receive_str(), 30)
        if not answer.startswith("40"):
            raise ConnectionError(f"refused: {answer[:120]}")
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._read(ws)))

    async def _read(self, ws) -> None:
        async for message in ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            if message.data == "2":
                await ws.send_str("3")
            elif message.data.startswith('42["alert"'):
                alert = json.loads(message.data[2:])[1]
                self.arrivals.setdefault(alert["id"], []).append(time.perf_counter())

    async def close(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        await self.session.close()


def hub_metric(hub: str, name: str) -> float:
    for line in requests.get(hub + "/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise KeyError(name)


def alert_event(owner_id: str | None) -> dict:
    """An ``alert.raised`` as monitoring publishes it, for a device that does not exist."""
    alert_id = str(uuid.uuid4())
    return {
        "id": alert_id,
        "type": "alert.raised",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": {
            "id": alert_id,
            "device_id": str(uuid.uuid4()),
            "hour_start": datetime.now(UTC).replace(minute=0, second=0, microsecond=0).isoformat(),
            "total_kwh": 3.0,
            "limit_kwh": 2.0,
            "raised_at": datetime.now(UTC).isoformat(),
            "acknowledged_at": None,
            "owner_id": owner_id,
            "device_name": "bench meter",
        },
    }


async def measure_clients(stack: TestStack, count: int, broadcasts: int) -> None:
    hub = stack.hub_urls()[0]
    memory_before = hub_metric(hub, "socket_hub_resident_memory_bytes")
    clients = RawClients(hub, stack.admin_token)
    print(f"opening {count} websocket clients to one hub ({hub}) ...", flush=True)
    started = time.perf_counter()
    failures = await clients.open(count)
    took = time.perf_counter() - started
    await asyncio.sleep(2)
    held = int(hub_metric(hub, "socket_hub_connected_clients"))
    memory_after = hub_metric(hub, "socket_hub_resident_memory_bytes")
    per_client = (memory_after - memory_before) / max(1, held)
    print(
        f"one hub process holds {held} authenticated websocket clients "
        f"({failures} failed; opened in {took:.1f} s, {len(clients.sockets) / took:.0f}/s); "
        f"resident memory {memory_before / 2**20:.0f} -> {memory_after / 2**20:.0f} MiB, "
        f"{per_client / 1024:.1f} KiB per connection",
        flush=True,
    )

    connection, channel = publisher(stack)
    times = []
    for n in range(broadcasts):
        event = alert_event(None)
        alert_id = event["data"]["id"]
        published = time.perf_counter()
        channel.basic_publish("ems", "alert.raised", json.dumps(event), PERSISTENT)
        for _ in range(600):
            if len(clients.arrivals.get(alert_id, [])) >= len(clients.sockets):
                break
            await asyncio.sleep(0.05)
        arrivals = clients.arrivals.get(alert_id, [])
        last = max(arrivals) - published if arrivals else float("nan")
        first = min(arrivals) - published if arrivals else float("nan")
        times.append(last * 1000)
        print(
            f"  broadcast {n + 1}: {len(arrivals)}/{len(clients.sockets)} clients, "
            f"first {first * 1000:.0f} ms, last {last * 1000:.0f} ms",
            flush=True,
        )
        await asyncio.sleep(1)
    connection.close()
    print(
        f"one alert to all {len(clients.sockets)} clients: median {statistics.median(times):.0f}"
        f" ms, worst {max(times):.0f} ms (publish to the last client's receipt)",
        flush=True,
    )
    await clients.close()


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--rate", type=int, default=2000, help="readings per second")
    options.add_argument("--seconds", type=float, default=20, help="probing time")
    options.add_argument("--clients", type=int, default=5000)
    options.add_argument("--broadcasts", type=int, default=5)
    options.add_argument("--skip", nargs="*", choices=["latency", "clients"], default=[])
    args = options.parse_args()

    limit = raise_open_files_limit()
    print(f"open files limit {limit}; starting the system ...", flush=True)
    stack = TestStack({"EMS_HUB_REPLICAS": "1"})
    try:
        stack.start()
        if "latency" not in args.skip:
            measure_latency(stack, args.rate, args.seconds)
        if "clients" not in args.skip:
            asyncio.run(measure_clients(stack, args.clients, args.broadcasts))
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
