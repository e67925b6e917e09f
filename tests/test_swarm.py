"""The Docker Swarm deployment, checked without a Docker engine.

`make swarm-test` (tests/swarm_e2e) deploys the stack on a real engine; this file
checks what needs none, and catches there each fault the engine found: the docker
client validates the stack file; stack.yml and the swarm stack are checked to agree;
the RabbitMQ definitions are imported into a real broker and the connector and hub
declare their queues on top; each image's build context is assembled from its
Dockerfile's COPY lines and its command runs from it; each image's pip installs cover
what its code imports; nginx runs the real config in front of the real `ems up`
gateway and hub, and follows names through a fake DNS server.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import http.client
import http.server
import importlib.metadata as metadata
import json
import os
import re
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import aio_pika
import pytest
import redis.asyncio as redis_asyncio
import requests
import yaml
from packaging.requirements import Requirement

from connector import topology
from connector.config import Config as ConnectorConfig
from ems import broker_accounts, build, databases
from ems import stack as stack_file
from ems.gateway import SPA_HEADERS
from ems.paths import OPENAPI, ROOT
from ems.processes import free_port
from socket_hub.census import Census
from socket_hub.config import HubConfig
from socket_hub.consumer import EventConsumer
from socket_hub.consumer import declare as declare_hub_queues
from socket_hub.probes import Probes
from tests.fakes.dns import FakeDns
from tests.harness import SERVICES, wait_for

SWARM = ROOT / "swarm"
SWARM_STACK = SWARM / "stack.yml"
NGINX_CONF = SWARM / "nginx.conf"
DEFINITIONS = SWARM / "rabbitmq" / "definitions.json"
POSTGRES_INIT = SWARM / "postgres" / "10-ems.sh"
PYTHON_IMAGES = {
    "connector": ROOT / "connector" / "Dockerfile",
    "socket-hub": ROOT / "socket-hub" / "Dockerfile",
    "migrate": SWARM / "migrate" / "Dockerfile",
    "simulator": ROOT / "simulator" / "Dockerfile",
}
DOCKERFILES = {**PYTHON_IMAGES, "frontend": ROOT / "frontend" / "Dockerfile"}
# What each Python image starts (its CMD, and the cron connector's command).
ENTRY_MODULES = {
    "connector": ["connector.__main__", "connector.cron"],
    "socket-hub": ["socket_hub.__main__"],
    "migrate": ["migrate"],
    "simulator": ["simulator.__main__"],
}
# Services whose image has nothing to probe with or that run to completion.
NO_HEALTHCHECK = {
    "cron": "wakes once a minute, keeps no alive file",
    "migrate": "one-shot job",
}


# --- reading the files --------------------------------------------------------------


@pytest.fixture(scope="module")
def swarm() -> dict:
    """The swarm stack as Docker sees it (interpolated), else as YAML."""
    if shutil.which("docker"):
        out = subprocess.run(
            ["docker", "stack", "config", "-c", str(SWARM_STACK)],
            capture_output=True,
            text=True,
            check=True,
            env={k: v for k, v in os.environ.items() if not k.startswith("EMS_")},
        ).stdout
        return yaml.safe_load(out)
    return yaml.safe_load(SWARM_STACK.read_text())


@pytest.fixture(scope="module")
def functions() -> stack_file.Stack:
    return stack_file.load()


def functions_env() -> dict[str, str]:
    return yaml.safe_load((SWARM / "functions.env.yml").read_text())["environment"]


# meter-auth answers the broker inside the functions network, never a browser.
BROKER_ONLY = {"meter-auth"}


def public_functions(functions: stack_file.Stack) -> set[str]:
    """Functions no connector triggers: the ones a browser (or a meter gateway) calls."""
    untriggered = {
        name
        for name, spec in functions.functions.items()
        if not {"topic", "schedule"} & set(spec.annotations)
    }
    return untriggered - BROKER_ONLY


def nginx_public_paths() -> set[str]:
    match = re.search(r"location ~ \^/function/\(([^)]*)\)", NGINX_CONF.read_text())
    assert match, "nginx.conf has no location for the public functions"
    return set(match.group(1).split("|"))


@dataclass
class Copy:
    sources: list[str]
    destination: str
    flags: dict[str, str]


@dataclass
class Stage:
    base: str
    workdir: str = "/"
    copies: list[Copy] = field(default_factory=list)
    pip_args: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)


def read_dockerfile(path: Path) -> list[Stage]:
    text = re.sub(r"\\\n", " ", path.read_text())
    stages: list[Stage] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, rest = line.partition(" ")
        instruction = instruction.upper()
        if instruction == "FROM":
            stages.append(Stage(base=rest.split()[0]))
        elif instruction == "WORKDIR":
            stages[-1].workdir = str(PurePosixPath(stages[-1].workdir) / rest.strip())
        elif instruction == "COPY":
            words = shlex.split(rest)
            flags = dict(w[2:].split("=", 1) for w in words if w.startswith("--"))
            paths = [w for w in words if not w.startswith("--")]
            stages[-1].copies.append(Copy(paths[:-1], paths[-1], flags))
        elif instruction == "RUN":
            for command in re.split(r"&&|;", rest):
                words = shlex.split(command)
                if words[:2] == ["pip", "install"] or words[1:3] == ["-m", "pip"]:
                    stages[-1].pip_args += words[2:]
        elif instruction == "CMD":
            stages[-1].cmd = json.loads(rest)
    return stages


def container_path(stage: Stage, destination: str) -> PurePosixPath:
    return PurePosixPath(stage.workdir) / destination


def assemble(dockerfile: Path, target: Path) -> tuple[Path, Stage]:
    """Lay out the last stage's COPYs under ``target`` (the container's root); return its
    WORKDIR there, where the command starts."""
    stage = read_dockerfile(dockerfile)[-1]
    for copy in stage.copies:
        if "from" in copy.flags:
            continue
        for source in copy.sources:
            origin = ROOT / source
            destination = target / container_path(stage, copy.destination).relative_to("/")
            if origin.is_dir():
                shutil.copytree(origin, destination, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(origin, destination)
    workdir = target / PurePosixPath(stage.workdir).relative_to("/")
    return workdir, stage


# --- the stack file ---------------------------------------------------------------------


def test_docker_accepts_the_stack():
    if shutil.which("docker") is None:
        pytest.skip("the docker client is not installed: nothing to validate the file with")
    result = subprocess.run(
        ["docker", "stack", "config", "-c", str(SWARM_STACK)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_every_service_has_health_restart_limits_and_rolling_updates(swarm):
    for name, service in swarm["services"].items():
        deploy = service["deploy"]
        assert deploy["restart_policy"]["condition"] in {"any", "on-failure"}, name
        assert deploy["resources"]["limits"]["memory"], name
        assert deploy["resources"]["limits"]["cpus"], name
        if deploy.get("mode") != "replicated-job":  # a job is re-run, never rolled
            assert deploy["update_config"]["failure_action"] == "rollback", name
        check = service.get("healthcheck", {})
        if name in NO_HEALTHCHECK:
            assert check.get("disable") is True, name
        else:
            assert check.get("test"), f"{name} has no health check"


def test_migrate_is_a_job_that_a_forced_update_runs_once_more(swarm):
    """A replicated service whose task completes fails its update's monitor and is
    rolled back: `docker service update --force ems_migrate` ran it twice and ended in
    rollback_completed. A job runs to completion on each forced update."""
    deploy = swarm["services"]["migrate"]["deploy"]
    assert deploy["mode"] == "replicated-job"
    assert deploy["restart_policy"]["condition"] == "on-failure"
    assert "update_config" not in deploy and "rollback_config" not in deploy


def test_a_service_that_replaces_the_entrypoint_does_not_stay_root(swarm):
    """The database and broker images start as root and their docker-entrypoint.sh
    drops to their own user; an entrypoint of ours must do the same or name the user."""
    for name, service in swarm["services"].items():
        entrypoint = " ".join(service.get("entrypoint") or [])
        if entrypoint:
            drops = "exec docker-entrypoint.sh" in entrypoint
            assert drops or service.get("user") not in (None, "root", "0"), name


def test_every_name_resolves_to_task_addresses_not_a_virtual_ip(swarm):
    """A service's virtual IP routes only through IPVS, which a host's kernel may lack;
    tasks' own addresses (dnsrr) route everywhere."""
    for name, service in swarm["services"].items():
        assert service["deploy"]["endpoint_mode"] == "dnsrr", name
    gateway = swarm["services"]["gateway"]["environment"]
    assert gateway["direct_functions"] == "false"  # through faas-swarm, by tasks.<name>
    assert swarm["services"]["faas-swarm"]["environment"]["dnsrr"] == "true"


