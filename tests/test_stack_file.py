"""stack.yml: what faas-cli will deploy must be whole and consistent."""

from __future__ import annotations

import re

import yaml

from ems import config
from ems import stack as stack_file
from ems.paths import ROOT, STACK_FILE

# The gateway paths DESIGN.md fixes.
PUBLIC_FUNCTIONS = {
    "auth-login",
    "auth-logout",
    "auth-register",
    "users",
    "devices",
    "device-assign",
    "consumption",
    "alerts",
    "tariffs",
}
EVENT_TYPES = {
    "meter.reading",
    "meters.*.reading",  # MQTT topics meters/<device>/reading
    "user.created",
    "user.updated",
    "user.deleted",
    "device.created",
    "device.updated",
    "device.deleted",
    "device.assigned",
    "device.unassigned",
    "device.online",
    "device.offline",
    "alert.raised",
    "alert.warning",
    "chat.message",
    "chat.reply",
    "chat.state",
}
INTERNAL_FUNCTIONS = {"ingest", "hourly-aggregate", "chat-reply", "notify"}
TOKEN_CHECKS = re.compile(r"\bauth\.(require_user|require_admin|verify_token)\(")
CRON = re.compile(r"^(\S+\s+){4}\S+$")


def test_header_is_what_faas_cli_expects():
    raw = yaml.safe_load(STACK_FILE.read_text())
    assert str(raw["version"]) == "1.0"
    assert raw["provider"]["name"] == "openfaas"
    for template in raw["configuration"]["templates"]:
        assert (ROOT / "templates" / template["name"] / "template.yml").is_file()


def test_every_function_is_complete():
    stack = stack_file.load()
    assert stack.functions.keys() >= PUBLIC_FUNCTIONS | INTERNAL_FUNCTIONS
    for name, spec in stack.functions.items():
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", name), name
        assert (spec.handler / "handler.py").is_file(), f"{name}: no handler.py"
        assert spec.handler.name == name, f"{name}: handler folder is {spec.handler.name}"
        assert (ROOT / "templates" / spec.lang).is_dir(), f"{name}: unknown template"
        assert spec.image.split(":")[0].endswith("/" + name), f"{name}: image {spec.image}"
        assert set(spec.secrets) <= set(config.SECRET_NAMES), f"{name}: unknown secret"
        assert 1 <= spec.scale_min <= spec.scale_max, f"{name}: scale labels"
        assert spec.environment.get("EMS_CONTEXT") in {
            "identity",
            "inventory",
            "monitoring",
            "support",
            "operations",
            "notifications",
        }


def test_topics_and_schedules_are_known():
    stack = stack_file.load()
    for name, spec in stack.functions.items():
        for topic in spec.topics:
            assert topic in EVENT_TYPES, f"{name}: unknown topic {topic}"
        if "schedule" in spec.annotations:
            assert CRON.match(spec.annotations["schedule"]), f"{name}: bad schedule"


def test_triggered_functions_hold_the_internal_token():
    stack = stack_file.load()
    for name, spec in stack.functions.items():
        triggered = spec.topics or "schedule" in spec.annotations
        if triggered or name in INTERNAL_FUNCTIONS:
            assert "internal-token" in spec.secrets, f"{name} cannot check the internal token"
        if name in PUBLIC_FUNCTIONS - {"auth-login", "auth-register"}:
            assert "jwt-secret" in spec.secrets, f"{name} cannot verify tokens"


def test_every_function_that_checks_tokens_can_read_revocations():
    """A revocation lives in Redis; without its password the check fails open (an
    unreachable Redis must not sign everyone out), so a revoked token would pass."""
    stack = stack_file.load()
    for name, spec in stack.functions.items():
        handler = (spec.handler / "handler.py").read_text()
        if TOKEN_CHECKS.search(handler) or "jwt-secret" in spec.secrets:
            assert {"jwt-secret", "redis-password"} <= set(spec.secrets), name


def test_functions_the_connectors_trigger_hold_no_jwt_secret():
    """They act for no user, so they must not be able to sign a token as one: chat-reply
    reads a client's figures with the internal token instead."""
    stack = stack_file.load()
    for name, spec in stack.functions.items():
        if spec.topics or "schedule" in spec.annotations:
            assert "jwt-secret" not in spec.secrets, name
