"""Tariffs and cost on the real stack: the tariffs function, prices in every view, comparisons.

Hourly totals are written straight into monitoring's database (the views are under
test); every expected cost is computed here from those hours and the tariff's rules
written out as a plain function of the local wall clock, not by the code's stepping.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.harness import wait_for
from tests.identity_helpers import error_code

BUCHAREST = ZoneInfo("Europe/Bucharest")
HOUR = timedelta(hours=1)
CENT = Decimal("0.01")
FIXED = Decimal("0.50")
PRICE_CHANGE = date(2026, 6, 15)
TARIFF = {
    "name": "Two-rate with a summer change",
    "currency": "EUR",
    "daily_fixed_charge": 0.5,
    "prices": [
        {"valid_from": "2026-01-01", "days": "weekdays", "from_hour": 7, "to_hour": 23,
         "price_per_kwh": 0.3},
        {"valid_from": "2026-01-01", "days": "weekdays", "from_hour": 23, "to_hour": 7,
         "price_per_kwh": 0.1},
        {"valid_from": "2026-01-01", "days": "weekends", "to_hour": 8, "price_per_kwh": 0.12},
        {"valid_from": "2026-01-01", "days": "weekends", "from_hour": 8, "price_per_kwh": "0.22"},
        {"valid_from": "2026-06-15", "days": "all", "price_per_kwh": 0.25},
    ],
}  # fmt: skip
# the hours written: around both changes of 2026 and around the price change
SPANS = [
    (datetime(2026, 3, 20, tzinfo=UTC), datetime(2026, 4, 2, tzinfo=UTC)),
    (datetime(2026, 5, 25, tzinfo=UTC), datetime(2026, 7, 2, tzinfo=UTC)),
    (datetime(2026, 10, 15, tzinfo=UTC), datetime(2026, 10, 29, tzinfo=UTC)),
]


def price_at(local: datetime) -> Decimal:
    """TARIFF's prices written out by hand: what a kWh costs at a Bucharest wall-clock time."""
    if local.date() >= PRICE_CHANGE:
        return Decimal("0.25")
    if local.weekday() >= 5:
        return Decimal("0.12") if local.hour < 8 else Decimal("0.22")
    return Decimal("0.3") if 7 <= local.hour < 23 else Decimal("0.1")


def cents(amount: Decimal) -> float:
    return float(amount.quantize(CENT, rounding=ROUND_HALF_EVEN))


def local_hours(hours: dict, day: date) -> list[tuple[datetime, Decimal]]:
    return sorted((at, kwh) for at, kwh in hours.items() if at.astimezone(BUCHAREST).date() == day)


def energy_cost(hours: dict, first: date, last: date) -> Decimal:
    return sum(
        (
            kwh * price_at(at.astimezone(BUCHAREST))
            for at, kwh in hours.items()
            if first <= at.astimezone(BUCHAREST).date() <= last
        ),
        Decimal(0),
    )


def tariffs_call(stack, method: str, path: str = "", token=None, **kwargs):
    token = token or stack.admin_token
    return stack.call(method, f"/function/tariffs{path}", token=token, **kwargs)


def view(stack, token: str, **query):
    response = stack.call("GET", "/function/consumption", token=token, params=query)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def people(stack):
    owner, owner_token = stack.create_user(timezone="Europe/Bucharest")
    other, other_token = stack.create_user(timezone="Europe/Bucharest")
    return {"owner": owner, "owner_token": owner_token, "other": other, "other_token": other_token}


