"""The socket hub over the real stack: who may connect, what reaches whom, chat relays.

Clients are python-socketio clients connecting through the gateway (``stack.url``)
or, where a test needs one replica, to a hub directly. Tokens are minted with the
run's JWT secret where only the token matters (expired, forged, a user of the
support chat); the end-to-end alert uses real users and devices.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import queue
import threading
import time
import uuid
from datetime import UTC, datetime

import jwt
import pytest
import requests
import socketio

from tests.harness import wait_for

WAIT = 20.0


def mint(secret: str, role: str = "client", *, lifetime: int = 3600, **claims) -> str:
    """A token as auth-login issues it (faas_ems.runtime.auth.issue_token's claims)."""
    now = int(time.time())
    user_id = str(uuid.uuid4())
    body = {
        "iss": "faas-ems",
        "sub": user_id,
        "role": role,
        "username": f"u{user_id[:8]}",
        "name": f"User {user_id[:8]}",
        "tz": "UTC",
        "iat": now,
        "exp": now + lifetime,
        **claims,
    }
    return jwt.encode(body, secret, algorithm="HS256")


def subject(token: str) -> str:
    return jwt.decode(token, options={"verify_signature": False})["sub"]


@functools.cache
def client_loop() -> asyncio.AbstractEventLoop:
    """One event loop in a thread for every test client (python-socketio's websocket
    transport is asyncio's; the tests stay plain functions)."""
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, name="socketio-clients", daemon=True).start()
    return loop


def on_client_loop(coroutine):
    return asyncio.run_coroutine_threadsafe(coroutine, client_loop()).result(WAIT + 5)


