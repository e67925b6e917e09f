"""The sign-in and sign-up throttles: exact under parallel calls, and no lock-outs.

On the suite's system. Each test calls from loopback addresses of its own
(127.0.0.N: the gateway sees each as another machine), and about users of its own,
so that the counters of one test do not touch another's; the suite's own calls
come from 127.0.0.1. With Redis down, the identity functions are served in the
test process on a Redis of the test's own (tests/in_process.py).
Requests that must race are fired from threads, all let go at once.
"""

from __future__ import annotations

import subprocess
import uuid
from collections import Counter

import pytest

from ems.processes import free_port
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME, in_parallel
from tests.identity_helpers import error_code
from tests.in_process import serving

PASSWORD = "password-123"


def login(stack, session, username: str, password: str):
    body = {"username": username, "password": password}
    return stack.call("POST", "/function/auth-login", json=body, session=session)


def statuses(responses) -> Counter:
    return Counter(response.status_code for response in responses)


def assert_refused_at_once(responses) -> None:
    for response in responses:
        if response.status_code == 429:
            assert error_code(response) in {"too_many_attempts", "too_many_registrations"}
            assert int(response.headers["Retry-After"]) > 0


# sign-in -------------------------------------------------------------------------------


def test_parallel_wrong_passwords_get_exactly_the_pairs_allowance(stack):
    user, _ = stack.create_user()
    attacker = stack.from_address("127.0.0.11")
    answers = in_parallel(50, lambda _: login(stack, attacker, user["username"], "wrong-one"))
    assert statuses(answers) == {401: 5, 429: 45}
    assert_refused_at_once(answers)
    assert login(stack, attacker, user["username"], PASSWORD).status_code == 429
    owner = stack.from_address("127.0.0.12")
    assert login(stack, owner, user["username"], PASSWORD).status_code == 200


def test_parallel_spraying_from_one_address_gets_exactly_its_allowance(stack):
    user, _ = stack.create_user()
    sprayer = stack.from_address("127.0.0.13")
    names = [f"u{uuid.uuid4().hex[:10]}" for _ in range(60)]
    answers = in_parallel(60, lambda i: login(stack, sprayer, names[i], "wrong-one"))
    assert statuses(answers) == {401: 20, 429: 40}
    assert_refused_at_once(answers)
    assert login(stack, sprayer, user["username"], PASSWORD).status_code == 429
    assert login(stack, stack.from_address("127.0.0.14"), user["username"], PASSWORD).ok


