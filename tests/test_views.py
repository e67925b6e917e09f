"""The monitoring views on the real stack: consumption (day, ranges, CSV, summary) and alerts.

Devices are created and assigned through inventory and reach monitoring by events.
The chart data are hourly totals written straight into monitoring's database (it is
the views under test), plus readings sent through the pipeline where the views must
see what ingest did; every expected figure is computed here from the data the test
wrote, by filtering UTC hours on their local date, not by the code's own stepping.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.harness import wait_for
from tests.identity_helpers import error_code, forged_token

BUCHAREST = "Europe/Bucharest"
HOUR = timedelta(hours=1)
# the chart data: every UTC hour of these months, with a value of its own
DATA_FROM = datetime(2026, 2, 25, tzinfo=UTC)
DATA_TO = datetime(2026, 11, 5, tzinfo=UTC)


# -- helpers -------------------------------------------------------------------------


def local_sums(hours: dict[datetime, Decimal], zone: str, key) -> dict:
    """Sum the UTC hours by ``key(local start of the hour)``: the reference for every view."""
    tz = ZoneInfo(zone)
    sums: dict = {}
    for start, kwh in hours.items():
        bucket = key(start.astimezone(tz))
        sums[bucket] = sums.get(bucket, Decimal(0)) + kwh
    return sums


def hours_of(hours: dict[datetime, Decimal], day: date, zone: str) -> list[tuple[str, Decimal]]:
    tz = ZoneInfo(zone)
    every = [start + HOUR * n for start in [datetime.combine(day, datetime.min.time(), UTC)]
             for n in range(-48, 72)]  # fmt: skip
    local = [at for at in every if at.astimezone(tz).date() == day]
    return [(at.astimezone(tz).isoformat(), hours.get(at, Decimal(0))) for at in local]


def consumption(stack, token: str, **query):
    return stack.call("GET", "/function/consumption", token=token, params=query)


def approx(value: Decimal):
    return pytest.approx(float(value), abs=1e-6)


def alerts(stack, token: str, **query) -> list[dict]:
    response = stack.call("GET", "/function/alerts", token=token, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def publish_readings(stack, device_id: str, readings: list[tuple[datetime, float]]) -> None:
    for moment, kwh in readings:
        stack.publish(
            "meter.reading",
            {"timestamp": moment.isoformat(), "device_id": device_id, "measurement_value": kwh},
        )


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def people(stack):
    owner, owner_token = stack.create_user(timezone=BUCHAREST)
    other, other_token = stack.create_user(timezone=BUCHAREST)
    admin, admin_token = stack.create_user(role="admin", timezone="UTC")
    return {
        "owner": owner,
        "owner_token": owner_token,
        "other": other,
        "other_token": other_token,
        "admin": admin,
        "admin_token": admin_token,
    }


@pytest.fixture(scope="module")
def chart(stack, people):
    """A meter of the owner's, in Bucharest, with a total for every UTC hour of most of 2026."""
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1000, timezone=BUCHAREST)
    generator = random.Random(20260329)
    hours = {}
    at = DATA_FROM
    while at < DATA_TO:
        hours[at] = Decimal(generator.randint(0, 2500)) / 1000
        at += HOUR
    copy = "COPY hourly_totals (device_id, hour_start, kwh, samples) FROM STDIN"
    with stack.db("monitoring") as db, db.cursor() as cursor, cursor.copy(copy) as rows:
        for start, kwh in hours.items():
            rows.write_row((device["id"], start, kwh, 6))
    return {"device": device, "hours": hours}


# -- the day view --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "count", "around_change"),
    [
        (date(2026, 3, 29), 23, ["2026-03-29T02:00:00+02:00", "2026-03-29T04:00:00+03:00"]),
        (date(2026, 10, 25), 25, ["2026-10-25T03:00:00+03:00", "2026-10-25T03:00:00+02:00"]),
        (date(2026, 6, 1), 24, ["2026-06-01T02:00:00+03:00", "2026-06-01T03:00:00+03:00"]),
    ],
)
def test_a_day_in_the_viewers_zone_has_every_local_hour(
    stack, people, chart, day, count, around_change
):
    response = consumption(
        stack, people["owner_token"], device_id=chart["device"]["id"], date=day.isoformat()
    )
    assert response.status_code == 200, response.text
    view = response.json()
    expected = hours_of(chart["hours"], day, BUCHAREST)
    assert len(view["hours"]) == len(expected) == count
    assert [h["start"] for h in view["hours"]] == [start for start, _ in expected]
    assert [h["kwh"] for h in view["hours"]] == [approx(kwh) for _, kwh in expected]
    starts = [h["start"] for h in view["hours"]]
    assert starts[0].startswith(f"{day}T00:00:00")
    assert starts[starts.index(around_change[0]) + 1] == around_change[1]
    assert view["total_kwh"] == approx(sum(kwh for _, kwh in expected))
    assert view["device_id"] == chart["device"]["id"]
    assert view["date"] == day.isoformat()
    assert view["timezone"] == BUCHAREST
    assert view["max_hourly_kwh"] == 1000


