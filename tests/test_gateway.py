"""``ems up``'s gateway answers like OpenFaaS's, for a function it was never told about.

The probe function exists only as a handler folder and a stack.yml entry.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import re
import signal
import subprocess
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from ems.paths import ROOT
from tests.harness import EMS_UP, wait_for


def test_functions_are_listed_with_labels_and_annotations(small_system):
    listed = small_system.system("GET", "functions").json()
    assert [f["name"] for f in listed] == ["probe"]
    probe = listed[0]
    assert probe["annotations"] == {"topic": "probe.ping", "schedule": "* * * * *"}
    assert probe["labels"]["com.openfaas.scale.min"] == "2"
    assert probe["replicas"] == probe["availableReplicas"] == 2


def test_paths_and_bodies_reach_the_handler(small_system):
    response = small_system.call(
        "POST", "/function/probe/echo", json=[{"n": 1}], headers={"X-Topic": "probe.ping"}
    )
    assert response.status_code == 200
    assert response.json() == {"received": [{"n": 1}], "path": "/echo", "topic": "probe.ping"}
    assert response.headers["X-Call-Id"]
    assert small_system.call("GET", "/function/nothing-here").status_code == 404


def test_encoded_paths_and_queries_reach_the_handler_as_sent(small_system):
    """A ``?`` or a newline in a segment stays in it; ``&`` in a value stays in the value."""
    response = small_system.call("GET", "/function/probe/echo/a%3Fb%0Ac?q=x%26y&n=1")
    assert response.status_code == 200, response.text
    assert response.json() == {"word": "a?b\nc", "query": {"q": ["x&y"], "n": ["1"]}}


def test_calls_are_spread_across_replicas(small_system):
    pids = {small_system.call("GET", "/function/probe").json()["pid"] for _ in range(20)}
    assert len(pids) == 2


def test_scaling_starts_and_retires_replicas(small_system):
    small_system.scale("probe", 3)
    pids = {small_system.call("GET", "/function/probe").json()["pid"] for _ in range(30)}
    assert len(pids) == 3
    small_system.scale("probe", 2)
    listed = small_system.system("GET", "function/probe").json()
    assert listed["replicas"] == 2


def replica_pids(stack, calls: int = 20) -> set[int]:
    responses = [stack.call("GET", "/function/probe") for _ in range(calls)]
    assert all(r.ok for r in responses), [(r.status_code, r.text) for r in responses]
    return {r.json()["pid"] for r in responses}


def described(stack) -> dict:
    return stack.system("GET", "function/probe").json()


def test_killed_replicas_are_started_again(small_system):
    """Even the last one: the function comes back without being scaled by hand."""
    killed = replica_pids(small_system)
    assert len(killed) == 2
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: described(small_system)["availableReplicas"] == 0, timeout=10)

    def back():
        listing = described(small_system)
        return listing["availableReplicas"] == 2 and listing["replicas"] == 2

    wait_for(back, timeout=30, message="two live replicas again")
    again = replica_pids(small_system)
    assert len(again) == 2
    assert not again & killed
    assert "probe-0 exited (status -9)" in small_system.logs(tail=200)


def test_scaling_counts_live_replicas(small_system):
    [first, *_] = replica_pids(small_system)
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: described(small_system)["availableReplicas"] < 2 or None, timeout=10)
    small_system.scale("probe", 2)  # at once, before the supervisor's delay is up
    assert described(small_system)["availableReplicas"] == 2
    assert first not in replica_pids(small_system)


class CallbackReceiver:
    """An HTTP server that keeps what is posted to it, on a chosen loopback address."""

    def __init__(self, address: str = "127.0.0.1"):
        received = self.received = []

        class Callback(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                received.append((self.headers, json.loads(self.rfile.read(length))))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((address, 0), Callback)
        self.port = self.server.server_port

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()


def async_call(stack, path: str, callback: str, **kwargs):
    return stack.call(
        "POST", f"/async-function/{path}", headers={"X-Callback-Url": callback}, **kwargs
    )


def test_async_call_answers_202_and_posts_the_result_to_a_listed_host(small_system):
    with CallbackReceiver("127.0.0.2") as receiver:
        url = f"http://127.0.0.2:{receiver.port}/done"
        response = async_call(small_system, "probe/echo", url, json={"later": True})
        assert response.status_code == 202
        wait_for(lambda: receiver.received, timeout=10)
        headers, body = receiver.received[0]
        assert body["received"] == {"later": True}
        assert headers["X-Function-Status"] == "200"
        assert headers["X-Call-Id"] == response.headers["X-Call-Id"]


def test_callbacks_go_nowhere_by_default(stack):
    """The default allow-list is empty: a caller cannot have a profile posted anywhere."""
    _, token = stack.create_user()
    with CallbackReceiver() as receiver:
        url = f"http://127.0.0.1:{receiver.port}/steal"
        refused = async_call(stack, "users/me", url, token=token)
        assert refused.status_code == 400
        assert refused.json()["error"]["code"] == "callback_not_allowed"
        for bad in ("file:///etc/passwd", "gopher://127.0.0.1/", "http://169.254.169.254/"):
            assert async_call(stack, "users/me", bad, token=token).status_code == 400
    assert receiver.received == []


def test_an_unlisted_host_or_a_listed_name_for_loopback_gets_no_callback(small_system):
    with CallbackReceiver() as receiver:
        unlisted = async_call(small_system, "probe/echo", f"http://127.0.0.1:{receiver.port}/")
        assert unlisted.status_code == 400
        # "localhost" is listed, but the addresses it names are loopback ones that are not.
        named = async_call(small_system, "probe/echo", f"http://localhost:{receiver.port}/x")
        assert named.status_code == 202
        wait_for(
            lambda: f"callback to http://localhost:{receiver.port}/x failed" in small_system.logs(),
            timeout=10,
        )
    assert receiver.received == []


# the management API -----------------------------------------------------------------


def test_the_management_api_needs_the_gateways_credentials(small_system):
    url = small_system.url + "/system"
    for method, path, body in [
        ("GET", "/functions", None),
        ("GET", "/function/probe", None),
        ("POST", "/scale-function/probe", {"replicas": 0}),
        ("GET", "/nothing-here", None),
    ]:
        for auth in (None, ("admin", "wrong"), ("someone", small_system.gateway_auth[1])):
            response = requests.request(method, url + path, json=body, auth=auth, timeout=10)
            assert response.status_code == 401, (path, auth)
            assert response.headers["WWW-Authenticate"].startswith("Basic ")
            assert response.json()["error"]["code"] == "unauthorized"
    assert small_system.system("GET", "function/probe").json()["replicas"] == 2


def test_the_management_api_refuses_other_origins_even_with_credentials(small_system):
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = small_system.system(
            "POST", "scale-function/probe", json={"replicas": 0}, headers=headers
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "cross_origin"
    same = small_system.system("GET", "functions", headers={"Origin": small_system.url})
    assert same.status_code == 200
    assert small_system.system("GET", "function/probe").json()["replicas"] == 2


def test_unknown_management_paths_are_json_404s_not_the_web_app(small_system):
    for path in ("nothing-here", "function/no-such-function", "alert"):
        response = small_system.system("GET", path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    scale = small_system.system("POST", "scale-function/no-such-function", json={"replicas": 1})
    assert scale.status_code == 404 and scale.json()["error"]["code"] == "not_found"


def test_ems_up_prints_the_management_credentials(small_system):
    user, password = small_system.gateway_auth
    assert f"gateway /system/ (basic auth): {user} / {password}" in small_system.logs(tail=200)


# call ids and the hub's probes ------------------------------------------------------------


def test_a_plain_call_id_is_kept_and_anything_else_replaced(small_system):
    kept = small_system.call("GET", "/function/probe", headers={"X-Call-Id": "trace-42.a_b"})
    assert kept.headers["X-Call-Id"] == "trace-42.a_b"
    forged = "x status=200 path=/forged duration_ms=1"
    replaced = small_system.call("GET", "/function/probe", headers={"X-Call-Id": forged})
    assert replaced.status_code == 200
    assert uuid.UUID(replaced.headers["X-Call-Id"])
    log = small_system.logs("probe", tail=500)
    assert f"call_id={replaced.headers['X-Call-Id']} " in log
    assert "path=/forged" not in log


@pytest.mark.parametrize(
    "path",
    [
        "/socket.io/%2e%2e/metrics",
        "/socket.io/../metrics",
        "/socket.io/%2E%2E/healthz",
        "/socket.io/x/..%2f..%2fmetrics",
        "/socket.io/metrics",
    ],
)
def test_the_hubs_probes_are_not_reachable_through_the_socket_path(small_system, path):
    connection = http.client.HTTPConnection("127.0.0.1", small_system.port, timeout=10)
    connection.request("GET", path)  # sent as written, dots and escapes untouched
    response = connection.getresponse()
    text = response.read().decode(errors="replace")
    connection.close()
    assert "socket_hub_" not in text and '"hub_id"' not in text, (path, text[:200])


def test_health_and_the_web_app_share_the_url(small_system):
    assert requests.get(small_system.url + "/healthz", timeout=5).text == "OK"
    assert requests.get(small_system.url + "/", timeout=5).status_code == 200


def test_the_web_apps_scripts_and_styles_travel_compressed(small_system):
    if not (ROOT / "frontend" / "dist" / "index.html").exists():
        pytest.fail("the web app is not built: `make spa`")
    index = requests.get(small_system.url + "/", timeout=5).text
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', index)
    assert any(path.endswith(".js") for path in assets) and any(p.endswith(".css") for p in assets)
    for path in assets:
        plain = requests.get(small_system.url + path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
        assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        for encoding in ("br", "gzip"):
            packed = requests.get(
                small_system.url + path, headers={"Accept-Encoding": encoding}, stream=True
            )
            body = packed.raw.read(decode_content=False)
            assert packed.headers["Content-Encoding"] == encoding, path
            assert "Accept-Encoding" in packed.headers["Vary"]
            assert packed.headers["Content-Type"] == plain.headers["Content-Type"]
            assert len(body) < len(plain.content) / 2, f"{path} in {encoding}"
            if encoding == "gzip":
                assert gzip.decompress(body) == plain.content


def test_schedules_fire_on_time(small_system):
    """The probe's ``* * * * *`` schedule fires at the next minute (so: within 70 s)."""

    def invocations():
        return small_system.system("GET", "function/probe").json()["invocationCount"]

    before = invocations()
    wait_for(lambda: invocations() > before, timeout=70, interval=1)
    log = small_system.logs("probe", tail=500)
    assert "method=POST path=/ status=" in log


def test_a_second_ems_up_on_a_taken_port_says_so_and_leaves_the_first_alone(small_system, tmp_path):
    second = subprocess.run(
        EMS_UP,
        cwd=ROOT,
        env=small_system.up_env(EMS_STATE_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 1
    assert f"cannot listen on 127.0.0.1:{small_system.port}" in second.stderr
    assert "--port" in second.stderr
    assert "Traceback" not in second.stderr
    assert small_system.http.get(small_system.url + "/healthz", timeout=5).status_code == 200
