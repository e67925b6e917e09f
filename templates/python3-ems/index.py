"""The adapter between the of-watchdog (http mode) and a function's handler.

It serves ``function.handler.handle(event, context)`` with the ``python3-http``
contract on a production WSGI server (waitress), turns dict and list bodies
into JSON, logs one line per call with its ``X-Call-Id``, and on SIGTERM stops
taking new calls, lets the ones in flight finish and releases its connections
before it exits.
"""

from __future__ import annotations

import _thread
import logging
import os
import signal
import threading
import time

import waitress
from flask import Flask, Response, request
from werkzeug.routing import PathConverter

from faas_ems.runtime import db, lifetime
from faas_ems.runtime.errors import Refusal, Unavailable
from faas_ems.runtime.web import HTTPError, call_id, error_response, to_json
from function import handler

HOST = os.environ.get("EMS_HOST", "127.0.0.1")
PORT = int(os.environ.get("EMS_PORT", "5000"))
THREADS = int(os.environ.get("EMS_THREADS", "8"))
DRAIN_SECONDS = float(os.environ.get("EMS_DRAIN_SECONDS", "20"))
FUNCTION = os.environ.get("EMS_FUNCTION", "function")

logging.basicConfig(
    level=os.environ.get("LOG_LEVEL", "INFO"),
    format=f"%(asctime)s {FUNCTION} %(levelname)s %(name)s %(message)s",
)
log = logging.getLogger("ems.call")
logging.getLogger("waitress").setLevel(logging.WARNING)


class Event:
    """What the handler is called with: the request, framework-free."""

    def __init__(self):
        self.body = request.get_data()
        self.headers = request.headers
        self.method = request.method
        self.query = request.args
        self.path = request.path


class Context:
    def __init__(self):
        self.hostname = os.environ.get("HOSTNAME", "localhost")


class InFlight:
    """Counts calls being served, so that shutdown can wait for them."""

    def __init__(self):
        self._count = 0
        self._cond = threading.Condition()
        self.draining = False

    def __enter__(self):
        with self._cond:
            self._count += 1

    def __exit__(self, *exc):
        with self._cond:
            self._count -= 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._count == 0, timeout)


class AnyPath(PathConverter):
    """A path of any characters: werkzeug's own stops at a newline (``%0A``)."""

    regex = "[^/][\\s\\S]*?"


in_flight = InFlight()
app = Flask(__name__)
app.url_map.converters["any_path"] = AnyPath


def format_response(result) -> Response:
    if not isinstance(result, dict) or "statusCode" not in result:
        result = {"statusCode": 200, "body": result}
    body = result.get("body")
    headers = dict(result.get("headers") or {})
    if isinstance(body, dict | list):
        body = to_json(body)
        headers.setdefault("Content-Type", "application/json")
    elif body is None:
        body = ""
    elif not isinstance(body, str | bytes):
        body = str(body)
    return Response(body, status=result.get("statusCode", 200), headers=headers)


def call_handler():
    try:
        return handler.handle(Event(), Context())
    except (HTTPError, Refusal) as exc:
        return error_response(exc)
    except Exception as exc:
        if db.unavailable(exc):
            # Not this call's fault: callers (the connector) try again later, uncounted.
            log.warning("database unavailable: %s", exc)
            message = "the database is not available; try again shortly"
            return error_response(Unavailable(message, code="database_unavailable", retry_after=1))
        log.exception("unhandled error in handler")
        return HTTPError(500, "internal", "the function failed; see its log").response()


@app.route("/_/health")
def health():
    """The watchdog's ready probe: not ready once draining has begun.

    The process id tells a local supervisor it reached this process, not another
    one that took the port first.
    """
    if in_flight.draining:
        return Response("draining", status=503)
    return Response("OK", headers={"X-Process-Id": str(os.getpid())})


@app.route("/", defaults={"path": ""}, methods=["GET", "PUT", "POST", "PATCH", "DELETE"])
@app.route("/<any_path:path>", methods=["GET", "PUT", "POST", "PATCH", "DELETE"])
def serve(path):
    if in_flight.draining:
        return Response(status=503, headers={"Connection": "close", "Retry-After": "1"})
    call = call_id(request.headers.get("X-Call-Id"))
    started = time.perf_counter()
    with in_flight:
        response = format_response(call_handler())
    response.headers["X-Call-Id"] = call
    log.info(
        "call_id=%s method=%s path=%s status=%s duration_ms=%.1f",
        call,
        request.method,
        request.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
    )
    return response


def drain_then_stop():
    in_flight.draining = True
    if not in_flight.wait_idle(DRAIN_SECONDS):
        log.warning("stopping with calls still in flight after %.0fs", DRAIN_SECONDS)
    _thread.interrupt_main()


def on_sigterm(signum, frame):
    log.info("SIGTERM: finishing calls in flight, taking no new ones")
    threading.Thread(target=drain_then_stop, daemon=True).start()


def main():
    # Keep the proxy headers (X-Real-IP, X-Forwarded-*) that waitress would drop,
    # so that a handler can tell callers apart, e.g. to throttle sign-ins per address.
    server = waitress.create_server(
        app,
        host=HOST,
        port=PORT,
        threads=THREADS,
        ident=FUNCTION,
        clear_untrusted_proxy_headers=False,
    )
    signal.signal(signal.SIGTERM, on_sigterm)
    log.info("serving %s on http://%s:%s", FUNCTION, HOST, PORT)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        lifetime.release()


if __name__ == "__main__":
    main()
