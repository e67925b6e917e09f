"""What the set-up may do on this machine: run commands, install Debian packages, wait."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class SetupError(RuntimeError):
    """A step of the set-up failed; the message says which and what it printed."""


def is_root() -> bool:
    return os.geteuid() == 0


def has_systemd() -> bool:
    """True where systemd runs the machine, so that services belong to its units."""
    return Path("/run/systemd/system").is_dir()


def run(
    argv: Sequence[str],
    *,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command quietly; on failure raise with what it printed."""
    completed = subprocess.run(
        list(argv),
        input=stdin,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and completed.returncode != 0:
        output = (completed.stderr or completed.stdout).strip()
        raise SetupError(f"`{' '.join(argv)}` failed ({completed.returncode}): {output}")
    return completed


def install_packages(packages: Sequence[str], say: Callable[[str], None]) -> None:
    """Install Debian packages in one apt-get call, showing apt's own progress."""
    started = time.monotonic()
    say(f"installing Debian packages: {' '.join(packages)} (apt-get, as root)")
    noninteractive = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages],
    ):
        if subprocess.run(argv, env=noninteractive, check=False).returncode != 0:
            raise SetupError(f"`{' '.join(argv)}` failed; see apt's output above")
    say(f"installed {' '.join(packages)} in {time.monotonic() - started:.0f}s")


def listening(host: str, port: int) -> bool:
    """Whether something accepts connections at the address, whatever it would say to us."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def installed(program: str) -> bool:
    return shutil.which(program, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin") is not None


def wait_until(check: Callable[[], str | None], seconds: float) -> str | None:
    """Call ``check`` until it reports no problem or time is up; return the last problem."""
    deadline = time.monotonic() + seconds
    while True:
        problem = check()
        if problem is None or time.monotonic() >= deadline:
            return problem
        time.sleep(0.5)
