"""A local stand-in for the Gemini REST API, the one outside service the tests fake.

It answers ``POST /v1beta/models/<model>:generateContent`` in Gemini's shape and
can be switched between behaviours at any time (tests run one at a time):
``answer`` (with a given text), ``fail`` (500), ``hang`` (no answer until long
after the caller's timeout) and ``cannot_help``. Every request is kept, so a test
can check the prompt, the model and the key that were sent.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GENERATE = re.compile(r"^/v1beta/models/(?P<model>[^/:]+):generateContent$")
BEHAVIOURS = ("answer", "fail", "hang", "cannot_help")
HANG_SECONDS = 30.0


class FakeGemini:
    def __init__(self):
        self.behaviour = "answer"
        self.answer_text = "This is an answer from the assistant."
        self.requests: list[dict] = []
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeGemini:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def behave(self, behaviour: str, text: str | None = None) -> None:
        """Switch what the next calls get; ``text`` is the answer for ``answer``."""
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        self.behaviour = behaviour
        if text is not None:
            self.answer_text = text

    def reset(self) -> None:
        self.behave("answer", "This is an answer from the assistant.")
        self.requests.clear()

    # the server side -----------------------------------------------------------------

    def _reply(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict]:
        found = GENERATE.match(handler.path.split("?")[0])
        if handler.command != "POST" or not found:
            return 404, _error(404, "NOT_FOUND", f"no such method: {handler.path}")
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length) or b"{}")
        self.requests.append(
            {
                "model": found["model"],
                "api_key": handler.headers.get("x-goog-api-key"),
                "body": body,
            }
        )
        if self.behaviour == "fail":
            return 500, _error(500, "INTERNAL", "the fake was told to fail")
        if self.behaviour == "hang":
            self._release.wait(HANG_SECONDS)
            return 503, _error(503, "UNAVAILABLE", "the fake hung on purpose")
        text = "I'm sorry, I cannot help with that." if self.behaviour == "cannot_help" else None
        return 200, _answer(text or self.answer_text, found["model"])

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                status, payload = fake._reply(self)
                raw = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller timed out and went away: that was the point

            do_POST = do_GET = _serve

            def log_message(self, *args):
                pass

        return Handler


def _answer(text: str, model: str) -> dict:
    return {
        "candidates": [
            {
                "content": {"role": "model", "parts": [{"text": text}]},
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 10},
        "modelVersion": model,
    }


def _error(code: int, status: str, message: str) -> dict:
    return {"error": {"code": code, "message": message, "status": status}}