class Browser:
    """A connected python-socketio client that keeps every event it receives, in order."""

    def __init__(self, url: str, token: str | None):
        self.client = socketio.AsyncClient(reconnection=False)
        self.inbox: queue.Queue = queue.Queue()
        self.seen: list[tuple[str, object]] = []
        self.client.on("*", lambda event, data=None: self.inbox.put((event, data)))
        on_client_loop(
            self.client.connect(
                url, auth={"token": token}, socketio_path="socket.io", transports=["websocket"]
            )
        )

    def next(self, event: str, timeout: float = WAIT, where=lambda data: True):
        """The next ``event`` whose data satisfies ``where``; earlier ones stay in ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                name, data = self.inbox.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {event} within {timeout}s; saw {self.seen}") from None
            self.seen.append((name, data))
            if name == event and where(data):
                return data

    def all_of(self, event: str, ids) -> None:
        """Wait until every id in ``ids`` came as ``event``, in any order."""
        while not set(ids) <= {data["id"] for data in self.received(event)}:
            self.next(event)

    def received(self, event: str) -> list:
        return [data for name, data in self.seen if name == event]

    def call(self, event: str, data):
        return on_client_loop(self.client.call(event, data, timeout=WAIT))

    def close(self):
        on_client_loop(self.client.disconnect())


@pytest.fixture
def browsers(stack):
    """Opens browsers on the gateway (or a given URL) and closes them after the test."""
    opened: list[Browser] = []

    def open_browser(token, url=None):
        browser = Browser(url or stack.url, token)
        opened.append(browser)
        return browser

    yield open_browser
    for browser in opened:
        browser.close()


def alert_event(owner_id: str | None, **fields) -> dict:
    data = {
        "id": str(uuid.uuid4()),
        "device_id": str(uuid.uuid4()),
        "hour_start": "2026-01-05T10:00:00+00:00",
        "total_kwh": 3.5,
        "limit_kwh": 2.0,
        "raised_at": datetime.now(UTC).isoformat(),
        "acknowledged_at": None,
        "device_name": "Kitchen meter",
        "owner_id": owner_id,
        **fields,
    }
    return {
        "id": str(uuid.uuid4()),
        "type": "alert.raised",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": data,
    }


def is_alert(event: dict):
    return lambda data: data["id"] == event["data"]["id"]


# connecting ------------------------------------------------------------------------


def refused_with(stack, auth) -> dict:
    """The reason the hub gives for refusing a connection with ``auth``."""
    client = socketio.AsyncClient(reconnection=False)
    refusals = []
    client.on("connect_error", refusals.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        on_client_loop(
            client.connect(
                stack.url, auth=auth, socketio_path="socket.io", transports=["websocket"]
            )
        )
    assert len(refusals) == 1
    return refusals[0]


@pytest.mark.parametrize("auth", [None, {}, {"token": ""}, {"token": 42}])
def test_refused_without_a_token(stack, auth):
    refusal = refused_with(stack, auth)
    assert refusal["data"]["code"] == "unauthorized"
    assert "token" in refusal["message"]


def test_refused_with_an_expired_token(stack):
    token = mint(stack.jwt_secret, lifetime=-60)
    assert refused_with(stack, {"token": token})["data"]["code"] == "token_expired"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda s: mint("not-the-secret-" + s.jwt_secret), id="other secret"),
        pytest.param(lambda s: mint(s.jwt_secret, role="superuser"), id="unknown role"),
        pytest.param(lambda s: mint(s.jwt_secret, iss="elsewhere"), id="other issuer"),
        pytest.param(lambda s: "not.a.jwt", id="garbage"),
    ],
)
def test_refused_with_a_forged_token(stack, token):
    assert refused_with(stack, {"token": token(stack)})["data"]["code"] == "invalid_token"


def test_a_demoted_administrator_is_told_and_disconnected(stack, browsers):
    admin, admin_token = stack.create_user(role="admin")
    _, client_token = stack.create_user()
    demoted, bystander = browsers(admin_token), browsers(client_token)
    response = stack.call(
        "PUT", f"/function/users/{admin['id']}", token=stack.admin_token, json={"role": "client"}
    )
    assert response.status_code == 200, response.text
    assert demoted.next("session:ended") == {"code": "token_revoked"}
    wait_for(lambda: not demoted.client.connected, timeout=WAIT, message="still connected")
    # Administrators' events no longer reach the tab; other sessions go on.
    watcher = browsers(stack.admin_token)
    stack.publish("alert.raised", marker := alert_event(None))
    watcher.next("alert", where=is_alert(marker))
    with pytest.raises(AssertionError, match="no alert"):
        demoted.next("alert", timeout=1, where=is_alert(marker))
    assert bystander.client.connected
    with pytest.raises(AssertionError, match="no session:ended"):
        bystander.next("session:ended", timeout=1)


def test_a_connection_ends_when_its_token_expires(stack, browsers):
    browser = browsers(mint(stack.jwt_secret, lifetime=2))
    assert browser.next("session:ended") == {"code": "token_expired"}
    wait_for(lambda: not browser.client.connected, timeout=WAIT, message="still connected")


def test_healthz_counts_the_clients_of_its_process(stack, browsers):
    hub = stack.hub_urls()[0]

    def count():
        answer = requests.get(hub + "/healthz", timeout=5)
        assert answer.status_code == 200
        assert answer.json()["status"] == "ok"
        return answer.json()["connected_clients"]

    before = count()
    first = browsers(mint(stack.jwt_secret), hub)
    browsers(mint(stack.jwt_secret, role="admin"), hub)
    assert count() == before + 2
    first.close()
    wait_for(lambda: count() == before + 1, message="a disconnect was not counted")
    assert "socket_hub_connected_clients " in requests.get(hub + "/metrics", timeout=5).text


# alerts ---------------------------------------------------------------------------


def alert_data(event: dict) -> dict:
    """What the browser gets: the alert with its device name, without the routing owner."""
    return {k: v for k, v in event["data"].items() if k != "owner_id"}


def test_alert_reaches_its_owner_and_nobody_else(stack, browsers):
    owner_token, other_token = mint(stack.jwt_secret), mint(stack.jwt_secret)
    owner, other = browsers(owner_token), browsers(other_token)
    admin = browsers(mint(stack.jwt_secret, role="admin"))
    event = alert_event(subject(owner_token))
    stack.publish("alert.raised", event)

    assert owner.next("alert", where=is_alert(event)) == alert_data(event)
    # Markers published after the owner got it: a misrouted copy would have come first.
    other_marker, admin_marker = alert_event(subject(other_token)), alert_event(None)
    stack.publish("alert.raised", other_marker)
    stack.publish("alert.raised", admin_marker)
    other.next("alert", where=is_alert(other_marker))
    admin.next("alert", where=is_alert(admin_marker))
    assert other.received("alert") == [alert_data(other_marker)]
    assert admin.received("alert") == [alert_data(admin_marker)]
    assert owner.received("alert") == [alert_data(event)]


def test_a_warning_reaches_its_owner_and_administrators_only(stack, browsers):
    owner_token, other_token = mint(stack.jwt_secret), mint(stack.jwt_secret)
    owner, other = browsers(owner_token), browsers(other_token)
    admin = browsers(mint(stack.jwt_secret, role="admin"))
    warning = alert_event(subject(owner_token), severity="warning", state="open")
    warning["type"] = "alert.warning"
    stack.publish("alert.warning", warning)

    assert owner.next("alert:warning", where=is_alert(warning)) == alert_data(warning)
    assert admin.next("alert:warning", where=is_alert(warning)) == alert_data(warning)
    marker = alert_event(subject(other_token))  # after the warning: a stray copy came first
    stack.publish("alert.raised", marker)
    other.next("alert", where=is_alert(marker))
    assert other.received("alert:warning") == []
    assert owner.received("alert") == [] and admin.received("alert") == []


def test_an_alert_without_owner_goes_to_administrators(stack, browsers):
    client_token = mint(stack.jwt_secret)
    client = browsers(client_token)
    admins = [browsers(mint(stack.jwt_secret, role="admin")) for _ in range(2)]
    event = alert_event(None)
    stack.publish("alert.raised", event)
    for admin in admins:
        assert admin.next("alert", where=is_alert(event)) == alert_data(event)
    marker = alert_event(subject(client_token))
    stack.publish("alert.raised", marker)
    client.next("alert", where=is_alert(marker))
    assert client.received("alert") == [alert_data(marker)]


def test_a_meter_going_offline_reaches_its_owner_and_administrators(stack, browsers):
    owner_token, other_token = mint(stack.jwt_secret), mint(stack.jwt_secret)
    owner, other = browsers(owner_token), browsers(other_token)
    admin = browsers(mint(stack.jwt_secret, role="admin"))
    data = {
        "device_id": str(uuid.uuid4()),
        "owner_id": subject(owner_token),
        "last_reading_at": "2026-11-23T08:00:00+00:00",
    }
    stack.publish(
        "device.offline",
        {
            "id": str(uuid.uuid4()),
            "type": "device.offline",
            "occurred_at": datetime.now(UTC).isoformat(),
            "data": data,
        },
    )
    status = {
        "device_id": data["device_id"],
        "online": False,
        "last_reading_at": data["last_reading_at"],
    }
    assert owner.next("device:status") == status
    assert (
        admin.next("device:status", where=lambda got: got["device_id"] == data["device_id"])
        == status
    )
    with pytest.raises(AssertionError, match="no device:status"):
        other.next("device:status", timeout=1)


def test_a_redelivered_event_reaches_the_browser_once(stack, browsers):
    token = mint(stack.jwt_secret)
    browser = browsers(token)
    event, marker = alert_event(subject(token)), alert_event(subject(token))
    stack.publish("alert.raised", event)
    stack.publish("alert.raised", event)
    browser.next("alert", where=is_alert(event))
    stack.publish("alert.raised", marker)
    browser.next("alert", where=is_alert(marker))
    assert browser.received("alert") == [alert_data(event), alert_data(marker)]


def dead_letters(stack) -> dict[str, str]:
    """Bodies in the hub's dead-letter queue, with the reason each was refused."""
    found = {}
    with stack.amqp() as connection:
        channel = connection.channel()
        while True:
            method, properties, body = channel.basic_get("ems.socket-hub.dead", auto_ack=False)
            if method is None:
                return found
            found[body.decode(errors="replace")] = properties.headers["x-ems-reason"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (json.dumps({"id": "e1", "type": "alert.raised", "data": {"id": "a"}}), "device_id"),
        (json.dumps(alert_event("u1") | {"id": None}), "'id'"),
        (json.dumps({**alert_event("u1"), "data": [1]}), "'data' must be an object"),
        (json.dumps({"id": "e2", "type": "alert.raised", "data": alert_data(alert_event(None))}),
         "owner_id"),
        (json.dumps({"id": "e3", "type": "chat.message", "data": {"message": {"id": "m"},
                     "conversation": {}}}), "user_id"),
        (json.dumps({"id": "e4", "type": "chat.state", "data": {"conversation_id": "c"}}),
         "state"),
    ],
)  # fmt: skip
def test_a_malformed_event_is_dead_lettered_with_its_reason(stack, browsers, body, reason):
    body = body if isinstance(body, bytes) else body.encode()
    token = mint(stack.jwt_secret)
    browser = browsers(token)
    stack.publish("alert.raised", body)
    letters = wait_for(lambda: dead_letters(stack).get(body.decode()), timeout=WAIT)
    assert reason in letters
    # The hub is still delivering.
    marker = alert_event(subject(token))
    stack.publish("alert.raised", marker)
    assert browser.next("alert", where=is_alert(marker)) == alert_data(marker)