@pytest.fixture(scope="module")
def tariff(stack):
    response = tariffs_call(stack, "POST", json=TARIFF)
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def priced(stack, people, tariff):
    """The owner's meter in Bucharest on the tariff, with a total for every hour of SPANS."""
    device = stack.monitored_device(
        people["owner"]["id"],
        max_hourly_kwh=1000,
        timezone="Europe/Bucharest",
        tariff_id=tariff["id"],
    )
    generator = random.Random(17)
    hours = {}
    for start, end in SPANS:
        at = start
        while at < end:
            hours[at] = Decimal(generator.randint(0, 2500)) / 1000
            at += HOUR
    copy = "COPY hourly_totals (device_id, hour_start, kwh, samples) FROM STDIN"
    with stack.db("monitoring") as db, db.cursor() as cursor, cursor.copy(copy) as rows:
        for start, kwh in hours.items():
            rows.write_row((device["id"], start, kwh, 6))
    return {"device": device, "hours": hours}


# -- the tariffs function ------------------------------------------------------------


def test_a_tariff_reads_back_as_written(stack, tariff):
    assert tariff["currency"] == "EUR" and tariff["daily_fixed_charge"] == 0.5
    assert len(tariff["prices"]) == 5
    listed = tariffs_call(stack, "GET").json()
    assert tariff["id"] in [t["id"] for t in listed]
    again = tariffs_call(stack, "GET", f"/{tariff['id']}").json()
    assert again["prices"] == tariff["prices"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"currency": "EURO"}, "currency", "ISO 4217"),
        ({"currency": "XYZ"}, "currency", "not a known"),
        ({"daily_fixed_charge": -1}, "daily_fixed_charge", "negative"),
        ({"prices": [{**TARIFF["prices"][4], "price_per_kwh": -0.1}]},
         "prices[0].price_per_kwh", "negative"),
        ({"prices": [{**TARIFF["prices"][4], "valid_from": "2026-02-30"}]},
         "prices[0].valid_from", "YYYY-MM-DD"),
        ({"prices": [{**TARIFF["prices"][4], "valid_from": "15.06.2026"}]},
         "prices[0].valid_from", "YYYY-MM-DD"),
        ({"prices": [TARIFF["prices"][4], {**TARIFF["prices"][0], "valid_from": "2026-06-15"}]},
         "prices[1]", "overlaps prices[0]"),
        ({"prices": TARIFF["prices"][:3]}, "prices", "Saturday 08:00-09:00 without a price"),
        ({"prices": [{**TARIFF["prices"][4], "to_hour": 25}]}, "prices[0].to_hour", "1 to 24"),
        ({"prices": [{**TARIFF["prices"][4], "days": "mondays"}]}, "prices[0].days", "weekdays"),
        ({"prices": []}, "prices", "non-empty"),
        ({"name": " "}, "name", "required"),
        ({"colour": "red"}, "colour", "not a known field"),
    ],
)  # fmt: skip
def test_a_bad_tariff_is_refused_whole_and_stores_nothing(stack, tariff, change, field, words):
    before = tariffs_call(stack, "GET").json()
    response = tariffs_call(stack, "POST", json={**TARIFF, **change})
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_failed"
    assert words in response.json()["error"]["fields"][field]
    replaced = tariffs_call(stack, "PUT", f"/{tariff['id']}", json={**TARIFF, **change})
    assert replaced.status_code == 422
    assert tariffs_call(stack, "GET").json() == before


def test_only_administrators_touch_tariffs(stack, people, tariff):
    token = people["owner_token"]
    for method, path in [("GET", ""), ("POST", ""), ("GET", f"/{tariff['id']}"),
                         ("PUT", f"/{tariff['id']}"), ("DELETE", f"/{tariff['id']}")]:  # fmt: skip
        response = tariffs_call(stack, method, path, token=token, json=TARIFF)
        assert response.status_code == 403, (method, path, response.text)
    assert tariffs_call(stack, "GET", f"/{tariff['id']}").status_code == 200
    assert tariffs_call(stack, "GET", token="not-a-token").status_code == 401


