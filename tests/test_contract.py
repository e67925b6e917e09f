"""The running system keeps its contract, docs/openapi.yaml, checked by schemathesis.

Every operation is called with generated requests, valid and invalid, once with an
administrator's token and once with a client's. No answer may be a server error, and
each must be one the contract describes: its status, content type, headers and body.
A schema-invalid request must be refused.

Generated ids and time zones name nothing, so half of the valid requests name things
that exist instead (the client's devices, conversation and alert, a user to change or
delete, real zones): the answers about them are checked too, not only the refusals.

The callers are accounts of their own, so a generated change to "my profile" touches
nobody else's tests, and they call from an address of their own (127.0.0.2): the sign-in
and sign-up limits they run into are counted per address and must not lock the rest of
the suite out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import requests
import schemathesis
from hypothesis import strategies as st
from requests.adapters import HTTPAdapter
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ems.paths import OPENAPI
from tests.harness import wait_for

FUZZ_ADDRESS = "127.0.0.2"
PASSWORD = "contract-password"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

schema = schemathesis.openapi.from_path(
    OPENAPI,
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": 10,
                # Query parameters the contract does not name are ignored, by design.
                "allow-extra-parameters": False,
            },
            "phases": {"stateful": {"enabled": False}},
        }
    ),
)

# Ids of things that exist, by where they go: filled by the `callers` fixture.
KNOWN: dict[str, dict[str, str]] = {"path_parameters": {}, "query": {}}
# Time zones that exist (the contract can only say "a string")
ZONES = ("UTC", "Europe/Bucharest", "Asia/Kolkata", "America/New_York")


def with_known_names(case, zone: str):
    for container, known in KNOWN.items():
        values = getattr(case, container) or {}
        for name in values.keys() & known.keys():
            values[name] = known[name]
    if isinstance(case.body, dict) and "timezone" in case.body:
        case.body["timezone"] = zone
    if case.query and case.query.get("tz"):
        case.query["tz"] = zone
    return case


@schema.hook
def flatmap_case(context, case):
    """Half of the valid requests name things that exist: ids, and time zones."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return st.just(case)
    return st.tuples(st.booleans(), st.sampled_from(ZONES)).map(
        lambda choice: with_known_names(case, choice[1]) if choice[0] else case
    )


@schema.hook
def filter_case(context, case):
    """Leave out negative requests that are valid as sent, which schemathesis would hold
    against the system as "invalid data accepted" (kinds of this are being fixed there:
    schemathesis pull requests #4690 and #4762):

    - a negated header: the one header the contract declares is Authorization, and
      every call here replaces it with its caller's token;
    - a query value sent as nothing: ``{}``, ``[]`` and null go on the wire as
      ``name=``, which the contract admits (an empty parameter is one not given).
    """
    if case.meta is None or case.meta.generation.mode.is_positive:
        return True
    headers = case.meta.components.get(ParameterLocation.HEADER)
    if headers is not None and not headers.mode.is_positive:
        return False
    return not any(value in ({}, [], None) for value in (case.query or {}).values())


class FromAddress(HTTPAdapter):
    """Connections from one loopback address, so that the edge counts them apart."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, source_address=(self.address, 0), **kwargs)


@pytest.fixture(scope="module")
def fuzz_session():
    session = requests.Session()
    session.mount("http://", FromAddress(FUZZ_ADDRESS))
    yield session
    session.close()


@dataclass(frozen=True)
class Caller:
    username: str
    token: str


@pytest.fixture(scope="module")
def callers(stack) -> list[Caller]:
    """An administrator and a client, once their things exist and KNOWN names them."""
    admin, admin_token = stack.create_user(role="admin", password=PASSWORD)
    client, client_token = stack.create_user(password=PASSWORD)
    spare, _ = stack.create_user()  # for the administrator to change and delete
    inventoried = stack.monitored_device(client["id"])  # for inventory's calls, delete included
    watched = stack.monitored_device(client["id"], max_hourly_kwh=0.5)  # for the views
    stack.publish(
        "meter.reading",
        {
            "timestamp": datetime.now(UTC).isoformat(),
            "device_id": watched["id"],
            "measurement_value": 1.5,
        },
    )
    user = {"id": client["id"], "role": "client", "name": client["name"]}
    posted = stack.call(
        "POST",
        "/function/conversations/messages",
        json={"user": user, "text": "hello"},
        headers=stack.internal_headers,
    )
    assert posted.status_code == 201, posted.text
    alerts = wait_for(
        lambda: stack.call("GET", "/function/alerts", token=client_token).json(),
        timeout=30,
        message="the watched meter's alert",
    )
    tariff = stack.call(
        "POST",
        "/function/tariffs",
        token=stack.admin_token,
        json={"name": "contract", "currency": "EUR", "prices": [{"valid_from": "2030-01-01",
              "price_per_kwh": 0.2}]},
    )  # fmt: skip
    assert tariff.status_code == 201, tariff.text
    KNOWN["path_parameters"].update(
        tariff_id=tariff.json()["id"],
        user_id=spare["id"],
        device_id=inventoried["id"],
        conversation_id=posted.json()["conversation"]["id"],
        alert_id=alerts[0]["id"],
    )
    KNOWN["query"].update(device_id=watched["id"])
    return [Caller(admin["username"], admin_token), Caller(client["username"], client_token)]


@schema.parametrize()
def test_every_operation_keeps_the_contract(case, stack, callers, fuzz_session):
    for caller in callers:
        # signing out ends the token it is sent with: that one is signed in for it
        signs_out = case.operation.path == "/function/auth-logout"
        token = stack.login(caller.username, PASSWORD) if signs_out else caller.token
        case.call_and_validate(
            base_url=stack.url,
            session=fuzz_session,
            headers={"Authorization": f"Bearer {token}"},
            checks=CHECKS,
            timeout=30,
        )
