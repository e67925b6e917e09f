"""Readings as meters send them (docs/readings.md), and what is refused, on the real stack.

Expected totals are computed here from the readings each test generated (for register
readings: sorted by time, the first a baseline, a lower register a reset counting from
zero), never read back from the code under test.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from faas_ems.monitoring.local_time import NoSuchLocalTime, from_wall_clock
from faas_ems.monitoring.readings import parse_message, reason
from tests.harness import wait_for
from tests.identity_helpers import error_code, settled
from tests.test_pipeline import call_internal, chunks, hour_of, post_batch, publish_all

INTERVAL = timedelta(minutes=10)
UUID = "7a1f6f8e-58c4-4a57-9d0c-2b9d7a0c1e11"


# -- parsing (pure) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        {"timestamp": "2026-03-29T00:10:00Z", "device_id": UUID, "measurement_value": 0.5},
        {"timestamp": "2026-03-29T00:10:00Z", "deviceId": UUID, "measurementValue": 0.5},
        {"timestamp": "2026-03-29T00:10:00Z", "device_id": 4711, "measured_value": 0.5},
        {"timestamp": "2026-03-29T00:10:00Z", "meter_id": "LGZ-0042", "register_kwh": 1520.25},
        {"timestamp": 1774743000, "device_id": "4711", "measurement_value": 0},
        {"timestamp": 1774743000000, "device_id": UUID, "measurement_value": 3},
        {"timestamp": "2026-03-29T02:10:00", "device_id": UUID, "measurement_value": 0.5},
    ],
)
def test_every_accepted_form_parses_without_a_problem(raw):
    (sent,) = parse_message(raw)
    assert sent.problems == []
    assert sent.reference == str(raw.get("device_id", raw.get("deviceId", raw.get("meter_id"))))
    assert sent.kind == ("register" if "register_kwh" in raw else "interval")


BAD_REFERENCE = "device_id must be a device id or meter number (1-64 characters)"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"timestamp": "yesterday"}, "timestamp is not ISO 8601"),
        ({"timestamp": True}, "timestamp must be ISO 8601, or epoch seconds or milliseconds"),
        ({"timestamp": None}, "timestamp must be ISO 8601, or epoch seconds or milliseconds"),
        ({"measurement_value": -0.1}, "measurement_value is negative"),
        ({"measurement_value": "0.4"}, "measurement_value is not a number"),
        ({"measurement_value": 2_000_000}, "measurement_value is over 1000000 kWh"),
        ({"device_id": None}, BAD_REFERENCE),
        ({"device_id": "x" * 65}, BAD_REFERENCE),
        ({"meter_id": "7"}, "the device is named twice (device_id, meter_id); give one"),
        (
            {"register_kwh": 7},
            "the value is given twice (measurement_value, register_kwh); give one",
        ),
    ],
)
def test_each_refusal_says_what_is_wrong(changes, problem):
    raw = {"timestamp": "2026-03-29T00:10:00Z", "device_id": UUID, "measurement_value": 0.5}
    (sent,) = parse_message({**raw, **changes})
    assert sent.problems == [problem]


def test_unknown_fields_are_refused_naming_the_accepted_ones_and_every_problem_is_listed():
    (sent,) = parse_message({"ts": 1774743000, "dev": "m1", "kwh": 0.2})
    assert sent.problems[0].startswith("unknown field dev, kwh, ts: a reading has timestamp")
    for accepted in ("deviceId", "meter_id", "measurementValue", "measured_value", "register_kwh"):
        assert accepted in sent.problems[0]
    assert sent.problems[1:] == [
        "missing device_id (or deviceId, meter_id)",
        "missing timestamp",
        "missing measurement_value (or register_kwh)",
    ]
    lots = parse_message(
        [
            {"timestamp": "soon", "device_id": UUID, "measurement_value": -1},
            {"timestamp": "2026-03-29T00:10:00Z", "device_id": UUID, "measurement_value": 1},
            {"device_id": UUID, "measurement_value": "1", "unit": "kWh"},
        ]
    )
    assert reason(lots).split(" | ") == [
        "reading 0: timestamp is not ISO 8601; measurement_value is negative",
        "reading 2: unknown field unit: "
        + lots[2].problems[0].split(": ", 1)[1]
        + "; missing timestamp; measurement_value is not a number",
    ]
    assert reason(parse_message([])) == "an empty list holds no reading"


# Both daylight-saving changes of two zones, in 2026: the hour the clocks skip and the
# hour they repeat, with the instants on either side.
DST_CASES = [
    # Europe/Bucharest: 03:00 EET -> 04:00 EEST on 29 March, 04:00 EEST -> 03:00 EET 25 October
    ("Europe/Bucharest", "2026-03-29T02:59:00", "2026-03-29T00:59:00+00:00"),
    ("Europe/Bucharest", "2026-03-29T03:30:00", "does not exist"),
    ("Europe/Bucharest", "2026-03-29T04:00:00", "2026-03-29T01:00:00+00:00"),
    ("Europe/Bucharest", "2026-10-25T02:59:00", "2026-10-24T23:59:00+00:00"),
    ("Europe/Bucharest", "2026-10-25T03:30:00", "ambiguous local time"),
    ("Europe/Bucharest", "2026-10-25T04:00:00", "2026-10-25T02:00:00+00:00"),
    # America/New_York: 02:00 EST -> 03:00 EDT on 8 March, 02:00 EDT -> 01:00 EST 1 November
    ("America/New_York", "2026-03-08T01:59:00", "2026-03-08T06:59:00+00:00"),
    ("America/New_York", "2026-03-08T02:30:00", "does not exist"),
    ("America/New_York", "2026-03-08T03:00:00", "2026-03-08T07:00:00+00:00"),
    ("America/New_York", "2026-11-01T00:59:00", "2026-11-01T04:59:00+00:00"),
    ("America/New_York", "2026-11-01T01:30:00", "ambiguous local time"),
    ("America/New_York", "2026-11-01T02:00:00", "2026-11-01T07:00:00+00:00"),
]


@pytest.mark.parametrize(("zone", "wall_clock", "expected"), DST_CASES)
def test_local_times_around_both_daylight_saving_changes(zone, wall_clock, expected):
    naive = datetime.fromisoformat(wall_clock)
    if expected[0].isdigit():
        assert from_wall_clock(naive, ZoneInfo(zone)) == datetime.fromisoformat(expected)
    else:
        with pytest.raises(NoSuchLocalTime, match=expected):
            from_wall_clock(naive, ZoneInfo(zone))


# -- on the stack --------------------------------------------------------------------


def ingest_one(stack, body, topic: str | None = None):
    headers = {"X-Topic": topic} if topic else None
    return call_internal(stack, "ingest", body, headers)


def stored(stack, device_id: str) -> dict[datetime, Decimal]:
    with stack.db("monitoring") as db:
        rows = db.execute(
            "SELECT taken_at, kwh FROM readings WHERE device_id = %s", [device_id]
        ).fetchall()
    return dict(rows)


def hours(stack, device_id: str) -> dict[datetime, tuple[Decimal, int]]:
    with stack.db("monitoring") as db:
        rows = db.execute(
            "SELECT hour_start, kwh, samples FROM hourly_totals WHERE device_id = %s",
            [device_id],
        ).fetchall()
    return {hour: (kwh, samples) for hour, kwh, samples in rows if kwh or samples}


def quarters(stack, device_id: str) -> dict[datetime, Decimal]:
    with stack.db("monitoring") as db:
        rows = db.execute(
            "SELECT quarter_start, kwh FROM quarter_totals WHERE device_id = %s AND kwh <> 0",
            [device_id],
        ).fetchall()
    return dict(rows)


def meter_number() -> str:
    return str(random.Random().randint(10**8, 10**9))


def test_a_device_is_named_by_its_id_or_its_meter_number_in_any_accepted_field(stack):
    number = meter_number()
    device = stack.monitored_device(meter_id=number, max_hourly_kwh=50)["id"]
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    forms = [
        {"device_id": device, "measurement_value": 0.1},
        {"deviceId": device.upper(), "measurementValue": 0.2},
        {"device_id": int(number), "measured_value": 0.3},
        {"deviceId": number, "measurement_value": 0.4},
        {"meter_id": number, "measurement_value": 0.5},
    ]
    for step, form in enumerate(forms, 1):
        answer = ingest_one(stack, {**form, "timestamp": (start + step * INTERVAL).isoformat()})
        assert answer.status_code == 200, answer.text
    assert sorted(stored(stack, device).values()) == [Decimal(f"0.{n}") for n in range(1, 6)]
    unknown = ingest_one(
        stack, {"meter_id": device, "measurement_value": 1, "timestamp": start.isoformat()}
    )
    assert unknown.status_code == 422, "meter_id names a meter number only, never an id"
    assert unknown.json()["error"]["message"] == f"unknown device {device}"


def test_meter_numbers_are_unique_editable_and_searchable(stack):
    number = meter_number()
    first = stack.create_device(meter_id=number)
    taken = stack.call(
        "POST",
        "/function/devices",
        token=stack.admin_token,
        json={"name": "Second", "max_hourly_kwh": 1, "meter_id": number},
    )
    assert taken.status_code == 409
    assert taken.json()["error"]["fields"] == {"meter_id": "belongs to another device"}
    bad = stack.call(
        "PUT",
        f"/function/devices/{first['id']}",
        token=stack.admin_token,
        json={"meter_id": "has spaces/and slashes"},
    )
    assert error_code(bad) == "validation_failed"
    assert "meter_id" in bad.json()["error"]["fields"]
    found = stack.call("GET", f"/function/devices?search={number[2:7]}", token=stack.admin_token)
    assert [d["id"] for d in found.json()] == [first["id"]]
    cleared = stack.call(
        "PUT", f"/function/devices/{first['id']}", token=stack.admin_token, json={"meter_id": None}
    )
    assert cleared.json()["meter_id"] is None
    again = stack.create_device(meter_id=number)
    assert again["meter_id"] == number, "a cleared number is free again"


def test_local_timestamps_are_read_in_the_device_time_zone_and_refused_when_unclear(stack):
    for zone, wall_clock, expected in DST_CASES:
        device = stack.monitored_device(timezone=zone, max_hourly_kwh=50)["id"]
        answer = ingest_one(
            stack, {"device_id": device, "timestamp": wall_clock, "measurement_value": 0.25}
        )
        if expected[0].isdigit():
            assert answer.status_code == 200, answer.text
            assert list(stored(stack, device)) == [datetime.fromisoformat(expected)]
        else:
            assert answer.status_code == 422
            assert expected in answer.json()["error"]["message"]
            assert zone in answer.json()["error"]["message"]
            offset = "+03:00" if zone == "Europe/Bucharest" else "-04:00"
            given = {"device_id": device, "timestamp": wall_clock + offset}
            assert ingest_one(stack, {**given, "measurement_value": 0.25}).status_code == 200


def register_reference(registers: list[tuple[datetime, Decimal]]) -> dict[datetime, Decimal]:
    """Each hour's energy from register readings taken in time order."""
    expected: dict[datetime, Decimal] = defaultdict(Decimal)
    previous = None
    for moment, register in sorted(registers):
        if previous is not None:
            expected[hour_of(moment)] += register - previous if register >= previous else register
        previous = register
    return dict(expected)


