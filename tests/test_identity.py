"""Identity over HTTP: sign-in, registration, users and profiles.

Most tests share the session's stack. Registration switched off and the last
administrator need a system of their own (its only administrator is the seeded
one), started once for the module by the ``locked_down`` fixture. The throttles
are in tests/test_throttles.py.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jwt
import pytest

from tests.harness import ADMIN_USERNAME, TestStack, running
from tests.identity_helpers import EventTap, error_code, expired_token, forged_token
from tests.test_runtime import old_hash

PASSWORD = "password-123"
USER_KEYS = {"id", "username", "role", "name", "email", "timezone", "created_at", "updated_at"}


def new_username() -> str:
    return f"u{uuid.uuid4().hex[:10]}"


def registration(**fields) -> dict:
    username = fields.pop("username", new_username())
    return {
        "username": username,
        "password": PASSWORD,
        "name": "Ana Pop",
        "email": f"{username}@example.org",
        **fields,
    }


def usernames(stack: TestStack, search: str) -> set[str]:
    """The usernames the administrators' list finds for ``search``."""
    listed = stack.call("GET", "/function/users", token=stack.admin_token, params={"q": search})
    assert listed.status_code == 200
    return {user["username"] for user in listed.json()}


def fetch(stack: TestStack, user_id: str) -> dict:
    response = stack.call("GET", f"/function/users/{user_id}", token=stack.admin_token)
    assert response.status_code == 200, response.text
    return response.json()


def login(stack: TestStack, username: str, password: str, **kwargs):
    return stack.call(
        "POST",
        "/function/auth-login",
        json={"username": username, "password": password},
        **kwargs,
    )


@pytest.fixture(scope="module")
def locked_down():
    """A second system with self-registration off and nobody else's sign-in failures."""
    with running({"EMS_SELF_REGISTRATION": "false"}) as system:
        yield system


# sign-in ---------------------------------------------------------------------------
def test_login_returns_a_token_that_expires_and_the_user(stack):
    user, _ = stack.create_user()
    response = login(stack, user["username"].upper(), PASSWORD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == user
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC)
    me = stack.call("GET", "/function/users/me", token=body["token"])
    assert me.json()["id"] == user["id"]


def test_a_hash_with_older_parameters_is_upgraded_at_the_next_sign_in(stack):
    user, _ = stack.create_user()
    with stack.db("identity") as db:
        db.execute(
            "UPDATE users SET password_hash = %s WHERE id = %s", [old_hash(PASSWORD), user["id"]]
        )
        assert login(stack, user["username"], PASSWORD).status_code == 200
        stored = db.execute(
            "SELECT password_hash FROM users WHERE id = %s", [user["id"]]
        ).fetchone()[0]
    assert stored.startswith("scrypt$131072$8$1$")
    assert login(stack, user["username"], PASSWORD).status_code == 200
    assert login(stack, user["username"], "not-the-password").status_code == 401


