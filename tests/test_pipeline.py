"""The metering pipeline on the real stack: monitoring-sync, ingest, hourly-aggregate.

Readings go in the way meters send them (``meter.reading`` on the exchange, through
the connector); the expected totals, alerts and days are computed here from the
readings each test generated, never read back from the code under test.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pika
import pytest

from faas_ems.monitoring import readings
from faas_ems.monitoring.readings import parse_message
from tests.harness import wait_for
from tests.identity_helpers import EventTap, settled
from tests.in_process import serving

INTERVAL = timedelta(minutes=10)
INSTANT = timedelta(microseconds=1)


# -- helpers -------------------------------------------------------------------------


def hour_of(moment: datetime) -> datetime:
    """The UTC hour a reading counts in: the one its interval (ending at ``moment``) lies in."""
    return (moment - INSTANT).astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def reading(device_id: str, moment: datetime, kwh: Decimal) -> dict:
    return {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh}


def publish_all(stack, messages: list) -> None:
    """Publish many messages on one confirmed channel (a meter gateway's way)."""
    with stack.amqp() as connection:
        channel = connection.channel()
        channel.confirm_delivery()
        properties = pika.BasicProperties(content_type="application/json", delivery_mode=2)
        for message in messages:
            body = json.dumps(message, default=float).encode()
            channel.basic_publish("ems", "meter.reading", body, properties)


def call_internal(stack, function: str, body=None, headers: dict | None = None):
    return stack.call(
        "POST",
        f"/function/{function}",
        data=json.dumps(body, default=float),
        headers={**stack.internal_headers, "Content-Type": "application/json", **(headers or {})},
    )


def chunks(items: list, count: int) -> list[list]:
    return [items[n::count] for n in range(count)]


def post_batch(stack, messages: list) -> dict:
    """Call ingest directly the way the connector does with a batch."""
    response = call_internal(stack, "ingest", messages, {"X-Batch-Size": str(len(messages))})
    assert response.status_code == 200, response.text
    return response.json()


def aggregate(stack) -> dict:
    response = call_internal(stack, "hourly-aggregate")
    assert response.status_code == 200, response.text
    return response.json()


def hourly(stack, device_ids) -> dict:
    with stack.db("monitoring") as db:
        rows = db.execute(
            "SELECT device_id::text, hour_start, kwh, samples, final, incomplete"
            " FROM hourly_totals WHERE device_id = ANY(%s::uuid[])",
            [list(device_ids)],
        ).fetchall()
    return {(row[0], row[1]): row[2:] for row in rows}


def alert_hours(stack, device_ids) -> list[tuple]:
    with stack.db("monitoring") as db:
        return db.execute(
            "SELECT device_id::text, hour_start FROM alert_hours WHERE device_id = ANY(%s::uuid[])",
            [list(device_ids)],
        ).fetchall()


def stored_count(stack, device_ids) -> int:
    with stack.db("monitoring") as db:
        return db.execute(
            "SELECT count(*) FROM readings WHERE device_id = ANY(%s::uuid[])", [list(device_ids)]
        ).fetchone()[0]


def drained(stack, device_ids, expected: int) -> None:
    wait_for(
        lambda: stored_count(stack, device_ids) >= expected and settled(stack, "ingest"),
        timeout=90,
        interval=0.3,
        message=f"{expected} readings stored and the ingest queue empty",
    )


def dead_letters(stack, marker: str) -> dict[str, str]:
    """Open dead letters whose body contains ``marker``, with their reasons (the API's view)."""
    response = stack.call("GET", "/function/dead-letters", token=stack.admin_token)
    assert response.status_code == 200, response.text
    return {
        json.dumps(letter["body"], default=float): letter["reason"]
        for letter in response.json()
        if marker in json.dumps(letter["body"])
    }


# Most parsing is tested in tests/test_readings.py, beside the other forms meters send;
# here the bounds on reasons and the exactness of values.


def test_a_huge_value_is_never_quoted_and_a_message_s_reasons_stop_after_a_few_kb():
    """A 1 MB device_id once went whole into the reason, then into a dead-letter header."""
    device = str(uuid.uuid4())
    good = {"timestamp": "2026-03-29T00:10:00Z", "device_id": device, "measurement_value": 0.2}
    huge = readings.reason(parse_message({**good, "device_id": "7" * 1_000_000, "x" * 100_000: 1}))
    assert "device_id must be a device id or meter number (1-64 characters)" in huge
    assert "unknown field xxxxx" in huge
    assert len(huge) < 1_000
    many = parse_message([{**good, "measurement_value": -n - 1} for n in range(10_000)])
    assert all(sent.problems == ["measurement_value is negative"] for sent in many)
    text = readings.reason(many)
    assert 1_000 < len(text) <= 2_100
    assert text.startswith("reading 0: measurement_value is negative | reading 1: ")
    assert text.endswith(" more refused reading(s)")


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (0.1234567891, "0.1234567891"),
        (4e-07, "0.0000004"),
        (Decimal("999999.123456789012"), "999999.123456789012"),
        (Decimal("1.500000000000000000"), "1.500000000000000000"),
        (3, "3"),
    ],
)
def test_a_value_is_kept_as_exact_decimal_text(value, stored):
    (sent,) = parse_message(
        {"timestamp": "2026-03-29T00:10:00Z", "device_id": "m1", "measurement_value": value}
    )
    assert sent.problems == []
    assert Decimal(sent.value) == Decimal(stored)


