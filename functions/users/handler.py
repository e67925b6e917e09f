"""/function/users: administrators manage accounts; everyone manages their own profile."""

from faas_ems.identity import users
from faas_ems.runtime import auth, paging
from faas_ems.runtime.validation import parse_uuid, validate
from faas_ems.runtime.web import HTTPError, Routes, json_body, query_param

routes = Routes()


@routes.get("/")
def list_users(event):
    """A page of users, by username unless ``sort`` says otherwise; ``role=`` filters."""
    auth.require_admin(event)
    page = paging.page_params(event.query, users.SORTS, "username")
    role = query_param(event, "role") or None
    if role is not None and role not in users.ROLES:
        raise HTTPError(
            422,
            "validation_failed",
            "role must be admin or client",
            fields={"role": "must be one of " + ", ".join(users.ROLES)},
        )
    rows, total = users.page(page, role)
    return paging.answer([users.representation(row) for row in rows], total)


@routes.post("/")
def create_user(event):
    auth.require_admin(event)
    fields = validate(json_body(event), users.CREATE_FIELDS)
    return users.representation(users.create(fields)), 201


@routes.get("/me")
def show_me(event):
    caller = auth.require_user(event)
    return users.representation(users.get(caller.id))


@routes.put("/me")
def update_me(event):
    """A new password needs the current one; the role is not the caller's to change.

    A new password signs out every session, so the answer carries a fresh token for
    this one: whoever learnt the old password loses their way in.
    """
    caller = auth.require_user(event)
    changes = validate(json_body(event), users.SELF_UPDATE_FIELDS, partial=True)
    current_password = changes.pop("current_password", None)
    if "password" in changes and current_password is None:
        raise HTTPError(
            422,
            "validation_failed",
            "current_password is required to change the password",
            fields={"current_password": "is required to change the password"},
        )
    if not changes:
        raise HTTPError(422, "validation_failed", "nothing to change")
    user = users.update(caller.id, changes, current_password=current_password)
    if "password" not in changes:
        return users.representation(user)
    token, expires_at = auth.issue_token(user)
    return {**users.representation(user), "token": token, "expires_at": expires_at}


@routes.get("/<user_id>")
def show_user(event, user_id):
    """Administrators, and other contexts checking that a user exists (internal token)."""
    if not auth.is_internal(event.headers):
        auth.require_admin(event)
    return users.representation(users.get(parse_uuid(user_id, "user")))


@routes.put("/<user_id>")
def update_user(event, user_id):
    auth.require_admin(event)
    user_id = parse_uuid(user_id, "user")
    changes = validate(json_body(event), users.ADMIN_UPDATE_FIELDS, partial=True)
    return users.representation(users.update(user_id, changes))


@routes.delete("/<user_id>")
def delete_user(event, user_id):
    auth.require_admin(event)
    users.delete(parse_uuid(user_id, "user"))
    return None, 204


handle = routes