def test_login_refuses_wrong_credentials_alike(stack):
    user, _ = stack.create_user()
    wrong_password = login(stack, user["username"], "not-the-password")
    unknown_user = login(stack, new_username(), PASSWORD)
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert error_code(response) == "invalid_credentials"
    assert wrong_password.json() == unknown_user.json()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_json"),
        (b"", 400, "bad_json"),
        (b'{"username": "someone"}', 422, "validation_failed"),
        (b'{"username": "someone", "password": 12345678}', 422, "validation_failed"),
        (b'{"username": "a", "password": "p", "remember": true}', 422, "validation_failed"),
        (b'["username", "password"]', 422, "validation_failed"),
        (b'{"username": "someone", "password": "' + b"x" * 129 + b'"}', 422, "validation_failed"),
    ],
)
def test_login_refuses_bad_input(stack, body, status, code):
    response = stack.call(
        "POST", "/function/auth-login", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert error_code(response) == code


def test_login_only_answers_post(stack):
    response = stack.call("GET", "/function/auth-login")
    assert response.status_code == 405
    assert error_code(response) == "method_not_allowed"


def test_signing_out_ends_that_token_until_it_expires_and_no_other(stack):
    user, other_session = stack.create_user()
    token = login(stack, user["username"], PASSWORD).json()["token"]
    signed_out = stack.call("POST", "/function/auth-logout", token=token)
    assert signed_out.status_code == 204, signed_out.text
    refused = stack.call("GET", "/function/users/me", token=token)
    assert refused.status_code == 401
    assert error_code(refused) == "token_revoked"
    again = stack.call("POST", "/function/auth-logout", token=token)
    assert again.status_code == 401
    assert stack.call("GET", "/function/users/me", token=other_session).status_code == 200
    jti = jwt.decode(token, options={"verify_signature": False})["jti"]
    ttl = stack.services.redis().ttl(f"{stack.key_prefix}token-revoked:{jti}")
    assert 8 * 3600 - 60 < ttl <= 8 * 3600 + 1, "kept as long as the token would have held"


def test_signing_out_needs_a_token_and_a_post(stack):
    anonymous = stack.call("POST", "/function/auth-logout")
    assert anonymous.status_code == 401
    assert error_code(anonymous) == "unauthorized"
    assert stack.call("GET", "/function/auth-logout").status_code == 405


# registration ----------------------------------------------------------------------
def test_anyone_may_register_as_a_client(stack):
    body = registration(timezone="Europe/Bucharest")
    response = stack.call("POST", "/function/auth-register", json=body)
    assert response.status_code == 201, response.text
    user = response.json()
    assert set(user) == USER_KEYS
    assert (user["role"], user["timezone"], user["name"]) == (
        "client",
        "Europe/Bucharest",
        "Ana Pop",
    )
    assert login(stack, body["username"], PASSWORD).status_code == 200


def test_registration_defaults_to_utc(stack):
    response = stack.call("POST", "/function/auth-register", json=registration())
    assert response.status_code == 201
    assert response.json()["timezone"] == "UTC"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "admin"}, "role"),
        ({"username": "ab"}, "username"),
        ({"username": "x" * 41}, "username"),
        ({"username": "has space"}, "username"),
        ({"username": 12345}, "username"),
        ({"password": "short7!"}, "password"),
        ({"password": "p" * 129}, "password"),
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "e" * 250 + "@x.org"}, "email"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "EST"}, "timezone"),
        ({"name": None}, "name"),
    ],
)
def test_registration_refuses_bad_fields_and_creates_nobody(stack, change, field):
    body = registration(**change)
    response = stack.call("POST", "/function/auth-register", json=body)
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_failed"
    assert field in response.json()["error"]["fields"]
    if isinstance(body["username"], str):
        assert body["username"] not in usernames(stack, body["username"])


def test_registration_refuses_missing_fields_and_bad_json(stack):
    response = stack.call("POST", "/function/auth-register", json={"username": new_username()})
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"password", "name", "email"}
    broken = stack.call("POST", "/function/auth-register", data=b'{"username": ')
    assert broken.status_code == 400
    assert error_code(broken) == "bad_json"


def test_usernames_and_emails_are_unique_regardless_of_case(stack):
    first = registration()
    assert stack.call("POST", "/function/auth-register", json=first).status_code == 201
    same_username = registration(username=first["username"].upper())
    same_email = registration(email=first["email"].upper())
    for body, field in ((same_username, "username"), (same_email, "email")):
        response = stack.call("POST", "/function/auth-register", json=body)
        assert response.status_code == 409, response.text
        assert error_code(response) == "conflict"
        assert field in response.json()["error"]["fields"]
    assert login(stack, first["username"], PASSWORD).status_code == 200
    assert same_email["username"] not in usernames(stack, same_email["username"])


def test_registration_can_be_switched_off(locked_down):
    body = registration()
    response = locked_down.call("POST", "/function/auth-register", json=body)
    assert response.status_code == 403
    assert error_code(response) == "registration_closed"
    assert body["username"] not in usernames(locked_down, body["username"])


# the users list and creation (administrators) --------------------------------------
def test_admin_lists_users_ordered_by_username_and_searches(stack):
    marker = uuid.uuid4().hex[:8]
    zed, _ = stack.create_user(username=f"zz{marker}", name=f"Zed {marker}")
    amy, _ = stack.create_user(username=f"aa{marker}", email=f"amy-{marker}@example.org")
    listed = stack.call("GET", "/function/users", token=stack.admin_token).json()
    names = [user["username"] for user in listed]
    assert names == sorted(names, key=str.lower)
    assert all(set(user) == USER_KEYS for user in listed)
    by_name = stack.call("GET", f"/function/users?search=zed {marker}", token=stack.admin_token)
    assert [user["id"] for user in by_name.json()] == [zed["id"]]
    by_email = stack.call("GET", f"/function/users?search=AMY-{marker}", token=stack.admin_token)
    assert [user["id"] for user in by_email.json()] == [amy["id"]]
    wildcard = stack.call("GET", "/function/users?search=%25_%25", token=stack.admin_token)
    assert wildcard.json() == []


def test_admin_creates_administrators(stack):
    user, token = stack.create_user(role="admin")
    assert user["role"] == "admin"
    assert stack.call("GET", "/function/users", token=token).status_code == 200