def test_functions_join_the_network_of_the_gateway(swarm, functions):
    network_key, network = next(iter(swarm["networks"].items()))
    assert len(swarm["networks"]) == 1
    assert network["name"] == functions.raw["provider"]["network"]
    assert network["driver"] == "overlay" and network["attachable"] is True
    # faas-swarm's fallback: the network labelled openfaas=true.
    assert network["labels"]["openfaas"] == "true"
    for name, service in swarm["services"].items():
        assert network_key in service["networks"], f"{name} is not on the functions network"


def test_everyone_finds_the_gateway_and_services_by_the_same_names(swarm):
    env = functions_env()
    gateway = re.fullmatch(r"http://([\w-]+):(\d+)", env["GATEWAY_URL"])
    assert gateway and gateway.group(1) in swarm["services"]
    assert gateway.group(2) == "8080"  # the OpenFaaS gateway's port
    provider = swarm["services"]["gateway"]["environment"]["functions_provider_url"]
    assert re.match(r"http://faas-swarm:8080/?$", provider)
    for name in ("connector", "cron", "socket-hub", "migrate"):
        service_env = swarm["services"][name]["environment"]
        for key in ("GATEWAY_URL", "AMQP_URL", "REDIS_URL", "EMS_EXCHANGE", "EMS_KEY_PREFIX"):
            assert service_env[key] == env[key], f"{name}: {key}"
    migrate_env = swarm["services"]["migrate"]["environment"]
    for key in ("DB_HOST", "DB_PORT", "DB_USER", "EMS_DB_PREFIX"):
        assert migrate_env[key] == env[key], key
    for host in (env["DB_HOST"], "rabbitmq", "redis"):
        assert host in swarm["services"]
    assert env["AMQP_URL"].startswith("amqp://ems@rabbitmq:5672/")


