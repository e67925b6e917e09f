"""A client's chat: a rule answer, a handoff to a human, and an administrator's live reply."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.ui import PHONE, WIDE, field, screenshot, sign_in, within_viewport
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


def post_as(stack, user: dict, text: str) -> dict:
    """Write in the client's conversation as the hub does for them."""
    body = {"user": {"id": user["id"], "role": user["role"], "name": user["name"]}, "text": text}
    response = stack.call(
        "POST", "/function/conversations/messages", json=body, headers=stack.internal_headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_the_inbox_stays_put_marks_unread_and_shows_the_clients_meters(stack, open_page):
    """Issue 19, item 11: no reordering on take-over, unread markers, context, phone."""
    suffix = uuid.uuid4().hex[:4]
    first, _ = stack.create_user(name=f"Ines Inbox {suffix}")
    second, _ = stack.create_user(name=f"Otto Inbox {suffix}")
    meter = stack.monitored_device(first["id"], name=f"Ines's heat pump {suffix}")
    for client in (first, second):
        post_as(stack, client, "I want to talk to a human")

    admin = open_page(WIDE)
    sign_in(admin, ADMIN_USERNAME, ADMIN_PASSWORD)
    admin.get_by_role("link", name="Support inbox").click()
    items = admin.get_by_test_id("conversation-item").filter(has_text=suffix)
    expect(items).to_have_count(2)
    expect(items.and_(admin.locator("[data-unread=true]"))).to_have_count(2)
    before = [text.split(suffix)[0] for text in items.all_text_contents()]
    ines = items.filter(has_text="Ines Inbox")
    ines.click()
    expect(ines).to_have_attribute("data-unread", "false")
    expect(items.filter(has_text="Otto Inbox")).to_have_attribute("data-unread", "true")
    context = admin.get_by_test_id("client-context")
    expect(context.get_by_test_id("client-meter")).to_contain_text(meter["name"])
    expect(context.get_by_test_id("client-alerts")).to_have_text("None.")
    admin.get_by_role("button", name="Take over").click()
    expect(admin.get_by_test_id("conversation-state")).to_have_text("With an administrator")
    admin.wait_for_timeout(1_000)  # the list refetches after the take-over
    assert [text.split(suffix)[0] for text in items.all_text_contents()] == before
    screenshot(admin, "admin-support-inbox-context", full_page=False)

    phone = open_page(PHONE)
    sign_in(phone, ADMIN_USERNAME, ADMIN_PASSWORD)
    phone.goto("/admin/support")
    phone.get_by_test_id("conversation-item").filter(has_text="Otto Inbox").click()
    expect(phone.get_by_role("button", name="All conversations")).to_be_visible()
    expect(phone.get_by_test_id("conversation-item")).to_have_count(0)
    message = field(phone, "Message")
    expect(message).to_be_visible()
    assert within_viewport(phone, message), "the message box is off-screen"
    screenshot(phone, "admin-support-inbox-phone", full_page=False)


def test_a_why_question_about_a_limit_goes_to_the_assistant(stack, open_page, gemini):
    """Issue 19, item 13: the limits rule does not answer what it does not cover."""
    user, _ = stack.create_user()
    stack.monitored_device(user["id"], name=f"Heat pump {uuid.uuid4().hex[:4]}")
    gemini.behave("answer", "A heat pump draws most when it defrosts; that is normal.")
    page = open_page(WIDE)
    sign_in(page, user["username"], "password-123")
    page.get_by_role("link", name="Support").click()
    send(page, "Why is my heat pump over the limit so often? Is it broken?")
    answer = page.get_by_test_id("chat-message").filter(has_text="defrosts")
    expect(answer).to_contain_text("Assistant (AI)")
    send(page, "What are my limits?")
    limits = page.get_by_test_id("chat-message").filter(has_text="Your hourly limits")
    expect(limits).to_contain_text("EMS bot")