@pytest.mark.parametrize("value", [0.1234567890123, Decimal("0.0000000000001"), 0.1 + 0.2])
def test_a_value_that_cannot_be_stored_exactly_is_refused_not_rounded(value):
    (sent,) = parse_message(
        {"timestamp": "2026-03-29T00:10:00Z", "device_id": "m1", "measurement_value": value}
    )
    assert sent.problems == [
        "measurement_value has more than 12 decimals and cannot be stored exactly"
    ]


# -- the pipeline --------------------------------------------------------------------


def test_four_replicas_fed_everything_twice_in_any_order_give_exact_totals(stack):
    """Totals equal the reference; one alert per device-hour over the limit, none otherwise.

    Every message goes through the connector, and a third copy straight to the
    replicas from eight threads at once, so the same hours are written concurrently.
    """
    rng = random.Random(4)
    devices = [stack.monitored_device(max_hourly_kwh=1.0) for _ in range(3)]
    ids = [d["id"] for d in devices]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=8)
    generated = []
    for device_id in ids:
        for step in range(1, 6 * 6 + 1):
            kwh = Decimal(rng.randint(0, 300)) / 1000  # up to 0.3 kWh a reading, 1.8 an hour
            generated.append(reading(device_id, start + step * INTERVAL, kwh))
    expected = defaultdict(Decimal)
    for item in generated:
        expected[(item["device_id"], hour_of(datetime.fromisoformat(item["timestamp"])))] += item[
            "measurement_value"
        ]
    over = {key for key, total in expected.items() if total > Decimal("1.0")}
    assert over and len(over) < len(expected), "the seed should give hours on both sides"

    messages: list = []
    for item in generated * 2:
        messages.append(item)
    messages += [generated[n : n + 5] for n in range(0, len(generated), 5)]  # lists too
    rng.shuffle(messages)

    stack.scale("ingest", 4)
    try:
        with EventTap(stack, "alert.raised") as tap:
            with ThreadPoolExecutor(8) as callers:
                # the connector's two workers, and eight more callers at the same time
                direct = callers.map(post_batch, [stack] * 40, chunks(messages, 40))
                publish_all(stack, messages)
                assert {str(answer["rejected"]) for answer in direct} == {"[]"}
            drained(stack, ids, len(generated))
            totals = hourly(stack, ids)
            assert {key: row[0] for key, row in totals.items()} == expected
            assert {row[1] for row in totals.values()} == {6}
            assert sorted(alert_hours(stack, ids)) == sorted(over)
            events = tap.wait_for(len(over), lambda e: e["data"]["device_id"] in ids, timeout=30)
            raised = {
                (e["data"]["device_id"], datetime.fromisoformat(e["data"]["raised_hour"]))
                for e in events
            }
            assert raised == over
            assert len({e["id"] for e in events}) == len(over), "one event id per device-hour"
            for event in events:
                data = event["data"]
                assert data["limit_kwh"] == 1.0
                assert data["total_kwh"] > 1.0
                assert data["owner_id"] is None
                assert data["device_name"]
    finally:
        stack.scale("ingest", 2)


