"""How long a client waits for the support bot: message stored to answer published.

    .venv/bin/python -m tests.benchmarks.bench_support [--clients 10] [--messages 5]

A whole stack (``ems up``) with the local fake of Gemini. Each client owns one
meter; their messages alternate between a rule with real figures ("how much
today?", which calls identity, inventory and monitoring through the gateway), a
fixed rule ("help") and a question for the LLM (the fake answers at once, so
that figure is our own overhead, not Gemini's). The clock runs from the hub's
``POST /function/conversations/messages`` to the ``chat.reply`` event on a
queue of our own, through RabbitMQ, the connector and chat-reply.
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pika

from tests.fakes.gemini import FakeGemini
from tests.harness import TestStack

QUESTIONS = {
    "figures": "how much did I use today?",
    "fixed": "help",
    "llm": "what does a kilowatt-hour mean?",
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Replies:
    """When each chat.reply arrived, by conversation, recorded by a thread of its own."""

    def __init__(self, stack: TestStack):
        self.connection = pika.BlockingConnection(pika.URLParameters(stack.amqp_url))
        channel = self.connection.channel()
        channel.exchange_declare("ems", "topic", durable=True)
        queue = channel.queue_declare("", exclusive=True).method.queue
        channel.queue_bind(queue, "ems", routing_key="chat.reply")
        channel.basic_consume(queue, self._arrived, auto_ack=True)
        self.arrived: dict[str, float] = {}
        self.answered_by: Counter = Counter()
        self.condition = threading.Condition()
        threading.Thread(target=channel.start_consuming, daemon=True).start()

    def _arrived(self, channel, method, properties, body) -> None:
        event = json.loads(body)
        with self.condition:
            self.arrived[event["data"]["conversation"]["id"]] = time.monotonic()
            self.answered_by[event["data"]["message"]["sender"]["name"]] += 1
            self.condition.notify_all()

    def wait(self, conversation_id: str, timeout: float = 30) -> float:
        """When the answer in this conversation arrived (one answer per round each)."""
        with self.condition:
            if not self.condition.wait_for(lambda: conversation_id in self.arrived, timeout):
                raise TimeoutError(f"no answer; answers so far: {dict(self.answered_by)}")
            return self.arrived.pop(conversation_id)


def ask(stack: TestStack, user: dict, text: str) -> tuple[str, float]:
    started = time.monotonic()
    response = stack.call(
        "POST",
        "/function/conversations/messages",
        json={"user": {k: user[k] for k in ("id", "role", "name")}, "text": text},
        headers=stack.internal_headers,
    )
    response.raise_for_status()
    return response.json()["conversation"]["id"], started


def run(clients: int, messages: int) -> None:
    fake = FakeGemini().start()
    stack = TestStack({"GEMINI_BASE_URL": fake.url, "GEMINI_API_KEY": "bench"})
    try:
        print("starting the stack ...", flush=True)
        stack.start()
        users = []
        for n in range(clients):
            user, _ = stack.create_user()
            device = stack.create_device()
            stack.call(
                "POST",
                "/function/device-assign",
                token=stack.admin_token,
                json={"device_id": device["id"], "user_id": user["id"]},
            ).raise_for_status()
            users.append(user)
            print(f"\rclients ready: {n + 1}/{clients}", end="", flush=True)
        print()
        replies = Replies(stack)
        waits: dict[str, list[float]] = {kind: [] for kind in QUESTIONS}
        kinds = list(QUESTIONS)
        total = clients * messages
        done = 0
        for round_ in range(messages):
            kind = kinds[round_ % len(kinds)]
            with ThreadPoolExecutor(8) as pool:
                sent = list(pool.map(ask, [stack] * clients, users, [QUESTIONS[kind]] * clients))
            for conversation_id, started in sent:
                waits[kind].append(replies.wait(conversation_id) - started)
                done += 1
            print(f"\ranswered {done}/{total}", end="", flush=True)
        print()
        print("answered by:", dict(replies.answered_by))
        for kind, values in waits.items():
            if values:
                print(
                    f"{kind:8s} n={len(values):4d}  p50 {percentile(values, 0.5) * 1000:7.1f} ms"
                    f"  p99 {percentile(values, 0.99) * 1000:7.1f} ms"
                    f"  mean {statistics.mean(values) * 1000:7.1f} ms"
                )
    except TimeoutError:
        print(stack.logs("chat-reply", tail=400))
        raise
    finally:
        stack.stop()
        fake.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--messages", type=int, default=6, help="messages per client")
    args = parser.parse_args()
    run(args.clients, args.messages)


if __name__ == "__main__":
    main()
