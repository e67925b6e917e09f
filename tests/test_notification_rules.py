"""The notifications' pure rules: where a webhook may point, quiet hours, the signature."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, time

import pytest

from faas_ems.notifications import destinations, quiet_hours, webhooks
from faas_ems.runtime import settings
from tests.webhook_receiver import WebhookReceiver


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/ems",
        "https://93.184.216.34:8443/x?y=1",
        "https://[2606:4700::1]/",
    ],
)
def test_public_https_urls_are_taken(url):
    assert destinations.url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://hooks.example.com/ems", "must be https://"),
        ("https://127.0.0.1/ems", "does not send to"),  # loopback only where allowed
        ("http://localhost:8123/api/webhook/x", "does not send to"),
        ("https://192.168.1.10/hook", "does not send to"),
        ("https://[::ffff:10.0.0.1]/hook", "does not send to"),
        ("https://[fe80::1]/hook", "does not send to"),
        ("https://0.0.0.0/hook", "does not send to"),
        ("https://a:b@example.com/", "credentials"),
        ("https://example.com/#x", "fragment"),
        ("https://example.com:99999/", "not a valid URL"),
        ("mailto:me@example.com", "https:// URL with a host"),
    ],
)
def test_urls_that_reach_inside_or_are_unclear_are_refused(url, problem):
    assert problem in (destinations.url_problem(url) or "")


def test_allowed_networks_open_loopback_and_plain_http_to_it(monkeypatch):
    monkeypatch.setenv("NOTIFY_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8, 10.9.0.0/16")
    settings.load(settings.FunctionSettings)
    try:
        assert destinations.url_problem("http://127.0.0.1:9000/hook") is None
        assert destinations.url_problem("http://localhost:9000/hook") is None
        assert destinations.address_allowed("10.9.3.4")
        assert not destinations.address_allowed("10.8.3.4")
        assert "must be https://" in destinations.url_problem("http://10.9.3.4/hook")
    finally:
        monkeypatch.delenv("NOTIFY_WEBHOOK_ALLOWED_NETWORKS")
        settings.load(settings.FunctionSettings)


@pytest.mark.parametrize(
    ("start", "end", "utc_moment", "zone", "quiet"),
    [
        (time(22), time(7), "2026-06-01T20:30:00", "Europe/Bucharest", True),  # 23:30 local
        (time(22), time(7), "2026-06-01T03:59:00", "Europe/Bucharest", True),  # 06:59
        (time(22), time(7), "2026-06-01T04:00:00", "Europe/Bucharest", False),  # 07:00
        (time(22), time(7), "2026-06-01T18:59:00", "Europe/Bucharest", False),  # 21:59
        # 12:00 UTC is inside 09:00-17:00, but it is 08:00 in New York
        (time(9), time(17), "2026-06-01T12:00:00", "America/New_York", False),
        # Spring forward (29 March 2026, 03:00 -> 04:00 in Bucharest): 04:30 local is quiet
        (time(2), time(5), "2026-03-29T01:30:00", "Europe/Bucharest", True),
        # Fall back (25 October 2026): 03:30 comes twice, both inside 02:00-04:00
        (time(2), time(4), "2026-10-25T00:30:00", "Europe/Bucharest", True),
        (time(2), time(4), "2026-10-25T01:30:00", "Europe/Bucharest", True),
        (time(2), time(4), "2026-10-25T02:30:00", "Europe/Bucharest", False),  # 04:30
    ],
)
def test_quiet_hours_are_read_on_the_user_s_wall_clock(start, end, utc_moment, zone, quiet):
    moment = datetime.fromisoformat(utc_moment).replace(tzinfo=UTC)
    assert quiet_hours.is_quiet(start, end, zone, moment) is quiet


def test_quiet_hours_hold_back_all_but_far_over_limit():
    night = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)
    held = {
        s
        for s in ("warning", "over_limit", "far_over_limit")
        if quiet_hours.held_back(s, time(22), time(6), "UTC", night)
    }
    assert held == {"warning", "over_limit"}


def test_the_signature_covers_the_timestamp_and_the_body():
    body, stamp = b'{"id":"n1"}', "1764000000"
    expected = hmac.new(b"whsec_k", b"1764000000." + body, hashlib.sha256).hexdigest()
    assert webhooks.signature("whsec_k", stamp, body) == "sha256=" + expected
    assert webhooks.signature("whsec_k", "1764000001", body) != "sha256=" + expected


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_delivery_to_an_inside_address_is_refused_before_anything_is_sent(host):
    """Checked on the connected socket: a name resolving inside is caught as well."""
    settings.load(settings.FunctionSettings)  # no allowed networks
    with WebhookReceiver() as receiver:
        url = receiver.url.replace("127.0.0.1", host)
        with pytest.raises(webhooks.AddressRefused, match="an address not sent to"):
            webhooks.deliver(url, "whsec_k", {"id": "n1"}, "n1")
        assert receiver.calls == []


def test_a_delivery_where_allowed_arrives_signed(monkeypatch):
    monkeypatch.setenv("NOTIFY_WEBHOOK_ALLOWED_NETWORKS", "127.0.0.0/8")
    settings.load(settings.FunctionSettings)
    try:
        with WebhookReceiver(status=200) as receiver:
            assert webhooks.deliver(receiver.url, "whsec_k", {"id": "n2"}, "n2") == 200
            (call,) = receiver.calls
        stamp = call.headers["X-EMS-Timestamp"]
        assert call.headers["X-EMS-Signature"] == webhooks.signature("whsec_k", stamp, call.body)
        assert call.headers["X-EMS-Delivery"] == "n2"
    finally:
        monkeypatch.delenv("NOTIFY_WEBHOOK_ALLOWED_NETWORKS")
        settings.load(settings.FunctionSettings)
