"""The runtime every function imports: secrets, checks, tokens, passwords."""

from __future__ import annotations

import base64
import hashlib
import time

import jwt
import pytest
from psycopg.conninfo import conninfo_to_dict
from pydantic import ValidationError

from faas_ems.runtime import amqp, auth, db, passwords, settings
from faas_ems.runtime.errors import Conflict, Invalid, NotFound, Unavailable
from faas_ems.runtime.validation import Field, validate
from faas_ems.runtime.web import HTTPError, Routes


class Headers(dict):
    """Request headers as a handler sees them (case-insensitive lookups)."""

    def get(self, name, default=None):
        for key, value in self.items():
            if key.lower() == name.lower():
                return value
        return default


class Event:
    def __init__(self, headers):
        self.headers = Headers(headers)


@pytest.fixture
def configure(tmp_path, monkeypatch):
    """Set environment variables and secret files, then read the settings as a new
    process would."""
    monkeypatch.setattr(settings, "SECRETS_DIR", tmp_path)

    def apply(files: dict[str, str] | None = None, **variables: str):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        for name, value in (files or {}).items():
            (tmp_path / name).write_text(value)
        return settings.load(settings.FunctionSettings)

    return apply


def test_secret_files_win_over_the_environment(configure):
    assert configure(JWT_SECRET="from-env").jwt_secret == "from-env"
    assert configure({"jwt-secret": "from-file\n"}).jwt_secret == "from-file"