def test_days_begun_keep_their_prices_and_later_ones_may_change(stack):
    created = tariffs_call(stack, "POST", json=TARIFF).json()
    rewritten = [{**price, "price_per_kwh": 9} for price in TARIFF["prices"]]
    refused = tariffs_call(stack, "PUT", f"/{created['id']}", json={**TARIFF, "prices": rewritten})
    assert refused.status_code == 409, refused.text
    assert "2026-01-01" in refused.json()["error"]["message"]
    later = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    added = [*TARIFF["prices"], {"valid_from": later, "price_per_kwh": 0.4}]
    body = {**TARIFF, "prices": added, "daily_fixed_charge": 0.75}
    replaced = tariffs_call(stack, "PUT", f"/{created['id']}", json=body)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["prices"][-1] == {
        "valid_from": later,
        "days": "all",
        "from_hour": 0,
        "to_hour": 24,
        "price_per_kwh": 0.4,
    }
    # the new fixed charge applies from a day not begun anywhere; earlier days keep 0.50
    history = replaced.json()["fixed_charges"]
    assert history[0] == {"valid_from": "2026-01-01", "amount": 0.5}
    assert history[-1]["amount"] == 0.75 and history[-1]["valid_from"] > "2026-12-01"
    changed = tariffs_call(stack, "PUT", f"/{created['id']}", json={**body, "currency": "RON"})
    assert changed.status_code == 409
    assert tariffs_call(stack, "DELETE", f"/{created['id']}").status_code == 204
    assert tariffs_call(stack, "GET", f"/{created['id']}").status_code == 404


def test_a_tariff_in_use_is_not_deleted(stack, tariff, priced):
    response = tariffs_call(stack, "DELETE", f"/{tariff['id']}")
    assert response.status_code == 409
    assert error_code(response) == "tariff_in_use"
    assert tariffs_call(stack, "GET", f"/{tariff['id']}").json()["devices"] == 1


def test_the_device_form_takes_a_tariff_id_of_the_right_shape(stack, tariff):
    device = stack.create_device(tariff_id=tariff["id"])
    assert device["tariff_id"] == tariff["id"]
    path = f"/function/devices/{device['id']}"
    bad = stack.call("PUT", path, token=stack.admin_token, json={"tariff_id": "cheap"})
    assert bad.status_code == 422 and "tariff_id" in bad.json()["error"]["fields"]
    cleared = stack.call("PUT", path, token=stack.admin_token, json={"tariff_id": None})
    assert cleared.status_code == 200 and cleared.json()["tariff_id"] is None
    with stack.db("monitoring") as db:
        wait_for(
            lambda: db.execute(
                "SELECT 1 FROM devices WHERE id = %s AND tariff_id IS NULL AND version >= 2",
                [device["id"]],
            ).fetchone(),
            message="monitoring's copy without the tariff",
        )


# -- cost in the views -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "count"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 3, 30), 24)]
)
def test_time_of_use_prices_each_local_hour_across_a_dst_day(stack, people, priced, day, count):
    answer = view(
        stack,
        people["owner_token"],
        device_id=priced["device"]["id"],
        date=day.isoformat(),
        compare="none",
    )
    expected = local_hours(priced["hours"], day)
    assert len(answer["hours"]) == len(expected) == count
    for hour, (at, kwh) in zip(answer["hours"], expected, strict=True):
        assert hour["start"] == at.astimezone(BUCHAREST).isoformat()
        assert hour["cost"] == cents(kwh * price_at(at.astimezone(BUCHAREST)))
    assert answer["currency"] == "EUR" and answer["tariff_id"] == priced["device"]["tariff_id"]
    # the total is the exact sum, rounded once, with the day's fixed charge
    assert answer["total_cost"] == cents(energy_cost(priced["hours"], day, day) + FIXED)
    assert answer["fixed_cost"] == 0.5
    assert "comparison" not in answer


