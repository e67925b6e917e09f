"""Notifications: how soon an alert reaches e-mail and webhooks, and that the live alert
does not wait for a slow receiver.

    .venv/bin/python -m tests.benchmarks.bench_notifications [--alerts 200] [--users 20]
        [--slow 10] [--slow-seconds 4]

A whole ``ems up`` with a real SMTP server (aiosmtpd) and a real HTTP receiver on
loopback. Half the users take over-limit alerts by e-mail, half by webhook; ``--alerts``
``alert.raised`` events are published at once, round robin, and the clock runs from each
publish to the message or call arriving (RabbitMQ, the connector, the gateway, notify,
PostgreSQL, SMTP or HTTP). Then ``--slow`` alerts go to a user whose receiver takes
``--slow-seconds`` to answer each call, with that user's browser connected to the hub:
the live alert's latency is printed beside the webhook's.
"""

from __future__ import annotations

import argparse
import json
import time

from tests.harness import TestStack, wait_for
from tests.mailbox import Mailbox
from tests.test_hub import Browser
from tests.test_notifications import alert_event, preferences
from tests.webhook_receiver import WebhookReceiver


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(name: str, latencies_ms: list[float]) -> str:
    return (
        f"{name}: {len(latencies_ms)} deliveries, p50 {percentile(latencies_ms, 0.5):.0f} ms, "
        f"p95 {percentile(latencies_ms, 0.95):.0f} ms, max {max(latencies_ms):.0f} ms"
    )


def user_with(stack: TestStack, **choice) -> tuple[dict, str]:
    user, token = stack.create_user()
    wait_for(lambda: preferences(stack, token)["email"] == user["email"], timeout=30)
    response = stack.call("PUT", "/function/notifications/preferences", token=token, json=choice)
    assert response.status_code == 200, response.text
    return user, token


def publish_all(stack: TestStack, events: list[dict]) -> dict[str, float]:
    """Publish every event on one channel; when each went out, by alert id."""
    sent = {}
    with stack.amqp() as connection:
        channel = connection.channel()
        channel.confirm_delivery()
        for event in events:
            channel.basic_publish("ems", event["type"], json.dumps(event).encode())
            sent[event["data"]["id"]] = time.monotonic()
    return sent


def run(alerts: int, users: int, slow: int, slow_seconds: float) -> None:
    mailbox = Mailbox().start()
    settings = {**mailbox.settings, "NOTIFY_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8"}
    stack = TestStack(settings).start()
    try:
        with WebhookReceiver() as fast, WebhookReceiver(delay=slow_seconds) as slow_hook:
            mailed = [user_with(stack, channels={"over_limit": "email"}) for _ in range(users // 2)]
            hooked = [
                user_with(stack, channels={"over_limit": "webhook"}, webhook_url=fast.url)
                for _ in range(users - users // 2)
            ]
            everyone = [user for user, _ in mailed + hooked]
            events = [alert_event(everyone[n % len(everyone)]["id"]) for n in range(alerts)]
            print(f"{alerts} alerts to {users} users (half e-mail, half webhook)")
            began = time.monotonic()
            sent = publish_all(stack, events)

            def arrived() -> dict[str, float]:
                calls = {json.loads(c.body)["alert"]["id"]: c.at for c in list(fast.calls)}
                return {**mailbox.arrivals(), **calls}

            wait_for(lambda: len(arrived()) >= alerts, timeout=300, interval=0.05)
            done = arrived()
            took = max(done.values()) - began
            mails = [(done[i] - sent[i]) * 1000 for i in sent if i in mailbox.arrivals()]
            hooks = [(done[i] - sent[i]) * 1000 for i in sent if i not in mailbox.arrivals()]
            print(summary("  e-mail ", mails))
            print(summary("  webhook", hooks))
            print(f"  all {alerts} delivered in {took:.1f} s = {alerts / took:.0f} alerts/s")

            patient, token = user_with(
                stack, channels={"over_limit": "webhook"}, webhook_url=slow_hook.url
            )
            browser = Browser(stack.url, token)
            try:
                slow_events = [alert_event(patient["id"]) for _ in range(slow)]
                sent = publish_all(stack, slow_events)
                live = {}
                while not sent.keys() <= live.keys():  # in whatever order the hub sends
                    live.setdefault(browser.next("alert", timeout=60)["id"], time.monotonic())
                wait_for(lambda: len(slow_hook.calls) >= slow, timeout=600, interval=0.05)
                answered = {json.loads(c.body)["alert"]["id"]: c.at for c in slow_hook.calls}
            finally:
                browser.close()
            print(f"{slow} alerts to a receiver that takes {slow_seconds:g} s per answer:")
            print(summary("  live alert (hub)", [(live[i] - sent[i]) * 1000 for i in sent]))
            print(summary("  webhook call    ", [(answered[i] - sent[i]) * 1000 for i in sent]))
            print(f"  live alerts all in {(max(live.values()) - min(sent.values())):.2f} s")
    finally:
        stack.stop()
        mailbox.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--slow", type=int, default=10)
    parser.add_argument("--slow-seconds", type=float, default=4.0)
    args = parser.parse_args()
    run(args.alerts, max(2, args.users), args.slow, args.slow_seconds)


if __name__ == "__main__":
    main()
