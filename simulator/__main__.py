"""``ems-simulator`` / ``python -m simulator``: a fleet of smart meters on RabbitMQ.

Examples::

    ems-simulator --device meter-1:2.5 --device meter-2            # live, every 10 min
    ems-simulator --config fleet.yaml --backfill 7 --batch 100      # last week, fast
    ems-simulator --from-gateway http://127.0.0.1:8080 --backfill 1 --follow --speed 60
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from datetime import UTC, datetime

from faas_ems.runtime import settings

from .fleet import FleetError, from_file, from_gateway, parse_device, unique
from .profile import LoadModel
from .progress import ProgressBar, Tally
from .publisher import ConfirmedPublisher, PublishError
from .timeline import Plan, messages


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, not {text}")
    return value


def non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def aware_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"give the offset too, e.g. {text}+00:00")
    return value.astimezone(UTC)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="ems-simulator",
        description="Behave like a fleet of smart meters: publish meter.reading messages "
        "(kWh per interval) to RabbitMQ with publisher confirms.",
    )
    devices = p.add_argument_group("devices (at least one source)")
    devices.add_argument(
        "--device",
        action="append",
        default=[],
        metavar="ID[:LIMIT]",
        help="a device, optionally with its hourly limit in kWh (repeatable)",
    )
    devices.add_argument(
        "--config", metavar="FILE", help="JSON or YAML list of {id, max_hourly_kwh, timezone?}"
    )
    devices.add_argument(
        "--from-gateway", metavar="URL", help="every device listed by the gateway's devices API"
    )
    devices.add_argument(
        "--username", default=os.environ.get("EMS_ADMIN_USERNAME"), help="(EMS_ADMIN_USERNAME)"
    )
    devices.add_argument(
        "--password", default=os.environ.get("EMS_ADMIN_PASSWORD"), help="(EMS_ADMIN_PASSWORD)"
    )
    devices.add_argument(
        "--timezone",
        default="UTC",
        help="local time zone of devices that do not name one (default UTC)",
    )

    timing = p.add_argument_group("timing")
    timing.add_argument(
        "--interval",
        type=positive_int,
        default=600,
        metavar="SECONDS",
        help="length of a metering interval (default 600)",
    )
    timing.add_argument(
        "--speed", type=positive_float, default=1.0, help="run the clock N times faster"
    )
    timing.add_argument(
        "--backfill",
        type=non_negative_float,
        default=0,
        metavar="DAYS",
        help="publish the past DAYS days as fast as the broker takes them, then stop",
    )
    timing.add_argument("--follow", action="store_true", help="after the backfill, go on live")
    timing.add_argument("--count", type=positive_int, metavar="N", help="stop after N intervals")
    timing.add_argument(
        "--now",
        type=aware_time,
        metavar="TIME",
        help="start the simulated clock at TIME (ISO 8601 with offset) instead of now",
    )
    timing.add_argument("--seed", type=int, default=0, help="same seed, same readings (default 0)")

    output = p.add_argument_group("publishing")
    output.add_argument(
        "--amqp", default=None, metavar="URL", help="RabbitMQ URL (default: AMQP_URL)"
    )
    output.add_argument("--exchange", default=None, help="topic exchange (default: EMS_EXCHANGE)")
    output.add_argument(
        "--batch", type=positive_int, default=1, metavar="N", help="readings per message"
    )
    output.add_argument(
        "--window",
        type=positive_int,
        default=5000,
        metavar="N",
        help="messages in flight before waiting for confirms (default 5000)",
    )
    output.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def load_devices(args, p: argparse.ArgumentParser):
    if not (args.device or args.config or args.from_gateway):
        p.error("name the devices: --device, --config or --from-gateway")
    devices = [parse_device(text, args.timezone) for text in args.device]
    if args.config:
        devices += from_file(args.config, args.timezone)
    if args.from_gateway:
        if not (args.username and args.password):
            p.error("--from-gateway needs --username and --password (or EMS_ADMIN_* variables)")
        devices += from_gateway(args.from_gateway, args.username, args.password, args.timezone)
    devices = unique(devices)
    if not devices:
        raise FleetError("no devices to simulate")
    return devices


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="ems-simulator: %(message)s")
    logging.getLogger("pika").setLevel(logging.CRITICAL)
    p = parser()
    args = p.parse_args(argv)
    try:
        devices = load_devices(args, p)
    except FleetError as error:
        p.exit(2, f"ems-simulator: {error}\n")

    plan = Plan(
        now=args.now or datetime.now(UTC),
        interval_seconds=args.interval,
        backfill_days=args.backfill,
        follow=args.follow,
        count=args.count,
        speed=args.speed,
    )
    total = plan.intervals()
    tally = Tally(devices=len(devices))
    bar = None if args.quiet else ProgressBar(tally, total and total * len(devices))

    def confirmed(message):
        tally.add(message)
        if bar:
            bar.update()

    publisher = ConfirmedPublisher(
        args.amqp or settings.current().amqp_url,
        args.exchange or settings.current().exchange,
        window=args.window,
        on_confirmed=confirmed,
    )

    def on_signal(*_):
        # The first signal lets the messages in flight be confirmed; a second one ends now.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        publisher.stop()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    source = messages(devices, LoadModel(args.seed, args.interval), plan, args.batch)
    try:
        outcome = publisher.run(source)
    except PublishError as error:
        p.exit(1, f"ems-simulator: {error}\n")
    if bar:
        bar.finish()
    print(tally.summary(), flush=True)
    if outcome.reconnects:
        print(f"{'reconnects':<11} {outcome.reconnects}", flush=True)
    if outcome.unconfirmed_readings:
        print(f"{'unconfirmed':<11} {outcome.unconfirmed_readings}", flush=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
