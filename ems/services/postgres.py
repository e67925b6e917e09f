"""PostgreSQL through Debian's cluster tools: one cluster per port, and faas-ems's own role.

The role that ``DB_USER`` names by default, ``ems``, is faas-ems's own: the set-up
creates it (``LOGIN CREATEDB``, password from the ``db-password`` secret) through the
local socket as the ``postgres`` system user, and resets its password when the secret
changed. It never touches ``pg_hba.conf`` or any other role: faas-ems signs in with a
password over loopback, which Debian's default authentication already allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import psycopg

from ..config import OWN_ACCOUNT, Config
from ..databases import conninfo
from .host import LOCAL_HOSTS, has_systemd, installed, run

DEBIAN_PORT = 5432
SERVER_BINARIES = Path("/usr/lib/postgresql")


@dataclass(frozen=True)
class Cluster:
    version: str
    name: str
    port: int
    online: bool


def clusters() -> list[Cluster]:
    """Debian's clusters on this machine (``pg_lsclusters``)."""
    if not installed("pg_lsclusters"):
        return []
    found = []
    for line in run(["pg_lsclusters", "--no-header"]).stdout.splitlines():
        version, name, port, status, *_ = line.split()
        found.append(Cluster(version, name, int(port), status == "online"))
    return found


class Postgres:
    name = "PostgreSQL"
    packages = ("postgresql",)

    def __init__(self, config: Config):
        self.config = config
        self.host = config.values["DB_HOST"]
        self.port = int(config.values["DB_PORT"])
        self.user = config.values["DB_USER"]
        self.local = self.host in LOCAL_HOSTS
        self.own_account = self.user == OWN_ACCOUNT
        self.cluster_name = "main" if self.port == DEBIAN_PORT else f"ems-{self.port}"

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def account(self) -> str:
        return f"role {self.user}"

    def installed(self) -> bool:
        return installed("pg_createcluster") and any(SERVER_BINARIES.glob("*/bin/postgres"))

    def start(self, say) -> None:
        cluster = next((c for c in clusters() if c.port == self.port), None)
        if cluster is None:
            version = max((p.parts[-3] for p in SERVER_BINARIES.glob("*/bin/postgres")), key=int)
            run(["pg_createcluster", "--port", str(self.port), version, self.cluster_name])
            cluster = Cluster(version, self.cluster_name, self.port, online=False)
            say(f"PostgreSQL: created cluster {version}/{cluster.name} on port {self.port}")
        if has_systemd():
            run(["systemctl", "start", f"postgresql@{cluster.version}-{cluster.name}"])
        else:
            run(["pg_ctlcluster", cluster.version, cluster.name, "start"])
        say(f"PostgreSQL: started cluster {cluster.version}/{cluster.name}")

    def sign_in(self) -> str | None:
        try:
            with psycopg.connect(conninfo(self.config)) as connection:
                connection.execute("SELECT 1")
        except psycopg.Error as exc:
            return str(exc).strip().splitlines()[-1]
        return None

    def provision(self, say) -> None:
        """Create faas-ems's own role, or give it the current password."""
        password = self.config.secrets["db-password"].replace("'", "''")
        statements = (
            "SELECT format('CREATE ROLE %I', :'role')"
            " WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec\n"
            f"ALTER ROLE :\"role\" WITH LOGIN CREATEDB PASSWORD '{password}';\n"
        )
        run(
            ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
             "-v", f"role={self.user}", "-p", str(self.port), "-d", "postgres"],
            stdin=statements,
        )  # fmt: skip
        say(f"PostgreSQL: role {self.user} may sign in on {self.where} (LOGIN CREATEDB)")

    def remove(self, say) -> None:
        """Drop the cluster the set-up created for a port of its own (never Debian's main)."""
        for cluster in clusters():
            if cluster.port == self.port and cluster.name.startswith("ems-"):
                run(["pg_dropcluster", "--stop", cluster.version, cluster.name])
                say(f"PostgreSQL: removed cluster {cluster.version}/{cluster.name}")

    def hint(self) -> str:
        return (
            "Set DB_HOST, DB_PORT, DB_USER and DB_PASSWORD for a PostgreSQL of your own,"
            " or run `sudo make services` once to install and set up Debian's."
        )