def test_only_signed_in_administrators_list_or_create_users(stack):
    client, client_token = stack.create_user()
    body = registration(role="admin")
    cases = {
        "client": (client_token, 403, "forbidden"),
        "nobody": (None, 401, "unauthorized"),
        "expired": (expired_token(stack, fetch(stack, client["id"])), 401, "token_expired"),
        "forged": (forged_token(stack, client), 401, "invalid_token"),
        "garbage": ("not.a.token", 401, "invalid_token"),
    }
    for who, (token, status, code) in cases.items():
        for method, payload in (("GET", None), ("POST", body)):
            response = stack.call(method, "/function/users", token=token, json=payload)
            assert (who, response.status_code, error_code(response)) == (who, status, code)
    assert body["username"] not in usernames(stack, body["username"])


def test_an_expired_admin_token_is_refused(stack):
    admin = stack.call("GET", "/function/users/me", token=stack.admin_token).json()
    response = stack.call("GET", "/function/users", token=expired_token(stack, admin))
    assert response.status_code == 401
    assert error_code(response) == "token_expired"


# one's own profile -----------------------------------------------------------------
def test_everyone_reads_their_own_profile(stack):
    client, client_token = stack.create_user()
    assert stack.call("GET", "/function/users/me", token=client_token).json() == client
    admin = stack.call("GET", "/function/users/me", token=stack.admin_token).json()
    assert admin["username"] == ADMIN_USERNAME
    assert admin["role"] == "admin"
    nobody = stack.call("GET", "/function/users/me")
    assert nobody.status_code == 401
    assert nobody.headers["WWW-Authenticate"] == "Bearer"


def test_a_client_edits_their_profile(stack):
    client, token = stack.create_user()
    changes = {"name": "Ana Maria", "email": f"new-{client['username']}@example.org"}
    response = stack.call("PUT", "/function/users/me", token=token, json=changes)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert {k: updated[k] for k in changes} == changes
    assert updated["updated_at"] > client["updated_at"]
    assert fetch(stack, client["id"]) == updated
    zone = stack.call("PUT", "/function/users/me", token=token, json={"timezone": "Asia/Tokyo"})
    assert zone.json()["timezone"] == "Asia/Tokyo"


def test_a_client_cannot_change_their_role(stack):
    client, token = stack.create_user()
    response = stack.call(
        "PUT", "/function/users/me", token=token, json={"role": "admin", "name": "Boss"}
    )
    assert response.status_code == 422
    assert "role" in response.json()["error"]["fields"]
    assert fetch(stack, client["id"]) == client
    admin_view = stack.call("GET", "/function/users", token=token)
    assert admin_view.status_code == 403


def test_a_new_password_needs_the_current_one(stack):
    client, token = stack.create_user()
    missing = stack.call("PUT", "/function/users/me", token=token, json={"password": "brand-new-1"})
    assert missing.status_code == 422
    assert "current_password" in missing.json()["error"]["fields"]
    wrong = stack.call(
        "PUT",
        "/function/users/me",
        token=token,
        json={"password": "brand-new-1", "current_password": "wrong-password"},
    )
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"] == {"current_password": "is not correct"}
    assert login(stack, client["username"], PASSWORD).status_code == 200
    right = stack.call(
        "PUT",
        "/function/users/me",
        token=token,
        json={"password": "brand-new-1", "current_password": PASSWORD},
    )
    assert right.status_code == 200, right.text
    assert login(stack, client["username"], "brand-new-1").status_code == 200
    assert login(stack, client["username"], PASSWORD).status_code == 401


def test_a_new_password_ends_every_other_sign_in_but_keeps_this_one(stack):
    client, this_session = stack.create_user()
    other_session = login(stack, client["username"], PASSWORD).json()["token"]
    renamed = stack.call("PUT", "/function/users/me", token=this_session, json={"name": "Kept"})
    assert "token" not in renamed.json()  # only a password change signs anyone out
    assert stack.call("GET", "/function/users/me", token=other_session).status_code == 200

    changed = stack.call(
        "PUT",
        "/function/users/me",
        token=this_session,
        json={"password": "brand-new-2", "current_password": PASSWORD},
    )
    assert changed.status_code == 200, changed.text
    for old in (this_session, other_session):
        refused = stack.call("GET", "/function/users/me", token=old)
        assert (refused.status_code, error_code(refused)) == (401, "token_revoked")
    fresh = stack.call("GET", "/function/users/me", token=changed.json()["token"])
    assert fresh.status_code == 200
    assert fresh.json()["name"] == "Kept"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"current_password": PASSWORD},
        {"name": ""},
        {"name": 42},
        {"email": "nope"},
        {"timezone": "Nowhere/Land"},
        {"username": "renamed"},
        {"name": "x" * 101},
    ],
)
def test_profile_edits_refuse_bad_input_and_change_nothing(stack, body):
    client, token = stack.create_user()
    response = stack.call("PUT", "/function/users/me", token=token, json=body)
    assert response.status_code == 422, response.text
    assert error_code(response) == "validation_failed"
    assert fetch(stack, client["id"]) == client