def test_the_viewers_zone_comes_from_the_token_unless_tz_overrides_it(stack, people, chart):
    device_id = chart["device"]["id"]
    in_utc = consumption(stack, people["admin_token"], device_id=device_id, date="2026-03-29")
    assert in_utc.status_code == 200, in_utc.text
    view = in_utc.json()
    assert view["timezone"] == "UTC"
    assert len(view["hours"]) == 24
    assert view["hours"][0]["start"] == "2026-03-29T00:00:00+00:00"
    assert view["total_kwh"] == approx(
        sum(k for _, k in hours_of(chart["hours"], date(2026, 3, 29), "UTC"))
    )

    overridden = consumption(
        stack, people["admin_token"], device_id=device_id, date="2026-03-29", tz=BUCHAREST
    ).json()
    assert overridden["timezone"] == BUCHAREST
    assert len(overridden["hours"]) == 23

    kolkata = consumption(
        stack, people["owner_token"], device_id=device_id, date="2026-03-29", tz="Asia/Kolkata"
    ).json()
    assert len(kolkata["hours"]) == 24
    assert kolkata["hours"][0]["start"] == "2026-03-29T00:00:00+05:30"


def test_hours_without_data_are_present_with_zero(stack, people, chart):
    view = consumption(
        stack, people["owner_token"], device_id=chart["device"]["id"], date="2026-12-25"
    ).json()
    assert len(view["hours"]) == 24
    assert {h["kwh"] for h in view["hours"]} == {0}
    assert view["total_kwh"] == 0


def test_a_day_as_csv(stack, people, chart):
    query = {"device_id": chart["device"]["id"], "date": "2026-10-25"}
    as_json = consumption(stack, people["owner_token"], **query).json()
    response = consumption(stack, people["owner_token"], **query, format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".csv" in disposition
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["start", "kwh", "cost"]
    assert [row[0] for row in rows[1:]] == [h["start"] for h in as_json["hours"]]
    assert [float(row[1]) for row in rows[1:]] == [h["kwh"] for h in as_json["hours"]]
    assert len(rows) == 1 + 25


# -- ranges --------------------------------------------------------------------------


def test_ranges_by_day_and_month_add_up_to_the_same_total(stack, people, chart):
    device_id = chart["device"]["id"]
    first, last = date(2026, 3, 1), date(2026, 10, 31)
    in_range = {
        at: kwh
        for at, kwh in chart["hours"].items()
        if first <= at.astimezone(ZoneInfo(BUCHAREST)).date() <= last
    }
    by_day_expected = local_sums(in_range, BUCHAREST, lambda local: local.date())
    by_month_expected = local_sums(in_range, BUCHAREST, lambda local: local.date().replace(day=1))
    total = sum(in_range.values())

    by_day = consumption(
        stack, people["owner_token"], device_id=device_id, **{"from": first, "to": last}
    ).json()
    assert by_day["granularity"] == "day"
    assert (by_day["from"], by_day["to"]) == ("2026-03-01", "2026-10-31")
    assert len(by_day["buckets"]) == (last - first).days + 1
    for bucket in by_day["buckets"]:
        local_start = datetime.fromisoformat(bucket["start"])
        assert (local_start.hour, local_start.minute) == (0, 0)
        assert bucket["kwh"] == approx(by_day_expected[local_start.date()])
    assert by_day["total_kwh"] == approx(total)

    by_month = consumption(
        stack,
        people["owner_token"],
        device_id=device_id,
        granularity="month",
        **{"from": first, "to": last},
    ).json()
    # summer time from 29 March to 25 October: March begins at +02:00, April to October at +03:00
    assert [b["start"] for b in by_month["buckets"]] == ["2026-03-01T00:00:00+02:00"] + [
        f"2026-{month:02d}-01T00:00:00+03:00" for month in range(4, 11)
    ]
    assert [b["kwh"] for b in by_month["buckets"]] == [
        approx(by_month_expected[date(2026, month, 1)]) for month in range(3, 11)
    ]
    assert by_month["total_kwh"] == approx(total)


def test_a_range_by_hour_crosses_the_change_of_clocks(stack, people, chart):
    response = consumption(
        stack,
        people["owner_token"],
        device_id=chart["device"]["id"],
        granularity="hour",
        **{"from": "2026-10-24", "to": "2026-10-26"},
    )
    assert response.status_code == 200, response.text
    buckets = response.json()["buckets"]
    expected = [
        hour
        for day in (date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26))
        for hour in hours_of(chart["hours"], day, BUCHAREST)
    ]
    assert len(buckets) == 24 + 25 + 24
    assert [(b["start"], b["kwh"]) for b in buckets] == [(s, approx(k)) for s, k in expected]


