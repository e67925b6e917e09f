"""/function/notifications: a user's notification settings and the log of what was sent.

``GET|PUT /preferences`` are the caller's own; ``GET /`` lists the caller's
notifications, newest first, a page at a time (an administrator may name another
user with ``user_id``).
"""

from faas_ems.notifications import preferences, sent_log
from faas_ems.runtime import auth, db
from faas_ems.runtime.validation import UUID_PATTERN
from faas_ems.runtime.web import HTTPError, Routes, json_body

routes = Routes()


def _whole(raw: str, default: int) -> int:
    # isdigit alone takes "²", which int() refuses
    return int(raw) if raw.isascii() and raw.isdigit() else 0 if raw else default


def _listing_query(caller, query) -> dict:
    """``page``, ``page_size`` and whose log, or a 422 naming each problem."""
    problems: dict[str, str] = {}
    page = _whole(query.get("page") or "", 1)
    page_size = _whole(query.get("page_size") or "", sent_log.DEFAULT_PAGE_SIZE)
    if not 1 <= page <= sent_log.MAX_PAGE:
        problems["page"] = f"must be a whole number from 1 to {sent_log.MAX_PAGE}"
    if not 1 <= page_size <= sent_log.MAX_PAGE_SIZE:
        problems["page_size"] = f"must be a whole number from 1 to {sent_log.MAX_PAGE_SIZE}"
    user_id = query.get("user_id") or caller.id
    if not UUID_PATTERN.match(user_id):
        problems["user_id"] = "must be a user id (a UUID)"
    if problems:
        summary = "; ".join(f"{name} {text}" for name, text in sorted(problems.items()))
        raise HTTPError(422, "validation_failed", summary, fields=problems)
    if not caller.may_see(user_id.lower()):
        raise HTTPError(403, "forbidden", "only administrators may see another user's log")
    return {"user_id": user_id.lower(), "page": page, "page_size": page_size}


@routes.get("/")
def list_notifications(event):
    caller = auth.require_user(event)
    wanted = _listing_query(caller, event.query)
    with db.connection() as conn:
        return sent_log.listing(conn, wanted.pop("user_id"), **wanted)


@routes.get("/preferences")
def show_preferences(event):
    caller = auth.require_user(event)
    with db.connection() as conn:
        return preferences.show(conn, caller.id)


@routes.put("/preferences")
def save_preferences(event):
    caller = auth.require_user(event)
    body = json_body(event)
    with db.connection() as conn:
        return preferences.save(conn, caller.id, body)


handle = routes