def test_a_price_change_mid_range_applies_from_its_day(stack, people, priced):
    first, last = date(2026, 6, 10), date(2026, 6, 20)
    answer = view(
        stack,
        people["owner_token"],
        device_id=priced["device"]["id"],
        **{"from": first.isoformat(), "to": last.isoformat()},
        granularity="day",
    )
    days = [first + timedelta(days=n) for n in range(11)]
    for bucket, day in zip(answer["buckets"], days, strict=True):
        assert bucket["cost"] == cents(energy_cost(priced["hours"], day, day) + FIXED)
    after = view(stack, people["owner_token"], device_id=priced["device"]["id"], date="2026-06-15")
    for hour in after["hours"]:
        assert hour["cost"] == cents(Decimal(str(hour["kwh"])) * Decimal("0.25"))
    assert answer["total_cost"] == cents(energy_cost(priced["hours"], first, last) + 11 * FIXED)
    assert answer["fixed_cost"] == 5.5


def test_fixed_charges_count_per_local_day_in_months_and_hours(stack, people, priced):
    month = view(
        stack,
        people["owner_token"],
        device_id=priced["device"]["id"],
        **{"from": "2026-06-01", "to": "2026-06-30"},
        granularity="month",
    )
    june = energy_cost(priced["hours"], date(2026, 6, 1), date(2026, 6, 30))
    assert [b["cost"] for b in month["buckets"]] == [cents(june + 30 * FIXED)]
    hours = view(
        stack,
        people["owner_token"],
        device_id=priced["device"]["id"],
        **{"from": "2026-03-29", "to": "2026-03-30"},
        granularity="hour",
    )
    assert len(hours["buckets"]) == 47
    energy = energy_cost(priced["hours"], date(2026, 3, 29), date(2026, 3, 30))
    assert hours["total_cost"] == cents(energy + 2 * FIXED) and hours["fixed_cost"] == 1.0
    # hour buckets hold the energy only; the CSV carries the same costs
    csv_text = stack.call(
        "GET",
        "/function/consumption",
        token=people["owner_token"],
        params={
            "device_id": priced["device"]["id"],
            "from": "2026-03-29",
            "to": "2026-03-30",
            "granularity": "hour",
            "format": "csv",
        },
    ).text
    rows = list(csv.reader(io.StringIO(csv_text)))
    assert rows[0] == ["start", "kwh", "cost"]
    assert [float(row[2]) for row in rows[1:]] == [b["cost"] for b in hours["buckets"]]


def test_a_device_without_a_tariff_shows_kwh_only(stack, people):
    device = stack.monitored_device(people["owner"]["id"], timezone="Europe/Bucharest")
    answer = view(stack, people["owner_token"], device_id=device["id"], date="2026-03-29")
    assert answer["total_cost"] is None and answer["currency"] is None
    assert {hour["cost"] for hour in answer["hours"]} == {None}
    csv_text = stack.call(
        "GET",
        "/function/consumption",
        token=people["owner_token"],
        params={"device_id": device["id"], "date": "2026-03-29", "format": "csv"},
    ).text
    assert {row[2] for row in list(csv.reader(io.StringIO(csv_text)))[1:]} == {""}


def test_a_client_sees_cost_of_own_devices_only(stack, people, priced):
    device_id = priced["device"]["id"]
    refused = stack.call(
        "GET",
        "/function/consumption",
        token=people["other_token"],
        params={"device_id": device_id, "date": "2026-03-29"},
    )
    assert refused.status_code == 404
    theirs = stack.call("GET", "/function/consumption/totals", token=people["other_token"]).json()
    assert theirs["today_cost"] == [] and theirs["devices"] == 0
    mine = stack.call("GET", "/function/consumption/summary", token=people["owner_token"]).json()
    row = next(r for r in mine if r["device_id"] == device_id)
    assert row["currency"] == "EUR" and row["today_cost"] == 0.5  # nothing used today yet
    totals = stack.call("GET", "/function/consumption/totals", token=people["owner_token"]).json()
    assert {"currency": "EUR", "amount": 0.5} in totals["today_cost"]