def test_function_names_do_not_shadow_stack_services(swarm, functions):
    """faas-swarm names each function's service after it, on the same network."""
    assert not set(functions.functions) & set(swarm["services"])


def test_secrets_are_external_and_cover_every_function(swarm, functions):
    declared = swarm["secrets"]
    assert all(spec.get("external") for spec in declared.values())
    used_by_functions = {s for spec in functions.functions.values() for s in spec.secrets}
    assert used_by_functions <= set(declared), used_by_functions - set(declared)
    used_by_services = set().union(*map(service_secrets, swarm["services"].values()))
    assert used_by_services <= set(declared)
    assert {"basic-auth-user", "basic-auth-password"} <= used_by_services
    script = (SWARM / "secrets.sh").read_text()
    made = set(re.search(r"RANDOM_SECRETS=\(([^)]*)\)", script).group(1).split())
    made |= {"basic-auth-user", "gemini-api-key", "smtp-password"}
    deploy = (SWARM / "deploy.sh").read_text()
    made |= {name for name in ("tls-cert", "tls-key") if f"faas-ems {name} " in deploy}
    assert made == set(declared)


def service_secrets(service: dict) -> set[str]:
    return {s["source"] if isinstance(s, dict) else s for s in service.get("secrets", [])}


def test_services_get_the_secrets_their_code_reads(swarm):
    def secrets_of(name):
        return service_secrets(swarm["services"][name])

    # connector.config: internal-token, and basic auth to list /system/functions.
    connector = secrets_of("connector")
    assert {"internal-token", "rabbitmq-connector", "basic-auth-password"} <= connector
    assert {"internal-token", "basic-auth-password"} <= secrets_of("cron")
    # socket_hub.config: the JWT to admit browsers, the token to call functions.
    assert {"jwt-secret", "internal-token", "redis-password", "rabbitmq-hub"} <= (
        secrets_of("socket-hub")
    )
    # Each component signs in to the broker as itself; the broker renders every account.
    for service, role in (("connector", "connector"), ("socket-hub", "hub")):
        assert "rabbitmq-password" not in secrets_of(service)
        assert swarm["services"][service]["environment"]["RABBITMQ_ACCOUNT"] == role
    assert set(broker_accounts.secret_names()) <= secrets_of("rabbitmq")
    assert {"db-password", "admin-password"} <= secrets_of("migrate")


def test_nginx_lets_through_exactly_the_public_functions(functions):
    public = public_functions(functions)
    assert nginx_public_paths() == public
    api = (ROOT / "docs" / "api.md").read_text()
    for name in public:
        assert f"/function/{name}" in api, f"{name} is public but not in docs/api.md"


def test_databases_created_are_the_contexts_with_migrations(functions):
    script = POSTGRES_INIT.read_text()
    created = set(re.search(r'^CONTEXTS="([^"]*)"', script, re.M).group(1).split())
    assert created == set(databases.contexts())
    assert (
        re.search(r'^DB_PREFIX="([^"]*)"', script, re.M).group(1)
        == (functions_env()["EMS_DB_PREFIX"])
    )
    used = {spec.environment.get("EMS_CONTEXT") for spec in functions.functions.values()}
    assert used <= created


# --- RabbitMQ definitions on a real broker ----------------------------------------------


@pytest.fixture
def definitions_vhost():
    """The definitions imported into a vhost of their own on the real broker."""
    vhost = f"ems-test-definitions-{uuid.uuid4().hex[:8]}"
    definitions = json.loads(DEFINITIONS.read_text())
    kinds = ("exchanges", "queues", "bindings", "permissions", "topic_permissions")
    for kind in kinds:
        for item in definitions[kind]:
            item["vhost"] = vhost
    # The components' accounts with this machine's passwords; never the operator's "ems".
    secrets = SERVICES.config.secrets
    users = [
        {**user, "password": secrets[user["password"].strip("_")]}
        for user in definitions["users"]
        if user["name"] != "ems"
    ]
    imported = {
        "vhosts": [{"name": vhost}],
        "users": users,
        **{kind: [i for i in definitions[kind] if i.get("user") != "ems"] for kind in kinds},
    }
    path = Path(f"/tmp/{vhost}.json")
    path.write_text(json.dumps(imported))
    os.chmod(path, 0o644)
    SERVICES.rabbitmqctl("import_definitions", str(path))
    SERVICES.grant(vhost)
    yield vhost, definitions
    SERVICES.rabbitmqctl("delete_vhost", vhost)
    path.unlink()


