"""The support chat over the real stack: conversations, the rule bot, Gemini, handoff.

Messages are written the way the socket hub writes them (the internal
``POST /function/conversations/messages`` with the user it verified); answers
are read back through the public history and the events on the stack's vhost.
Only Gemini is faked (``tests/fakes/gemini.py``, switched per test).
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pika
import pytest

from tests.harness import in_parallel, wait_for

WAIT = 20.0
AI_NAME = "Assistant (AI)"
BOT_NAME = "EMS bot"


@pytest.fixture(autouse=True)
def fresh_gemini(gemini):
    gemini.reset()
    yield gemini


@pytest.fixture(scope="module")
def chat_events(stack):
    """Every chat.* event published during this module, from a queue of our own."""
    connection = pika.BlockingConnection(pika.URLParameters(stack.amqp_url + "?heartbeat=0"))
    channel = connection.channel()
    channel.exchange_declare("ems", "topic", durable=True)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, "ems", routing_key="chat.*")
    seen: list[dict] = []

    def find(predicate, timeout: float = WAIT) -> dict:
        def look():
            while True:
                method, _, body = channel.basic_get(queue, auto_ack=True)
                if method is None:
                    break
                seen.append(json.loads(body))
            return next((event for event in seen if predicate(event)), None)

        return wait_for(look, timeout=timeout, message="no such chat event")

    yield find
    connection.close()


# helpers ---------------------------------------------------------------------------


def sender(user: dict) -> dict:
    return {"id": user["id"], "role": user["role"], "name": user["name"]}


def send(stack, user: dict, text: str, conversation_id: str | None = None, expect: int = 201):
    """Write as the hub does for a verified user; return the answer's body."""
    body = {"user": sender(user), "text": text}
    if conversation_id is not None:
        body["conversation_id"] = conversation_id
    response = stack.call(
        "POST", "/function/conversations/messages", json=body, headers=stack.internal_headers
    )
    assert response.status_code == expect, response.text
    return response.json()


