"""Functions served inside the test process, with a setting of the test's choosing.

For a test that needs a function to run with one setting changed, where an ``ems up``
of its own would cost a minute: the template's ``index.py`` and the function's handler
are imported here and served on a loopback port (werkzeug's server, in a thread). They
get the settings ``ems up`` gives the running system's replicas of that function
(:func:`ems.functions.function_settings`: the same databases, broker accounts and
Redis), then the test's changes. Calls go straight to the function, not through the
gateway, so a caller's address travels in ``X-Real-IP`` as the gateway would set it.

One set of functions at a time: a process has one settings object, so the functions
served together share it (and should be of one context).
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading
import types
from collections.abc import Iterator
from unittest import mock

import requests
from werkzeug.serving import make_server

from ems import config as ems_config
from ems import stack as stack_file
from ems.functions import function_settings
from ems.paths import ROOT
from faas_ems.runtime import lifetime, settings
from tests.harness import TestStack

INDEX = ROOT / "templates" / "python3-ems" / "index.py"


class Served:
    """The functions being served, called like the gateway calls them."""

    def __init__(self, urls: dict[str, str]):
        self.urls = urls
        self.http = requests.Session()

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        address: str | None = None,
        headers: dict | None = None,
        **kwargs,
    ) -> requests.Response:
        """``path`` as the gateway's (``/function/<name>/...``), from ``address``."""
        name, _, rest = path.removeprefix("/function/").partition("/")
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if address:
            headers["X-Real-IP"] = address
        kwargs.setdefault("timeout", 30)
        url = f"{self.urls[name]}/{rest}"
        return self.http.request(method, url, headers=headers, **kwargs)


@contextlib.contextmanager
def serving(system: TestStack, *names: str, **changes: str) -> Iterator[Served]:
    """Serve ``names`` with ``system``'s settings for them, ``changes`` applied."""
    config = ems_config.load(system.up_env())
    specs = stack_file.load(config.stack_file).functions
    environment: dict[str, str] = {}
    for name in names:
        environment.update(function_settings(specs[name], config))
    environment.update(changes)
    servers = []
    with mock.patch.dict(os.environ, environment):
        # What the test process opened before (a Redis client other tests made) would
        # otherwise serve these functions under the old settings.
        lifetime.release()
        settings.load(settings.FunctionSettings)
        try:
            for name in names:
                server = make_server("127.0.0.1", 0, _app(system, name), threaded=True)
                threading.Thread(target=server.serve_forever, daemon=True).start()
                servers.append((name, server))
            yield Served({name: f"http://127.0.0.1:{s.server_port}" for name, s in servers})
        finally:
            for _, server in servers:
                server.shutdown()
            lifetime.release()
    settings.load(settings.FunctionSettings)  # the test process's own, as before


def _app(system: TestStack, name: str):
    """``index.py``'s Flask app around the function's handler, as its build folder has it.

    The handler is imported from the running system's build folder as the package
    ``function`` (the name ``index.py`` imports), then that name is freed for the next.
    """
    folder = system.state_dir / "build" / name / "function"
    package = types.ModuleType("function")
    package.__path__ = [str(folder)]
    sys.modules["function"] = package
    try:
        spec = importlib.util.spec_from_file_location(f"index_{name.replace('-', '_')}", INDEX)
        index = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(index)
    finally:
        for module in [m for m in sys.modules if m == "function" or m.startswith("function.")]:
            del sys.modules[module]
    return index.app