def in_a_thread(coroutine):
    """Run a coroutine on an event loop of its own: the browser tests' Playwright keeps one
    running in the main thread for the whole session."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


async def declare_as_hub(url: str, config: HubConfig) -> None:
    async with await aio_pika.connect(url) as connection:
        await declare_hub_queues(await connection.channel(), config)


def broker_bindings(vhost: str) -> set[tuple[str, str, str]]:
    columns = ["source_name", "destination_name", "routing_key"]
    out = SERVICES.rabbitmqctl("list_bindings", "-p", vhost, "--no-table-headers", *columns)
    rows = (line.split("\t") for line in out.splitlines() if line.strip())
    return {tuple(row) for row in rows if row[0]}


def test_rabbitmq_definitions_match_what_connector_and_hub_declare(
    definitions_vhost, functions, monkeypatch
):
    vhost, definitions = definitions_vhost
    assert definitions["exchanges"][0]["name"] == functions_env()["EMS_EXCHANGE"]
    assert definitions["users"][0]["password"] == "__rabbitmq-password__"
    imported = broker_bindings(vhost)
    expected = {
        ("ems", f"ems.{name}", topic)
        for name, spec in functions.functions.items()
        for topic in spec.topics
    }
    assert expected <= imported, expected - imported
    # Each as its own account: the Swarm broker's rights are enough for what each declares.
    with SERVICES.sign_in_as(vhost, "connector") as connection:
        channel = connection.channel()
        delays = ConnectorConfig.model_fields["retry_delays"].default
        for name, spec in functions.functions.items():
            if spec.topics:  # an inequivalent queue would close the channel here
                topology.declare(channel, "ems", "ems.", name, spec.topics, delays)
    monkeypatch.setenv("INTERNAL_TOKEN", "unused")
    monkeypatch.setenv("JWT_SECRET", "unused")
    in_a_thread(declare_as_hub(SERVICES.account_url(vhost, "hub"), HubConfig.read()))
    assert broker_bindings(vhost) == imported, "the code binds topics the definitions lack"


# --- images -----------------------------------------------------------------------------


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_build_context_is_complete(image):
    dockerfile = DOCKERFILES[image]
    assert dockerfile.is_file(), f"{dockerfile.relative_to(ROOT)} is missing"
    for stage in read_dockerfile(dockerfile):
        for copy in stage.copies:
            if "from" not in copy.flags:
                for source in copy.sources:
                    assert (ROOT / source).exists(), f"{image}: COPY {source} does not exist"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".env", "frontend/node_modules"} <= set(ignored)


def module_file(roots: list[Path], module: str) -> Path | None:
    """Where ``module`` is found on ``roots`` (an image's sys.path), if it is ours."""
    for root in roots:
        base = root.joinpath(*module.split("."))
        for candidate in (base.with_suffix(".py"), base / "__init__.py"):
            if candidate.is_file():
                return candidate
    return None


def third_party_imports(roots: list[Path], entries: list[str]) -> set[str]:
    """Top-level names imported at module level by the entry modules and everything of
    theirs they import, that are neither the standard library nor files on ``roots``."""
    found: set[str] = set()
    todo, seen = list(entries), set()
    while todo:
        module = todo.pop()
        path = module_file(roots, module)
        if path is None or path in seen:
            continue
        seen.add(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.parse(path.read_text()).body:
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                    prefix = f"{base}.{node.module}" if node.module else base
                    names = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
                else:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                top = name.split(".")[0]
                if module_file(roots, top) is not None:
                    todo.append(name)
                elif top not in sys.stdlib_module_names and top != "__future__":
                    found.add(top)
    return found


def installed_closure(requirements: list[str]) -> set[str]:
    """Distributions pip installs for these requirements (extras and dependencies)."""
    names: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        key = requirement.name.lower().replace("_", "-")
        if (key, frozenset(requirement.extras)) in seen:
            continue
        seen.add((key, frozenset(requirement.extras)))
        names.add(key)
        try:
            requires = metadata.requires(requirement.name) or []
        except metadata.PackageNotFoundError:
            continue  # not installed here, so nothing of ours can import through it
        for dependency in map(Requirement, requires):
            if dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in [*requirement.extras, ""]
            ):
                todo.append(dependency)
    return names


def pip_requirements(dockerfile: Path) -> list[str]:
    stage = read_dockerfile(dockerfile)[-1]
    sources = {
        str(container_path(stage, copy.destination)): ROOT / copy.sources[0]
        for copy in stage.copies
        if len(copy.sources) == 1
    }
    requirements, args = [], iter(stage.pip_args)
    for arg in args:
        if arg == "-r":
            lines = sources[next(args)].read_text().splitlines()
            requirements += [line for line in lines if line.strip() and line[0] != "#"]
        elif not arg.startswith("-"):
            requirements.append(arg)
    return requirements


@pytest.mark.parametrize("image", sorted(PYTHON_IMAGES))
def test_image_installs_what_its_code_imports(image, tmp_path):
    workdir, _ = assemble(PYTHON_IMAGES[image], tmp_path)
    installed = installed_closure(pip_requirements(PYTHON_IMAGES[image]))
    providers = metadata.packages_distributions()
    for name in sorted(third_party_imports([workdir], ENTRY_MODULES[image])):
        dists = {d.lower().replace("_", "-") for d in providers.get(name, [name])}
        assert dists & installed, (
            f"{image} imports {name} but its Dockerfile installs none of {dists}"
        )


def requirement_lines(path: Path) -> list[str]:
    lines = path.read_text().splitlines() if path.is_file() else []
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("name", sorted(stack_file.load().functions))
def test_function_image_installs_what_its_code_imports(name, tmp_path):
    """A function image has the template's requirements and its own, nothing of the
    checkout's environment: chat-reply crashed in Swarm on `from google import genai`."""
    stack = stack_file.load()
    context = build.assemble(stack.functions[name], stack, tmp_path / name)
    requirements = requirement_lines(context / "requirements.txt")
    requirements += requirement_lines(context / "function" / "requirements.txt")
    installed = installed_closure(requirements)
    providers = metadata.packages_distributions()
    roots = [context, context / build.template_pythonpath(stack.functions[name].lang)]
    for module in sorted(third_party_imports(roots, ["index"])):
        dists = {d.lower().replace("_", "-") for d in providers.get(module, [module])}
        assert dists & installed, f"{name} imports {module}: add it to its requirements.txt"


# --- each image's command, from its assembled build context ----------------------------


def run_from_context(workdir: Path, argv: list[str], env: dict[str, str], **kwargs):
    """Start the image's command with this interpreter, seeing only the build context's
    own code (PYTHONPATH first), never the checkout's."""
    argv = [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
    full_env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(workdir), **env}
    return subprocess.Popen(argv, cwd=workdir, env=full_env, **kwargs)


def assert_code_comes_from(workdir: Path, modules: list[str]) -> None:
    probe = (
        "import sys, importlib; [print(importlib.import_module(m).__file__) for m in sys.argv[1:]]"
    )
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(workdir)}
    argv = [sys.executable, "-c", probe, *modules]
    out = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True, check=True)
    out = out.stdout
    for path in out.split():
        assert Path(path).is_relative_to(workdir), path