def history(stack, token: str, conversation_id: str) -> list[dict]:
    response = stack.call("GET", f"/function/conversations/{conversation_id}/messages", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def reply_to(stack, token: str, posted: dict) -> dict:
    """The bot's answer to a message just posted (the first bot message after it)."""
    conversation_id, message_id = posted["conversation"]["id"], posted["message"]["id"]

    def answered():
        messages = history(stack, token, conversation_id)
        ids = [m["id"] for m in messages]
        later = messages[ids.index(message_id) + 1 :]
        return next((m for m in later if m["sender"]["role"] == "bot"), None)

    return wait_for(answered, timeout=WAIT, message=f"no answer to {posted['message']['text']!r}")


def ask(stack, user: dict, token: str, text: str) -> dict:
    return reply_to(stack, token, send(stack, user, text))


def conversation(stack, token: str, conversation_id: str) -> dict:
    response = stack.call("GET", f"/function/conversations/{conversation_id}", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def deliver_again(stack, posted: dict) -> list[str]:
    """Hand chat-reply the message's event once more, as a redelivering connector would."""
    envelope = {
        "id": str(uuid.uuid4()),
        "type": "chat.message",
        "occurred_at": datetime.now(UTC).isoformat(),
        "data": {"message": posted["message"], "conversation": posted["conversation"]},
    }
    response = stack.call(
        "POST", "/function/chat-reply", json=envelope, headers=stack.internal_headers
    )
    assert response.status_code == 200, response.text
    return response.json()["outcomes"]


@pytest.fixture
def client(stack):
    user, token = stack.create_user(timezone="UTC")
    return user, token


def admin_user(stack) -> dict:
    response = stack.call("GET", "/function/users/me", token=stack.admin_token)
    assert response.status_code == 200, response.text
    return response.json()


# the rule bot ----------------------------------------------------------------------


def test_a_greeting_gets_the_rule_bot_and_this_is_not_hi(stack, client, gemini, chat_events):
    user, token = client
    greeting = ask(stack, user, token, "Hi!")
    assert greeting["sender"] == {"id": "bot", "role": "bot", "name": BOT_NAME}
    assert greeting["text"].startswith("Hello!")
    assert gemini.requests == []
    event = chat_events(
        lambda e: e["type"] == "chat.reply" and e["data"]["message"]["id"] == greeting["id"]
    )
    assert event["data"]["conversation"]["user_id"] == user["id"]

    gemini.behave("answer", "It is your support chat.")
    answer = ask(stack, user, token, "what is this")
    assert answer["sender"]["name"] == AI_NAME, "'this' must not match the greeting 'hi'"
    assert answer["text"] == "It is your support chat."


def test_rules_about_devices_and_limits_answer_with_the_users_figures(stack, client, gemini):
    user, token = client
    kitchen = stack.monitored_device(
        user["id"], name=f"Kitchen {uuid.uuid4().hex[:4]}", max_hourly_kwh=2.5
    )
    someone_elses = stack.create_device(name=f"Other {uuid.uuid4().hex[:4]}")

    devices = ask(stack, user, token, "Which meters do I have?")
    assert devices["sender"]["name"] == BOT_NAME
    assert kitchen["name"] in devices["text"]
    assert someone_elses["name"] not in devices["text"]

    limits = ask(stack, user, token, "what is my limit?")
    assert f"{kitchen['name']} 2.50 kWh per hour" in limits["text"]

    assert "Profile page" in ask(stack, user, token, "How do I change my password?")["text"]
    assert "does not send bills" in ask(stack, user, token, "my invoice looks wrong")["text"]
    assert "each bar is one hour" in ask(stack, user, token, "how do the charts work")["text"]
    assert ask(stack, user, token, "thanks!")["text"].startswith("You're welcome")
    assert ask(stack, user, token, "bye")["text"].startswith("Goodbye")
    assert gemini.requests == [], "every one of those is a rule's question"


def test_a_client_without_meters_is_told_so(stack, client):
    user, token = client
    answer = ask(stack, user, token, "how much did I use today?")
    assert "No meter is assigned to you yet" in answer["text"]


def _publish_readings(stack, device_id: str, when: datetime, kwh: list[float]) -> None:
    stack.publish(
        "meter.reading",
        [
            {
                "timestamp": (when + timedelta(minutes=10 * i)).isoformat(),
                "device_id": device_id,
                "measurement_value": value,
            }
            for i, value in enumerate(kwh)
        ],
    )


def _day_total(stack, token: str, device_id: str, day) -> float:
    response = stack.call(
        "GET", f"/function/consumption?device_id={device_id}&date={day.isoformat()}", token=token
    )
    return response.json().get("total_kwh", 0) if response.status_code == 200 else 0


def test_todays_and_yesterdays_consumption_come_from_monitoring(stack, client):
    user, token = client
    device = stack.monitored_device(
        user["id"], name=f"Heat pump {uuid.uuid4().hex[:4]}", max_hourly_kwh=50
    )
    now = datetime.now(UTC)
    today_start = now.replace(hour=0, minute=5, second=0, microsecond=0)
    yesterday_noon = (now - timedelta(days=1)).replace(hour=12, minute=5, second=0, microsecond=0)
    _publish_readings(stack, device["id"], today_start, [0.5, 0.25, 0.5])
    _publish_readings(stack, device["id"], yesterday_noon, [1.5, 2.0])
    wait_for(lambda: _day_total(stack, token, device["id"], now.date()) == 1.25, timeout=WAIT)
    yesterday = (now - timedelta(days=1)).date()
    wait_for(lambda: _day_total(stack, token, device["id"], yesterday) == 3.5, timeout=WAIT)

    today = ask(stack, user, token, "How much have I consumed today?")
    assert f"{device['name']} 1.25 kWh" in today["text"]
    earlier = ask(stack, user, token, "and yesterday?")
    assert f"Yesterday ({yesterday.isoformat()})" in earlier["text"]
    assert f"{device['name']} 3.50 kWh" in earlier["text"]


def test_the_bot_reads_a_clients_figures_in_one_internal_call(stack, client):
    """chat-reply holds no jwt-secret: it asks monitoring, with the internal token, once."""
    user, token = client
    device = stack.monitored_device(user["id"], name=f"Oven {uuid.uuid4().hex[:4]}")
    path = f"/function/consumption/clients/{user['id']}/figures"
    as_client = stack.call("GET", path, token=token)
    assert as_client.status_code == 403
    figures = stack.call("GET", path + "?tz=Europe/Bucharest", headers=stack.internal_headers)
    assert figures.status_code == 200, figures.text
    assert [d["id"] for d in figures.json()["devices"]] == [device["id"]]
    assert figures.json()["timezone"] == "Europe/Bucharest"

    answer = ask(stack, user, token, "how much did I use yesterday?")
    assert f"{device['name']} 0.00 kWh" in answer["text"]
    calls = stack.logs("consumption", tail=2000).count(f"path=/clients/{user['id']}/figures ")
    assert calls == 3, "the test's own two calls, and one for the answer"


def test_the_alerts_rule_names_the_latest_alert(stack, client):
    user, token = client
    device = stack.monitored_device(
        user["id"], name=f"Boiler {uuid.uuid4().hex[:4]}", max_hourly_kwh=1.0
    )
    assert "You have no alerts" in ask(stack, user, token, "any alerts?")["text"]
    hour = datetime.now(UTC).replace(minute=5, second=0, microsecond=0) - timedelta(hours=2)
    _publish_readings(stack, device["id"], hour, [0.75, 0.75])

    def alerts():
        return stack.call("GET", "/function/alerts", token=token).json()

    wait_for(lambda: alerts(), timeout=WAIT, message="no alert raised")
    answer = ask(stack, user, token, "why did I get an alert?")
    assert f"Your latest alert: {device['name']} used 1.50 kWh" in answer["text"]
    assert "(limit 1.00 kWh)" in answer["text"]


# Gemini and the handoff ----------------------------------------------------------------


def test_what_no_rule_knows_goes_to_gemini_with_the_users_context(stack, client, gemini):
    user, token = client
    device = stack.monitored_device(
        user["id"], name=f"Garage {uuid.uuid4().hex[:4]}", max_hourly_kwh=3
    )
    gemini.behave("answer", "A kilowatt-hour is the energy of 1 kW for one hour.")
    answer = ask(stack, user, token, "What does a kilowatt-hour mean?")
    assert answer["sender"] == {"id": "assistant", "role": "bot", "name": AI_NAME}
    assert answer["text"] == "A kilowatt-hour is the energy of 1 kW for one hour."
    (request,) = gemini.requests
    assert request["model"] == "gemini-2.5-flash"
    assert request["api_key"] == "test-gemini-key"
    assert request["body"]["contents"][-1]["parts"][0]["text"] == "What does a kilowatt-hour mean?"
    prompt = request["body"]["systemInstruction"]["parts"][0]["text"]
    assert device["name"] in prompt and "hourly limit 3" in prompt
    assert conversation(stack, token, answer["conversation_id"])["state"] == "bot"


@pytest.mark.parametrize("behaviour", ["fail", "hang", "cannot_help"])
def test_gemini_failing_timing_out_or_unable_hands_off(
    stack, client, gemini, chat_events, behaviour
):
    user, token = client
    gemini.behave(behaviour)
    posted = send(stack, user, "Can you explain the spike on my street last week?")
    answer = reply_to(stack, token, posted)
    assert answer["sender"]["name"] == BOT_NAME
    assert "administrator" in answer["text"]
    conversation_id = posted["conversation"]["id"]
    assert conversation(stack, token, conversation_id)["state"] == "waiting"
    state = chat_events(
        lambda e: e["type"] == "chat.state" and e["data"]["conversation_id"] == conversation_id
    )
    assert state["data"] == {
        "conversation_id": conversation_id,
        "state": "waiting",
        "user_id": user["id"],
    }
    assert len(gemini.requests) == 1


def test_asking_for_a_human_hands_off_without_gemini(stack, client, gemini):
    user, token = client
    answer = ask(stack, user, token, "hello, I want to talk to a human please")
    assert answer["text"].startswith("I'm handing you over to an administrator")
    assert conversation(stack, token, answer["conversation_id"])["state"] == "waiting"
    assert gemini.requests == []

    later = send(stack, user, "hello?")
    assert deliver_again(stack, later) == ["quiet: the conversation is waiting"]


def test_each_message_is_answered_once_even_when_redelivered(stack, client):
    user, token = client
    posted = send(stack, user, "help")
    first = reply_to(stack, token, posted)
    assert deliver_again(stack, posted) == ["already answered"]
    answers = [
        m for m in history(stack, token, first["conversation_id"]) if m["sender"]["role"] == "bot"
    ]
    assert [m["id"] for m in answers] == [first["id"]]


# administrators ----------------------------------------------------------------------


def test_an_administrator_takes_over_replies_and_resolves(stack, client, chat_events):
    user, token = client
    admin = admin_user(stack)
    handed = ask(stack, user, token, "I need an operator")
    conversation_id = handed["conversation_id"]

    inbox = stack.call("GET", "/function/conversations", token=stack.admin_token).json()
    assert inbox[0]["state"] == "waiting", "waiting conversations come first"
    found = stack.call(
        "GET", "/function/conversations", token=stack.admin_token, params={"q": user["name"]}
    ).json()
    mine = next(c for c in found if c["id"] == conversation_id)
    assert mine["user_name"] == user["name"] and mine["last_message"]["id"] == handed["id"]

    taken = stack.call(
        "POST", f"/function/conversations/{conversation_id}/take", token=stack.admin_token
    )
    assert taken.status_code == 200, taken.text
    assert taken.json()["state"] == "human" and taken.json()["assigned_admin_id"] == admin["id"]
    chat_events(
        lambda e: (
            e["type"] == "chat.state"
            and e["data"]
            == {"conversation_id": conversation_id, "state": "human", "user_id": user["id"]}
        )
    )

    question = send(stack, user, "hi")
    assert deliver_again(stack, question) == ["quiet: the conversation is human"]

    reply = send(stack, admin, "Hello, I am looking at it now.", conversation_id)
    assert reply["message"]["sender"] == sender(admin)
    seen = history(stack, token, conversation_id)
    assert seen[-1]["text"] == "Hello, I am looking at it now."
    assert [m for m in seen if m["sender"]["role"] == "bot"] == [handed], "the bot stayed quiet"
    chat_events(
        lambda e: (
            e["type"] == "chat.message" and e["data"]["message"]["id"] == reply["message"]["id"]
        )
    )

    resolved = stack.call(
        "POST", f"/function/conversations/{conversation_id}/resolve", token=stack.admin_token
    )
    assert resolved.status_code == 200 and resolved.json()["state"] == "resolved"
    back = ask(stack, user, token, "thanks")
    assert back["sender"]["name"] == BOT_NAME, "the bot is back after resolve"
    assert conversation(stack, token, conversation_id)["state"] == "bot"


def test_an_administrator_writing_in_a_waiting_conversation_takes_it(stack, client):
    user, token = client
    admin = admin_user(stack)
    conversation_id = ask(stack, user, token, "talk to a person")["conversation_id"]
    send(stack, admin, "I'm here.", conversation_id)
    taken = conversation(stack, token, conversation_id)
    assert taken["state"] == "human" and taken["assigned_admin_id"] == admin["id"]


def test_a_client_writing_too_fast_is_slowed_down_but_an_administrator_is_not(stack, client):
    user, token = client
    first = send(stack, user, "talk to a human")  # the bot goes quiet: no answers to wait for
    conversation_id = first["conversation"]["id"]
    for number in range(2, 21):
        send(stack, user, f"message {number}", conversation_id)
    body = {"user": sender(user), "text": "one too many", "conversation_id": conversation_id}
    refused = stack.call(
        "POST", "/function/conversations/messages", json=body, headers=stack.internal_headers
    )
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "too_many_messages"
    assert int(refused.headers["Retry-After"]) > 0
    texts = [message["text"] for message in history(stack, token, conversation_id)]
    assert "one too many" not in texts and "message 20" in texts
    send(stack, admin_user(stack), "I am here.", conversation_id)


def test_parallel_messages_from_one_client_store_exactly_the_minutes_allowance(stack, client):
    user, token = client
    first = send(stack, user, "talk to a human")  # the first of the 20; the bot goes quiet
    conversation_id = first["conversation"]["id"]
    hub = stack.from_address("127.0.0.70")

    def post(number: int):
        body = {"user": sender(user), "text": f"burst {number}", "conversation_id": conversation_id}
        return stack.call(
            "POST",
            "/function/conversations/messages",
            json=body,
            headers=stack.internal_headers,
            session=hub,
        )

    answers = in_parallel(40, post)
    assert Counter(a.status_code for a in answers) == {201: 19, 429: 21}
    for refused in (a for a in answers if a.status_code == 429):
        assert int(refused.headers["Retry-After"]) > 0
    texts = [message["text"] for message in history(stack, token, conversation_id)]
    assert len([text for text in texts if text.startswith("burst ")]) == 19


def test_read_receipts_are_stored_for_the_other_side_only(stack, client):
    user, token = client
    admin = admin_user(stack)
    first = send(stack, user, "talk to a human")
    conversation_id = first["conversation"]["id"]
    handoff = reply_to(stack, token, first)
    second = send(stack, user, "still there?")
    reply = send(stack, admin, "Yes.", conversation_id)["message"]

    def read(reader, message_id, expect=200):
        response = stack.call(
            "POST",
            "/function/conversations/read",
            json={"user": sender(reader), "message_id": message_id},
            headers=stack.internal_headers,
        )
        assert response.status_code == expect, response.text
        return response.json()

    def unread(token_of_reader) -> int:
        listed = stack.call(
            "GET", "/function/conversations", token=token_of_reader, params={"limit": 500}
        )
        return next(c["unread"] for c in listed.json() if c["id"] == conversation_id)

    # the client has the handoff and the reply to read, the administrators two questions
    assert (unread(token), unread(stack.admin_token)) == (2, 2)
    receipt = read(user, reply["id"])
    assert (unread(token), unread(stack.admin_token)) == (0, 2)
    assert receipt["conversation_id"] == conversation_id and receipt["reader_id"] == user["id"]
    assert receipt["read_at"] is not None and receipt["conversation"]["user_id"] == user["id"]
    assert read(user, reply["id"])["read_at"] == receipt["read_at"], "reading twice changes nothing"
    stored = {m["id"]: m["read_at"] for m in history(stack, token, conversation_id)}
    assert stored[handoff["id"]] is not None, "the earlier bot message is read too"
    assert stored[first["message"]["id"]] is None and stored[second["message"]["id"]] is None

    assert read(user, second["message"]["id"], 422)["error"]["code"] == "own_message"
    read(admin, second["message"]["id"])
    stored = {m["id"]: m["read_at"] for m in history(stack, token, conversation_id)}
    assert (
        stored[first["message"]["id"]] is not None and stored[second["message"]["id"]] is not None
    )
    assert unread(stack.admin_token) == 0

    stranger, _ = stack.create_user()
    assert read(stranger, reply["id"], 404)["error"]["code"] == "not_found"
    assert read(user, str(uuid.uuid4()), 404)["error"]["code"] == "not_found"


# who may do what -------------------------------------------------------------------------


def test_a_client_cannot_read_or_write_another_clients_conversation(stack, client):
    user, token = client
    other, other_token = stack.create_user()
    posted = send(stack, user, "help")
    conversation_id = posted["conversation"]["id"]
    base = f"/function/conversations/{conversation_id}"

    assert stack.call("GET", base + "/messages", token=other_token).status_code == 404
    assert stack.call("GET", base, token=other_token).status_code == 404
    refused = send(stack, other, "let me in", conversation_id, expect=404)
    assert refused["error"]["code"] == "not_found"
    for action in ("take", "resolve"):
        answer = stack.call("POST", f"{base}/{action}", token=other_token)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    listed = stack.call("GET", "/function/conversations", token=other_token).json()
    assert conversation_id not in [c["id"] for c in listed]
    assert [m["text"] for m in history(stack, token, conversation_id)][:1] == ["help"]


def test_bad_input_is_refused_and_changes_nothing(stack, client):
    user, token = client
    posted = send(stack, user, "help")
    conversation_id = posted["conversation"]["id"]
    reply_to(stack, token, posted)  # the bot has answered: nothing else is on its way
    before = history(stack, token, conversation_id)
    url = "/function/conversations/messages"

    def post(body, headers=stack.internal_headers, data=None):
        return stack.call("POST", url, json=None if data else body, data=data, headers=headers)

    cases = [
        (post({"user": sender(user), "text": "   "}), 422, "validation_failed"),
        (post({"user": sender(user), "text": "x" * 2001}), 422, "validation_failed"),
        (
            post({"user": sender(user), "text": "hi", "conversation_id": str(uuid.uuid4())}),
            404,
            "not_found",
        ),
        (post({"user": {**sender(user), "role": "bot"}, "text": "hi"}), 422, "validation_failed"),
        (post({"text": "hi"}), 422, "validation_failed"),
        (post({"user": sender(user), "text": "hi"}, headers={}), 403, "forbidden"),
        (post(None, data=b"{not json"), 400, "bad_json"),
        (post({"user": sender(admin_user(stack)), "text": "hi"}), 422, "validation_failed"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code
    assert history(stack, token, conversation_id) == before

    assert stack.call("GET", "/function/conversations").status_code == 401
    assert stack.call("GET", "/function/conversations?state=nope", token=token).status_code == 422
    unknown = stack.call("GET", f"/function/conversations/{uuid.uuid4()}/messages", token=token)
    assert unknown.status_code == 404
    not_internal = stack.call("POST", "/function/chat-reply", json={"data": {}})
    assert not_internal.status_code == 403
    malformed = stack.call(
        "POST", "/function/chat-reply", json={"data": {}}, headers=stack.internal_headers
    )
    assert malformed.status_code == 422


def test_the_hub_reads_one_conversation_with_the_internal_token(stack, client):
    user, _ = client
    conversation_id = send(stack, user, "help")["conversation"]["id"]
    response = stack.call(
        "GET", f"/function/conversations/{conversation_id}", headers=stack.internal_headers
    )
    assert response.status_code == 200 and response.json()["user_id"] == user["id"]
    assert stack.call("GET", f"/function/conversations/{conversation_id}").status_code == 401


def test_a_deleted_client_leaves_no_conversation_behind(stack, client):
    user, _ = client
    conversation_id = send(stack, user, "help")["conversation"]["id"]
    deleted = stack.call("DELETE", f"/function/users/{user['id']}", token=stack.admin_token)
    assert deleted.status_code == 204, deleted.text

    def gone():
        response = stack.call(
            "GET", f"/function/conversations/{conversation_id}", headers=stack.internal_headers
        )
        return response.status_code == 404

    wait_for(gone, timeout=WAIT, message="support-sync did not remove the conversation")
    with stack.db("support") as db:
        left = db.execute(
            "SELECT count(*) FROM messages WHERE conversation_id = %s", [conversation_id]
        ).fetchone()
    assert left == (0,)


def test_a_deleted_administrators_conversations_wait_for_another(stack, client):
    user, token = client
    helper, _ = stack.create_user(role="admin")
    conversation_id = send(stack, user, "help")["conversation"]["id"]
    reply = send(stack, helper, "On it.", conversation_id)["message"]
    assert conversation(stack, token, conversation_id)["assigned_admin_id"] == helper["id"]
    deleted = stack.call("DELETE", f"/function/users/{helper['id']}", token=stack.admin_token)
    assert deleted.status_code == 204, deleted.text

    released = wait_for(
        lambda: (c := conversation(stack, token, conversation_id))["state"] == "waiting" and c,
        timeout=WAIT,
        message="support-sync did not release the conversation",
    )
    assert released["assigned_admin_id"] is None
    kept = next(m for m in history(stack, token, conversation_id) if m["id"] == reply["id"])
    assert kept["text"] == "On it."
    assert kept["sender"] == {"id": "deleted", "role": "admin", "name": "Former administrator"}
