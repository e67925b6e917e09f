"""/function/tariffs: the prices administrators set, which price every consumption view.

Administrators only: ``GET /``, ``POST /``, ``GET|PUT|DELETE /<id>``. A ``PUT`` gives the
tariff whole, and keeps the prices of days already begun (see tariffs); deleting one
that devices still use is a 409.
"""

from decimal import Decimal

from faas_ems.monitoring import tariff_terms, tariffs
from faas_ems.runtime import auth, db
from faas_ems.runtime.validation import parse_uuid
from faas_ems.runtime.web import Routes, json_body

routes = Routes()


def _terms(event) -> tariff_terms.Terms:
    # prices stay exact: 0.1 is a tenth, not the float nearest to it
    return tariff_terms.parse(json_body(event, parse_float=Decimal))


@routes.get("/")
def list_tariffs(event):
    auth.require_admin(event)
    with db.connection() as conn:
        return tariffs.listing(conn)


@routes.post("/")
def create_tariff(event):
    auth.require_admin(event)
    terms = _terms(event)
    with db.connection() as conn:
        return tariffs.create(conn, terms), 201


@routes.get("/<tariff_id>")
def show_tariff(event, tariff_id):
    auth.require_admin(event)
    with db.connection() as conn:
        return tariffs.get(conn, parse_uuid(tariff_id, "tariff"))


@routes.put("/<tariff_id>")
def replace_tariff(event, tariff_id):
    auth.require_admin(event)
    tariff_id = parse_uuid(tariff_id, "tariff")
    terms = _terms(event)
    with db.connection() as conn:
        return tariffs.replace(conn, tariff_id, terms)


@routes.delete("/<tariff_id>")
def delete_tariff(event, tariff_id):
    auth.require_admin(event)
    with db.connection() as conn:
        tariffs.delete(conn, parse_uuid(tariff_id, "tariff"))
    return None, 204


handle = routes
