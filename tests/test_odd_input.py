"""Odd input gets a clear 4xx from every function, never a 500, and changes nothing.

NUL characters (which PostgreSQL text cannot hold), JSON nested far too deep, and
bodies in an encoding nobody asked for are refused by the runtime before a handler
sees them, so every function answers them alike.
"""

from __future__ import annotations

import gzip
import json
import uuid

import pytest

from tests.identity_helpers import error_code

NUL = "\u0000"


def post_raw(stack, path: str, body: bytes, token: str | None = None, **headers):
    return stack.call(
        "POST",
        path,
        data=body,
        token=token,
        headers={"Content-Type": "application/json", **headers},
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/function/auth-login", {"username": f"admin{NUL}", "password": "whatever-123"}),
        (
            "/function/auth-register",
            {"username": "nul", "password": "password-123", "name": NUL, "email": "a@b.org"},
        ),
        ("/function/devices", {"name": f"meter{NUL}", "max_hourly_kwh": 1}),
        ("/function/users", {"username": "x", "password": "p" * 8, "name": "n", NUL: "key"}),
        ("/function/device-assign", {"device_id": NUL, "user_id": None}),
    ],
)
def test_nul_in_any_string_of_a_body_is_a_400(stack, path, body):
    response = stack.call("POST", path, json=body, token=stack.admin_token)
    assert response.status_code == 400, response.text
    assert error_code(response) == "bad_json"


def test_nul_in_a_profile_edit_changes_nothing(stack):
    user, token = stack.create_user()
    edit = stack.call("PUT", "/function/users/me", token=token, json={"name": f"Ana{NUL}Pop"})
    assert edit.status_code == 400
    assert stack.call("GET", "/function/users/me", token=token).json()["name"] == user["name"]


@pytest.mark.parametrize(
    "path",
    [
        "/function/users?search=%00",
        "/function/devices?x%00=1",
        "/function/consumption?device_id=%00&date=2026-01-01",
        "/function/consumption/summary?tz=%00",
        "/function/alerts?device_id=%00",
        "/function/conversations?state=%00",
        "/function/users/%00",
    ],
)
def test_nul_in_the_query_or_path_is_a_400(stack, path):
    response = stack.call("GET", path, token=stack.admin_token)
    assert response.status_code == 400, response.text
    assert error_code(response) == "bad_request"


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_json_nested_a_hundred_thousand_deep_is_a_400(stack, opening):
    depth = 100_000
    closing = "]" if opening == "[" else "}"
    body = (opening * depth + "1" + closing * depth).encode()
    for path in ("/function/auth-login", "/function/devices"):
        response = post_raw(stack, path, body, token=stack.admin_token)
        assert response.status_code == 400, response.text[:200]
        assert "nested deeper" in response.json()["error"]["message"]


def test_json_somewhat_deep_is_refused_before_it_reaches_a_handler(stack):
    body = {"name": "meter", "max_hourly_kwh": 1, "description": "x"}
    nested = body
    for _ in range(40):
        nested["more"] = {}
        nested = nested["more"]
    response = stack.call("POST", "/function/devices", json=body, token=stack.admin_token)
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", b"this is not gzip at all"),
        ("gzip", gzip.compress(json.dumps({"username": "a", "password": "b"}).encode())),
        ("br", b"\x00\x01\x02"),
        ("x-unheard-of", b'{"username": "a", "password": "b"}'),
    ],
)
def test_a_body_in_an_encoding_we_do_not_speak_is_a_clear_4xx(stack, encoding, body):
    response = post_raw(stack, "/function/auth-login", body, **{"Content-Encoding": encoding})
    assert response.status_code in {400, 415}, response.text[:200]
    assert error_code(response) in {"unsupported_encoding", "bad_request"}


def test_refused_odd_input_creates_nothing(stack):
    name = f"odd-{uuid.uuid4().hex[:6]}"
    stack.call(
        "POST",
        "/function/devices",
        json={"name": name + NUL, "max_hourly_kwh": 1},
        token=stack.admin_token,
    )
    listed = stack.call(
        "GET", "/function/devices", token=stack.admin_token, params={"q": name}
    ).json()
    assert not [device for device in listed if device["name"].startswith(name)]
