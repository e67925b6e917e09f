"""The stack that tests/swarm_e2e/run.sh deployed, once it has settled."""

from __future__ import annotations

import time

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
    return swarm.URL


def nginx_answers() -> bool:
    try:
        return requests.get(swarm.URL + "/healthz", timeout=5).status_code == 200
    except requests.ConnectionError:
        return False


@pytest.fixture(scope="session")
def openfaas(platform):
    """The gateway answering through nginx with the functions deployed, or a skip that
    says what is missing (no registry here, and no OpenFaaS build from Go's proxy)."""
    missing = [
        name
        for name in OPENFAAS_SERVICES
        if not swarm.docker(
            "image",
            "ls",
            "-q",
            swarm.docker(
                "service",
                "inspect",
                swarm.service(name),
                "--format",
                "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
            ).strip(),
        ).strip()
    ]
    if missing:
        pytest.skip(f"no OpenFaaS images on this engine for: {', '.join(missing)}")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        listed = requests.get(
            swarm.URL + "/system/functions",
            auth=("admin", (swarm.CREDENTIALS / "basic-auth-password").read_text().strip()),
            timeout=10,
        )
        if listed.ok and listed.json():
            return swarm.URL
        time.sleep(2)
    pytest.fail("the gateway never listed the functions (swarm/deploy.sh functions)")
