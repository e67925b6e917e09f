"""Tariffs as stored: creating, reading, replacing and deleting them.

History is never rewritten: once a ``valid_from`` day has begun somewhere on earth
(UTC+14 is the first zone into a day), its prices are kept as they are, and a
replacement may only add or change prices from a later day. A new fixed charge
applies from the first day that has not begun; the days before keep the old one.
A tariff that devices still use cannot be deleted (409): set theirs to another first.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from faas_ems.runtime.errors import Conflict, NotFound

from .tariff_terms import Price, Terms

FIRST_ZONE = ZoneInfo("Etc/GMT-14")  # UTC+14: the first to enter each day

_PRICES = """
SELECT tariff_id, valid_from, days, from_hour, to_hour, price_per_kwh FROM tariff_prices
 WHERE tariff_id = ANY(%s::uuid[]) ORDER BY valid_from, days, from_hour
"""
_FIXED = """
SELECT tariff_id, valid_from, amount FROM tariff_fixed_charges
 WHERE tariff_id = ANY(%s::uuid[]) ORDER BY valid_from
"""
_USERS = """
SELECT tariff_id, count(*)::int AS devices FROM devices
 WHERE tariff_id = ANY(%s::uuid[]) AND deleted_at IS NULL GROUP BY 1
"""


def begun_until() -> date:
    """The latest day that has begun somewhere: its prices are history."""
    return datetime.now(FIRST_ZONE).date()


def _price_json(row: dict) -> dict:
    return {
        "valid_from": row["valid_from"],
        "days": row["days"],
        "from_hour": row["from_hour"],
        "to_hour": row["to_hour"],
        "price_per_kwh": row["price_per_kwh"],
    }


def _whole(conn, rows: list[dict]) -> list[dict]:
    ids = [str(row["id"]) for row in rows]
    prices: dict[str, list] = {}
    for row in conn.execute(_PRICES, [ids]):
        prices.setdefault(str(row["tariff_id"]), []).append(_price_json(row))
    fixed: dict[str, list] = {}
    for row in conn.execute(_FIXED, [ids]):
        entry = {"valid_from": row["valid_from"], "amount": row["amount"]}
        fixed.setdefault(str(row["tariff_id"]), []).append(entry)
    users = {str(row["tariff_id"]): row["devices"] for row in conn.execute(_USERS, [ids])}
    answers = []
    for row in rows:
        key = str(row["id"])
        history = fixed.get(key, [])
        latest = history[-1]["amount"] if history else None
        answers.append(
            {
                "id": key,
                "name": row["name"],
                "currency": row["currency"],
                "daily_fixed_charge": latest or None,
                "fixed_charges": history,
                "prices": prices.get(key, []),
                "devices": users.get(key, 0),
                "created_at": row["created_at"],
                "updated_at": row["updated_at"],
            }
        )
    return answers


def listing(conn) -> list[dict]:
    return _whole(conn, conn.execute("SELECT * FROM tariffs ORDER BY name, id").fetchall())


def get(conn, tariff_id: str, *, lock: bool = False) -> dict:
    sql = "SELECT * FROM tariffs WHERE id = %s" + (" FOR UPDATE" if lock else "")
    row = conn.execute(sql, [tariff_id]).fetchone()
    if row is None:
        raise NotFound("tariff")
    return _whole(conn, [row])[0]


def _insert_prices(conn, tariff_id: str, prices) -> None:
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO tariff_prices (tariff_id, valid_from, days, from_hour, to_hour,"
            " price_per_kwh) VALUES (%s, %s, %s, %s, %s, %s)",
            [
                (tariff_id, p.valid_from, p.days, p.from_hour, p.to_hour, p.price_per_kwh)
                for p in prices
            ],
        )


def _set_fixed(conn, tariff_id: str, valid_from: date, amount: Decimal) -> None:
    conn.execute(
        "INSERT INTO tariff_fixed_charges (tariff_id, valid_from, amount) VALUES (%s, %s, %s)"
        " ON CONFLICT (tariff_id, valid_from) DO UPDATE SET amount = excluded.amount",
        [tariff_id, valid_from, amount],
    )


def create(conn, terms: Terms) -> dict:
    row = conn.execute(
        "INSERT INTO tariffs (name, currency) VALUES (%s, %s) RETURNING id",
        [terms.name, terms.currency],
    ).fetchone()
    tariff_id = str(row["id"])
    _insert_prices(conn, tariff_id, terms.prices)
    if terms.daily_fixed_charge:
        _set_fixed(conn, tariff_id, terms.prices[0].valid_from, terms.daily_fixed_charge)
    return get(conn, tariff_id)


def _schedules(prices) -> dict[date, set[Price]]:
    found: dict[date, set[Price]] = {}
    for price in prices:
        found.setdefault(price.valid_from, set()).add(price)
    return found


def _history_kept(before: dict, terms: Terms, begun: date) -> None:
    """Refuse a replacement that would change what days already begun cost."""
    old = _schedules(Price.from_row(row) for row in before["prices"])
    new = _schedules(terms.prices)
    started = {day for day in old.keys() | new.keys() if day <= begun}
    for day in sorted(started):
        if old.get(day) != new.get(day):
            raise Conflict(
                f"the prices from {day} have begun and are kept as they were;"
                f" give new prices from {begun + timedelta(days=1)} or later",
                fields={"prices": f"must keep the prices from {day} unchanged"},
            )
    if started and terms.currency != before["currency"]:
        raise Conflict(
            "the currency of prices already in force cannot change; create another tariff",
            fields={"currency": f"must stay {before['currency']}"},
        )


def replace(conn, tariff_id: str, terms: Terms) -> dict:
    before = get(conn, tariff_id, lock=True)
    begun = begun_until()
    _history_kept(before, terms, begun)
    conn.execute(
        "UPDATE tariffs SET name = %s, currency = %s, updated_at = now() WHERE id = %s",
        [terms.name, terms.currency, tariff_id],
    )
    conn.execute(
        "DELETE FROM tariff_prices WHERE tariff_id = %s AND valid_from > %s", [tariff_id, begun]
    )
    _insert_prices(conn, tariff_id, [p for p in terms.prices if p.valid_from > begun])
    amount = terms.daily_fixed_charge or Decimal(0)
    if amount != (before["daily_fixed_charge"] or Decimal(0)):
        from_day = max(begun + timedelta(days=1), terms.prices[0].valid_from)
        conn.execute(
            "DELETE FROM tariff_fixed_charges WHERE tariff_id = %s AND valid_from >= %s",
            [tariff_id, from_day],
        )
        _set_fixed(conn, tariff_id, from_day, amount)
    return get(conn, tariff_id)


def delete(conn, tariff_id: str) -> None:
    tariff = get(conn, tariff_id, lock=True)
    if tariff["devices"]:
        raise Conflict(
            f"{tariff['devices']} device(s) still use this tariff; give them another first",
            code="tariff_in_use",
        )
    conn.execute("DELETE FROM tariffs WHERE id = %s", [tariff_id])
