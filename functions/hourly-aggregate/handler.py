"""hourly-aggregate: closes past hours, keeps daily totals, clears the early warnings
whose hour closed within the limit, marks silent devices offline, and prunes raw
readings past their retention period.

Fired by the schedule annotation (internal token) and callable on demand the same
way. Each step recomputes or flips state only where needed, so a second run right
after the first changes nothing.
"""

from datetime import UTC, datetime

from faas_ems.monitoring import alarm_lifecycle, closing, liveness, retention
from faas_ems.runtime import db, outbox
from faas_ems.runtime.auth import require_internal
from faas_ems.runtime.web import Routes

routes = Routes()


@routes.post("/")
def aggregate(event):
    require_internal(event)
    with db.connection() as conn:
        closed = closing.close_past_hours(conn, liveness.readings_per_hour())
        warnings_cleared = alarm_lifecycle.clear_unfulfilled_warnings(conn)
    with db.connection() as conn:
        offline = liveness.mark_silent(conn)
    outbox.flush()
    pruned = retention.prune(db.connection, datetime.now(UTC))
    return {
        "hours_closed": closed.hours,
        "days_refreshed": closed.days,
        "warnings_cleared": warnings_cleared,
        "offline": len(offline),
        "readings_pruned": pruned,
    }


handle = routes
