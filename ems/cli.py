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
    postgres = services.Postgres(config)
    problem = postgres.sign_in()
    if problem:
        raise SystemExit(f"ems migrate: PostgreSQL at {postgres.where}: {problem}")
    databases.create_missing(config)
    for context, count in databases.migrate(config).items():
        print(f"{context}: {count} migration(s) applied")


def check_services(args) -> None:
    config = config_module.load()
    try:
        if args.remove:
            services.remove(config)
        elif services.ensure(config, start=args.start):
            raise SystemExit(1)
    except services.SetupError as exc:
        raise SystemExit(f"ems services: {exc}") from None


def main(argv=None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # yoyo logs every step of every migration; ems prints one line per database instead.
    logging.getLogger("yoyo").setLevel(logging.WARNING)
    # pika logs a refused sign-in at length; the set-up's checks say it in one line.
    logging.getLogger("pika").setLevel(logging.CRITICAL)
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
        "--start",
        action="store_true",
        help="as root, install, start and set up what is missing",
    )
    services_parser.add_argument(
        "--remove",
        action="store_true",
        help="stop and delete the servers the set-up made for ports of their own",
    )
    services_parser.set_defaults(run=check_services)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