def test_an_over_limit_reading_reaches_the_owner_and_nobody_else(stack, browsers):
    owner_user, owner_token = stack.create_user()
    _, other_token = stack.create_user()
    device = stack.monitored_device(owner_user["id"], max_hourly_kwh=1.0)
    owner, other = browsers(owner_token), browsers(other_token)
    reading = {
        "timestamp": datetime.now(UTC).isoformat(),
        "device_id": device["id"],
        "measurement_value": 5.0,
    }
    stack.publish("meter.reading", reading)

    alert = owner.next("alert", timeout=30, where=lambda a: a["device_id"] == device["id"])
    assert alert["device_name"] == device["name"]
    assert float(alert["total_kwh"]) == 5.0
    assert float(alert["limit_kwh"]) == 1.0
    assert "owner_id" not in alert
    marker = alert_event(subject(other_token))
    stack.publish("alert.raised", marker)
    other.next("alert", where=is_alert(marker))
    assert other.received("alert") == [alert_data(marker)]


# support chat ---------------------------------------------------------------------


@pytest.fixture
def chat(stack, browsers):
    """A client and an administrator, both connected, and the client's first message."""
    client_token = mint(stack.jwt_secret)
    client = browsers(client_token)
    admin = browsers(mint(stack.jwt_secret, role="admin"))
    first = client.call("chat:send", {"text": "Hello, I need some help with my meter"})
    assert "error" not in first, first
    return client, admin, first, subject(client_token)


