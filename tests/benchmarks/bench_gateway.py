"""Calls per second one trivial function sustains through the local gateway.

    .venv/bin/python -m tests.benchmarks.bench_gateway [--seconds 10] [--concurrency 32]

It brings up ``ems up`` with only the probe function (tests/fixtures/probe),
then drives ``GET /function/probe`` with 1 and with 4 replicas. The load
generator runs on the same machine and takes its share of the cores.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp
import yaml

from tests.harness import TestStack

PROBE = Path(__file__).resolve().parent.parent / "fixtures" / "probe"


def probe_stack_file() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    shutil.copytree(PROBE, folder / "probe")
    stack = {
        "version": 1.0,
        "provider": {"name": "openfaas"},
        "functions": {
            "probe": {
                "lang": "python3-ems",
                "handler": "./probe",
                "image": "faas-ems/probe:latest",
                "labels": {"com.openfaas.scale.min": "1", "com.openfaas.scale.max": "8"},
            }
        },
    }
    (folder / "stack.yml").write_text(yaml.safe_dump(stack))
    return folder / "stack.yml"


async def drive(url: str, seconds: float, concurrency: int) -> tuple[int, list[float], int]:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker(session):
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            async with session.get(url) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
            latencies.append(time.perf_counter() - started)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(concurrency)))
    return len(latencies), latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    started = time.monotonic()
    system = TestStack({"EMS_STACK_FILE": str(probe_stack_file()), "EMS_REPLICAS": ""})
    system.start()
    print(f"ems up ready in {time.monotonic() - started:.1f}s (probe function only)")
    try:
        for replicas in (1, 4):
            system.scale("probe", replicas)
            asyncio.run(drive(system.url + "/function/probe", 1, args.concurrency))  # warm-up
            count, latencies, errors = asyncio.run(
                drive(system.url + "/function/probe", args.seconds, args.concurrency)
            )
            latencies.sort()
            print(
                f"{replicas} replica(s): {count / args.seconds:,.0f} calls/s, "
                f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
                f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.1f} ms, "
                f"errors {errors} (concurrency {args.concurrency}, {args.seconds:.0f}s)"
            )
    finally:
        system.stop()


if __name__ == "__main__":
    main()