def test_strangers_cannot_lock_out_the_administrator(stack):
    """Guesses from four addresses until each is refused: those are, the owner is not."""
    strangers = [stack.from_address(f"127.0.0.{20 + n}") for n in range(4)]
    for stranger in strangers:
        answers = [login(stack, stranger, ADMIN_USERNAME, "guess") for _ in range(6)]
        assert answers[0].status_code == 401
        assert answers[-1].status_code == 429
    assert login(stack, strangers[0], ADMIN_USERNAME, ADMIN_PASSWORD).status_code == 429
    owner = stack.from_address("127.0.0.24")
    signed_in = login(stack, owner, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert signed_in.status_code == 200, signed_in.text


def test_past_the_username_ceiling_addresses_with_failures_wait_growing_delays(stack):
    user, _ = stack.create_user()
    guessers = [stack.from_address(f"127.0.0.{30 + n}") for n in range(8)]
    for guesser in guessers[:2]:  # the ten failures the username takes without delays
        for _ in range(5):
            assert login(stack, guesser, user["username"], "guess").status_code == 401
    for guesser in guessers[2:]:  # each new address may try once: the 11th failure waits 1 s,
        assert login(stack, guesser, user["username"], "guess").status_code == 401  # 16th 32 s
    held = login(stack, guessers[2], user["username"], PASSWORD)
    assert held.status_code == 429, "a guesser's address waits, even with the password"
    assert 8 < int(held.headers["Retry-After"]) <= 32
    owner = stack.from_address("127.0.0.39")
    assert login(stack, owner, user["username"], PASSWORD).status_code == 200


def test_case_and_unicode_variants_of_a_username_share_one_counter(stack):
    user, _ = stack.create_user(username=f"ivk{uuid.uuid4().hex[:8]}")
    guesser = stack.from_address("127.0.0.40")
    for _ in range(5):
        assert login(stack, guesser, user["username"], "guess").status_code == 401
    name = user["username"]
    for same_account in (name.upper(), name.replace("k", "\u212a")):  # K: the Kelvin sign
        assert login(stack, guesser, same_account, PASSWORD).status_code == 429, same_account
    # PostgreSQL's lower() makes İ an i, Python's does not: the lookup and the counter
    # agree that this is no account, rather than the account under a fresh counter.
    other = login(stack, guesser, "İ" + name[1:], PASSWORD)
    assert other.status_code == 401


def test_a_success_clears_the_pairs_count(stack):
    user, _ = stack.create_user()
    address = stack.from_address("127.0.0.41")
    for _ in range(2):
        for _ in range(4):
            assert login(stack, address, user["username"], "guess").status_code == 401
        assert login(stack, address, user["username"], PASSWORD).status_code == 200


def test_forged_forwarding_headers_do_not_open_a_new_allowance(stack):
    user, _ = stack.create_user()
    address = stack.from_address("127.0.0.42")
    for attempt in range(6):
        forged = {"X-Forwarded-For": f"10.0.0.{attempt}", "X-Real-IP": f"10.0.1.{attempt}"}
        response = stack.call(
            "POST",
            "/function/auth-login",
            json={"username": user["username"], "password": "guess"},
            headers=forged,
            session=address,
        )
        assert response.status_code == (401 if attempt < 5 else 429)


# sign-up -------------------------------------------------------------------------------


def registration(**fields) -> dict:
    username = fields.pop("username", f"u{uuid.uuid4().hex[:10]}")
    return {
        "username": username,
        "password": PASSWORD,
        "name": "Ana Pop",
        "email": f"{username}@example.org",
        **fields,
    }


def register(stack, session, body):
    return stack.call("POST", "/function/auth-register", json=body, session=session)


def opened(stack, marker: str) -> int:
    with stack.db("identity") as db:
        return db.execute(
            "SELECT count(*) FROM users WHERE username LIKE %s", [f"{marker}%"]
        ).fetchone()[0]


def test_parallel_sign_ups_open_exactly_the_addresss_allowance(stack):
    marker = f"p{uuid.uuid4().hex[:6]}"
    address = stack.from_address("127.0.0.50")
    bodies = [registration(username=f"{marker}{n:02d}") for n in range(30)]
    answers = in_parallel(30, lambda i: register(stack, address, bodies[i]))
    assert statuses(answers) == {201: 10, 429: 20}
    assert_refused_at_once(answers)
    assert opened(stack, marker) == 10


def test_taken_names_count_toward_the_sign_up_limit_and_bad_forms_do_not(stack):
    taken, _ = stack.create_user()
    address = stack.from_address("127.0.0.51")
    assert register(stack, address, registration(email="not-an-email")).status_code == 422
    for _ in range(10):
        conflict = register(stack, address, registration(username=taken["username"]))
        assert conflict.status_code == 409
    body = registration()
    refused = register(stack, address, body)
    assert refused.status_code == 429
    assert error_code(refused) == "too_many_registrations"
    assert opened(stack, body["username"]) == 0
    stack.create_user()  # administrators still open accounts


# Redis down ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def private_redis():
    """A Redis of this module's own, so that the test can stop it under a running system."""
    port = free_port()
    argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    process = subprocess.Popen(
        [*argv, "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    yield process, f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(10)


def test_with_redis_down_sign_in_works_client_tokens_hold_and_admin_tokens_fail_closed(
    stack, private_redis
):
    """The identity functions on a Redis of their own, which stops under them."""
    process, url = private_redis
    user, token = stack.create_user()
    admin_token = stack.admin_token
    with serving(stack, "auth-login", "users", "auth-logout", REDIS_URL=url) as identity:
        address = "127.0.0.60"
        body = {"username": user["username"], "password": PASSWORD}
        before = identity.call("POST", "/function/auth-login", json=body, address=address)
        assert before.status_code == 200, before.text  # counted in that Redis
        process.terminate()
        process.wait(10)
        signed_in = identity.call("POST", "/function/auth-login", json=body, address=address)
        assert signed_in.status_code == 200, signed_in.text
        # Each replica counts in its memory: a guesser is still stopped.
        guess = {**body, "password": "guess"}
        answers = [
            identity.call("POST", "/function/auth-login", json=guess, address=address)
            for _ in range(6)
        ]
        assert [a.status_code for a in answers] == [401] * 5 + [429]
        me = identity.call("GET", "/function/users/me", token=signed_in.json()["token"])
        assert me.status_code == 200
        assert identity.call("GET", "/function/users/me", token=token).status_code == 200
        admin = identity.call("GET", "/function/users", token=admin_token)
        assert admin.status_code == 503
        assert error_code(admin) == "revocation_unavailable"
        logout = identity.call("POST", "/function/auth-logout", token=token)
        assert logout.status_code == 503