def test_a_range_viewed_from_another_zone_follows_the_viewers_days(stack, people, chart):
    """The admin's token says UTC: the device's Bucharest days do not apply to them."""
    first, last = date(2026, 4, 1), date(2026, 4, 30)
    expected = local_sums(chart["hours"], "UTC", lambda local: local.date())
    view = consumption(
        stack, people["admin_token"], device_id=chart["device"]["id"], **{"from": first, "to": last}
    ).json()
    assert view["timezone"] == "UTC"
    assert [b["start"] for b in view["buckets"]][:2] == [
        "2026-04-01T00:00:00+00:00",
        "2026-04-02T00:00:00+00:00",
    ]
    assert [b["kwh"] for b in view["buckets"]] == [
        approx(expected[first + timedelta(days=n)]) for n in range(30)
    ]


def test_ranges_stay_exact_after_aggregation_and_a_late_reading(stack, people, chart):
    """Closed days come from daily totals; a day a late reading reopened, from its hours."""
    device_id = chart["device"]["id"]
    query = {"device_id": device_id, "from": "2026-03-01", "to": "2026-10-31"}
    before = consumption(stack, people["owner_token"], **query).json()
    response = stack.call("POST", "/function/hourly-aggregate", headers=stack.internal_headers)
    assert response.status_code == 200, response.text
    with stack.db("monitoring") as db:
        closed_days = db.execute(
            "SELECT count(*) FROM daily_totals WHERE device_id = %s", [device_id]
        ).fetchone()[0]
    assert closed_days > 200
    after = consumption(stack, people["owner_token"], **query).json()
    assert after["buckets"] == before["buckets"]
    by_month = consumption(stack, people["owner_token"], **query, granularity="month").json()
    assert by_month["total_kwh"] == approx(sum(b["kwh"] for b in before["buckets"]))

    late = datetime(2026, 3, 15, 10, 10, tzinfo=UTC)
    publish_readings(stack, device_id, [(late, 1.5)])
    with stack.db("monitoring") as db:
        wait_for(
            lambda: db.execute(
                "SELECT 1 FROM readings WHERE device_id = %s AND taken_at = %s", [device_id, late]
            ).fetchone(),
            timeout=30,
            message="the late reading stored",
        )
    reopened = consumption(stack, people["owner_token"], **query).json()
    changed = [
        (old["start"], new["kwh"] - old["kwh"])
        for old, new in zip(before["buckets"], reopened["buckets"], strict=True)
        if new["kwh"] != old["kwh"]
    ]
    assert changed == [("2026-03-15T00:00:00+02:00", pytest.approx(1.5))]
    chart["hours"][datetime(2026, 3, 15, 10, tzinfo=UTC)] += Decimal("1.5")
    by_month = consumption(stack, people["owner_token"], **query, granularity="month").json()
    assert by_month["buckets"][0]["kwh"] == approx(
        sum(k for a, k in chart["hours"].items() if a.astimezone(ZoneInfo(BUCHAREST)).month == 3)
    )