def test_a_client_message_is_stored_and_reaches_both_sides(chat):
    client, admin, first, client_id = chat
    assert first["sender"]["id"] == client_id
    assert first["sender"]["role"] == "client"
    assert first["text"] == "Hello, I need some help with my meter"
    by_id = lambda message: message["id"] == first["id"]  # noqa: E731
    assert client.next("chat:message", where=by_id) == admin.next("chat:message", where=by_id)


def test_identity_comes_from_the_token_not_the_message(stack, chat):
    client, _, first, client_id = chat
    posing = client.call(
        "chat:send",
        {
            "text": "I am the administrator now",
            "conversation_id": first["conversation_id"],
            "user": {"id": str(uuid.uuid4()), "role": "admin", "name": "Root"},
        },
    )
    assert posing["sender"] == first["sender"]
    assert posing["sender"]["id"] == client_id


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("just text", "bad_request"),
        ({"text": ""}, "validation_failed"),
        ({"text": "x" * 2001}, "validation_failed"),
        ({"conversation_id": None}, "validation_failed"),
    ],
)
def test_a_bad_message_is_refused_with_the_reason(chat, data, code):
    client = chat[0]
    answer = client.call("chat:send", data)
    assert answer["error"]["code"] == code
    assert answer["error"]["message"]


def test_a_client_cannot_write_in_another_clients_conversation(stack, browsers, chat):
    _, _, first, _ = chat
    intruder = browsers(mint(stack.jwt_secret))
    answer = intruder.call(
        "chat:send", {"text": "let me in", "conversation_id": first["conversation_id"]}
    )
    assert answer["error"]["code"] in {"not_found", "forbidden"}
    typing = intruder.call(
        "chat:typing", {"conversation_id": first["conversation_id"], "typing": True}
    )
    assert typing["error"]["code"] == "not_found"


def test_typing_goes_to_the_other_side_and_clears_itself(stack, chat):
    client, admin, first, client_id = chat
    conversation_id = first["conversation_id"]
    assert client.call("chat:typing", {"conversation_id": conversation_id, "typing": True}) == {
        "typing": True
    }
    from_client = lambda data: data["user"]["id"] == client_id  # noqa: E731
    shown = admin.next("chat:typing", where=from_client)
    assert shown == {
        "conversation_id": conversation_id,
        "user": {"id": client_id, "role": "client", "name": first["sender"]["name"]},
        "typing": True,
    }
    # Nobody sends typing: false; the hub clears the indicator after a few seconds.
    assert admin.next("chat:typing", where=from_client) == {**shown, "typing": False}

    admin.call("chat:typing", {"conversation_id": conversation_id, "typing": True})
    seen_by_client = client.next("chat:typing")
    assert seen_by_client["user"]["role"] == "admin"
    assert seen_by_client["typing"] is True
    assert not [data for data in client.received("chat:typing") if data["user"]["id"] == client_id]


