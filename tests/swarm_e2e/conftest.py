"""The stack that tests/swarm_e2e/run.sh deployed, once it has settled."""

from __future__ import annotations

import os
import shutil

import pytest
import requests

from tests.harness import wait_for

from . import swarm

# Platform services that must run whatever else is missing.
PLATFORM = ["postgres", "rabbitmq", "redis", "socket-hub", "connector", "cron", "nginx"]
# What the openfaas fixture needs; absent, the function scenarios say why they skip.
OPENFAAS_SERVICES = ["gateway", "basic-auth-plugin", "faas-swarm"]


def converged(name: str) -> bool:
    running, desired = swarm.replicas(swarm.service(name))
    return desired > 0 and running == desired


@pytest.fixture(scope="session")
def platform():
    """Every platform service at its replica count, and nginx answering."""
    for name in PLATFORM:
        wait_for(
            lambda name=name: converged(name),
            timeout=300,
            interval=2,
            message=f"{swarm.service(name)} never reached its replicas",
        )
    wait_for(nginx_answers, timeout=120, interval=1, message="nginx never answered")
    wait_for(migrated, timeout=300, interval=2, message="the migrate job never completed")
    return swarm.URL


def migrated() -> bool:
    """The schemas exist and the first administrator is seeded."""
    return swarm.completed_runs(swarm.service("migrate")) > 0


def nginx_answers() -> bool:
    try:
        return requests.get(swarm.URL + "/healthz", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


def image_present(service_name: str) -> bool:
    spec = "{{.Spec.TaskTemplate.ContainerSpec.Image}}"
    image = swarm.docker("service", "inspect", service_name, "--format", spec).strip()
    return bool(swarm.docker("image", "ls", "-q", image).strip())


@pytest.fixture(scope="session")
def openfaas(platform):
    """The gateway listing the deployed functions through nginx, or a skip that says
    what is missing (no registry here, and Go's module proxy serves no OpenFaaS)."""
    missing = [name for name in OPENFAAS_SERVICES if not image_present(swarm.service(name))]
    if missing:
        pytest.skip(f"no OpenFaaS image on this engine for: {', '.join(missing)}")
    if shutil.which(os.environ.get("FAAS_CLI", "faas-cli")) is None:
        pytest.skip("no faas-cli (FAAS_CLI): swarm/deploy.sh deployed no function")
    password = (swarm.CREDENTIALS / "basic-auth-password").read_text().strip()

    def listed() -> bool:
        response = requests.get(
            swarm.URL + "/system/functions", auth=("admin", password), timeout=10
        )
        return response.ok and bool(response.json())

    wait_for(listed, timeout=300, interval=2, message="the gateway never listed the functions")
    wait_for(functions_ready, timeout=300, interval=2, message="functions never became healthy")
    return swarm.URL


def functions_ready() -> bool:
    """Every function at its replicas; a task counts once its health check passed."""
    names = swarm.docker(
        "service", "ls", "--filter", "label=com.openfaas.function", "--format", "{{.Name}}"
    ).split()
    return bool(names) and all(
        running == desired > 0 for running, desired in map(swarm.replicas, names)
    )