def test_a_range_as_csv(stack, people, chart):
    query = {"device_id": chart["device"]["id"], "from": "2026-05-01", "to": "2026-07-31"}
    as_json = consumption(stack, people["owner_token"], **query, granularity="month").json()
    response = consumption(stack, people["owner_token"], **query, granularity="month", format="csv")
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["start", "kwh", "cost"]
    assert [(start, float(kwh)) for start, kwh, _cost in rows[1:]] == [
        (b["start"], b["kwh"]) for b in as_json["buckets"]
    ]
    assert len(rows) == 1 + 3


# -- the summary ---------------------------------------------------------------------


def test_the_summary_shows_today_and_whether_each_device_reports(stack, people):
    owner_id = people["owner"]["id"]
    meter = stack.monitored_device(owner_id, max_hourly_kwh=1000, timezone=BUCHAREST)
    summary = {d["device_id"]: d for d in summary_of(stack, people["owner_token"])}
    assert summary[meter["id"]] == {
        "device_id": meter["id"],
        "name": meter["name"],
        "meter_id": None,
        "owner_id": owner_id,
        "max_hourly_kwh": 1000,
        "timezone": BUCHAREST,
        "today_kwh": 0,
        "last_reading_at": None,
        "online": False,
        "reading_kind": None,
        "register_resets": 0,
        "last_register_reset_at": None,
        "today_cost": None,  # no tariff
        "currency": None,
    }

    tz = ZoneInfo(BUCHAREST)
    midnight = datetime.combine(datetime.now(tz).date(), datetime.min.time(), tz).astimezone(UTC)
    with stack.db("monitoring") as db:
        db.execute(
            "INSERT INTO hourly_totals (device_id, hour_start, kwh)"
            " VALUES (%s, %s, 0.75), (%s, %s, 9)",
            [meter["id"], midnight, meter["id"], midnight - HOUR],  # the second is yesterday's
        )
    now = datetime.now(UTC).replace(microsecond=0)
    publish_readings(stack, meter["id"], [(now, 0.5)])
    reporting = wait_for(
        lambda: next(
            (
                d
                for d in summary_of(stack, people["owner_token"])
                if d["device_id"] == meter["id"] and d["online"]
            ),
            None,
        ),
        timeout=30,
        message="the device reporting in the summary",
    )
    assert reporting["today_kwh"] == pytest.approx(1.25)
    assert datetime.fromisoformat(reporting["last_reading_at"]) == now

    everyone = summary_of(stack, people["admin_token"], device_ids=meter["id"])
    assert [d["device_id"] for d in everyone] == [meter["id"]]
    assert meter["id"] not in {d["device_id"] for d in summary_of(stack, people["other_token"])}
    in_utc = {d["device_id"]: d for d in summary_of(stack, people["owner_token"], tz="UTC")}
    utc_midnight = datetime.combine(datetime.now(UTC).date(), datetime.min.time(), UTC)
    expected_utc = (
        (Decimal("0.75") if midnight >= utc_midnight else 0)
        + (9 if midnight - HOUR >= utc_midnight else 0)
        + Decimal("0.5")
    )
    assert in_utc[meter["id"]]["today_kwh"] == approx(expected_utc)


def test_the_summary_gives_each_meters_live_power_and_last_hour_when_asked(stack):
    user, token = stack.create_user(timezone=BUCHAREST)
    meter = stack.monitored_device(user["id"], max_hourly_kwh=1000, timezone=BUCHAREST)
    now = datetime.now(UTC).replace(microsecond=0)
    # every 10 minutes: 0.3 kWh in 10 minutes is 1.8 kW; the first has no earlier reading
    # held, so it covers one configured interval (600 s in the test stack)
    sent = [(now - timedelta(minutes=25), 0.2), (now - timedelta(minutes=15), 0.3)]
    sent += [(now - timedelta(minutes=5), 0.4), (now - timedelta(minutes=75), 5.0)]
    publish_readings(stack, meter["id"], sent)

    def powered():
        rows = summary_of(stack, token, power="true")
        row = next(d for d in rows if d["device_id"] == meter["id"])
        return row if len(row["last_hour"]) == 3 else None

    row = wait_for(powered, timeout=30, message="the last hour's readings in the summary")
    assert row["power_kw"] == pytest.approx(2.4)
    assert [point["kw"] for point in row["last_hour"]] == pytest.approx([1.2, 1.8, 2.4])
    assert [datetime.fromisoformat(p["at"]) for p in row["last_hour"]] == [m for m, _ in sent[:3]]
    plain = next(d for d in summary_of(stack, token) if d["device_id"] == meter["id"])
    assert "power_kw" not in plain and "last_hour" not in plain

    refused = stack.call(
        "GET", "/function/consumption/summary", token=token, params={"power": "yes"}
    )
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"power"}