def test_bad_readings_are_dead_lettered_with_their_reason_and_change_no_total(stack):
    device = stack.monitored_device(max_hourly_kwh=1.0)["id"]
    gone = stack.monitored_device(max_hourly_kwh=1.0)["id"]
    assert stack.call("DELETE", f"/function/devices/{gone}", token=stack.admin_token).ok
    with stack.db("monitoring") as db:
        wait_for(
            lambda: db.execute("SELECT deleted_at FROM devices WHERE id = %s", [gone]).fetchone()[
                0
            ],
            message="the tombstone of the deleted device",
        )
    moment = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    good = reading(device, moment + INTERVAL, Decimal("0.25"))
    kept = reading(device, moment + 2 * INTERVAL, Decimal("0.5"))
    bad = {
        "timestamp is not ISO 8601": {**good, "timestamp": "20 Nov 2026 10:10"},
        "is negative": {**good, "measurement_value": -0.5},
        "is not a number": {**good, "measurement_value": "0.5"},
        "unknown device": {**good, "device_id": str(uuid.uuid4())},
        "was deleted": {**good, "device_id": gone},
        "reading 1: measurement_value is negative": [kept, {**good, "measurement_value": -1}],
    }
    publish_all(stack, [good, *bad.values()])
    drained(stack, [device], 2)
    expected = {
        json.dumps(json.loads(json.dumps(body, default=float))): reason
        for reason, body in bad.items()
    }
    markers = (device, gone, bad["unknown device"]["device_id"])
    found = wait_for(
        lambda: (
            letters
            if len(letters := {k: v for m in markers for k, v in dead_letters(stack, m).items()})
            >= len(expected)
            else None
        ),
        timeout=60,
        message="every bad message in ems.ingest.dead",
    )
    assert found.keys() == expected.keys()
    for body, reason in expected.items():
        assert reason in found[body], (reason, found[body])
    totals = hourly(stack, [device, gone])
    assert {key: row[0] for key, row in totals.items()} == {(device, moment): Decimal("0.75")}


def test_readings_are_stored_and_totalled_exactly_to_twelve_decimals(stack):
    """numeric(14, 6) once stored 0.1234567891 as 0.123457 and 4e-07 as 0."""
    device = stack.monitored_device(max_hourly_kwh=1.0)["id"]
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=4)
    sent = ["0.1234567891", "4e-07", "0.000000000001", "123.456789012345"]
    bodies = [
        f'{{"timestamp": "{(hour + (n + 1) * INTERVAL).isoformat()}", '
        f'"device_id": "{device}", "measurement_value": {text}}}'
        for n, text in enumerate(sent)
    ]
    for body in bodies:
        stack.publish("meter.reading", body.encode())
    drained(stack, [device], len(sent))
    with stack.db("monitoring") as db:
        stored = db.execute(
            "SELECT kwh FROM readings WHERE device_id = %s ORDER BY taken_at", [device]
        ).fetchall()
        quarters = db.execute(
            "SELECT sum(kwh) FROM quarter_totals WHERE device_id = %s", [device]
        ).fetchone()[0]
    assert [row[0] for row in stored] == [Decimal(text) for text in sent]
    expected = sum(Decimal(text) for text in sent)
    assert hourly(stack, [device])[(device, hour)][0] == expected
    assert quarters == expected


