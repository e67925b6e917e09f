"""``ems up --demo`` seeds its client and meters through the public API, once."""

import pytest

from ems import demo
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME


def demo_devices(stack) -> list[dict]:
    token = stack.login(demo.DEMO_USERNAME, demo.DEMO_PASSWORD)
    response = stack.call("GET", "/function/devices", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_demo_client_owns_the_demo_meters_and_a_second_seed_adds_nothing(stack):
    assert demo.seed(stack.url, ADMIN_USERNAME, ADMIN_PASSWORD) == len(demo.DEMO_DEVICES)
    first = demo_devices(stack)
    assert sorted(d["name"] for d in first) == sorted(d["name"] for d in demo.DEMO_DEVICES)

    demo.seed(stack.url, ADMIN_USERNAME, ADMIN_PASSWORD)
    assert {d["id"] for d in demo_devices(stack)} == {d["id"] for d in first}


def test_seeding_with_a_wrong_administrator_password_says_why(stack):
    with pytest.raises(demo.DemoError, match="auth-login"):
        demo.seed(stack.url, ADMIN_USERNAME, "not-the-password")