def test_totals_add_up_today_this_week_and_this_month_over_the_callers_meters(stack):
    user, token = stack.create_user(timezone=BUCHAREST)
    other, _ = stack.create_user(timezone=BUCHAREST)
    mine = [stack.monitored_device(user["id"], timezone=BUCHAREST) for _ in range(2)]
    theirs = stack.monitored_device(other["id"], timezone=BUCHAREST)
    tz = ZoneInfo(BUCHAREST)
    today = datetime.now(tz).date()
    week_from = today - timedelta(days=today.weekday())
    month_from = today.replace(day=1)
    before_both = min(week_from, month_from) - timedelta(days=1)
    days = sorted({today, week_from, month_from, before_both})
    kwh = {day: Decimal(2**index) for index, day in enumerate(days)}  # tells every sum apart
    with stack.db("monitoring") as db:
        for device in [*mine, theirs]:
            for day, amount in kwh.items():
                midnight = datetime.combine(day, datetime.min.time(), tz).astimezone(UTC)
                db.execute(
                    "INSERT INTO hourly_totals (device_id, hour_start, kwh) VALUES (%s, %s, %s)",
                    [device["id"], midnight, amount],
                )

    response = stack.call("GET", "/function/consumption/totals", token=token)
    assert response.status_code == 200, response.text

    def over_mine(first: date) -> Decimal:
        return 2 * sum(amount for day, amount in kwh.items() if day >= first)

    def last_week_so_far() -> Decimal:
        monday = datetime.combine(week_from - timedelta(days=7), datetime.min.time(), tz)
        until = datetime.now(UTC) - timedelta(days=7)
        chosen = [amount for day, amount in kwh.items()
                  if monday <= datetime.combine(day, datetime.min.time(), tz) < until]  # fmt: skip
        return 2 * sum(chosen, Decimal(0))

    assert response.json() == {
        "timezone": BUCHAREST,
        "devices": 2,
        "online": 0,
        "offline": 2,
        "over_limit_today": 0,
        "today_kwh": approx(over_mine(today)),
        "week_kwh": approx(over_mine(week_from)),
        "month_kwh": approx(over_mine(month_from)),
        "last_week_kwh": approx(last_week_so_far()),
        "today_cost": [],  # no meter has a tariff
        "week_from": week_from.isoformat(),
        "month_from": month_from.isoformat(),
    }
    bad = stack.call("GET", "/function/consumption/totals", token=token, params={"tz": "Mars/Base"})
    assert bad.status_code == 422
    assert set(bad.json()["error"]["fields"]) == {"tz"}


def summary_of(stack, token: str, **query) -> list[dict]:
    response = stack.call("GET", "/function/consumption/summary", token=token, params=query)
    assert response.status_code == 200, response.text
    return response.json()


# -- who may look --------------------------------------------------------------------