def test_ingest_answers_each_message_for_the_connector(stack):
    device = stack.monitored_device(max_hourly_kwh=1.0)["id"]
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    good = reading(device, moment, 0.1)
    stranger = {**good, "device_id": str(uuid.uuid4())}
    negative = {**good, "measurement_value": -1}

    for function in ("ingest", "monitoring-sync", "hourly-aggregate"):
        refused = stack.call("POST", f"/function/{function}", json=good)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
    assert call_internal(stack, "ingest", negative).status_code == 422
    assert call_internal(stack, "ingest", stranger).status_code == 422, "refused at once"
    bad_json = stack.call("POST", "/function/ingest", data=b"{nope", headers=stack.internal_headers)
    assert bad_json.status_code == 400
    assert stored_count(stack, [device]) == 0

    batch = call_internal(stack, "ingest", [good, negative, stranger], {"X-Batch-Size": "3"})
    assert batch.status_code == 200
    answer = batch.json()
    assert answer["stored"] == 1
    assert [item["index"] for item in answer["rejected"]] == [1, 2]
    assert "retry" not in answer
    again = call_internal(stack, "ingest", good).json()
    assert (again["stored"], again["duplicates"]) == (0, 1)


def test_a_late_reading_that_takes_a_closed_hour_over_the_limit_raises_its_alert(stack):
    device = stack.monitored_device(max_hourly_kwh=1.0)["id"]
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    on_time = [reading(device, hour + n * INTERVAL, Decimal("0.15")) for n in range(1, 7)]
    publish_all(stack, on_time)
    drained(stack, [device], 6)
    aggregate(stack)
    assert hourly(stack, [device])[(device, hour)] == (Decimal("0.9"), 6, True, False)
    assert alert_hours(stack, [device]) == []

    with EventTap(stack, "alert.raised") as tap:
        publish_all(stack, [reading(device, hour + timedelta(minutes=35), Decimal("0.2"))])
        drained(stack, [device], 7)
        (event,) = tap.wait_for(1, lambda e: e["data"]["device_id"] == device)
    assert datetime.fromisoformat(event["data"]["hour_start"]) == hour
    assert event["data"]["total_kwh"] == 1.1
    assert alert_hours(stack, [device]) == [(device, hour)]
    assert hourly(stack, [device])[(device, hour)][2] is False, "the late reading reopens it"
    aggregate(stack)
    assert hourly(stack, [device])[(device, hour)] == (Decimal("1.1"), 7, True, False)
    with stack.db("monitoring") as db:
        day_total = db.execute(
            "SELECT kwh FROM daily_totals WHERE device_id = %s AND day = %s", [device, hour.date()]
        ).fetchone()[0]
    assert day_total == Decimal("1.1")


def test_hours_are_closed_and_days_cut_in_the_site_time_zone(stack):
    """Europe/Bucharest, 2026-03-29: clocks go forward, the day has 23 hours."""
    zone = ZoneInfo("Europe/Bucharest")
    device = stack.monitored_device(max_hourly_kwh=50.0, timezone="Europe/Bucharest")["id"]
    first = datetime(2026, 3, 28, 21, 0, tzinfo=UTC)
    sent = [
        reading(device, first + n * INTERVAL, Decimal(n % 7) / 100)
        for n in range(1, 26 * 6 + 1)
        if n != 40  # one reading missing: its hour is incomplete
    ]
    publish_all(stack, [sent[n : n + 50] for n in range(0, len(sent), 50)])
    drained(stack, [device], len(sent))
    aggregate(stack)

    days = defaultdict(lambda: [Decimal(0), 0])
    hours = defaultdict(int)
    for item in sent:
        hour = hour_of(datetime.fromisoformat(item["timestamp"]))
        hours[hour] += 1
        day = days[hour.astimezone(zone).date()]
        day[0] += item["measurement_value"]
        day[1] += 1
    with stack.db("monitoring") as db:
        stored_days = db.execute(
            "SELECT day, kwh, samples FROM daily_totals WHERE device_id = %s", [device]
        ).fetchall()
    assert {day: [kwh, samples] for day, kwh, samples in stored_days} == days
    assert days[datetime(2026, 3, 29).date()][1] == 23 * 6 - 1  # 23 hours, one reading short
    closed = hourly(stack, [device])
    assert {hour for (_, hour), row in closed.items() if row[3]} == {
        hour for hour, count in hours.items() if count < 6
    }
    assert all(row[2] for row in closed.values()), "every past hour is final"