def stack_env(stack) -> dict[str, str]:
    return {
        "AMQP_URL": stack.amqp_url,
        "GATEWAY_URL": stack.url,
        "EMS_KEY_PREFIX": stack.key_prefix,
        "INTERNAL_TOKEN": stack.internal_token,
        "JWT_SECRET": stack.jwt_secret,
        "EMS_SECRETS_DIR": "/nonexistent",
    }


def stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(30)


def test_connector_image_runs_and_reports_healthy(stack, tmp_path):
    workdir, stage = assemble(PYTHON_IMAGES["connector"], tmp_path / "root")
    assert_code_comes_from(workdir, ["connector", "faas_ems.runtime", "connector.cron"])
    alive = tmp_path / "connector.alive"
    env = {**stack_env(stack), "CONNECTOR_ALIVE_FILE": str(alive)}
    log = (tmp_path / "connector.log").open("wb")
    process = run_from_context(workdir, stage.cmd, env, stdout=log, stderr=subprocess.STDOUT)
    try:
        health = [*stage.cmd, "--health"]

        def healthy():
            assert process.poll() is None, (tmp_path / "connector.log").read_text()
            return run_from_context(workdir, health, env).wait(30) == 0

        wait_for(healthy, timeout=60, message="the connector never reported healthy")
    finally:
        assert stop(process) == 0


def test_cron_connector_from_the_connector_image_starts_and_stops(stack, tmp_path, swarm):
    workdir, _ = assemble(PYTHON_IMAGES["connector"], tmp_path / "root")
    command = swarm["services"]["cron"]["command"]
    process = run_from_context(workdir, command, stack_env(stack), stderr=subprocess.PIPE)
    try:
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(3)  # still running: it imported everything and waits for a minute
    finally:
        assert stop(process) == 0, process.stderr.read().decode()


