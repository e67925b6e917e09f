"""``ems up``'s gateway answers like OpenFaaS's, for a function it was never told about.

The probe function exists only as a handler folder and a stack.yml entry.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
import yaml

from ems.paths import ROOT
from tests.harness import EMS_UP, running, wait_for

PROBE = Path(__file__).parent / "fixtures" / "probe"


@pytest.fixture(scope="module")
def probe_stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("probe-stack")
    shutil.copytree(PROBE, folder / "probe")
    (folder / "stack.yml").write_text(
        yaml.safe_dump(
            {
                "version": 1.0,
                "provider": {"name": "openfaas", "gateway": "http://127.0.0.1:8080"},
                "functions": {
                    "probe": {
                        "lang": "python3-ems",
                        "handler": "./probe",
                        "image": "faas-ems/probe:latest",
                        "annotations": {"topic": "probe.ping", "schedule": "* * * * *"},
                        "labels": {
                            "com.openfaas.scale.min": "2",
                            "com.openfaas.scale.max": "4",
                        },
                    }
                },
            }
        )
    )
    with running({"EMS_STACK_FILE": str(folder / "stack.yml"), "EMS_REPLICAS": ""}) as system:
        yield system


def test_functions_are_listed_with_labels_and_annotations(probe_stack):
    listed = requests.get(probe_stack.url + "/system/functions", timeout=5).json()
    assert [f["name"] for f in listed] == ["probe"]
    probe = listed[0]
    assert probe["annotations"] == {"topic": "probe.ping", "schedule": "* * * * *"}
    assert probe["labels"]["com.openfaas.scale.min"] == "2"
    assert probe["replicas"] == probe["availableReplicas"] == 2


def test_paths_and_bodies_reach_the_handler(probe_stack):
    response = probe_stack.call(
        "POST", "/function/probe/echo", json=[{"n": 1}], headers={"X-Topic": "probe.ping"}
    )
    assert response.status_code == 200
    assert response.json() == {"received": [{"n": 1}], "path": "/echo", "topic": "probe.ping"}
    assert response.headers["X-Call-Id"]
    assert probe_stack.call("GET", "/function/nothing-here").status_code == 404


def test_calls_are_spread_across_replicas(probe_stack):
    pids = {probe_stack.call("GET", "/function/probe").json()["pid"] for _ in range(20)}
    assert len(pids) == 2


def test_scaling_starts_and_retires_replicas(probe_stack):
    probe_stack.scale("probe", 3)
    pids = {probe_stack.call("GET", "/function/probe").json()["pid"] for _ in range(30)}
    assert len(pids) == 3
    probe_stack.scale("probe", 2)
    listed = requests.get(probe_stack.url + "/system/function/probe", timeout=5).json()
    assert listed["replicas"] == 2


def replica_pids(stack, calls: int = 20) -> set[int]:
    responses = [stack.call("GET", "/function/probe") for _ in range(calls)]
    assert all(r.ok for r in responses), [(r.status_code, r.text) for r in responses]
    return {r.json()["pid"] for r in responses}


def described(stack) -> dict:
    return requests.get(stack.url + "/system/function/probe", timeout=5).json()


def test_killed_replicas_are_started_again(probe_stack):
    """Even the last one: the function comes back without being scaled by hand."""
    killed = replica_pids(probe_stack)
    assert len(killed) == 2
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    wait_for(lambda: described(probe_stack)["availableReplicas"] == 0, timeout=10)

    def back():
        listing = described(probe_stack)
        return listing["availableReplicas"] == 2 and listing["replicas"] == 2

    wait_for(back, timeout=30, message="two live replicas again")
    again = replica_pids(probe_stack)
    assert len(again) == 2
    assert not again & killed
    assert "probe-0 exited (status -9)" in probe_stack.logs(tail=200)


def test_scaling_counts_live_replicas(probe_stack):
    [first, *_] = replica_pids(probe_stack)
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: described(probe_stack)["availableReplicas"] < 2 or None, timeout=10)
    probe_stack.scale("probe", 2)  # at once, before the supervisor's delay is up
    assert described(probe_stack)["availableReplicas"] == 2
    assert first not in replica_pids(probe_stack)


def test_async_call_answers_202_and_posts_the_result_back(probe_stack):
    received = {}

    class Callback(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers["Content-Length"])
            received["body"] = json.loads(self.rfile.read(length))
            received["status"] = self.headers["X-Function-Status"]
            received["call_id"] = self.headers["X-Call-Id"]
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Callback)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        response = probe_stack.call(
            "POST",
            "/async-function/probe/echo",
            json={"later": True},
            headers={"X-Callback-Url": f"http://127.0.0.1:{server.server_port}/done"},
        )
        assert response.status_code == 202
        wait_for(lambda: "body" in received, timeout=10)
        assert received["body"]["received"] == {"later": True}
        assert received["status"] == "200"
        assert received["call_id"] == response.headers["X-Call-Id"]
    finally:
        server.shutdown()


def test_health_and_the_web_app_share_the_url(probe_stack):
    assert requests.get(probe_stack.url + "/healthz", timeout=5).text == "OK"
    assert requests.get(probe_stack.url + "/", timeout=5).status_code == 200


def test_schedules_fire_on_time(probe_stack):
    """The probe's ``* * * * *`` schedule fires at the next minute (so: within 70 s)."""

    def invocations():
        return requests.get(probe_stack.url + "/system/function/probe", timeout=5).json()[
            "invocationCount"
        ]

    before = invocations()
    wait_for(lambda: invocations() > before, timeout=70, interval=1)
    log = probe_stack.logs("probe", tail=500)
    assert "method=POST path=/ status=" in log


def test_a_second_ems_up_on_a_taken_port_says_so_and_leaves_the_first_alone(probe_stack, tmp_path):
    second = subprocess.run(
        EMS_UP,
        cwd=ROOT,
        env=probe_stack.up_env(EMS_STATE_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 1
    assert f"cannot listen on 127.0.0.1:{probe_stack.port}" in second.stderr
    assert "--port" in second.stderr
    assert "Traceback" not in second.stderr
    assert probe_stack.http.get(probe_stack.url + "/healthz", timeout=5).status_code == 200
