"""Meters' doors: a credential per meter, HTTP for gateways, and MQTT through RabbitMQ itself.

The HTTP door runs on the suite's stack. MQTT is set up node-wide (the node asks one
system's meter-auth about logins), so its tests start a RabbitMQ node of their own on
free ports through the set-up code (ems.services), with the rabbitmq_mqtt plugin, and
talk to it with a real paho-mqtt client and real broker accounts.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import paho.mqtt.client as mqtt
import pika
import pika.exceptions
import pytest

from ems.services.rabbitmq import AUTH_CACHE_MS
from tests.harness import wait_for
from tests.identity_helpers import EventTap, error_code, settled

INTERVAL = timedelta(minutes=10)


def credential(stack, device_id: str) -> dict:
    response = stack.call(
        "POST", f"/function/devices/{device_id}/credentials", token=stack.admin_token
    )
    assert response.status_code == 201, response.text
    return response.json()


def post_readings(stack, secret: str, body):
    return stack.call("POST", "/function/readings", token=secret, json=body)


def hours(stack, device_id: str) -> dict:
    with stack.db("monitoring") as db:
        rows = db.execute(
            "SELECT hour_start, kwh, samples FROM hourly_totals WHERE device_id = %s", [device_id]
        ).fetchall()
    return {hour: (kwh, samples) for hour, kwh, samples in rows}


def meter_number() -> str:
    return f"M{random.Random().randint(10**7, 10**8)}"


# -- credentials -------------------------------------------------------------------------


def test_a_credential_is_shown_once_stored_hashed_listed_and_revoked(stack):
    device = stack.create_device()["id"]
    made = credential(stack, device)
    assert made.keys() == {"id", "username", "secret", "prefix", "created_at", "last_used_at"}
    assert made["secret"].startswith(made["prefix"]) and len(made["secret"]) > 40
    path = f"/function/devices/{device}/credentials"
    listed = stack.call("GET", path, token=stack.admin_token).json()
    assert listed == [{k: v for k, v in made.items() if k != "secret"}]
    with stack.db("inventory") as db:
        stored = db.execute("SELECT * FROM meter_credentials WHERE id = %s", [made["id"]])
        row = stored.fetchone()
    assert made["secret"] not in {str(value) for value in row}
    assert hashlib.sha256(made["secret"].encode()).hexdigest() in row

    _, client = stack.create_user()
    for method in ("GET", "POST"):
        assert stack.call(method, path, token=client).status_code == 403
    assert stack.call("DELETE", f"{path}/{made['id']}", token=client).status_code == 403
    missing = f"/function/devices/{uuid.uuid4()}/credentials"
    assert error_code(stack.call("POST", missing, token=stack.admin_token)) == "not_found"

    assert stack.call("DELETE", f"{path}/{made['id']}", token=stack.admin_token).status_code == 204
    assert stack.call("GET", path, token=stack.admin_token).json() == []
    again = stack.call("DELETE", f"{path}/{made['id']}", token=stack.admin_token)
    assert error_code(again) == "not_found"


# -- HTTP ------------------------------------------------------------------------------


def test_readings_over_http_count_once_however_often_sent_and_through_any_door(stack):
    number = meter_number()
    device = stack.monitored_device(meter_id=number, max_hourly_kwh=100)["id"]
    secret = credential(stack, device)["secret"]
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    body = [
        {"timestamp": (hour + INTERVAL).isoformat(), "measurement_value": 0.25},
        {"timestamp": (hour + 2 * INTERVAL).isoformat(), "meter_id": number, "measuredValue": 1},
        {"timestamp": (hour + 3 * INTERVAL).timestamp(), "deviceId": device, "measured_value": 0.5},
    ]
    first = post_readings(stack, secret, body)
    assert first.status_code == 202, first.text
    # measuredValue is not an accepted name: that one reading is refused, with its index
    assert first.json()["accepted"] == 2
    assert [item["index"] for item in first.json()["rejected"]] == [1]
    assert "unknown field measuredValue" in first.json()["rejected"][0]["reason"]
    assert post_readings(stack, secret, body).json()["accepted"] == 2, "a gateway's retry"
    stack.publish("meter.reading", {**body[0], "device_id": device})  # the AMQP door too
    wait_for(lambda: hours(stack, device), timeout=30, message="the readings counted")
    wait_for(lambda: settled(stack, "ingest"), timeout=30)
    assert hours(stack, device) == {hour: (Decimal("0.75"), 2)}


def test_values_sent_over_http_are_counted_to_the_last_decimal(stack):
    device = stack.monitored_device(max_hourly_kwh=100_000)["id"]
    secret = credential(stack, device)["secret"]
    moment = (datetime.now(UTC) - timedelta(minutes=30)).replace(microsecond=0)
    body = f'{{"timestamp": "{moment.isoformat()}", "measurement_value": 1234.123456789012}}'
    answer = stack.call(
        "POST",
        "/function/readings",
        token=secret,
        data=body,
        headers={"Content-Type": "application/json"},
    )
    assert answer.json() == {"accepted": 1, "rejected": []}
    wait_for(lambda: hours(stack, device), timeout=30, message="the reading counted")
    with stack.db("monitoring") as db:
        stored = db.execute("SELECT kwh FROM readings WHERE device_id = %s", [device]).fetchone()
    assert stored[0] == Decimal("1234.123456789012"), "a float would keep 15 digits"


def test_the_http_door_refuses_other_devices_readings_and_wrong_or_revoked_secrets(stack):
    device = stack.monitored_device(max_hourly_kwh=100)["id"]
    other = stack.monitored_device(max_hourly_kwh=100)["id"]
    made = credential(stack, device)
    moment = (datetime.now(UTC) - timedelta(minutes=20)).replace(microsecond=0).isoformat()
    answer = post_readings(
        stack,
        made["secret"],
        [
            {"timestamp": moment, "device_id": other, "measurement_value": 1},
            {"timestamp": moment, "device_id": device, "measurement_value": -1},
            {"timestamp": moment, "device_id": device, "measurement_value": 1},
        ],
    )
    assert answer.status_code == 202
    assert answer.json() == {
        "accepted": 1,
        "rejected": [
            {"index": 0, "reason": f"device {other} is not covered by this credential"},
            {"index": 1, "reason": "measurement_value is negative"},
        ],
    }
    wait_for(lambda: hours(stack, device), timeout=30, message="the good reading counted")
    assert hours(stack, other) == {}
    for secret in ("ems_not-a-secret", "", made["secret"] + "x"):
        refused = post_readings(stack, secret, {"timestamp": moment, "measurement_value": 1})
        assert refused.status_code == 401
    path = f"/function/devices/{device}/credentials/{made['id']}"
    assert stack.call("DELETE", path, token=stack.admin_token).status_code == 204
    revoked = post_readings(stack, made["secret"], {"timestamp": moment, "measurement_value": 1})
    assert error_code(revoked) == "invalid_credentials"
    too_many = post_readings(stack, made["secret"], [{}] * 10_001)
    assert too_many.status_code == 401, "the credential is checked before the body"


def gateway(stack, device_ids: list[str], name: str = "P1 reader") -> dict:
    made = stack.call(
        "POST",
        "/function/gateways",
        token=stack.admin_token,
        json={"name": name, "device_ids": device_ids},
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_a_gateway_credential_posts_for_the_devices_it_covers_and_no_other(stack):
    number = meter_number()
    first = stack.monitored_device(max_hourly_kwh=100)["id"]
    second = stack.monitored_device(meter_id=number, max_hourly_kwh=100)["id"]
    outside = stack.monitored_device(max_hourly_kwh=100)["id"]
    made = gateway(stack, [first, second.upper()])
    assert made["secret"].startswith("ems_") and made["device_ids"] == sorted([first, second])
    listed = stack.call("GET", "/function/gateways", token=stack.admin_token).json()
    shown = next(item for item in listed if item["id"] == made["id"])
    assert "secret" not in shown and shown["prefix"] == made["secret"][:8]
    moment = (datetime.now(UTC) - timedelta(minutes=20)).replace(microsecond=0).isoformat()
    answer = post_readings(
        stack,
        made["secret"],
        [
            {"timestamp": moment, "device_id": first, "measurement_value": 1.5},
            {"timestamp": moment, "meter_id": number, "measurement_value": 2},
            {"timestamp": moment, "device_id": outside, "measurement_value": 1},
            {"timestamp": moment, "measurement_value": 1},
        ],
    )
    assert answer.status_code == 202, answer.text
    assert answer.json() == {
        "accepted": 2,
        "rejected": [
            {"index": 2, "reason": f"device {outside} is not covered by this credential"},
            {"index": 3, "reason": "missing device_id (or deviceId, meter_id)"},
        ],
    }
    wait_for(lambda: hours(stack, first) and hours(stack, second), timeout=30)
    assert [kwh for kwh, _ in hours(stack, first).values()] == [Decimal("1.5")]
    assert [kwh for kwh, _ in hours(stack, second).values()] == [Decimal("2")]
    assert hours(stack, outside) == {}

    # Covering other devices from now on; the secret stays the same.
    path = f"/function/gateways/{made['id']}"
    changed = stack.call("PUT", path, token=stack.admin_token, json={"device_ids": [outside]})
    assert changed.json()["device_ids"] == [outside]
    later = (datetime.now(UTC) - timedelta(minutes=10)).replace(microsecond=0).isoformat()
    moved = post_readings(
        stack,
        made["secret"],
        [
            {"timestamp": later, "device_id": first, "measurement_value": 1},
            {"timestamp": later, "device_id": outside, "measurement_value": 1},
        ],
    )
    assert moved.json()["accepted"] == 1 and moved.json()["rejected"][0]["index"] == 0
    assert stack.call("DELETE", path, token=stack.admin_token).status_code == 204
    revoked = post_readings(stack, made["secret"], {"timestamp": later, "device_id": outside,
                                                    "measurement_value": 1})  # fmt: skip
    assert error_code(revoked) == "invalid_credentials"
    assert stack.call("GET", path, token=stack.admin_token).status_code == 404


def test_gateways_are_for_administrators_and_bad_lists_change_nothing(stack):
    device = stack.monitored_device(max_hourly_kwh=10)["id"]
    made = gateway(stack, [device])
    path = f"/function/gateways/{made['id']}"
    _, client = stack.create_user("client")
    for method, where in (("GET", "/function/gateways"), ("POST", "/function/gateways"),
                          ("GET", path), ("PUT", path), ("DELETE", path)):  # fmt: skip
        assert stack.call(method, where, token=client, json={}).status_code == 403, where
    unknown = "00000000-0000-4000-8000-000000000000"
    for body, field in (
        ({"name": "x", "device_ids": [device, unknown]}, "device_ids"),
        ({"name": "x", "device_ids": "all"}, "device_ids"),
        ({"name": "x", "device_ids": [1]}, "device_ids"),
        ({"name": "", "device_ids": []}, "name"),
    ):
        refused = stack.call("POST", "/function/gateways", token=stack.admin_token, json=body)
        assert refused.status_code == 422 and field in refused.json()["error"]["fields"], body
        refused = stack.call("PUT", path, token=stack.admin_token, json=body)
        assert refused.status_code == 422, body
    assert stack.call("GET", path, token=stack.admin_token).json()["device_ids"] == [device]
    names = [
        g["name"] for g in stack.call("GET", "/function/gateways", token=stack.admin_token).json()
    ]
    assert "x" not in names and "" not in names


def test_meter_auth_answers_the_broker_only_with_the_token(stack):
    device = stack.monitored_device(meter_id=meter_number(), max_hourly_kwh=10)
    made = credential(stack, device["id"])

    def ask(check: str, token: str | None, **fields) -> str:
        query = {"token": token} if token is not None else {}
        response = stack.call(
            "POST", f"/function/meter-auth/{check}", params=query, data=fields, json=None
        )
        assert response.status_code == 200, response.text
        return response.text

    login = {"username": made["username"], "password": made["secret"]}
    token = stack.internal_token
    assert ask("user", token, **login) == "allow"
    assert ask("user", None, **login) == "deny"
    assert ask("user", "wrong", **login) == "deny"
    assert ask("user", token, **{**login, "password": "guess"}) == "deny"
    own = {"username": made["username"], "vhost": stack.vhost, "name": "ems"}
    assert ask("vhost", token, **own) == "allow"
    assert ask("vhost", token, **{**own, "vhost": "/"}) == "deny"
    assert ask("resource", token, **own, resource="exchange", permission="write") == "allow"
    for resource, permission in (("exchange", "read"), ("queue", "configure"), ("queue", "read")):
        assert ask("resource", token, **own, resource=resource, permission=permission) == "deny"
    topic = {**own, "resource": "topic", "permission": "write"}
    for reference in (device["id"], device["meter_id"]):
        key = f"meters.{reference}.reading"
        assert ask("topic", token, **topic, routing_key=key) == "allow"
    for key in ("meter.reading", "alert.raised", f"meters.{uuid.uuid4()}.reading"):
        assert ask("topic", token, **topic, routing_key=key) == "deny", key


# -- MQTT, on a RabbitMQ node of the tests' own ---------------------------------------


class Meter:
    """A paho-mqtt client signed in with a meter credential."""

    def __init__(self, port: int, username: str, password: str):
        self.connected: list = []
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:8]}"
        )
        self.client.username_pw_set(username, password)
        self.client.on_connect = lambda _c, _u, _f, code, _p: self.connected.append(code)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait_for(lambda: self.connected, timeout=15, message="an answer to CONNECT")

    @property
    def accepted(self) -> bool:
        return not self.connected[0].is_failure

    def publish(self, topic: str, payload) -> bool:
        """Publish with QoS 1; True once the broker acknowledged it, False once it closed
        the connection instead (its answer to a publish it refuses)."""
        info = self.client.publish(topic, json.dumps(payload), qos=1)
        wait_for(
            lambda: info.is_published() or not self.client.is_connected(),
            timeout=10,
            interval=0.05,
            message=f"the broker's answer to a publish on {topic}",
        )
        return info.is_published()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def test_readings_over_mqtt_land_in_exact_totals_and_raise_the_alert_once(system_on_own_machine):
    stack = system_on_own_machine
    number = meter_number()
    device = stack.monitored_device(meter_id=number, max_hourly_kwh=1.0)["id"]
    made = credential(stack, device)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    readings = [
        {"timestamp": (hour + n * INTERVAL).isoformat(), "measurement_value": 0.3}
        for n in range(1, 7)
    ]
    meter = Meter(stack.mqtt_port, made["username"], made["secret"])
    try:
        assert meter.accepted
        with EventTap(stack, "alert.raised") as tap:
            assert meter.publish(f"meters/{number}/reading", readings[0])  # device from the topic
            assert meter.publish(f"meters/{device}/reading", readings[1:4])  # a list, by id
            assert meter.publish(f"meters/{number}/reading", {**readings[4], "meter_id": number})
            assert meter.publish(f"meters/{number}/reading", readings[5])
            assert meter.publish(f"meters/{number}/reading", readings[5])  # QoS 1 resends
            wait_for(lambda: hours(stack, device).get(hour, (0, 0))[1] == 6, timeout=30)
            (alert,) = tap.wait_for(1, lambda e: e["data"]["device_id"] == device)
        assert hours(stack, device) == {hour: (Decimal("1.8"), 6)}
        assert alert["data"]["total_kwh"] > 1.0
        stray = {**readings[0], "device_id": str(uuid.uuid4())}
        assert meter.publish(f"meters/{number}/reading", stray)
        letters = wait_for(
            lambda: stack.call(
                "GET", f"/function/dead-letters?device_id={stray['device_id']}",
                token=stack.admin_token,
            ).json(),
            timeout=30,
        )  # fmt: skip
        assert "unknown device" in letters[0]["reason"]
    finally:
        meter.close()
    with stack.db("inventory") as db:
        used = db.execute(
            "SELECT last_used_at FROM meter_credentials WHERE id = %s", [made["id"]]
        ).fetchone()[0]
    assert used is not None


def test_the_broker_refuses_wrong_and_revoked_credentials(system_on_own_machine):
    stack = system_on_own_machine
    device = stack.monitored_device(max_hourly_kwh=10)["id"]
    made = credential(stack, device)
    wrong = Meter(stack.mqtt_port, made["username"], "not-the-secret")
    assert not wrong.accepted
    wrong.close()
    stranger = Meter(stack.mqtt_port, "meter-nobody", made["secret"])
    assert not stranger.accepted, "a secret is good only with its own username"
    stranger.close()
    path = f"/function/devices/{device}/credentials/{made['id']}"
    assert stack.call("DELETE", path, token=stack.admin_token).status_code == 204
    time.sleep(AUTH_CACHE_MS / 1000 + 1)  # the broker's cache of meter-auth's answers
    revoked = Meter(stack.mqtt_port, made["username"], made["secret"])
    assert not revoked.accepted
    revoked.close()
    # The components' own broker accounts do not depend on meter-auth at all.
    assert stack.amqp().is_open


def test_a_meter_may_publish_only_its_own_readings(system_on_own_machine):
    stack = system_on_own_machine
    device = stack.monitored_device(max_hourly_kwh=10)["id"]
    other = stack.monitored_device(max_hourly_kwh=10)["id"]
    made = credential(stack, device)
    moment = (datetime.now(UTC) - timedelta(minutes=15)).replace(microsecond=0).isoformat()
    reading = {"timestamp": moment, "measurement_value": 0.5}
    for topic in (f"meters/{other}/reading", "alert/raised", "user/deleted", "chat/reply"):
        meter = Meter(stack.mqtt_port, made["username"], made["secret"])
        assert meter.accepted
        assert not meter.publish(topic, {**reading, "device_id": other}), topic
        wait_for(lambda m=meter: not m.client.is_connected(), timeout=10)
        meter.close()
    mismatch = Meter(stack.mqtt_port, made["username"], made["secret"])
    assert mismatch.publish(f"meters/{device}/reading", {**reading, "device_id": other})
    mismatch.close()
    letters = wait_for(
        lambda: stack.call(
            "GET", f"/function/dead-letters?device_id={other}", token=stack.admin_token
        ).json(),
        timeout=30,
        message="the mismatched reading refused",
    )
    assert [letter["reason"] for letter in letters] == [
        f"the reading's device does not match the topic's ({device})"
    ]
    assert hours(stack, other) == {}

    # The same credential over AMQP: no other event type gets past the broker.
    broker = stack.services.broker
    for event_type in ("alert.raised", "chat.reply", "user.deleted", "meter.reading"):
        parameters = pika.ConnectionParameters(
            broker.host,
            broker.port,
            stack.vhost,
            pika.PlainCredentials(made["username"], made["secret"]),
        )
        with pika.BlockingConnection(parameters) as connection:
            channel = connection.channel()
            channel.confirm_delivery()
            with pytest.raises(pika.exceptions.ChannelClosedByBroker) as refused:
                channel.basic_publish("ems", event_type, json.dumps({"forged": True}).encode())
            assert refused.value.reply_code == 403, event_type
