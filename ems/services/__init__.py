"""PostgreSQL, RabbitMQ and Redis for faas-ems on one machine: checked, or set up.

``ensure`` checks that each service answers at its configured address and that
faas-ems's account signs in. With ``start``, as root, for a service on this
machine, it also does what is missing, and says each thing it did: installs
Debian's packages (one apt-get call for all), starts the server, creates
faas-ems's own account. A second run finds everything in place and only checks.
A service that already runs is used as it is, through the configured settings;
of its accounts only faas-ems's own (``ems``) is ever created or changed.
"""

from __future__ import annotations

from .host import SetupError, install_packages, is_root, listening, wait_until
from .postgres import Postgres
from .rabbitmq import RabbitMQ
from .redis import Redis

__all__ = ["Postgres", "RabbitMQ", "Redis", "SetupError", "ensure", "remove", "services"]

START_SECONDS = 120


def services(config) -> list:
    return [Postgres(config), RabbitMQ(config), Redis(config)]


def ensure(config, *, start: bool, say=print, meters: bool = False) -> list[str]:
    """Check (with ``start``: set up) every service; return what is still wrong.

    ``meters``: also open the broker's MQTT door for meters (``ems up`` asks for it; the
    door's logins are answered by that system's gateway, so ``ems services`` does not).
    """
    manage = start and is_root()
    chosen = services(config)
    absent = [s for s in chosen if s.local and not s.installed() and not listening(s.host, s.port)]
    if manage and absent:
        install_packages([package for s in absent for package in s.packages], say)
    problems = []
    for service in chosen:
        problem = _ensure_one(service, manage and service.local, say, meters)
        if problem:
            problems.append(problem)
            say(problem)
    if problems and start and not is_root():
        say("Not root, so nothing was installed or started: run `sudo make services` once.")
    return problems


def _ensure_one(service, manage: bool, say, meters: bool) -> str | None:
    if manage and not listening(service.host, service.port):
        service.start(say)
        if wait_until(
            lambda: None if listening(service.host, service.port) else "down", START_SECONDS
        ):
            return f"{service.name} did not start on {service.where} in {START_SECONDS}s"
    problem = service.sign_in()
    if problem and manage and service.own_account and listening(service.host, service.port):
        service.provision(say)
        problem = wait_until(service.sign_in, 10)
    if problem:
        return f"{service.name} at {service.where}: {problem}\n  {service.hint()}"
    if manage and hasattr(service, "configure"):
        service.configure(say, meters=meters)
    say(f"{service.name} {service.where}: ready ({service.account})")
    return None


def remove(config, say=print) -> None:
    """Stop and delete the servers the set-up started on ports of their own."""
    for service in services(config):
        service.remove(say)