def test_a_missing_secret_is_named(configure, monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    loaded = configure()
    assert loaded.gemini_api_key is None
    with pytest.raises(settings.MissingSetting, match="gemini_api_key"):
        loaded.required("gemini_api_key")


@pytest.mark.parametrize("password", ["it's secret", "pa ss@/x", "back\\slash=1"])
def test_database_passwords_are_quoted_in_the_connection_string(configure, password):
    configure({"db-password": password}, EMS_DB_PREFIX="x_", EMS_CONTEXT="monitoring")
    parsed = conninfo_to_dict(db.conninfo())
    assert (parsed["dbname"], parsed["password"]) == ("x_monitoring", password)


def test_a_setting_that_is_not_a_number_is_refused_at_start(configure):
    with pytest.raises(ValidationError, match="db_pool_size"):
        configure(DB_POOL_SIZE="many")


def test_every_setting_a_function_reads_is_declared_for_ems_up():
    declared = settings.FunctionSettings.variables()
    assert {"DB_POOL_SIZE", "JWT_SECRET", "LOGIN_MAX_DELAY_SECONDS", "EMS_CONTEXT"} <= declared
    assert not any("-" in name for name in declared)


FIELDS = {
    "name": Field(str, max_length=5),
    "limit": Field(float, exclusive_minimum=0),
    "note": Field(str, required=False, nullable=True),
}


def test_validation_names_every_problem_at_its_field():
    with pytest.raises(Invalid) as refused:
        validate({"name": "toolong", "limit": 0, "extra": 1}, FIELDS)
    assert refused.value.code == "validation_failed"
    assert refused.value.fields == {
        "name": "must be at most 5 characters",
        "limit": "must be greater than 0",
        "extra": "is not a known field",
    }


@pytest.mark.parametrize(
    ("body", "field", "problem"),
    [
        ({"name": "ok"}, "limit", "is required"),
        ({"name": 5, "limit": 1}, "name", "must be a string"),
        ({"name": "ok", "limit": True}, "limit", "must be a number"),
        ({"name": "ok", "limit": "1"}, "limit", "must be a number"),
        ({"name": "  ", "limit": 1}, "name", "must not be empty"),
        ({"name": None, "limit": 1}, "name", "must not be null"),
    ],
)
def test_validation_refuses_wrong_types(body, field, problem):
    with pytest.raises(Invalid) as refused:
        validate(body, FIELDS)
    assert refused.value.fields[field] == problem


def test_validation_keeps_good_values_and_partial_updates():
    assert validate({"name": " ab ", "limit": 2}, FIELDS) == {"name": "ab", "limit": 2}
    assert validate({"note": None}, FIELDS, partial=True) == {"note": None}
    with pytest.raises(Invalid):
        validate({}, FIELDS, partial=True)
    with pytest.raises(Invalid):
        validate(["not", "an", "object"], FIELDS)


USER = {
    "id": "u-1",
    "role": "client",
    "username": "ana",
    "name": "Ana",
    "timezone": "Europe/Bucharest",
}


def test_tokens_carry_identity_and_role(configure):
    configure(JWT_SECRET="k" * 32)
    token, expires = auth.issue_token(USER)
    caller = auth.require_user(Event({"Authorization": f"Bearer {token}"}))
    assert (caller.id, caller.role, caller.timezone) == ("u-1", "client", "Europe/Bucharest")
    assert caller.may_see("u-1") and not caller.may_see("u-2")
    assert expires.timestamp() > time.time()
    with pytest.raises(HTTPError) as refused:
        auth.require_admin(Event({"Authorization": f"Bearer {token}"}))
    assert refused.value.status == 403


@pytest.mark.parametrize(
    ("claims_change", "key", "code"),
    [
        ({"exp": int(time.time()) - 5}, "k" * 32, "token_expired"),
        ({}, "another-key-of-32-characters-xxx", "invalid_token"),
        ({"role": "superuser"}, "k" * 32, "invalid_token"),
        ({"iss": "elsewhere"}, "k" * 32, "invalid_token"),
    ],
)
def test_expired_forged_and_odd_tokens_are_refused(configure, claims_change, key, code):
    configure(JWT_SECRET="k" * 32)
    claims = {"iss": "faas-ems", "sub": "u-1", "role": "admin", "exp": int(time.time()) + 60}
    claims.update(claims_change)
    token = jwt.encode(claims, key, algorithm="HS256")
    with pytest.raises(HTTPError) as refused:
        auth.require_user(Event({"Authorization": f"Bearer {token}"}))
    assert (refused.value.status, refused.value.code) == (401, code)


def test_missing_token_and_internal_token(configure):
    configure(INTERNAL_TOKEN="internal-secret")
    with pytest.raises(HTTPError) as refused:
        auth.require_user(Event({}))
    assert refused.value.status == 401
    auth.require_internal(Event({"X-Internal-Token": "internal-secret"}))
    for headers in ({}, {"X-Internal-Token": "guess"}, {"Authorization": "Bearer internal-secret"}):
        with pytest.raises(HTTPError) as refused:
            auth.require_internal(Event(headers))
        assert refused.value.status == 403


def test_passwords_are_salted_and_slow_hashes():
    first, second = passwords.hash_password("s3cret!"), passwords.hash_password("s3cret!")
    assert first != second
    assert first.startswith("scrypt$131072$8$1$")
    assert passwords.verify_password("s3cret!", first)
    assert not passwords.verify_password("s3cret?", first)
    assert not passwords.verify_password("s3cret!", "garbage")


class Call:
    """A request as a handler's ``Routes`` table sees it."""

    def __init__(self, method: str, path: str):
        self.method, self.path, self.headers, self.body = method, path, Headers(), b""


def table() -> Routes:
    routes = Routes()

    @routes.get("/<device_id>")
    def show(event, device_id):
        if device_id == "gone":
            raise NotFound("device")
        return {"id": device_id}

    @routes.put("/<device_id>")
    def change(event, device_id):
        raise Conflict("that name is already taken", fields={"name": "is already taken"})

    @routes.post("/<device_id>/wait")
    def wait(event, device_id):
        raise Unavailable("identity cannot answer", code="identity_unavailable", retry_after=5)

    return routes


@pytest.mark.parametrize(
    ("method", "path", "status", "body"),
    [
        ("GET", "/d1", 200, {"id": "d1"}),
        ("GET", "/d1/", 200, {"id": "d1"}),
        ("GET", "/gone", 404, {"error": {"code": "not_found", "message": "device not found"}}),
        (
            "GET",
            "/d1/x/y",
            404,
            {"error": {"code": "not_found", "message": "no such path: /d1/x/y"}},
        ),
        (
            "PUT",
            "/d1",
            409,
            {
                "error": {
                    "code": "conflict",
                    "message": "that name is already taken",
                    "fields": {"name": "is already taken"},
                }
            },
        ),
    ],
)
def test_routes_answer_views_and_domain_refusals(method, path, status, body):
    answer = table()(Call(method, path), None)
    assert (answer["statusCode"], answer["body"]) == (status, body)


def test_a_known_path_with_another_method_is_405_naming_the_allowed_ones():
    answer = table()(Call("DELETE", "/d1"), None)
    assert answer["statusCode"] == 405
    assert answer["headers"] == {"Allow": "GET, PUT"}


def test_an_unavailable_dependency_says_when_to_try_again():
    answer = table()(Call("POST", "/d1/wait"), None)
    assert answer["statusCode"] == 503
    assert answer["headers"] == {"Retry-After": "5"}
    assert answer["body"]["error"]["code"] == "identity_unavailable"


def test_new_hashes_use_owasps_scrypt_parameters_and_old_ones_still_verify():
    scheme, n, r, p, *_ = passwords.hash_password("s3cret!").split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**17, 8, 1)
    old = old_hash("s3cret!")
    assert passwords.verify_password("s3cret!", old)
    assert passwords.needs_rehash(old)
    assert not passwords.needs_rehash(passwords.hash_password("s3cret!"))


def test_a_stored_hash_cannot_ask_for_more_memory_than_todays_parameters():
    greedy = old_hash("s3cret!").replace("scrypt$16384$", "scrypt$1048576$")
    assert not passwords.verify_password("s3cret!", greedy)


def old_hash(password: str, n: int = 2**14) -> str:
    """A hash as faas-ems made them before (N = 2**15 and less)."""
    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=8, p=1, dklen=64)
    return f"scrypt${n}$8$1${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def test_reconnect_delays_double_to_their_cap_and_start_again_after_a_connection():
    backoff = amqp.Backoff(cap=5)
    assert [backoff.delay() for _ in range(6)] == [0.5, 1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.delay() == 0.5


def test_every_connection_has_the_platforms_heartbeat_and_one_attempt():
    params = amqp.parameters("amqp://ems-hub:pa%20ss@broker:5673/%2F")
    assert (params.host, params.port, params.virtual_host) == ("broker", 5673, "/")
    assert params.credentials.password == "pa ss"
    assert params.heartbeat == amqp.HEARTBEAT_SECONDS
    assert params.connection_attempts == 1