def test_a_silent_device_goes_offline_and_a_new_reading_brings_it_back(stack):
    device = stack.monitored_device(max_hourly_kwh=1.0)["id"]
    long_ago = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    with EventTap(stack, "device.offline", "device.online") as tap:
        publish_all(stack, [reading(device, long_ago, 0.1)])
        drained(stack, [device], 1)
        aggregate(stack)
        (offline,) = tap.wait_for(
            1, lambda e: e["type"] == "device.offline" and e["data"]["device_id"] == device
        )
        assert datetime.fromisoformat(offline["data"]["last_reading_at"]) == long_ago
        publish_all(stack, [reading(device, datetime.now(UTC) - timedelta(minutes=1), 0.1)])
        drained(stack, [device], 2)
        tap.wait_for(1, lambda e: e["type"] == "device.online" and e["data"]["device_id"] == device)
    with stack.db("monitoring") as db:
        assert db.execute(
            "SELECT offline_since FROM devices WHERE id = %s", [device]
        ).fetchone() == (None,)


def test_running_hourly_aggregate_twice_changes_nothing(stack):
    device = stack.monitored_device(max_hourly_kwh=1.0)["id"]
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=5)
    publish_all(stack, [reading(device, hour + n * INTERVAL, 0.2) for n in range(1, 10)])
    drained(stack, [device], 9)

    def snapshot():
        with stack.db("monitoring") as db:
            return [
                db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("hourly_totals", "daily_totals", "devices", "alerts")
            ]

    first = aggregate(stack)
    assert first["hours_closed"] >= 2
    before = snapshot()
    second = aggregate(stack)
    assert second == {
        "hours_closed": 0,
        "days_refreshed": 0,
        "warnings_cleared": 0,
        "offline": 0,
        "readings_pruned": 0,
    }
    assert snapshot() == before


def amounts(stack, device: str) -> dict:
    """Each hour's kWh and samples (not whether it is closed yet)."""
    return {hour: row[:2] for (_, hour), row in hourly(stack, [device]).items()}


def stored_readings(stack, device: str | None = None) -> int:
    with stack.db("monitoring") as db:
        if device is None:
            return db.execute("SELECT count(*) FROM readings").fetchone()[0]
        query = "SELECT count(*) FROM readings WHERE device_id = %s"
        return db.execute(query, [device]).fetchone()[0]


def test_raw_readings_past_retention_are_pruned_and_older_ones_refused(stack):
    """ingest and hourly-aggregate keeping raw readings for 30 days (the default keeps
    them forever), served in the test process on the suite's monitoring database."""
    device = stack.monitored_device(max_hourly_kwh=100)["id"]
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    kept = [reading(device, now - timedelta(days=29, minutes=10 * n), 0.25) for n in range(3)]
    publish_all(stack, kept)
    drained(stack, [device], 3)
    # Readings stored before the period was shortened: they count, but are past keeping.
    past = now - timedelta(days=40)
    with stack.db("monitoring") as db:
        db.execute(
            "INSERT INTO readings (device_id, taken_at, kwh) VALUES (%s, %s, 0.5), (%s, %s, 0.5)",
            [device, past, device, past + INTERVAL],
        )
        db.execute(
            "INSERT INTO hourly_totals (device_id, hour_start, kwh, samples) VALUES (%s, %s, 1, 2)",
            [device, hour_of(past)],
        )
    totals_before = amounts(stack, device)
    all_before = stored_readings(stack)

    thirty_days = {"MONITORING_READINGS_RETENTION_DAYS": "30"}
    with serving(stack, "ingest", "hourly-aggregate", **thirty_days) as monitoring:
        internal = {**stack.internal_headers, "Content-Type": "application/json"}
        pruned = monitoring.call("POST", "/function/hourly-aggregate", headers=internal)
        assert pruned.status_code == 200, pruned.text
        # Older readings of other tests' devices on the suite's database go too.
        assert pruned.json()["readings_pruned"] == all_before - stored_readings(stack) >= 2
        assert stored_readings(stack, device) == 3
        assert amounts(stack, device) == totals_before  # totals are never pruned

        # A reading from before the period can no longer be told from one already counted.
        body = json.dumps(reading(device, past, 0.5), default=float)
        refused = monitoring.call("POST", "/function/ingest", data=body, headers=internal)
        assert refused.status_code == 422
        assert "older than readings are kept" in refused.json()["error"]["message"]
    assert amounts(stack, device) == totals_before