def test_only_the_owner_and_administrators_see_a_devices_consumption(stack, people, chart):
    device_id = chart["device"]["id"]
    day = {"device_id": device_id, "date": "2026-06-01"}
    span = {"device_id": device_id, "from": "2026-06-01", "to": "2026-06-30"}
    for query in (day, span):
        assert consumption(stack, people["owner_token"], **query).status_code == 200
        assert consumption(stack, people["admin_token"], **query).status_code == 200
        assert consumption(stack, stack.admin_token, **query).status_code == 200
        someone_elses = consumption(stack, people["other_token"], **query)
        unknown = consumption(
            stack, people["other_token"], **{**query, "device_id": str(uuid.uuid4())}
        )
        assert someone_elses.status_code == unknown.status_code == 404
        assert someone_elses.json() == unknown.json()
        assert error_code(someone_elses) == "not_found"
        assert consumption(stack, people["other_token"], **query, format="csv").status_code == 404

    for path in ("/function/consumption", "/function/consumption/summary", "/function/alerts"):
        anonymous = stack.call("GET", path, params=day)
        assert anonymous.status_code == 401 and error_code(anonymous) == "unauthorized"
        forged = stack.call("GET", path, params=day, token=forged_token(stack, people["owner"]))
        assert forged.status_code == 401 and error_code(forged) == "invalid_token"
    ack = stack.call("POST", f"/function/alerts/{uuid.uuid4()}/ack")
    assert ack.status_code == 401


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"device_id": None, "date": "2026-03-29"}, {"device_id"}),
        ({"device_id": "not-a-uuid", "date": "2026-03-29"}, {"device_id"}),
        ({}, {"date"}),
        ({"date": "2026-3-29"}, {"date"}),
        ({"date": "20260329"}, {"date"}),
        ({"date": "2026-02-30"}, {"date"}),
        ({"date": "1999-12-31"}, {"date"}),
        ({"date": "2026-03-29", "tz": "Mars/Olympus_Mons"}, {"tz"}),
        ({"date": "2026-03-29", "tz": "../../etc/passwd"}, {"tz"}),
        ({"date": "2026-03-29", "format": "xml"}, {"format"}),
        ({"date": "2026-03-29", "from": "2026-03-01", "to": "2026-03-02"}, {"date"}),
        ({"from": "2026-03-01"}, {"to"}),
        ({"to": "2026-03-01"}, {"from"}),
        ({"from": "2026-03-05", "to": "2026-03-04"}, {"to"}),
        ({"from": "2026-03-01", "to": "2026-03-31", "granularity": "week"}, {"granularity"}),
        ({"from": "2026-13-01", "to": "2026-03-31", "tz": "Nowhere"}, {"from", "tz"}),
    ],
)
def test_bad_queries_are_refused_with_field_errors(stack, people, chart, query, fields):
    full = {"device_id": chart["device"]["id"], **query}
    full = {name: value for name, value in full.items() if value is not None}
    response = consumption(stack, people["owner_token"], **full)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert set(error["fields"]) == fields


@pytest.mark.parametrize(
    ("first", "last", "granularity", "count", "days"),
    [
        (date(2026, 3, 1), date(2026, 3, 31), "hour", 31 * 24 - 1, 31),
        (date(2024, 1, 1), date(2024, 12, 31), "day", 366, 366),
        (date(2016, 1, 2), date(2026, 1, 1), "month", 121, 3653),
    ],
)
def test_the_longest_ranges_are_served_and_one_day_more_is_refused(
    stack, people, chart, first, last, granularity, count, days
):
    query = {"device_id": chart["device"]["id"], "granularity": granularity, "from": first}
    response = consumption(stack, people["owner_token"], **query, to=last)
    assert response.status_code == 200, response.text
    assert len(response.json()["buckets"]) == count
    too_long = consumption(stack, people["owner_token"], **query, to=last + timedelta(days=1))
    assert too_long.status_code == 422
    assert too_long.json()["error"]["fields"] == {
        "to": f"a range by {granularity} may span at most {days} days"
    }


@pytest.mark.parametrize("zone", ["Utopia", "Europe/" + "x" * 300, "Europe/../../etc/passwd"])
def test_a_bad_summary_zone_is_refused(stack, people, zone):
    """Also a name too long to be a file, which the zone lookup once tried to open."""
    response = stack.call(
        "GET", "/function/consumption/summary", token=people["owner_token"], params={"tz": zone}
    )
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == {"tz"}


# -- alerts --------------------------------------------------------------------------


APART = 8 * HOUR  # further than alarms group


def over_limit_hour(stack, device_id: str, hour: datetime) -> None:
    """Two readings of 1.5 kWh in one hour: over a 2.5 kWh limit, so ingest raises an alert."""
    publish_readings(
        stack, device_id, [(hour + timedelta(minutes=10), 1.5), (hour + timedelta(minutes=20), 1.5)]
    )


def alerts_of_device(stack, device_id: str, count: int) -> list[dict]:
    return wait_for(
        lambda: (
            (found := alerts(stack, stack.admin_token, device_id=device_id))
            and len(found) >= count
            and found
        ),
        timeout=30,
        message=f"{count} alerts for the device",
    )