def test_register_readings_shuffled_duplicated_over_four_replicas_equal_the_in_order_totals(stack):
    rng = random.Random(15)
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=10)
    devices, generated, references = [], [], {}
    for number in range(3):
        device = stack.monitored_device(max_hourly_kwh=100)["id"]
        register, series = Decimal(rng.randint(1000, 90000)) / 10, []
        for step in range(1, 8 * 6 + 1):
            register += Decimal(rng.randint(0, 400)) / 1000
            if number == 1 and step == 20:
                register = Decimal("0.125")  # the meter was replaced: a new one from zero
            series.append((start + step * INTERVAL, register))
        if number == 2:
            del series[29:33]  # a gap: its energy all goes to the reading after it
        devices.append(device)
        references[device] = register_reference(series)
        generated += [
            {"device_id": device, "timestamp": moment.isoformat(), "register_kwh": float(value)}
            for moment, value in series
        ]
    messages = generated * 2 + [generated[n : n + 7] for n in range(0, len(generated), 7)]
    rng.shuffle(messages)

    stack.scale("ingest", 4)
    try:
        with ThreadPoolExecutor(8) as callers:
            direct = list(callers.map(post_batch, [stack] * 30, chunks(messages, 30)))
            publish_all(stack, messages)
        assert {str(answer["rejected"]) for answer in direct} == {"[]"}
        wait_for(lambda: settled(stack, "ingest"), timeout=90, message="the ingest queue drained")
    finally:
        stack.scale("ingest", 2)
    for device in devices:
        counted = {hour: kwh for hour, (kwh, _) in hours(stack, device).items()}
        assert counted == {hour: kwh for hour, kwh in references[device].items() if kwh}
        readings_in = sum(1 for r in generated if r["device_id"] == device)
        assert sum(samples for _, samples in hours(stack, device).values()) == readings_in - 1
        assert sum(quarters(stack, device).values()) == sum(references[device].values())
    summary = stack.call(
        "GET",
        "/function/consumption/summary",
        token=stack.admin_token,
        params={"device_ids": ",".join(devices)},
    ).json()
    resets = {row["device_id"]: row["register_resets"] for row in summary}
    assert [resets[device] for device in devices] == [0, 1, 0]