def test_typing_is_limited_per_connection(chat):
    client, admin, first, client_id = chat
    conversation_id = first["conversation_id"]
    acks = [
        client.call("chat:typing", {"conversation_id": conversation_id, "typing": n % 2 == 0})
        for n in range(60)
    ]
    refused = [ack for ack in acks if "error" in ack]
    assert len(refused) == 40 and {ack["error"]["code"] for ack in refused} == {"too_many_events"}
    assert all("error" not in ack for ack in acks[:20])
    relayed = 0
    with contextlib.suppress(AssertionError):  # until none comes for a while
        while True:
            admin.next("chat:typing", timeout=1.5, where=lambda d: d["user"]["id"] == client_id)
            relayed += 1
    assert relayed == 20


def test_typing_needs_a_flag_and_an_administrator_names_the_conversation(chat):
    client, admin, _, _ = chat
    assert client.call("chat:typing", {"typing": "yes"})["error"]["code"] == "bad_request"
    assert admin.call("chat:typing", {"typing": True})["error"]["code"] == "bad_request"
    unknown = admin.call("chat:typing", {"conversation_id": str(uuid.uuid4()), "typing": True})
    assert unknown["error"]["code"] == "not_found"
    injected = admin.call("chat:typing", {"conversation_id": "../users", "typing": True})
    assert injected["error"]["code"] == "bad_request"


def test_an_administrator_reply_is_read_and_the_receipt_reaches_both(chat):
    client, admin, first, client_id = chat
    reply = admin.call(
        "chat:send", {"text": "Hello, I am here", "conversation_id": first["conversation_id"]}
    )
    assert reply["sender"]["role"] == "admin"
    assert client.next("chat:message", where=lambda m: m["id"] == reply["id"])["text"] == (
        "Hello, I am here"
    )
    receipt = client.call("chat:read", {"message_id": reply["id"]})
    assert receipt["message_id"] == reply["id"]
    assert receipt["reader_id"] == client_id
    assert receipt["conversation_id"] == first["conversation_id"]
    assert receipt["read_at"]
    by_message = lambda data: data["message_id"] == reply["id"]  # noqa: E731
    assert admin.next("chat:read", where=by_message) == receipt
    assert client.next("chat:read", where=by_message) == receipt


def test_a_read_receipt_for_another_clients_message_is_refused(stack, browsers, chat):
    _, _, first, _ = chat
    intruder = browsers(mint(stack.jwt_secret))
    answer = intruder.call("chat:read", {"message_id": first["id"]})
    assert answer["error"]["code"] in {"not_found", "forbidden"}
    assert intruder.call("chat:read", {})["error"]["code"] == "bad_request"


# several hubs ---------------------------------------------------------------------


def test_an_alert_consumed_by_one_hub_reaches_clients_of_the_other(small_system):
    hubs = small_system.hub_urls()
    for hub in hubs:
        wait_for(lambda hub=hub: health(hub)["events_consumer"] == "connected", timeout=WAIT)
    token = mint(small_system.jwt_secret)
    on_each = [Browser(hub, token) for hub in hubs]
    try:
        events = [alert_event(subject(token)) for _ in range(10)]
        for event in events:
            small_system.publish("alert.raised", event)
        # RabbitMQ hands the shared queue's events to both replicas in turn; every one
        # reaches the clients of both.
        ids = [event["data"]["id"] for event in events]
        for browser in on_each:
            browser.all_of("alert", ids)
            assert sorted(alert["id"] for alert in browser.received("alert")) == sorted(ids)
        delivered = lambda: [metric(hub, "socket_hub_events_delivered_total") for hub in hubs]  # noqa: E731
        wait_for(lambda: sum(delivered()) == len(events), timeout=WAIT)
        assert min(delivered()) >= 1
    finally:
        for browser in on_each:
            browser.close()


def health(hub: str) -> dict:
    return requests.get(hub + "/healthz", timeout=5).json()


def metric(hub: str, name: str) -> int:
    for line in requests.get(hub + "/metrics", timeout=5).text.splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    raise AssertionError(f"{hub}/metrics has no {name}")


def test_the_client_count_of_all_replicas(small_system):
    first_hub, second_hub = small_system.hub_urls()
    total = "socket_hub_connected_clients_all_replicas"
    before = metric(first_hub, total)
    browsers = [Browser(hub, mint(small_system.jwt_secret)) for hub in (first_hub, second_hub)]
    try:
        wait_for(lambda: metric(first_hub, total) == before + 2, timeout=WAIT)
        assert metric(second_hub, total) == before + 2
    finally:
        for browser in browsers:
            browser.close()