@pytest.fixture(scope="module")
def alerted(stack, people):
    """A device with one alert raised before the owner got it, and two after.

    The hours lie further apart than alarms group (MONITORING_ALARM_GROUP_HOURS, 6), so
    each is an alarm of its own."""
    device = stack.monitored_device(None, max_hourly_kwh=2.5, timezone=BUCHAREST)
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    over_limit_hour(stack, device["id"], base)
    before = alerts_of_device(stack, device["id"], 1)[0]
    stack.assign_device(device["id"], people["owner"]["id"])
    over_limit_hour(stack, device["id"], base + APART)
    alerts_of_device(stack, device["id"], 2)
    # raised last, for an earlier hour: newest first means by raising, not by hour
    over_limit_hour(stack, device["id"], base - APART)
    every = alerts_of_device(stack, device["id"], 3)
    return {"device": device, "before": before, "every": every, "base": base}


def test_alerts_are_listed_newest_first_with_their_figures(stack, people, alerted):
    listed = alerts(stack, people["owner_token"], device_id=alerted["device"]["id"])
    assert len(listed) == 2
    assert [a["raised_at"] for a in listed] == sorted(
        (a["raised_at"] for a in listed), reverse=True
    )
    assert [a["hour_start"] for a in listed] == [
        (alerted["base"] - APART).isoformat(),
        (alerted["base"] + APART).isoformat(),
    ]
    for alert in listed:
        assert set(alert) == {
            "id", "device_id", "hour_start", "last_hour_start", "hours", "total_kwh",
            "limit_kwh", "projected_kwh", "severity", "state", "raised_at", "acknowledged_at",
            "acknowledged_by", "acknowledged_note", "cleared_at", "cleared_by",
        }  # fmt: skip
        assert (alert["severity"], alert["state"], alert["hours"]) == ("over_limit", "open", 1)
        assert alert["last_hour_start"] == alert["hour_start"]
        assert alert["device_id"] == alerted["device"]["id"]
        assert alert["total_kwh"] == 3.0 and alert["limit_kwh"] == 2.5
        assert alert["acknowledged_at"] is None


def test_a_client_sees_only_alerts_raised_while_the_device_was_theirs(stack, people, alerted):
    owner_ids = {a["id"] for a in alerts(stack, people["owner_token"])}
    every = {a["id"] for a in alerted["every"]}
    assert alerted["before"]["id"] not in owner_ids
    assert every - {alerted["before"]["id"]} <= owner_ids
    assert every <= {a["id"] for a in alerts(stack, people["admin_token"], limit=500)}
    assert not every & {a["id"] for a in alerts(stack, people["other_token"])}
    refused = stack.call(
        "POST", f"/function/alerts/{alerted['before']['id']}/ack", token=people["owner_token"]
    )
    assert refused.status_code == 404


def test_filters_and_limit(stack, people, alerted):
    device_id = alerted["device"]["id"]
    assert len(alerts(stack, people["admin_token"], device_id=device_id)) == 3
    assert len(alerts(stack, people["admin_token"], device_id=device_id, limit=1)) == 1
    assert alerts(stack, people["admin_token"], device_id=str(uuid.uuid4())) == []
    assert alerts(stack, people["other_token"], device_id=device_id) == []


def test_acknowledging_is_for_the_owner_or_an_admin_and_keeps_the_first_time(
    stack, people, alerted
):
    device_id = alerted["device"]["id"]
    mine = alerts(stack, people["owner_token"], device_id=device_id)[0]
    other = stack.call("POST", f"/function/alerts/{mine['id']}/ack", token=people["other_token"])
    assert other.status_code == 404 and error_code(other) == "not_found"

    first = stack.call("POST", f"/function/alerts/{mine['id']}/ack", token=people["owner_token"])
    assert first.status_code == 200, first.text
    acknowledged = first.json()
    assert acknowledged["id"] == mine["id"] and acknowledged["acknowledged_at"] is not None
    again = stack.call("POST", f"/function/alerts/{mine['id']}/ack", token=people["admin_token"])
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == acknowledged["acknowledged_at"]

    open_ones = alerts(stack, people["owner_token"], device_id=device_id, unacknowledged="true")
    assert mine["id"] not in {a["id"] for a in open_ones}
    assert len(open_ones) == 1
    every = alerts(stack, people["owner_token"], device_id=device_id, unacknowledged="false")
    assert len(every) == 2

    by_admin = stack.call(
        "POST", f"/function/alerts/{alerted['before']['id']}/ack", token=people["admin_token"]
    )
    assert by_admin.status_code == 200 and by_admin.json()["acknowledged_at"]


