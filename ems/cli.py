"""The ``ems`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging

from . import config as config_module
from . import databases, services


def up(args) -> None:
    overrides = {}
    if args.port:
        overrides["EMS_PORT"] = str(args.port)
    if args.replicas:
        overrides["EMS_REPLICAS"] = str(args.replicas)
    if args.demo:
        overrides["EMS_DEMO"] = "1"
    from .up import CannotStart, run

    try:
        asyncio.run(run(config_module.load(overrides)))
    except CannotStart as exc:
        raise SystemExit(f"ems up: {exc}") from None


def migrate(args) -> None:
    config = config_module.load()
    if services.ensure(config, start=False):
        raise SystemExit(1)
    databases.create_missing(config)
    for context, count in databases.migrate(config).items():
        print(f"{context}: {count} migration(s) applied")


def check_services(args) -> None:
    if services.ensure(config_module.load(), start=args.start):
        raise SystemExit(1)
    print("PostgreSQL, RabbitMQ and Redis answer.")


def main(argv=None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # yoyo logs every step of every migration; ems prints one line per database instead.
    logging.getLogger("yoyo").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(prog="ems", description="faas-ems on this machine")
    commands = parser.add_subparsers(dest="command", required=True)
    up_parser = commands.add_parser("up", help="run the whole system on one URL")
    up_parser.add_argument("--port", type=int, help="port of the one URL (default 8080)")
    up_parser.add_argument("--replicas", type=int, help="run N replicas of every function")
    up_parser.add_argument(
        "--demo",
        action="store_true",
        help="seed a demo client with three meters and run the simulator for them",
    )
    up_parser.set_defaults(run=up)
    migrate_parser = commands.add_parser("migrate", help="create and migrate the databases")
    migrate_parser.set_defaults(run=migrate)
    services_parser = commands.add_parser(
        "services", help="check that PostgreSQL, RabbitMQ and Redis answer"
    )
    services_parser.add_argument(
        "--start", action="store_true", help="start (as root: install) the ones that do not"
    )
    services_parser.set_defaults(run=check_services)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