# -- comparisons -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "before", "count"),
    [(date(2026, 3, 30), date(2026, 3, 29), 23), (date(2026, 10, 26), date(2026, 10, 25), 25),
     (date(2026, 3, 29), date(2026, 3, 28), 24)],
)  # fmt: skip
def test_a_day_is_compared_with_the_day_before_hour_for_hour(
    stack, people, priced, day, before, count
):
    answer = view(
        stack, people["owner_token"], device_id=priced["device"]["id"], date=day.isoformat()
    )
    earlier = answer["comparison"]
    assert earlier["compare"] == "previous" and earlier["date"] == before.isoformat()
    expected = local_hours(priced["hours"], before)
    assert len(earlier["hours"]) == count
    assert [h["kwh"] for h in earlier["hours"]] == [float(kwh) for _, kwh in expected]
    now_kwh = sum((kwh for _, kwh in local_hours(priced["hours"], day)), Decimal(0))
    then_kwh = sum((kwh for _, kwh in expected), Decimal(0))
    assert earlier["total_kwh"] == pytest.approx(float(then_kwh))
    assert earlier["difference_kwh"] == pytest.approx(float(now_kwh - then_kwh))
    percent = ((now_kwh - then_kwh) * 100 / then_kwh).quantize(Decimal("0.1"), ROUND_HALF_EVEN)
    assert earlier["difference_percent"] == float(percent)
    assert earlier["total_cost"] == cents(energy_cost(priced["hours"], before, before) + FIXED)


def test_a_week_is_compared_with_the_week_before_and_a_month_with_last_month(stack, people, priced):
    device_id = priced["device"]["id"]
    week = view(
        stack,
        people["owner_token"],
        device_id=device_id,
        **{"from": "2026-03-30", "to": "2026-04-01"},
        compare="week",
    )
    assert (week["comparison"]["from"], week["comparison"]["to"]) == ("2026-03-23", "2026-03-25")
    previous = view(
        stack,
        people["owner_token"],
        device_id=device_id,
        **{"from": "2026-03-26", "to": "2026-04-01"},
    )
    assert (previous["comparison"]["from"], previous["comparison"]["to"]) == (
        "2026-03-19",
        "2026-03-25",
    )
    month = view(
        stack,
        people["owner_token"],
        device_id=device_id,
        **{"from": "2026-06-01", "to": "2026-06-30"},
    )
    assert (month["comparison"]["from"], month["comparison"]["to"]) == ("2026-05-01", "2026-05-31")
    assert len(month["comparison"]["buckets"]) == 31
    year = view(
        stack,
        people["owner_token"],
        device_id=device_id,
        **{"from": "2026-10-01", "to": "2026-10-31"},
        compare="year",
    )
    assert year["comparison"]["total_kwh"] == 0 and year["comparison"]["difference_percent"] is None
    bad = stack.call(
        "GET",
        "/function/consumption",
        token=people["owner_token"],
        params={"device_id": device_id, "date": "2026-06-01", "compare": "decade"},
    )
    assert bad.status_code == 422 and "compare" in bad.json()["error"]["fields"]


def test_totals_show_this_week_against_last_week_so_far(stack, people):
    device = stack.monitored_device(people["owner"]["id"], max_hourly_kwh=1000)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    rows = [(now - timedelta(days=7, hours=1), Decimal("1.5")), (now - HOUR, Decimal("2"))]
    with stack.db("monitoring") as db:
        for at, kwh in rows:
            db.execute(
                "INSERT INTO hourly_totals (device_id, hour_start, kwh, samples)"
                " VALUES (%s, %s, %s, 6)",
                [device["id"], at, kwh],
            )
    totals = stack.call("GET", "/function/consumption/totals", token=people["owner_token"]).json()
    week_from = date.fromisoformat(totals["week_from"])
    zone = ZoneInfo(people["owner"]["timezone"])
    last_week_start = datetime.combine(week_from - timedelta(days=7), datetime.min.time(), zone)
    expected = sum(
        (kwh for at, kwh in rows if last_week_start <= at < now - timedelta(days=7)), Decimal(0)
    )
    assert totals["last_week_kwh"] == pytest.approx(float(expected))