def test_interval_and_register_readings_of_one_device_are_not_mixed(stack):
    device = stack.monitored_device(max_hourly_kwh=100)["id"]
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    first = {"device_id": device, "timestamp": moment.isoformat(), "register_kwh": 100.5}
    assert ingest_one(stack, first).status_code == 200
    mixed = ingest_one(
        stack,
        {"device_id": device, "timestamp": (moment + INTERVAL).isoformat(), "measured_value": 1},
    )
    assert mixed.status_code == 422
    assert "reports register readings" in mixed.json()["error"]["message"]


# -- refused readings: the dead-letter list ----------------------------------------------


def letters(stack, **query) -> list[dict]:
    response = stack.call("GET", "/function/dead-letters", token=stack.admin_token, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def letters_of(stack, device_ref: str, expected: int = 1) -> list[dict]:
    return wait_for(
        lambda: found if len(found := letters(stack, device_id=device_ref)) >= expected else None,
        timeout=30,
        message=f"{expected} dead letter(s) for {device_ref}",
    )


def act(stack, action: str, body: dict) -> dict:
    response = stack.call(
        "POST", f"/function/dead-letters/{action}", token=stack.admin_token, json=body
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_a_reading_for_an_unknown_device_is_refused_at_once_and_counts_once_after_replay(stack):
    number = meter_number()
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    body = {"deviceId": number, "timestamp": moment.isoformat(), "measurementValue": 0.75}
    publish_all(stack, [body, body])  # a meter resending
    (letter,) = letters_of(stack, number)
    assert letter["reason"] == f"unknown device {number}"
    assert letter["queue"] == "ems.ingest"
    assert letter["body"] == body
    assert letter["count"] == 2, "the same body refused twice is one letter"
    with stack.amqp() as connection:
        channel = connection.channel()
        assert channel.queue_declare("ems.ingest.dead", passive=True).method.message_count == 0
    grouped = letters(stack, group="reason")
    assert {"reason": f"unknown device {number}", "count": 1} in grouped

    device = stack.monitored_device(meter_id=number, max_hourly_kwh=10)["id"]
    assert act(stack, "replay", {"reason": f"unknown device {number}"}) == {"replayed": 1}
    wait_for(lambda: stored(stack, device), timeout=30, message="the replayed reading stored")
    assert act(stack, "replay", {"ids": [letter["id"]]}) == {"replayed": 0}, "it is closed"
    publish_all(stack, [body])  # and the meter sends it once more
    wait_for(lambda: settled(stack, "ingest"), timeout=30)
    assert stored(stack, device) == {moment: Decimal("0.75")}
    assert hours(stack, device) == {hour_of(moment): (Decimal("0.75"), 1)}
    assert letters(stack, device_id=number) == []
    with stack.db("operations") as db:
        recorded = db.execute(
            "SELECT resolution, resolved_by IS NOT NULL FROM dead_letters WHERE id = %s",
            [letter["id"]],
        ).fetchone()
        action = db.execute(
            "SELECT action, reason FROM dead_letter_actions WHERE %s = ANY(letter_ids)",
            [letter["id"]],
        ).fetchall()
    assert recorded == ("replayed", True)
    assert action == [("replayed", f"unknown device {number}")]


def test_a_replay_still_refused_comes_back_and_a_discard_removes(stack):
    number = meter_number()
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    body = {"meter_id": number, "timestamp": moment.isoformat(), "measurement_value": 0.5}
    publish_all(stack, [body])
    (letter,) = letters_of(stack, number)
    assert act(stack, "replay", {"ids": [letter["id"]]}) == {"replayed": 1}
    (again,) = letters_of(stack, number)
    assert again["id"] != letter["id"] and again["reason"] == letter["reason"]
    assert act(stack, "discard", {"ids": [again["id"]]}) == {"discarded": 1}
    assert letters(stack, device_id=number) == []
    since = (datetime.now(UTC) - timedelta(hours=24)).isoformat()
    assert all(item["device_id"] != number for item in letters(stack, since=since))


def test_messages_no_queue_takes_appear_as_unrouted(stack):
    marker = uuid.uuid4().hex
    stack.publish("meter.readings", {"device_id": marker, "measurement_value": 1})
    found = wait_for(
        lambda: letters(stack, device_id=marker), timeout=30, message="the unrouted message"
    )
    assert [(item["queue"], item["reason"]) for item in found] == [
        ("unrouted", "unrouted: no queue takes routing key 'meter.readings'")
    ]
    assert act(stack, "discard", {"ids": [found[0]["id"]]}) == {"discarded": 1}


def test_the_dead_letter_list_is_for_administrators_and_checks_what_it_is_given(stack):
    _, client = stack.create_user()
    for method, path in (
        ("GET", "/function/dead-letters"),
        ("POST", "/function/dead-letters/replay"),
        ("POST", "/function/dead-letters/discard"),
    ):
        response = stack.call(method, path, token=client, json={"reason": "x"})
        assert response.status_code == 403, response.text
    for query in ({"since": "yesterday"}, {"since": "2026-01-01T00:00:00"}, {"group": "device"}):
        response = stack.call(
            "GET", "/function/dead-letters", token=stack.admin_token, params=query
        )
        assert error_code(response) == "validation_failed", query
    for body in ({}, {"ids": []}, {"ids": ["nope"]}, {"ids": [UUID], "reason": "x"}):
        response = stack.call(
            "POST", "/function/dead-letters/replay", token=stack.admin_token, json=body
        )
        assert error_code(response) == "validation_failed", body
    assert act(stack, "discard", {"reason": "no letter has this reason"}) == {"discarded": 0}
