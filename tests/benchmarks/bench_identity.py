"""Latency of signing in and of listing 500 of 1,000 devices, through the local gateway.

    .venv/bin/python -m tests.benchmarks.bench_identity [--calls 50] [--devices 1000]

It brings up its own ``ems up`` (TestStack), stores the devices straight in
inventory's database (only the listing is measured), then makes the calls one
after another and prints p50/p95. Signing in is dominated by scrypt on purpose.
"""

from __future__ import annotations

import argparse
import statistics
import time

from tests.harness import TestStack


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(label: str, calls: int, call) -> None:
    latencies = []
    for done in range(1, calls + 1):
        started = time.perf_counter()
        response = call()
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text
        if done % 10 == 0 or done == calls:
            print(f"  {label}: {done}/{calls}", flush=True)
    p50, p95 = percentile(latencies, 0.5), percentile(latencies, 0.95)
    mean = statistics.fmean(latencies)
    print(f"{label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, mean {mean:.1f} ms over {calls} calls")


def seed_devices(system: TestStack, count: int) -> None:
    with system.db("inventory") as conn:
        conn.execute(
            "INSERT INTO devices (name, max_hourly_kwh, timezone)"
            " SELECT 'bench-' || lpad(n::text, 5, '0'), 2.5, 'Europe/Bucharest'"
            " FROM generate_series(1, %s) AS n",
            [count],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="calls per measurement")
    parser.add_argument("--devices", type=int, default=1000)
    args = parser.parse_args()

    started = time.monotonic()
    system = TestStack()
    system.start()
    print(f"ems up ready in {time.monotonic() - started:.1f}s", flush=True)
    try:
        user, _ = system.create_user(password="bench-password")
        seed_devices(system, args.devices)
        print(f"stored {args.devices} devices", flush=True)
        token = system.admin_token
        # the largest page (500); tests/benchmarks/bench_lists.py measures paging a fleet
        listed = system.call("GET", "/function/devices?limit=500", token=token)
        print(f"one listing: {len(listed.json())} devices, {len(listed.content) / 1024:.0f} KiB")

        measure(
            "login",
            args.calls,
            lambda: system.call(
                "POST",
                "/function/auth-login",
                json={"username": user["username"], "password": "bench-password"},
            ),
        )
        measure(
            f"list 500 of {args.devices} devices",
            args.calls,
            lambda: system.call("GET", "/function/devices?limit=500", token=token),
        )
    finally:
        system.stop()


if __name__ == "__main__":
    main()