def alert_count(stack, token: str, **query) -> dict:
    response = stack.call("GET", "/function/alerts/count", token=token, params=query)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_alert_count_is_not_capped_like_the_list(stack, people):
    """More open alerts than a list holds: the count says how many there are."""
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1)
    device_id, owner_id = device["id"], people["owner"]["id"]
    first_hour = datetime(2026, 1, 1, tzinfo=UTC)
    with stack.db("monitoring") as db:
        for n in range(60):
            db.execute(
                "INSERT INTO alerts (id, device_id, owner_id, hour_start, last_hour_start,"
                " total_kwh, limit_kwh, acknowledged_at, state)"
                " VALUES (%s, %s, %s, %s, %s, 2, 1, %s, %s)",
                [uuid.uuid4(), device_id, owner_id, first_hour + n * HOUR, first_hour + n * HOUR,
                 datetime.now(UTC) if n < 5 else None, "acknowledged" if n < 5 else "open"],
            )  # fmt: skip
    assert len(alerts(stack, people["owner_token"], device_id=device_id)) == 50  # the default cap

    mine = alert_count(stack, people["owner_token"], unacknowledged="true")
    assert mine["by_device"][device_id] == 55
    assert mine["total"] == sum(mine["by_device"].values())
    assert alert_count(stack, people["owner_token"], device_id=device_id) == {
        "total": 60,
        "by_device": {device_id: 60},
    }
    assert alert_count(stack, people["admin_token"], device_id=device_id, unacknowledged="1") == {
        "total": 55,
        "by_device": {device_id: 55},
    }
    nothing = {"total": 0, "by_device": {}}
    assert alert_count(stack, people["other_token"], device_id=device_id) == nothing


@pytest.mark.parametrize("query", [{"unacknowledged": "maybe"}, {"device_id": "meter-1"}])
def test_bad_alert_count_filters_are_refused(stack, people, query):
    response = stack.call(
        "GET", "/function/alerts/count", token=people["owner_token"], params=query
    )
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == set(query)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "²"}, "limit"),
        ({"unacknowledged": "maybe"}, "unacknowledged"),
        ({"device_id": "meter-1"}, "device_id"),
    ],
)
def test_bad_alert_filters_are_refused(stack, people, query, field):
    response = stack.call("GET", "/function/alerts", token=people["owner_token"], params=query)
    assert response.status_code == 422, response.text
    assert set(response.json()["error"]["fields"]) == {field}


def test_acknowledging_an_unknown_alert_is_not_found(stack, people):
    for alert_id in (str(uuid.uuid4()), "not-an-id"):
        response = stack.call(
            "POST", f"/function/alerts/{alert_id}/ack", token=people["admin_token"]
        )
        assert response.status_code == 404 and error_code(response) == "not_found"


def test_half_hour_zones_are_summed_from_quarter_hours(stack, people):
    """Asia/Kolkata's hours straddle the stored UTC hours; each reading lands in its own."""
    meter = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1000, timezone=BUCHAREST)
    readings = [
        (datetime(2026, 3, 15, 10, 10, tzinfo=UTC), 1.5),  # 15:30-15:40 in Kolkata
        (datetime(2026, 3, 15, 10, 30, tzinfo=UTC), 0.25),  # ends at 16:00 there: still 15:00
        (datetime(2026, 3, 15, 10, 40, tzinfo=UTC), 0.5),  # 16:00-16:10 there
    ]
    publish_readings(stack, meter["id"], readings)
    with stack.db("monitoring") as db:
        wait_for(
            lambda: db.execute(
                "SELECT count(*) = 3 FROM readings WHERE device_id = %s", [meter["id"]]
            ).fetchone()[0],
            timeout=30,
            message="the three readings stored",
        )
    query = {"device_id": meter["id"], "date": "2026-03-15"}
    kolkata = consumption(stack, people["owner_token"], **query, tz="Asia/Kolkata").json()
    used = {h["start"]: h["kwh"] for h in kolkata["hours"] if h["kwh"]}
    assert used == {"2026-03-15T15:00:00+05:30": 1.75, "2026-03-15T16:00:00+05:30": 0.5}
    bucharest = consumption(stack, people["owner_token"], **query).json()
    used = {h["start"]: h["kwh"] for h in bucharest["hours"] if h["kwh"]}
    assert used == {"2026-03-15T12:00:00+02:00": 2.25}  # all three end within 10:00-11:00 UTC
    assert kolkata["total_kwh"] == bucharest["total_kwh"] == 2.25