def test_profile_edit_with_malformed_json_or_without_token(stack):
    client, token = stack.create_user()
    broken = stack.call("PUT", "/function/users/me", token=token, data=b"{")
    assert (broken.status_code, error_code(broken)) == (400, "bad_json")
    anonymous = stack.call("PUT", "/function/users/me", json={"name": "Nobody"})
    assert (anonymous.status_code, error_code(anonymous)) == (401, "unauthorized")
    expired = stack.call(
        "PUT", "/function/users/me", token=expired_token(stack, client), json={"name": "Late"}
    )
    assert (expired.status_code, error_code(expired)) == (401, "token_expired")
    assert fetch(stack, client["id"]) == client


def test_a_taken_email_is_refused_on_profile_edit(stack):
    first, _ = stack.create_user()
    second, token = stack.create_user()
    response = stack.call(
        "PUT", "/function/users/me", token=token, json={"email": first["email"].upper()}
    )
    assert response.status_code == 409
    assert response.json()["error"]["fields"] == {"email": "is already taken"}
    assert fetch(stack, second["id"]) == second


# one user, by id ---------------------------------------------------------------------
def test_admin_and_internal_callers_read_a_user_by_id(stack):
    client, client_token = stack.create_user()
    other, _ = stack.create_user()
    path = f"/function/users/{client['id']}"
    assert stack.call("GET", path, token=stack.admin_token).json() == client
    assert stack.call("GET", path, headers=stack.internal_headers).json() == client
    for token, status in ((client_token, 403), (None, 401)):
        response = stack.call("GET", path, token=token)
        assert response.status_code == status
    bad_internal = stack.call("GET", path, headers={"X-Internal-Token": "guess"})
    assert bad_internal.status_code == 401
    peer = stack.call("GET", f"/function/users/{other['id']}", token=client_token)
    assert (peer.status_code, error_code(peer)) == (403, "forbidden")


@pytest.mark.parametrize("user_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
def test_unknown_user_ids_are_not_found(stack, user_id):
    path = f"/function/users/{user_id}"
    for method, body in (("GET", None), ("PUT", {"name": "Ghost"}), ("DELETE", None)):
        response = stack.call(method, path, token=stack.admin_token, json=body)
        assert (method, response.status_code, error_code(response)) == (method, 404, "not_found")


def test_admin_edits_any_user_including_role_and_password(stack):
    client, _ = stack.create_user()
    changes = {"name": "Renamed", "role": "admin", "password": "set-by-admin", "timezone": "UTC"}
    response = stack.call(
        "PUT", f"/function/users/{client['id']}", token=stack.admin_token, json=changes
    )
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["role"]) == ("Renamed", "admin")
    promoted = login(stack, client["username"], "set-by-admin")
    assert promoted.json()["user"]["role"] == "admin"


@pytest.mark.parametrize(
    "body",
    [{}, {"role": "root"}, {"email": "x@"}, {"password": "short"}, {"username": "other"}],
)
def test_admin_edits_refuse_bad_input_and_change_nothing(stack, body):
    client, _ = stack.create_user()
    response = stack.call(
        "PUT", f"/function/users/{client['id']}", token=stack.admin_token, json=body
    )
    assert response.status_code == 422, response.text
    assert fetch(stack, client["id"]) == client


def test_clients_cannot_edit_or_delete_users(stack):
    client, client_token = stack.create_user()
    other, _ = stack.create_user()
    for target in (client, other):
        path = f"/function/users/{target['id']}"
        edit = stack.call("PUT", path, token=client_token, json={"role": "admin"})
        delete = stack.call("DELETE", path, token=client_token)
        forged = stack.call("DELETE", path, token=forged_token(stack, client))
        assert [edit.status_code, delete.status_code, forged.status_code] == [403, 403, 401]
        assert fetch(stack, target["id"]) == target


def test_admin_deletes_a_user_who_can_no_longer_sign_in(stack):
    client, _ = stack.create_user()
    path = f"/function/users/{client['id']}"
    response = stack.call("DELETE", path, token=stack.admin_token)
    assert response.status_code == 204
    assert response.content == b""
    assert stack.call("GET", path, token=stack.admin_token).status_code == 404
    assert login(stack, client["username"], PASSWORD).status_code == 401
    again = stack.call("DELETE", path, token=stack.admin_token)
    assert again.status_code == 404


