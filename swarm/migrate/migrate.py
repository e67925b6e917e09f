"""The Swarm stack's one-shot ``migrate`` job: ``ems migrate``, then the first administrator.

Docker mounts secrets as files, while ``ems`` takes its secrets from the environment
(as on a developer's machine), so the two it needs are handed over here. Running it
again applies only what is pending and leaves an existing administrator alone.
"""

from __future__ import annotations

import os
from pathlib import Path

from ems import cli, databases
from ems import config as ems_config

SECRETS_DIR = Path(os.environ.get("EMS_SECRETS_DIR", "/run/secrets"))
SECRET_VARIABLES = {"db-password": "DB_PASSWORD", "admin-password": "EMS_ADMIN_PASSWORD"}


def export_secrets() -> None:
    for name, variable in SECRET_VARIABLES.items():
        path = SECRETS_DIR / name
        if path.is_file():
            os.environ[variable] = path.read_text().strip()


def main() -> None:
    export_secrets()
    cli.main(["migrate"])
    config = ems_config.load()
    if databases.seed_admin(config):
        print(f"administrator {config.values['EMS_ADMIN_USERNAME']} created")
    else:
        print("administrator already there")


if __name__ == "__main__":
    main()
