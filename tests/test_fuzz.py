"""Property-based: no input makes the connector's judging or the ingest parser raise.

A message that raised while being judged once made the connector reconnect in a loop
with the message never settled; a reading that raised in the parser fails its whole
batch. Here hypothesis looks for such inputs: arbitrary bytes, JSON of any shape and
depth in any encoding, any function answer, any reading.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pika
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.gateway import Reply
from connector.outcomes import MAX_REASON_BYTES, Delivery, bounded, judge_batch, judge_single
from faas_ems.monitoring import readings
from faas_ems.monitoring.readings import MAX_REASON_CHARS, parse_message

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.text(max_size=200),
)
json_values = st.recursive(
    scalars.filter(lambda v: not isinstance(v, Decimal)),
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)
reading_fields = st.fixed_dictionaries(
    {},
    optional={
        "timestamp": st.one_of(
            scalars, st.datetimes(timezones=st.timezones()).map(datetime.isoformat)
        ),
        "device_id": st.one_of(scalars, st.uuids().map(str)),
        "measurement_value": scalars,
    },
)
payloads = st.one_of(json_values, reading_fields, st.lists(reading_fields, max_size=20))


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


bodies = st.one_of(
    st.binary(max_size=500),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.tuples(json_values, st.sampled_from(["utf-8-sig", "utf-16", "utf-32", "latin-1"])).map(
        lambda pair: json.dumps(pair[0], ensure_ascii=False).encode(pair[1], "replace")
    ),
    st.integers(min_value=1, max_value=200_000).map(nested),
)
headers = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["x-ems-attempt", "x-ems-topic", "x-death", "other"]),
        st.one_of(scalars.filter(lambda v: not isinstance(v, Decimal)), st.binary(max_size=20)),
    ),
)
replies = st.builds(
    Reply,
    status=st.integers(min_value=100, max_value=599),
    body=st.one_of(
        st.binary(max_size=300),
        json_values.map(lambda v: json.dumps(v).encode()),
        st.builds(
            lambda r, t: json.dumps({"rejected": r, "retry": t}).encode(), json_values, json_values
        ),
        st.integers(min_value=1, max_value=50_000).map(nested),
    ),
    ms=st.just(1.0),
)


def delivery(body: bytes, message_headers) -> Delivery:
    return Delivery(1, "meter.reading", pika.BasicProperties(headers=message_headers), body)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, headers)
def test_judging_any_message_never_raises(body, message_headers):
    judged = delivery(body, message_headers)
    problem = judged.problem()
    assert problem is None or isinstance(problem, str)
    assert isinstance(judged.attempts, int)
    assert isinstance(judged.topic, str)
    assert isinstance(judged.call_id, str)
    if problem is None:  # what a function is handed is one UTF-8 JSON document
        json.loads(judged.body.decode("utf-8"))


@settings(max_examples=300, deadline=None)
@given(st.lists(bodies, min_size=1, max_size=5), replies)
def test_judging_any_answer_never_raises(batch_bodies, reply):
    batch = [delivery(body, None) for body in batch_bodies]
    for settlement in (judge_batch(batch, reply), judge_single(batch[0], reply)):
        for settled, reason, *_ in settlement.retry + settlement.dead:
            assert settled in batch
            assert isinstance(reason, str)


@given(st.text())
def test_a_bounded_reason_fits_its_header(reason):
    assert len(bounded(reason).encode()) <= MAX_REASON_BYTES


@settings(max_examples=500, deadline=None)
@given(payloads)
def test_parsing_any_message_never_raises(payload):
    sents = parse_message(payload)
    assert sents
    assert len(readings.reason(sents)) <= MAX_REASON_CHARS + 100
    for sent in sents:
        if sent.value is not None and not sent.problems:
            assert Decimal(sent.value) >= 0
