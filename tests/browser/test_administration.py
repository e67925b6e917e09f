"""An administrator creates a client and a device, assigns it; the client then sees it."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.ui import choose, field, screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser


def test_an_administrator_sets_up_a_client_who_then_sees_the_device(stack, open_page):
    suffix = uuid.uuid4().hex[:6]
    username, device_name = f"client{suffix}", f"Heat pump {suffix}"
    admin = open_page()
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    expect(admin.get_by_role("heading", name="Overview")).to_be_visible()
    admin.get_by_role("link", name="Users").click()
    expect(admin.get_by_role("heading", name="Users")).to_be_visible()

    # A bad email comes back as a 422 and is shown at the email field.
    admin.get_by_role("button", name="New user").click()
    dialog = admin.get_by_role("dialog")
    field(dialog, "Username").fill(username)
    field(dialog, "Name").fill(f"Client {suffix}")
    field(dialog, "Email").fill("not-an-email")
    dialog.get_by_label("Password").fill("client-password-1")
    dialog.get_by_role("button", name="Create user").click()
    email = field(dialog, "Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(field(dialog, "Name")).to_have_attribute("aria-invalid", "false")

    email.fill(f"{username}@example.org")
    dialog.get_by_role("button", name="Create user").click()
    expect(dialog).to_be_hidden()
    field(admin, "Search users").fill(username)
    expect(admin.get_by_test_id("user-row")).to_have_count(1)
    expect(admin.get_by_test_id("user-row")).to_contain_text(f"{username}@example.org")
    field(admin, "Search users").fill("")
    screenshot(admin, "admin-users")

    admin.get_by_role("link", name="Devices").click()
    admin.get_by_role("button", name="New device").click()
    dialog = admin.get_by_role("dialog")
    field(dialog, "Name").fill(device_name)
    field(dialog, "Address").fill("12 Meter Lane, Berlin")
    field(dialog, "Hourly limit (kWh)").fill("2.5")
    choose(dialog, "Site time zone", "Europe/Berlin")
    dialog.get_by_role("button", name="Create device").click()
    expect(dialog).to_be_hidden()
    field(admin, "Find devices").fill(device_name)
    row = admin.get_by_test_id("device-row").filter(has_text=device_name)
    expect(row).to_contain_text("Unassigned")
    expect(row).to_contain_text("Europe/Berlin")

    # Assigned from the device's side...
    row.get_by_role("button", name=f"Owner of {device_name}").click()
    dialog = admin.get_by_role("dialog")
    choose(dialog, "Owner", username)
    dialog.get_by_role("button", name="Assign", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(row).to_contain_text(f"Client {suffix}")
    screenshot(admin, "admin-devices")

    # ...and seen, unassigned and assigned again from the user's side.
    admin.get_by_role("link", name="Users").click()
    admin.get_by_role("button", name=f"Devices of {username}").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog.get_by_role("table", name="Assigned devices")).to_contain_text(device_name)
    # One tap only asks: the meter stays assigned until the choice is confirmed.
    dialog.get_by_role("button", name=f"Unassign {device_name}").click()
    confirm = dialog.get_by_role("group", name=f"Unassign {device_name}?")
    expect(confirm).to_be_visible()
    device = next(
        d
        for d in stack.call("GET", "/function/devices", token=stack.admin_token).json()
        if d["name"] == device_name
    )
    assert device["owner_id"] is not None
    confirm.get_by_role("button", name="Keep").click()
    expect(dialog.get_by_role("table", name="Assigned devices")).to_contain_text(device_name)
    dialog.get_by_role("button", name=f"Unassign {device_name}").click()
    confirm.get_by_role("button", name="Unassign", exact=True).click()
    expect(dialog.get_by_text("No devices assigned.")).to_be_visible()
    choose(dialog, "Assign a free device", device_name)
    dialog.get_by_role("button", name="Assign", exact=True).click()
    expect(dialog.get_by_role("table", name="Assigned devices")).to_contain_text(device_name)

    client = open_page()
    sign_in(client, username, "client-password-1")
    row = client.get_by_test_id("device-row").filter(has_text=device_name)
    expect(row).to_be_visible()
    expect(row).to_contain_text("2.5 kWh")

    phone = open_page({"width": 390, "height": 844})
    sign_in(phone, username, "client-password-1")
    expect(phone.get_by_test_id("device-row").filter(has_text=device_name)).to_be_visible()
    expect(phone.get_by_role("button", name="Toggle navigation")).to_be_visible()
