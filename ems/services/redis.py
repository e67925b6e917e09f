"""Redis from Debian's package, started by faas-ems: loopback only, nothing on disk.

Redis holds only what may be lost (throttle counters, caches, presence, Socket.IO
fan-out), so the server the set-up starts persists nothing unless
``EMS_REDIS_PERSIST=1`` asks for an append-only file. It runs as Debian's ``redis``
user from a configuration file of its own (mode 600, so a password stays off the
command line), beside Debian's ``/etc/redis/redis.conf``, which it leaves alone.
"""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import redis

from ..config import Config
from .host import LOCAL_HOSTS, installed, run

DATA_DIR = Path("/var/lib/redis")


class Redis:
    name = "Redis"
    packages = ("redis-server",)
    own_account = False  # Redis has one password, set where the server starts

    def __init__(self, config: Config):
        url = urlsplit(config.values["REDIS_URL"])
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 6379
        self.password = config.secrets.get("redis-password") or unquote(url.password or "")
        self.persist = config.values.get("EMS_REDIS_PERSIST") == "1"
        self.local = self.host in LOCAL_HOSTS

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def account(self) -> str:
        return "with a password" if self.password else "no password, loopback only"

    def _file(self, kind: str) -> Path:
        return DATA_DIR / f"ems-{self.port}.{kind}"

    @property
    def conf_path(self) -> Path:
        return self._file("conf")

    def installed(self) -> bool:
        return installed("redis-server")

    def start(self, say) -> None:
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1 -::1",
            "protected-mode yes",
            "daemonize yes",
            f"dir {DATA_DIR}",
            f"pidfile {self._file('pid')}",
            f"logfile {self._file('log')}",
            'save ""',
            f"appendonly {'yes' if self.persist else 'no'}",
            f"appendfilename ems-{self.port}.aof",
        ]
        if self.password:
            lines.append(f'requirepass "{self.password}"')
        self.conf_path.write_text("\n".join(lines) + "\n")
        self.conf_path.chmod(0o600)
        shutil.chown(self.conf_path, "redis", "redis")
        run(["runuser", "-u", "redis", "--", "redis-server", str(self.conf_path)])
        kept = "an append-only file" if self.persist else "nothing on disk"
        say(f"Redis: started on 127.0.0.1:{self.port} ({kept})")

    def sign_in(self) -> str | None:
        client = redis.Redis(
            host=self.host, port=self.port, password=self.password or None, socket_timeout=3
        )
        try:
            client.ping()
        except redis.RedisError as exc:
            return f"{exc.__class__.__name__}: {exc}"
        finally:
            client.close()
        return None

    def remove(self, say) -> None:
        """Stop a Redis the set-up started and delete its configuration."""
        if not self.conf_path.exists():
            return
        client = redis.Redis(host=self.host, port=self.port, password=self.password or None)
        with contextlib.suppress(redis.ConnectionError):  # the server hangs up: done
            client.shutdown(nosave=True)
        for kind in ("conf", "log"):
            self._file(kind).unlink(missing_ok=True)
        say(f"Redis: stopped the server on port {self.port}")

    def hint(self) -> str:
        return (
            "Set REDIS_URL (and REDIS_PASSWORD) for a Redis of your own,"
            " or run `sudo make services` once to install and start Debian's."
        )
