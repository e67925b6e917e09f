"""A client's chat: a rule answer, a handoff to a human, and an administrator's live reply."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.ui import field, screenshot, sign_in
from tests.harness import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser


def send(page, text: str) -> None:
    field(page, "Message").fill(text)
    page.get_by_role("button", name="Send").click()


def test_a_rule_answer_then_a_handoff_then_an_administrators_reply(stack, open_page):
    name = f"Chatty {uuid.uuid4().hex[:6]}"
    user, _token = stack.create_user(name=name)
    client = open_page()
    sign_in(client, user["username"], "password-123")
    client.get_by_role("link", name="Support").click()
    messages = client.get_by_role("log", name="Messages").get_by_test_id("chat-message")

    send(client, "Hello")
    expect(messages.filter(has_text="Hello").first).to_have_attribute("data-sender-kind", "self")
    bot = messages.and_(client.locator("[data-sender-kind=bot]"))
    expect(bot).to_have_count(1)
    expect(bot).to_contain_text("EMS bot")
    expect(client.get_by_test_id("conversation-state")).to_have_text("With the bot")

    send(client, "I want to talk to a human")
    expect(bot).to_have_count(2)
    expect(client.get_by_test_id("conversation-state")).to_have_text("Waiting for a human")
    screenshot(client, "client-support-waiting")

    admin = open_page()
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Support inbox").click()
    first = admin.get_by_test_id("conversation-item").first
    expect(first).to_contain_text(name)  # waiting ones come first
    expect(first).to_contain_text("Waiting for a human")
    first.click()
    # Opening it reads the client's messages: the client's side shows them read.
    asked = messages.filter(has_text="I want to talk to a human")
    expect(asked.get_by_test_id("read-receipt")).to_have_text("✓✓ Read")
    admin.get_by_role("button", name="Take over").click()
    expect(admin.get_by_test_id("conversation-state")).to_have_text("With an administrator")
    expect(client.get_by_test_id("conversation-state")).to_have_text("With an administrator")

    # Typing shows on the other side while the administrator writes.
    field(admin, "Message").press_sequentially("Hi, ")
    expect(client.get_by_test_id("typing-indicator")).to_contain_text("is typing")
    reply = f"Hello {name}, I am looking at your meters now."
    field(admin, "Message").fill(reply)
    admin.get_by_role("button", name="Send").click()

    answer = messages.filter(has_text=reply)
    expect(answer).to_have_attribute("data-sender-kind", "admin")
    expect(answer).to_contain_text("Support team")
    expect(client.get_by_test_id("typing-indicator")).to_have_text("")
    screenshot(client, "client-support-chat")

    # The client has the reply on screen, so the administrator sees it read.
    mine = admin.get_by_test_id("chat-message").filter(has_text=reply)
    expect(mine.get_by_test_id("read-receipt")).to_have_text("✓✓ Read")
    screenshot(admin, "admin-support-inbox")
