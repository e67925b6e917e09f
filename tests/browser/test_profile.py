"""A password change in the profile keeps this browser signed in and ends every other session."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.ui import sign_in

pytestmark = pytest.mark.browser


def test_a_new_password_keeps_this_session_and_ends_the_others(stack, open_page):
    user, _token = stack.create_user()
    laptop, phone = open_page(), open_page()
    sign_in(laptop, user["username"], "password-123")
    sign_in(phone, user["username"], "password-123")

    laptop.get_by_role("link", name="Profile").click()
    laptop.get_by_label("New password", exact=True).fill("a-brand-new-password")
    laptop.get_by_label("Current password", exact=True).fill("password-123")
    laptop.get_by_role("button", name="Save", exact=True).click()
    expect(laptop.get_by_text("Your changes are saved.")).to_be_visible()

    # This browser carries on with the token the answer handed out, live updates included.
    laptop.get_by_role("link", name="My devices").click()
    expect(laptop.get_by_role("heading", name="My devices")).to_be_visible()
    expect(laptop.get_by_test_id("live-status")).to_have_text("Live")
    laptop.reload()
    expect(laptop.get_by_role("heading", name="My devices")).to_be_visible()

    # The other one is sent back to sign in without a click: the hub ends its connection.
    expect(phone.get_by_text("Your session has ended. Please sign in again.")).to_be_visible()
    sign_in(phone, user["username"], "a-brand-new-password")
