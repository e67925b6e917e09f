"""An administrator makes a meter credential, sees its secret once, and revokes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.ui import screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser


def test_a_credential_is_made_seen_once_and_revoked(stack, open_page):
    device = stack.monitored_device(max_hourly_kwh=3)
    reading = {
        "timestamp": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "measurement_value": 0.1,
    }
    admin = open_page()
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Devices").click()
    admin.get_by_role("button", name=f"Credentials of {device['name']}").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog.get_by_text("No credentials yet")).to_be_visible()
    dialog.get_by_role("button", name="New credential").click()
    secret = dialog.get_by_test_id("new-secret").inner_text()
    username = dialog.get_by_test_id("new-username").inner_text()
    expect(dialog.get_by_role("status")).to_contain_text("shown only this once")
    row = dialog.get_by_test_id("credential-row").filter(has_text=username)
    expect(row).to_contain_text(secret[:8] + "…")
    expect(row).to_contain_text("never")
    screenshot(admin, "admin-meter-credentials")
    answer = stack.call("POST", "/function/readings", token=secret, json=reading)
    assert answer.status_code == 202, answer.text

    admin.keyboard.press("Escape")  # and open it again: no secret now
    expect(dialog).to_be_hidden()
    admin.get_by_role("button", name=f"Credentials of {device['name']}").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog.get_by_test_id("credential-row")).to_have_count(1)
    expect(dialog.get_by_test_id("new-secret")).to_have_count(0)
    expect(dialog).not_to_contain_text(secret)
    expect(dialog.get_by_test_id("credential-row")).not_to_contain_text("never")

    dialog.get_by_role("button", name=f"Revoke {username}").click()
    expect(dialog.get_by_test_id("credential-row")).to_have_count(0)
    refused = stack.call("POST", "/function/readings", token=secret, json=reading)
    assert refused.status_code == 401


def test_a_gateway_is_made_for_two_meters_posts_for_them_and_is_revoked(stack, open_page):
    first = stack.monitored_device(max_hourly_kwh=3)
    second = stack.monitored_device(max_hourly_kwh=3)
    moment = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    readings = [
        {"timestamp": moment, "device_id": device["id"], "measurement_value": 0.1}
        for device in (first, second)
    ]
    admin = open_page()
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Gateways").click()
    admin.get_by_role("button", name="New gateway").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("Name").fill("Block A P1 reader")
    picker = dialog.get_by_role("textbox", name="Devices it posts for")
    for device in (first, second):
        picker.fill(device["name"])
        admin.get_by_role("option", name=device["name"]).click()
    dialog.get_by_label("Name").click()  # away from the picker: its list closes
    dialog.get_by_role("button", name="Make credential").click()
    expect(dialog).to_be_hidden()
    expect(admin.get_by_role("status")).to_contain_text("shown only this once")
    secret = admin.get_by_test_id("new-secret").inner_text()
    row = admin.get_by_test_id("gateway-row").filter(has_text="Block A P1 reader")
    expect(row).to_contain_text(secret[:8] + "…")
    expect(row.get_by_role("cell").nth(2)).to_have_text("2")
    screenshot(admin, "admin-gateways")
    answer = stack.call("POST", "/function/readings", token=secret, json=readings)
    assert answer.json() == {"accepted": 2, "rejected": []}, answer.text

    row.get_by_role("button", name="Revoke Block A P1 reader").click()
    admin.get_by_role("dialog").get_by_role("button", name="Revoke").click()
    expect(row).to_have_count(0)
    expect(admin.get_by_test_id("new-secret")).to_have_count(0)
    refused = stack.call("POST", "/function/readings", token=secret, json=readings)
    assert refused.status_code == 401
