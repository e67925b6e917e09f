"""The deployed stack as the scenario sees it: the docker CLI, nginx's published port,
the secrets this run supplied, and one-off containers on the stack's network.

Nothing but nginx is published on the host (the machine's own PostgreSQL, RabbitMQ and
Redis keep their ports), so whatever must speak AMQP runs as a container attached to
``func_functions``, as a meter gateway inside the network would.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

STACK = os.environ.get("EMS_STACK", "ems")
NETWORK = "func_functions"
URL = f"https://127.0.0.1:{os.environ.get('EMS_HTTPS_PORT', '18443')}"
SECRETS = Path(os.environ.get("EMS_SECRETS_FROM", ".swarm/secrets"))
STATE = Path(os.environ.get("EMS_SWARM_STATE", ".swarm"))
CREDENTIALS = Path(os.environ.get("EMS_CREDENTIALS_DIR", ".swarm/credentials"))
SIMULATOR_IMAGE = f"{os.environ.get('EMS_IMAGE_PREFIX', 'faas-ems')}/simulator:latest"


def docker(*args: str, timeout: float = 300) -> str:
    """The docker CLI's output; a failure is the test's, with the CLI's own words."""
    done = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def logs(container: str) -> str:
    """A container's output, both streams."""
    done = subprocess.run(["docker", "logs", container], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr


def process_uids(container: str) -> dict[int, str]:
    """User id and command of the container's main process and all it started, read
    from this host's /proc; health checks, which the engine execs beside them, are not."""
    init = int(docker("inspect", "--format", "{{.State.Pid}}", container))
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = {}, [init]
    while todo:
        pid = todo.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            command = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        uid = next(line.split()[2] for line in status.splitlines() if line.startswith("Uid:"))
        found[pid] = (int(uid), command)
        todo += children.get(pid, [])
    return {uid: command for uid, command in found.values()}


def secret(name: str) -> str:
    return (SECRETS / name).read_text().strip()


def service(name: str) -> str:
    return f"{STACK}_{name}"


def running_containers(service_name: str) -> list[str]:
    out = docker("ps", "-q", "--filter", f"label=com.docker.swarm.service.name={service_name}")
    return out.split()


def completed_runs(service_name: str) -> int:
    """How many of a job's tasks ran to completion."""
    states = docker("service", "ps", service_name, "--format", "{{.CurrentState}}")
    return sum(line.startswith("Complete") for line in states.splitlines())


def replicas(service_name: str) -> tuple[int, int]:
    """(running, desired) as `docker service ls` shows them."""
    out = docker("service", "ls", "--filter", f"name={service_name}", "--format", "{{json .}}")
    for line in out.splitlines():
        row = json.loads(line)
        if row["Name"] == service_name:
            running, _, desired = row["Replicas"].partition(" ")[0].partition("/")
            return int(running), int(desired)
    raise AssertionError(f"no service {service_name}")


def amqp_url() -> str:
    return f"amqp://ems:{secret('rabbitmq-password')}@rabbitmq:5672/%2F"


PUBLISH = """
import json, os, sys, time, pika
connection = pika.BlockingConnection(pika.URLParameters(os.environ["AMQP_URL"]))
channel = connection.channel()
channel.confirm_delivery()
for body in json.load(sys.stdin):
    channel.basic_publish("ems", os.environ["ROUTING_KEY"], json.dumps(body).encode(),
        pika.BasicProperties(content_type="application/json", delivery_mode=2))
    time.sleep(float(os.environ["PACE_SECONDS"]))
connection.close()
"""


def publish(routing_key: str, *events, pace_seconds: float = 0.0) -> None:
    """Publish to the stack's exchange from inside its network, each confirmed, with
    ``pace_seconds`` between them (a meter gateway forwarding as readings come)."""
    env = {"AMQP_URL": amqp_url(), "ROUTING_KEY": routing_key, "PACE_SECONDS": str(pace_seconds)}
    flags = [f"--env={key}={value}" for key, value in env.items()]
    subprocess.run(
        [
            "docker",
            "run",
            "--rm",
            "-i",
            f"--network={NETWORK}",
            *flags,
            "--entrypoint",
            "python",
            SIMULATOR_IMAGE,
            "-c",
            PUBLISH,
        ],
        input=json.dumps(list(events)),
        text=True,
        capture_output=True,
        check=True,
        timeout=600,
    )
