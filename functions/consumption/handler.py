"""/function/consumption: a device's use by hour of a local day, by range, and today's summary.

Owners and administrators only; someone else's device is answered as not found.
Internal (``X-Internal-Token``, for the support bot): one client's figures at once.
"""

from faas_ems.monitoring import (
    client_figures,
    consumption_views,
    csv_export,
    view_params,
    visible_devices,
)
from faas_ems.monitoring.view_params import DayQuery
from faas_ems.runtime import auth, db, paging
from faas_ems.runtime.validation import parse_uuid
from faas_ems.runtime.web import Routes

routes = Routes()


@routes.get("/")
def consumption(event):
    caller = auth.require_user(event)
    query = view_params.consumption_query(event.query, caller.timezone)
    with db.connection() as conn:
        device = visible_devices.one(conn, caller, query.device_id)
        if isinstance(query, DayQuery):
            answer = consumption_views.day(conn, device, query)
            rows, name = answer["hours"], f"{query.day}"
        else:
            answer = consumption_views.period(conn, device, query)
            rows, name = answer["buckets"], f"{query.first}_{query.last}_{query.granularity}"
    if query.format == "csv":
        return csv_export.download(rows, f"consumption-{query.device_id}-{name}.csv")
    return answer


@routes.get("/summary")
def summary(event):
    """A page of today's figures per device; ``q`` and ``sort`` as every list has them.

    Sorting by today's kWh or online state is served here, where those live.
    """
    caller = auth.require_user(event)
    query = view_params.summary_query(event.query, caller.timezone)
    page = paging.page_params(event.query, consumption_views.SUMMARY_SORTS, "name")
    with db.connection() as conn:
        devices = visible_devices.every(conn, caller, page.q, query.device_ids)
        rows, total = consumption_views.summary(
            conn, devices, query.tz, page, power=query.power, online=query.online
        )
    return paging.answer(rows, total)


@routes.get("/totals")
def totals(event):
    caller = auth.require_user(event)
    tz = view_params.summary_zone(event.query, caller.timezone)
    with db.connection() as conn:
        return consumption_views.totals(conn, visible_devices.every(conn, caller), tz)


@routes.get("/clients/<user_id>/figures")
def figures(event, user_id):
    auth.require_internal(event)
    tz = view_params.summary_zone(event.query, "UTC")
    with db.connection() as conn:
        return client_figures.for_client(conn, parse_uuid(user_id, "user"), tz)


handle = routes