# earlier tokens after a change of rights ----------------------------------------------
def test_a_demoted_administrator_loses_the_rights_their_token_still_claims(stack):
    admin, old_token = stack.create_user(role="admin")
    demote = stack.call(
        "PUT", f"/function/users/{admin['id']}", token=stack.admin_token, json={"role": "client"}
    )
    assert demote.status_code == 200, demote.text
    refused = stack.call("GET", "/function/users", token=old_token)
    assert refused.status_code == 401
    assert error_code(refused) == "token_revoked"
    new_token = stack.login(admin["username"], PASSWORD)
    assert stack.call("GET", "/function/users", token=new_token).status_code == 403
    assert stack.call("GET", "/function/users/me", token=new_token).json()["role"] == "client"


def test_a_password_reset_or_deletion_ends_earlier_sign_ins(stack):
    reset_user, reset_token = stack.create_user()
    deleted_user, deleted_token = stack.create_user()
    stack.call(
        "PUT",
        f"/function/users/{reset_user['id']}",
        token=stack.admin_token,
        json={"password": "a-new-password"},
    )
    stack.call("DELETE", f"/function/users/{deleted_user['id']}", token=stack.admin_token)
    for token in (reset_token, deleted_token):
        response = stack.call("GET", "/function/devices", token=token)
        assert response.status_code == 401
        assert error_code(response) == "token_revoked"
    assert stack.login(reset_user["username"], "a-new-password")


def test_a_profile_change_keeps_the_session(stack):
    _, token = stack.create_user()
    changed = stack.call("PUT", "/function/users/me", token=token, json={"name": "Renamed"})
    assert changed.status_code == 200
    assert stack.call("GET", "/function/users/me", token=token).json()["name"] == "Renamed"


# events ------------------------------------------------------------------------------
def test_changes_are_announced_with_growing_versions(stack):
    with EventTap(stack, "user.*") as tap:
        user, token = stack.create_user()
        stack.call("PUT", "/function/users/me", token=token, json={"name": "Second"})
        stack.call("PUT", "/function/users/me", token=token, json={"name": "Third"})
        stack.call("DELETE", f"/function/users/{user['id']}", token=stack.admin_token)
        events = tap.wait_for(4, lambda event: event["data"]["id"] == user["id"])
    assert [event["type"] for event in events] == [
        "user.created",
        "user.updated",
        "user.updated",
        "user.deleted",
    ]
    assert [event["data"]["version"] for event in events] == [1, 2, 3, 4]
    assert {k: v for k, v in events[0]["data"].items() if k != "version"} == user
    assert events[2]["data"]["name"] == "Third"
    assert "password_hash" not in events[1]["data"]
    assert events[3]["data"] == {"id": user["id"], "version": 4}
    assert len({event["id"] for event in events}) == 4


def test_refused_changes_announce_nothing(stack):
    client, token = stack.create_user()
    with EventTap(stack, "user.*") as tap:
        stack.call("PUT", "/function/users/me", token=token, json={"role": "admin"})
        stack.call("PUT", f"/function/users/{client['id']}", token=token, json={"name": "X"})
        stack.call("POST", "/function/auth-register", json=registration(email=client["email"]))
        stack.call("PUT", "/function/users/me", token=token, json={"name": "Marker"})
        events = tap.wait_for(1, lambda event: event["data"].get("name") == "Marker")
    assert [event["type"] for event in tap.seen] == ["user.updated"]
    assert events[0]["data"]["version"] == 2


# a system of its own: the last administrator ----------------------------
def test_the_last_administrator_cannot_be_demoted_or_deleted(locked_down):
    admin = locked_down.call("GET", "/function/users/me", token=locked_down.admin_token).json()
    path = f"/function/users/{admin['id']}"
    demote = locked_down.call("PUT", path, token=locked_down.admin_token, json={"role": "client"})
    delete = locked_down.call("DELETE", path, token=locked_down.admin_token)
    for response in (demote, delete):
        assert response.status_code == 409
        assert error_code(response) == "last_admin"
    assert locked_down.call("GET", path, token=locked_down.admin_token).json() == admin

    second, _ = locked_down.create_user(role="admin")
    second_path = f"/function/users/{second['id']}"
    demoted = locked_down.call(
        "PUT", second_path, token=locked_down.admin_token, json={"role": "client"}
    )
    assert demoted.json()["role"] == "client"
    assert locked_down.call("DELETE", path, token=locked_down.admin_token).status_code == 409