def test_hub_image_serves_healthz(stack, tmp_path):
    workdir, stage = assemble(PYTHON_IMAGES["socket-hub"], tmp_path / "root")
    assert_code_comes_from(workdir, ["socket_hub", "faas_ems.runtime"])
    port = free_port()
    env = {**stack_env(stack), "HUB_HOST": "127.0.0.1", "HUB_PORT": str(port)}
    log = (tmp_path / "hub.log").open("wb")
    process = run_from_context(workdir, stage.cmd, env, stdout=log, stderr=subprocess.STDOUT)
    try:

        def serves():
            assert process.poll() is None, (tmp_path / "hub.log").read_text()
            try:
                return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok
            except requests.ConnectionError:
                return False

        wait_for(serves, timeout=60, message="the hub never answered /healthz")
    finally:
        stop(process)


def hub_metric(port: int, name: str) -> int:
    for line in requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text.splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    raise AssertionError(f"the hub's /metrics has no {name}")


def test_hub_keeps_retrying_a_broker_whose_name_does_not_resolve_yet(stack, tmp_path):
    """In Swarm, ``rabbitmq`` resolves only once its task runs (dnsrr): the consumer must
    outlive socket.gaierror, and /healthz must say it is reconnecting, not lie."""
    workdir, stage = assemble(PYTHON_IMAGES["socket-hub"], tmp_path / "root")
    port = free_port()
    env = {
        **stack_env(stack),
        "AMQP_URL": "amqp://ems:unused@rabbitmq.invalid:5672/%2F",
        "HUB_HOST": "127.0.0.1",
        "HUB_PORT": str(port),
    }
    log = (tmp_path / "hub.log").open("wb")
    process = run_from_context(workdir, stage.cmd, env, stdout=log, stderr=subprocess.STDOUT)
    try:

        def retried_twice():
            assert process.poll() is None, (tmp_path / "hub.log").read_text()
            try:
                return hub_metric(port, "socket_hub_events_consumer_failures_total") >= 2
            except requests.ConnectionError:
                return False

        wait_for(retried_twice, timeout=60, message="the consumer gave up on the broker")
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.status_code == 200
        assert health.json()["events_consumer"] == "reconnecting"
    finally:
        stop(process)
    logged = (tmp_path / "hub.log").read_text()
    assert "Name or service not known" in logged  # socket.gaierror, EAI_NONAME
    assert " ERROR " not in logged, "one warning per attempt, with its delay"


def test_hub_health_fails_once_its_consumer_is_stopped(monkeypatch):
    """A replica whose consumer no longer runs would never deliver an alert: unhealthy,
    so Swarm replaces it."""
    monkeypatch.setenv("INTERNAL_TOKEN", "unused")
    monkeypatch.setenv("JWT_SECRET", "unused")
    config = HubConfig.read()
    consumer = EventConsumer(config, deliver=None)
    census = Census(redis_asyncio.from_url(config.redis_url), "unused:", "probe")
    probes = Probes("probe", census, consumer, session_watch=None)
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    in_a_thread(probes({"type": "http", "path": "/healthz"}, None, send))
    assert sent[0]["status"] == 503
    assert json.loads(sent[1]["body"])["events_consumer"] == "stopped"


def test_migrate_image_creates_and_migrates_every_context_once(tmp_path):
    workdir, stage = assemble(PYTHON_IMAGES["migrate"], tmp_path / "root")
    assert_code_comes_from(workdir, ["ems", "migrate"])
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "admin-password").write_text("swarm-admin-password\n")
    prefix = f"emst_{uuid.uuid4().hex[:8]}_"
    env = {
        "DB_HOST": SERVICES.config.values["DB_HOST"],
        "DB_PORT": SERVICES.config.values["DB_PORT"],
        "DB_USER": SERVICES.config.values["DB_USER"],
        "DB_PASSWORD": SERVICES.config.secrets.get("db-password", ""),
        "EMS_DB_PREFIX": prefix,
        "EMS_SECRETS_DIR": str(secrets),
        "EMS_STATE_DIR": str(tmp_path / "state"),
        "EMS_ADMIN_USERNAME": "swarm-admin",
    }
    try:
        first = run_from_context(workdir, stage.cmd, env, stdout=subprocess.PIPE)
        output = first.communicate(timeout=120)[0].decode()
        assert first.returncode == 0, output
        for context in databases.contexts():
            assert f"{context}: " in output
        again = run_from_context(workdir, stage.cmd, env, stdout=subprocess.PIPE)
        output = again.communicate(timeout=120)[0].decode()
        assert again.returncode == 0, output
        assert all(f"{c}: 0 migration(s) applied" in output for c in databases.contexts())
        with SERVICES.postgres(f"{prefix}identity") as conn:
            tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables")}
        assert "_yoyo_migration" in tables
    finally:
        SERVICES.drop_databases(prefix)


def test_simulator_image_command_runs(tmp_path):
    workdir, _ = assemble(PYTHON_IMAGES["simulator"], tmp_path / "root")
    entrypoint = re.search(r"ENTRYPOINT (\[.*\])", PYTHON_IMAGES["simulator"].read_text())
    argv = [*json.loads(entrypoint.group(1)), "--help"]
    process = run_from_context(workdir, argv, {}, stdout=subprocess.PIPE)
    assert process.communicate(timeout=60)[0]
    assert process.returncode == 0


