"""The python3-ems template: build contexts as faas-cli lays them out, and index.py."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from ems import build
from ems import stack as stack_file
from ems.paths import ROOT, TEMPLATES
from ems.processes import free_port
from tests.harness import SERVICES, wait_for

TEMPLATE = TEMPLATES / "python3-ems"
PROBE = Path(__file__).parent / "fixtures" / "probe"


def dockerfile_copy_sources() -> list[str]:
    sources = []
    for line in (TEMPLATE / "Dockerfile").read_text().splitlines():
        match = re.match(r"^COPY\s+(?!--from)(?:--\S+\s+)*(\S+)\s+\S+$", line.strip())
        if match:
            sources.append(match.group(1))
    return sources


class Served:
    """A build context served with the template's command, as the watchdog would."""

    def __init__(self, context: Path, env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        argv = build.template_command("python3-ems")
        argv[0] = sys.executable if argv[0] == "python" else argv[0]
        self.log = context / "serve.log"
        self.process = subprocess.Popen(
            argv,
            cwd=context,
            env={
                "PATH": os.environ["PATH"],
                "EMS_PORT": str(self.port),
                "EMS_FUNCTION": context.name,
                **(env or {}),
            },
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        wait_for(self._ready, timeout=30, message=f"{context.name} did not start")

    def _ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"exited: {self.log.read_text()}")
        try:
            return requests.get(self.url + "/_/health", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)


@pytest.fixture
def probe_context(tmp_path):
    spec = stack_file.FunctionSpec(
        name="probe", lang="python3-ems", handler=PROBE, image="probe:latest"
    )
    stack = stack_file.Stack(functions={"probe": spec}, copy=[], base=ROOT, raw={})
    return build.assemble(spec, stack, tmp_path / "probe")


@pytest.fixture
def probe(probe_context):
    served = Served(probe_context)
    yield served
    served.stop()


def test_every_function_build_context_is_complete_and_serves(tmp_path):
    """Each function of stack.yml, assembled like faas-cli, imports and starts."""
    stack = stack_file.load()
    assert stack.functions, "stack.yml lists no function"
    for spec in stack.functions.values():
        context = build.assemble(spec, stack, tmp_path / spec.name)
        for source in dockerfile_copy_sources():
            assert (context / source).exists(), f"{spec.name}: Dockerfile copies missing {source}"
        assert (context / "function" / "handler.py").is_file()
        for extra in stack.copy:
            assert (context / "function" / Path(extra)).is_dir()  # where faas-cli puts it
        package = context / build.template_pythonpath(spec.lang) / "faas_ems" / "__init__.py"
        assert package.is_file(), "the template's PYTHONPATH misses the platform package"
        served = Served(context, env={"EMS_CONTEXT": spec.environment.get("EMS_CONTEXT", "")})
        try:
            assert served.process.poll() is None
        finally:
            served.stop()


def test_dict_and_list_bodies_are_json(probe):
    listed = requests.get(probe.url + "/list", timeout=5)
    assert listed.headers["Content-Type"] == "application/json"
    assert listed.json() == [1, "two", {"three": 3}]
    echoed = requests.post(probe.url + "/echo", json={"a": [1, 2]}, timeout=5)
    assert echoed.json()["received"] == {"a": [1, 2]}
    assert echoed.json()["path"] == "/echo"


def test_errors_are_json_and_crashes_do_not_leak(probe):
    refused = requests.get(probe.url + "/refuse", timeout=5)
    assert refused.status_code == 409
    assert refused.json() == {"error": {"code": "conflict", "message": "refused on purpose"}}
    crashed = requests.get(probe.url + "/crash", timeout=5)
    assert crashed.status_code == 500
    assert crashed.json()["error"]["code"] == "internal"
    assert "boom" not in crashed.text
    missing = requests.delete(probe.url + "/list", timeout=5)
    assert missing.status_code == 405
    assert missing.headers["Allow"] == "GET"


def test_one_log_line_per_call_with_its_call_id(probe):
    response = requests.get(probe.url + "/", headers={"X-Call-Id": "call-42"}, timeout=5)
    assert response.headers["X-Call-Id"] == "call-42"
    wait_for(lambda: "call_id=call-42" in probe.log.read_text(), timeout=5)
    lines = [line for line in probe.log.read_text().splitlines() if "call_id=call-42" in line]
    assert len(lines) == 1
    assert "status=200" in lines[0]


def test_sigterm_lets_calls_in_flight_finish(probe):
    results = {}

    def slow_call():
        results["slow"] = requests.get(probe.url + "/slow?seconds=1.5", timeout=10)

    caller = threading.Thread(target=slow_call)
    caller.start()
    time.sleep(0.4)
    probe.process.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    health = requests.get(probe.url + "/_/health", timeout=5)
    assert health.status_code == 503
    caller.join(10)
    assert results["slow"].status_code == 200
    assert results["slow"].json() == {"slept": True}
    assert probe.process.wait(10) == 0


@pytest.fixture
def database_env():
    """Settings that give the probe a scratch database of its own."""
    prefix = f"emst_{uuid.uuid4().hex[:8]}_"
    with SERVICES.postgres(autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{prefix}probe"')
    values = SERVICES.config.values
    yield {
        "DB_HOST": values["DB_HOST"],
        "DB_PORT": values["DB_PORT"],
        "DB_USER": values["DB_USER"],
        "DB_PASSWORD": SERVICES.config.secrets.get("db-password", ""),
        "EMS_DB_PREFIX": prefix,
        "EMS_CONTEXT": "probe",
    }
    SERVICES.drop_databases(prefix)


def test_pooled_connections_outlive_a_database_restart(probe_context, database_env):
    """A restart ends every server process (AdminShutdown); the pool checks each
    connection it lends, so the next call gets a fresh one instead of a 500."""
    served = Served(probe_context, env=database_env)
    try:
        first = requests.get(served.url + "/database", timeout=10).json()["pid"]
        with SERVICES.postgres(autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND usename = current_user",
                [database_env["EMS_DB_PREFIX"] + "probe"],
            ).fetchall()
            for (pid,) in ended:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert first in {pid for (pid,) in ended}
        for _ in ended:  # each pooled connection in turn
            again = requests.get(served.url + "/database", timeout=10)
            assert again.status_code == 200, again.text
            assert again.json()["pid"] not in {pid for (pid,) in ended}
    finally:
        served.stop()


def test_a_database_that_is_away_answers_503_for_a_later_try(probe_context, database_env):
    """Not the call's fault: the connector requeues on a 503 without counting an attempt."""
    env = {**database_env, "DB_PORT": str(free_port()), "DB_POOL_TIMEOUT_SECONDS": "1"}
    served = Served(probe_context, env=env)
    try:
        response = requests.get(served.url + "/database", timeout=30)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unavailable"
        assert response.headers["Retry-After"] == "1"
    finally:
        served.stop()
