"""Readings per second the simulator backfills into RabbitMQ, confirmed.

    .venv/bin/python -m tests.benchmarks.bench_simulator [--devices 200] [--days 7]
        [--batch 1 100]

For each batch size, runs ``python -m simulator --backfill DAYS`` (as users do) in
a throw-away vhost with one durable queue bound to ``meter.reading`` (so the
persistent messages are really stored), and prints the simulator's own summary:
the clock runs from its start to the last confirm. Everything shares the
machine's cores with the broker.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

from ems.paths import ROOT
from tests.harness import SERVICES
from tests.test_simulator import ReadingsQueue


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--devices", type=int, default=200)
    options.add_argument("--days", type=float, default=7)
    options.add_argument("--batch", type=int, nargs="+", default=[1, 100])
    args = options.parse_args()

    with SERVICES.vhost("ems-bench-simulator") as vhost:
        url = SERVICES.amqp_url(vhost)
        with tempfile.TemporaryDirectory() as folder:
            fleet = Path(folder) / "fleet.json"
            fleet.write_text(
                json.dumps(
                    [{"id": str(uuid.uuid4()), "max_hourly_kwh": 2.5} for _ in range(args.devices)]
                )
            )
            for batch in args.batch:
                queue = ReadingsQueue(url)
                command = [
                    sys.executable, "-m", "simulator", "--config", str(fleet),
                    "--backfill", str(args.days), "--batch", str(batch), "--amqp", url, "--quiet",
                ]  # fmt: skip
                run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
                stored = queue.depth()
                queue.delete()
                print(f"--- {args.devices} devices x {args.days:g} days, --batch {batch}")
                print(run.stdout.rstrip())
                print(f"{'in queue':<11} {stored} messages")


if __name__ == "__main__":
    main()