# --- nginx in front of the real gateway and hub -----------------------------------------


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1, as swarm/deploy.sh makes one when none is given."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextlib.contextmanager
def running_nginx(tmp_path: Path, dns: FakeDns, gateway_port: int, hub_port: int, monkeypatch):
    """nginx with swarm/nginx.conf, asking ``dns`` for the Swarm names (gateway,
    tasks.socket-hub) as it asks Docker's embedded DNS in the stack; its TLS secrets are
    a fresh self-signed pair, which the test's requests trust. Yields its two origins."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed: `make test-tools` (apt-get install nginx-light)")
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port, tls_port = free_port(), free_port()
    site = tmp_path / "html"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>faas-ems</title>")
    # the contract, where the frontend image puts it
    dockerfile = DOCKERFILES["frontend"].read_text()
    copied = re.search(r"^COPY docs/openapi.yaml /usr/share/nginx/html/(\S+)$", dockerfile, re.M)
    assert copied, "frontend/Dockerfile does not put docs/openapi.yaml beside the app"
    shutil.copy(OPENAPI, site / copied.group(1))
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    server = NGINX_CONF.read_text()
    for swarm_value, here in [
        ("resolver 127.0.0.11 ", f"resolver 127.0.0.1:{dns.port} "),
        ("gateway:8080;", f"gateway:{gateway_port};"),
        ("tasks.socket-hub:8000;", f"tasks.socket-hub:{hub_port};"),
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("listen 8443 ssl;", f"listen 127.0.0.1:{tls_port} ssl;"),
        ("/run/secrets/tls-cert;", f"{cert};"),
        ("/run/secrets/tls-key;", f"{key};"),
        ("root /usr/share/nginx/html;", f"root {site};"),
    ]:
        assert server.count(swarm_value) == 1, swarm_value
        server = server.replace(swarm_value, here)
    (tmp_path / "server.conf").write_text(server)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read tmp_path
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; daemon off;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body; "
        f"proxy_temp_path {tmp_path}/proxy; include {tmp_path}/server.conf; }}\n"
    )
    argv = [binary, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
    tested = subprocess.run([*argv, "-t"], capture_output=True, text=True)
    assert tested.returncode == 0, tested.stderr
    process = subprocess.Popen(argv, stderr=subprocess.PIPE)
    urls = {"http": f"http://127.0.0.1:{port}", "https": f"https://127.0.0.1:{tls_port}"}

    def up():
        try:
            return all(requests.get(url + "/healthz", timeout=1).ok for url in urls.values())
        except requests.ConnectionError:
            return False

    try:
        wait_for(up, timeout=15, message="nginx did not start")
        yield urls
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture
def nginx_site(stack, tmp_path, monkeypatch):
    """nginx in front of `ems up`, which serves /function/* and /socket.io/ itself."""
    records = {"gateway": "127.0.0.1", "tasks.socket-hub": "127.0.0.1"}
    with (
        FakeDns(records) as dns,
        running_nginx(tmp_path, dns, stack.port, stack.port, monkeypatch) as urls,
    ):
        yield urls


@pytest.fixture
def nginx(nginx_site):
    """The HTTPS origin browsers use."""
    return nginx_site["https"]


def test_nginx_serves_the_app_and_public_functions_on_one_origin(nginx, stack, functions):
    assert "faas-ems" in requests.get(nginx + "/", timeout=5).text
    for path in ("/", "/devices/42"):
        served, local = (
            requests.get(nginx + path, timeout=5),
            requests.get(stack.url + path, timeout=5),
        )
        for name, value in SPA_HEADERS.items():
            assert served.headers[name] == local.headers[name] == value, (path, name)
        assert served.headers["Cache-Control"] == local.headers["Cache-Control"] == "no-cache"
    assert "faas-ems" in requests.get(nginx + "/devices/42", timeout=5).text  # SPA route
    assert requests.get(nginx + "/assets/missing.js", timeout=5).status_code == 404
    wrong = {"username": "nobody", "password": "wrong-password"}
    through = requests.post(nginx + "/function/auth-login", json=wrong, timeout=10)
    direct = requests.post(stack.url + "/function/auth-login", json=wrong, timeout=10)
    assert (through.status_code, through.json()) == (direct.status_code, direct.json())
    for name in public_functions(functions):
        response = requests.get(f"{nginx}/function/{name}/x?y=1", timeout=10)
        assert response.json().get("error", {}).get("message") != "no such function", name


def test_nginx_serves_the_contract_as_ems_up_does(nginx, stack):
    served = requests.get(nginx + "/openapi.yaml", timeout=5)
    local = requests.get(stack.url + "/openapi.yaml", timeout=5)
    assert served.status_code == local.status_code == 200
    assert served.content == local.content == OPENAPI.read_bytes()
    for answer in (served, local):
        assert answer.headers["Content-Type"].startswith("application/yaml")
        assert answer.headers["Cache-Control"] == "no-cache"


def test_nginx_keeps_internal_functions_inside(nginx, stack, functions):
    for name in set(functions.functions) - public_functions(functions):
        for path in (f"/function/{name}", f"/function/{name}/", f"/async-function/{name}"):
            response = requests.post(nginx + path, json={}, timeout=10)
            assert response.status_code == 404, path
            assert response.json()["error"]["code"] == "not_found"
        # ...while the function exists behind it: the gateway hands it the call.
        behind = requests.post(f"{stack.url}/function/{name}", json={}, timeout=10)
        assert f"function {name} not found" not in behind.text, name


def test_nginx_passes_socket_io_to_the_hub(nginx):
    handshake = requests.get(nginx + "/socket.io/?EIO=4&transport=polling", timeout=10)
    assert handshake.status_code == 200, handshake.text
    assert handshake.text.startswith("0{") and '"sid"' in handshake.text


def test_nginx_sends_plain_http_to_https_and_asks_browsers_to_stay(nginx_site):
    plain, secure = nginx_site["http"], nginx_site["https"]
    for path in ("/", "/devices/42?x=1", "/function/users/me"):
        moved = requests.get(plain + path, allow_redirects=False, timeout=5)
        assert moved.status_code == 301, path
        assert moved.headers["Location"] == f"https://127.0.0.1{path}"
        assert "Strict-Transport-Security" not in moved.headers
    assert requests.get(plain + "/healthz", timeout=5).text == "ok\n"  # the container's probe
    for path in ("/", "/function/auth-login", "/nothing"):
        served = requests.get(secure + path, timeout=5)
        assert served.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path


def test_nginx_keeps_the_hubs_probes_inside(nginx):
    host, port = nginx.removeprefix("https://").split(":")
    for path in ("/socket.io/%2e%2e/metrics", "/socket.io/../healthz", "/socket.io/metrics"):
        connection = http.client.HTTPSConnection(
            host, int(port), timeout=10, context=ssl.create_default_context(
                cafile=os.environ["REQUESTS_CA_BUNDLE"]
            ),
        )  # fmt: skip
        connection.request("GET", path)  # sent as written
        text = connection.getresponse().read().decode(errors="replace")
        connection.close()
        assert "socket_hub_" not in text and '"hub_id"' not in text, path


class Answering(http.server.BaseHTTPRequestHandler):
    """Says which address it listens on and the headers it was sent, for any path."""

    def do_GET(self):
        body = json.dumps(
            {"address": self.server.server_address[0], "headers": dict(self.headers)}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def answering_on(addresses: list[str], port: int):
    servers = [http.server.ThreadingHTTPServer((a, port), Answering) for a in addresses]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


@pytest.mark.parametrize(
    "name, path", [("gateway", "/function/users"), ("tasks.socket-hub", "/socket.io/")]
)
def test_nginx_follows_a_service_to_its_new_address(tmp_path, monkeypatch, name, path):
    """A replaced task has a new address: nginx must find it without being restarted."""
    port = free_port()
    old, new = "127.0.0.2", "127.0.0.3"
    records = {"gateway": old, "tasks.socket-hub": old}
    with (
        answering_on([old, new], port),
        FakeDns(records) as dns,
        running_nginx(tmp_path, dns, port, port, monkeypatch) as urls,
    ):
        url = urls["https"]
        assert requests.get(url + path, timeout=10).json()["address"] == old
        dns.records[name] = new

        def moved():
            return requests.get(url + path, timeout=10).json()["address"] == new

        wait_for(moved, timeout=30, interval=0.5, message=f"nginx still sends {name} to {old}")


@pytest.mark.parametrize("path", ["/function/users/me", "/system/functions", "/socket.io/"])
def test_nginx_passes_on_the_callers_host_and_address_everywhere(tmp_path, monkeypatch, path):
    """The hub admits a WebSocket only from the page's own origin (Host), and the
    sign-in throttles count per X-Real-IP: every location must send both."""
    port = free_port()
    records = {"gateway": "127.0.0.2", "tasks.socket-hub": "127.0.0.2"}
    with (
        answering_on(["127.0.0.2"], port),
        FakeDns(records) as dns,
        running_nginx(tmp_path, dns, port, port, monkeypatch) as urls,
    ):
        url = urls["https"]
        spoofed = {"X-Real-IP": "203.0.113.9", "Upgrade": "websocket", "Connection": "Upgrade"}
        headers = requests.get(url + path, headers=spoofed, timeout=10).json()["headers"]
    assert headers["Host"] == headers["X-Forwarded-Host"] == url.removeprefix("https://")
    assert headers["X-Real-IP"] == "127.0.0.1"
    assert headers["Upgrade"] == "websocket" and headers["Connection"] == "upgrade"