def envelope(event_type: str, data: dict) -> dict:
    return {"id": str(uuid.uuid4()), "type": event_type, "occurred_at": "", "data": data}


def sync(stack, event_type: str, data: dict) -> dict:
    response = call_internal(stack, "monitoring-sync", envelope(event_type, data))
    assert response.status_code == 200, response.text
    return response.json()


def device_copy(stack, device_id: str):
    with stack.db("monitoring") as db:
        return db.execute(
            "SELECT max_hourly_kwh, owner_id::text, version, deleted_at IS NOT NULL"
            " FROM devices WHERE id = %s",
            [device_id],
        ).fetchone()


def test_device_copies_follow_versions_not_arrival_order(stack):
    device, owner = str(uuid.uuid4()), str(uuid.uuid4())

    def state(version: int, limit: float, owner_id=None) -> dict:
        return {"id": device, "name": "m", "max_hourly_kwh": limit, "owner_id": owner_id,
                "timezone": "UTC", "version": version}  # fmt: skip

    assert sync(stack, "device.updated", state(3, 5.0))["applied"] is True
    assert sync(stack, "device.created", state(1, 2.0))["applied"] is False
    assert sync(stack, "device.updated", state(3, 9.0))["applied"] is False
    assert sync(stack, "device.assigned", state(4, 5.0, owner))["applied"] is True
    assert device_copy(stack, device) == (Decimal(5), owner, 4, False)

    assert sync(stack, "user.deleted", {"id": owner, "version": 7})["devices_freed"] == 1
    assert sync(stack, "device.updated", state(5, 6.0, owner))["applied"] is True
    assert device_copy(stack, device) == (Decimal(6), None, 5, False), "no owner comes back"

    assert sync(stack, "device.deleted", {"id": device, "version": 6})["applied"] is True
    assert sync(stack, "device.updated", state(5, 7.0))["applied"] is False
    assert sync(stack, "device.updated", state(8, 7.0))["applied"] is False
    assert device_copy(stack, device)[2:] == (6, True)


def test_a_deletion_that_overtakes_the_creation_leaves_a_tombstone(stack):
    device = str(uuid.uuid4())
    assert sync(stack, "device.deleted", {"id": device, "version": 2})["applied"] is True
    created = {"id": device, "name": "m", "max_hourly_kwh": 1, "owner_id": None, "version": 1}
    assert sync(stack, "device.created", created)["applied"] is False
    assert device_copy(stack, device)[2:] == (2, True)


@pytest.mark.parametrize(
    ("event_type", "data"),
    [
        ("device.created", {"id": "x", "max_hourly_kwh": 1, "version": 1}),
        ("device.created", {"id": str(uuid.uuid4()), "max_hourly_kwh": "1", "version": 1}),
        ("device.created", {"id": str(uuid.uuid4()), "max_hourly_kwh": 1, "version": "1"}),
        (
            "device.created",
            {
                "id": str(uuid.uuid4()),
                "max_hourly_kwh": 1,
                "version": 1,
                "timezone": "Mars/Olympus",
            },
        ),
        ("device.exploded", {"id": str(uuid.uuid4()), "version": 1}),
    ],
)
def test_a_malformed_sync_event_is_refused_with_the_reason(stack, event_type, data):
    response = call_internal(stack, "monitoring-sync", envelope(event_type, data))
    assert response.status_code == 422
    assert response.json()["error"]["message"]
