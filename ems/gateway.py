"""A gateway that answers like OpenFaaS's, for one machine.

``/function/<name>[/path]`` is proxied to a replica of the function,
``/async-function/<name>`` answers 202 and calls in the background (posting the
result to an allowed ``X-Callback-Url``, see ``ems.callbacks``),
``/system/functions`` lists functions with their labels and annotations,
``/system/scale-function/<name>`` scales (both behind basic auth, see
``ems.system_api``). On the same origin it also proxies Socket.IO's one path,
``/socket.io/`` (websockets included), to the socket hub, serves the HTTP contract at
``/openapi.yaml`` and the built SPA (its precompressed copies where the browser takes
them).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
from aiohttp import web
from yarl import URL

from faas_ems.runtime.web import call_id

from . import callbacks, system_api
from .functions import FunctionPool
from .paths import OPENAPI

log = logging.getLogger("ems.gateway")

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
EXEC_TIMEOUT = aiohttp.ClientTimeout(total=60)

POOLS = web.AppKey("pools", dict)
SESSION = web.AppKey("session", aiohttp.ClientSession)
HUBS = web.AppKey("hubs", list)
READY = web.AppKey("ready", asyncio.Event)
STATIC = web.AppKey("static", Path)
BACKGROUND = web.AppKey("background", set)
CALLBACK_HOSTS = web.AppKey("callback_hosts", frozenset)
CALLBACKS = web.AppKey("callbacks", aiohttp.ClientSession)

# The web app runs only its own scripts, talks only to its own origin (functions and
# the socket), and is never framed. Mantine and Recharts set inline style attributes.
# swarm/nginx.conf sends the same (tests/test_swarm.py holds them together).
SPA_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _forward_headers(request: web.Request, call: str) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    peer = request.remote or ""
    prior = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
    headers["X-Real-IP"] = peer  # the edge's word on who called; a client's own is replaced
    headers["X-Forwarded-Host"] = request.host
    headers["X-Call-Id"] = call
    return headers


def _reply_headers(upstream: aiohttp.ClientResponse) -> dict[str, str]:
    return {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_BY_HOP}


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


async def invoke(
    app: web.Application,
    name: str,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
) -> tuple[int, dict[str, str], bytes]:
    """Call one replica of ``name``; the answer, or a gateway error as OpenFaaS gives.

    ``path`` is decoded (``/a?b`` is one segment) and encoded again here; ``query`` is
    passed on as the caller encoded it, so that ``%26`` in a value stays in the value.
    """
    pool: FunctionPool | None = app[POOLS].get(name)
    if pool is None:
        raise web.HTTPNotFound(text=f"function {name} not found")
    replica = pool.pick()
    if replica is None:
        return 503, {"Content-Type": "text/plain"}, f"{name} has no ready replica".encode()
    url = URL(replica.url).with_path(path or "/")
    if query:
        url = URL(f"{url}?{query}", encoded=True)
    replica.in_flight += 1
    pool.invocations += 1
    try:
        async with app[SESSION].request(
            method,
            url,
            headers=headers,
            data=body,
            timeout=EXEC_TIMEOUT,
            allow_redirects=False,
        ) as upstream:
            return upstream.status, _reply_headers(upstream), await upstream.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        return 502, {"Content-Type": "text/plain"}, f"{name} did not answer: {exc}".encode()
    finally:
        replica.in_flight -= 1


async def function_call(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    call = call_id(request.headers.get("X-Call-Id"))
    status, headers, body = await invoke(
        request.app,
        name,
        request.method,
        request.match_info["path"],
        request.rel_url.raw_query_string,
        _forward_headers(request, call),
        await request.read(),
    )
    headers["X-Call-Id"] = call
    return web.Response(status=status, headers=headers, body=body)


async def async_function_call(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name not in request.app[POOLS]:
        raise web.HTTPNotFound(text=f"function {name} not found")
    call = call_id(request.headers.get("X-Call-Id"))
    headers = _forward_headers(request, call)
    callback = request.headers.get("X-Callback-Url")
    if callback:
        try:
            callbacks.check(callback, request.app[CALLBACK_HOSTS])
        except callbacks.CallbackRefused as refused:
            return _error(400, "callback_not_allowed", str(refused))
    body = await request.read()

    async def run():
        status, reply_headers, reply = await invoke(
            request.app,
            name,
            request.method,
            request.match_info["path"],
            request.rel_url.raw_query_string,
            headers,
            body,
        )
        if callback:
            reply_headers.update(
                {"X-Call-Id": call, "X-Function-Status": str(status), "X-Function-Name": name}
            )
            try:
                async with request.app[CALLBACKS].post(
                    callback, data=reply, headers=reply_headers, allow_redirects=False
                ):
                    pass
            except (aiohttp.ClientError, OSError) as exc:
                log.warning("callback to %s failed: %s", callback, exc)

    task = asyncio.create_task(run())
    request.app[BACKGROUND].add(task)
    task.add_done_callback(request.app[BACKGROUND].discard)
    return web.Response(status=202, headers={"X-Call-Id": call})


async def list_functions(request: web.Request) -> web.Response:
    return web.json_response([pool.describe() for pool in request.app[POOLS].values()])


async def describe_function(request: web.Request) -> web.Response:
    pool = request.app[POOLS].get(request.match_info["name"])
    if pool is None:
        return _error(404, "not_found", "function not found")
    return web.json_response(pool.describe())


async def scale_function(request: web.Request) -> web.Response:
    pool = request.app[POOLS].get(request.match_info["name"])
    if pool is None:
        return _error(404, "not_found", "function not found")
    try:
        replicas = int((await request.json())["replicas"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "bad_request", 'send {"replicas": <number>}')
    await pool.scale(replicas, request.app[SESSION])
    return web.json_response(pool.describe(), status=202)


async def healthz(request: web.Request) -> web.Response:
    if not request.app[READY].is_set():
        return web.Response(status=503, text="starting")
    return web.Response(text="OK")


async def socket_io(request: web.Request) -> web.StreamResponse:
    hubs: list[str] = request.app[HUBS]
    if not hubs:
        return _error(503, "no_hub", "the socket hub is not running")
    # Sticky by client address, like nginx's ip_hash: polling needs the same hub.
    upstream = hubs[hash(request.remote) % len(hubs)]
    # Socket.IO's one path and the query, never more of the path: the hub's probes
    # (/metrics, /healthz) stay out of reach of /socket.io/%2e%2e/metrics.
    url = f"{upstream}/socket.io/?{request.query_string}"
    if request.headers.get("Upgrade", "").lower() == "websocket":
        return await _websocket(request, url.replace("http", "ws", 1))
    status, headers, body = await _plain_proxy(request, url)
    return web.Response(status=status, headers=headers, body=body)


async def _plain_proxy(request: web.Request, url: str):
    headers = _forward_headers(request, call_id(request.headers.get("X-Call-Id")))
    try:
        async with request.app[SESSION].request(
            request.method,
            url,
            headers=headers,
            data=await request.read(),
            timeout=EXEC_TIMEOUT,
        ) as upstream:
            return upstream.status, _reply_headers(upstream), await upstream.read()
    except (aiohttp.ClientError, TimeoutError) as exc:
        return 502, {"Content-Type": "text/plain"}, f"hub did not answer: {exc}".encode()


async def _websocket(request: web.Request, url: str) -> web.StreamResponse:
    client = web.WebSocketResponse(autoping=False)
    await client.prepare(request)
    headers = _forward_headers(request, "")
    try:
        async with request.app[SESSION].ws_connect(url, headers=headers, autoping=False) as hub:
            await asyncio.gather(_pump(client, hub), _pump(hub, client))
    except aiohttp.ClientError as exc:
        log.warning("websocket to hub failed: %s", exc)
    await client.close()
    return client


async def _pump(source, sink) -> None:
    async for message in source:
        if message.type == aiohttp.WSMsgType.TEXT:
            await sink.send_str(message.data)
        elif message.type == aiohttp.WSMsgType.BINARY:
            await sink.send_bytes(message.data)
        elif message.type == aiohttp.WSMsgType.PING:
            await sink.ping(message.data)
        elif message.type == aiohttp.WSMsgType.PONG:
            await sink.pong(message.data)
        else:
            break
    await sink.close()


async def openapi(request: web.Request) -> web.FileResponse:
    """docs/openapi.yaml, the contract of every function, for tools and people."""
    return web.FileResponse(
        OPENAPI, headers={"Content-Type": "application/yaml", "Cache-Control": "no-cache"}
    )


async def spa(request: web.Request) -> web.StreamResponse:
    root: Path = request.app[STATIC]
    index = root / "index.html"
    if not index.is_file():
        return web.Response(
            text="faas-ems is running. The web app is not built: cd frontend && npm install && "
            "npm run build",
            content_type="text/plain",
        )
    candidate = (root / request.match_info["path"]).resolve()
    if candidate.is_file() and candidate.is_relative_to(root.resolve()):
        # The build writes .br and .gz copies beside scripts and styles; FileResponse sends
        # the one the browser accepts (with Vary: Accept-Encoding). Assets are named by
        # their content's hash, so a browser may keep them for good.
        headers = dict(SPA_HEADERS)
        if candidate.is_relative_to((root / "assets").resolve()):
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return web.FileResponse(candidate, headers=headers)
    return web.FileResponse(index, headers={**SPA_HEADERS, "Cache-Control": "no-cache"})


async def socket_io_not_found(request: web.Request) -> web.Response:
    return _error(404, "not_found", "Socket.IO is at /socket.io/")


def create_app(
    pools: dict[str, FunctionPool],
    hubs: list[str],
    static: Path,
    *,
    credentials: tuple[str, str],
    callback_hosts: frozenset[str] = frozenset(),
) -> web.Application:
    """The gateway; ``credentials`` (user, password) open ``/system/*``."""
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app[POOLS] = pools
    app[HUBS] = hubs
    app[READY] = asyncio.Event()
    app[STATIC] = static
    app[BACKGROUND] = set()
    app[system_api.CREDENTIALS] = credentials
    app[CALLBACK_HOSTS] = callback_hosts

    async def session_context(app):
        connector = aiohttp.TCPConnector(limit=512, limit_per_host=128)
        app[SESSION] = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        guarded = aiohttp.TCPConnector(resolver=callbacks.CallbackResolver(callback_hosts))
        app[CALLBACKS] = aiohttp.ClientSession(connector=guarded, auto_decompress=False)
        yield
        await app[SESSION].close()
        await app[CALLBACKS].close()

    app.cleanup_ctx.append(session_context)
    # (?s): a path may hold any character, a newline (%0A) too
    app.router.add_route("*", "/function/{name}{path:(?s:/.*)?}", function_call)
    app.router.add_route("*", "/async-function/{name}{path:(?s:/.*)?}", async_function_call)
    app.router.add_get("/system/functions", system_api.guarded(list_functions))
    app.router.add_get("/system/function/{name}", system_api.guarded(describe_function))
    app.router.add_post("/system/scale-function/{name}", system_api.guarded(scale_function))
    app.router.add_route("*", "/system{tail:(/.*)?}", system_api.not_found)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/openapi.yaml", openapi)
    app.router.add_route("*", "/socket.io/", socket_io)
    app.router.add_route("*", "/socket.io/{tail:.+}", socket_io_not_found)
    app.router.add_get("/{path:.*}", spa)
    return app
