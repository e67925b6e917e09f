"""Latency of the list calls over a fleet of 10,000 devices, through the local gateway.

    .venv/bin/python -m tests.benchmarks.bench_lists [--calls 50] [--devices 10000]

It brings up its own ``ems up`` (TestStack), stores the fleet straight in inventory's
and monitoring's databases (tests/fleet.py: only the lists are measured), one client
owning 1,000 of the meters, then makes each call one after another and prints p50/p95:
a page of devices (first, searched, last), a page of today's summary sorted by today's
kWh (all 10,000 for the administrator, the client's 1,000 with live power) and a page
of users.
"""

from __future__ import annotations

import argparse
import time

from tests import fleet
from tests.benchmarks.bench_identity import measure
from tests.harness import TestStack


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=50, help="calls per measurement")
    parser.add_argument("--devices", type=int, default=10_000)
    args = parser.parse_args()

    started = time.monotonic()
    system = TestStack()
    system.start()
    print(f"ems up ready in {time.monotonic() - started:.1f}s", flush=True)
    try:
        client, client_token = system.create_user(password="bench-password")
        owned = min(1000, args.devices)
        fleet.seed(system, owned, "bench-own", owner_id=client["id"])
        fleet.seed(system, args.devices - owned, "bench")
        print(f"stored {args.devices} devices, {owned} of them the client's", flush=True)
        admin = system.admin_token
        last = (args.devices - 1) // 50 * 50

        def listing(path: str, token: str = admin):
            return lambda: system.call("GET", path, token=token)

        calls = [
            ("devices, first page of 50", listing("/function/devices")),
            ("devices, searched by meter number", listing("/function/devices?q=BENCH-04711")),
            (f"devices, last page (offset {last})", listing(f"/function/devices?offset={last}")),
            (
                f"summary of {args.devices}, by today's kWh",
                listing("/function/consumption/summary?sort=-today_kwh&limit=50"),
            ),
            (
                f"summary of the client's {owned}, by today's kWh, live power",
                listing(
                    "/function/consumption/summary?sort=-today_kwh&limit=50&power=true",
                    client_token,
                ),
            ),
            ("users, first page of 50", listing("/function/users")),
        ]
        for label, call in calls:
            answer = call()
            total = answer.headers.get("X-Total-Count")
            print(f"{label}: {len(answer.json())} rows of {total}", flush=True)
            measure(label, args.calls, call)
    finally:
        system.stop()


if __name__ == "__main__":
    main()
