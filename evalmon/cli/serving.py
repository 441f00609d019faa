"""The web server behind ``evalmon serve``: textual-serve, guarded.

textual-serve answers any page and any websocket: a web page open in the user's browser could
connect to a loopback ``evalmon serve`` (a websocket is not bound by the same-origin policy),
read the logs and type keys, and DNS rebinding could load ``/`` under another name. Each
browser session also starts a dashboard process. So:

* the ``Host`` header must name the address served (DNS rebinding sends another name);
* an ``Origin`` header, which browsers always send on a websocket, must be the page's own;
* the page and the websocket need the token printed at start (``/?token=...``, as Jupyter
  does); the page passes it on in the websocket's path;
* at most ``max_sessions`` dashboards run at once; more get HTTP 503.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

DEFAULT_MAX_SESSIONS = 3
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def split_host(value: str) -> tuple[str, int | None] | None:
    """``"127.0.0.1:8000"`` -> ("127.0.0.1", 8000); ``"[::1]:8000"`` -> ("::1", 8000)."""
    try:
        parts = urlsplit(f"//{value}")
        return (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None


class HostCheck:
    """Which ``Host`` (and ``Origin``) values name the address ``evalmon serve`` listens on."""

    def __init__(self, bind: str, port: int) -> None:
        self.port = port
        self.wildcard = bind in ("0.0.0.0", "::", "")
        names = {bind.lower().strip("[]")}
        if _is_loopback(bind) or self.wildcard:
            names |= set(LOOPBACK_NAMES)
        if not _is_loopback(bind):
            # the machine's own names, which a user on the network types
            for name in (socket.gethostname(), socket.getfqdn()):
                if name:
                    names.add(name.lower())
        self.names = frozenset(names)

    def host_ok(self, value: str | None) -> bool:
        if not value:
            return False
        parsed = split_host(value)
        if parsed is None:
            return False
        name, port = parsed
        if (port or 80) != self.port:
            return False
        if name in self.names:
            return True
        # listening on every address: any address of this machine, typed as an IP
        return self.wildcard and _is_ip(name)

    def origin_ok(self, origin: str | None, host: str | None) -> bool:
        """No Origin (not a browser) passes; a browser's must be this server, as the page
        was loaded from it (same host and port as the request's Host)."""
        if origin is None:
            return True
        try:
            parts = urlsplit(origin)
        except ValueError:
            return False
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return False
        value = parts.netloc
        return self.host_ok(value) and (host is None or value.lower() == host.lower())


class GuardedServer(Server):
    """textual-serve's Server with the Host / Origin / token / session checks above."""

    def __init__(self, command: str, *, host: str, port: int, token: str,
                 max_sessions: int = DEFAULT_MAX_SESSIONS, title: str = "evalmon") -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        self.max_sessions = max(1, max_sessions)
        self.sessions = 0
        self.check = HostCheck(host, port)
        self.refused: list[str] = []  # why requests were refused (tests, and the log)

    # -- the checks

    def _token_ok(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.token.encode())

    def _refuse(self, status: type[web.HTTPException], why: str) -> web.HTTPException:
        self.refused.append(why)
        return status(text=f"evalmon serve: {why}\n")

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        host = request.headers.get("Host")
        if not self.check.host_ok(host):
            raise self._refuse(web.HTTPForbidden, f"refused Host {host!r}")
        origin = request.headers.get("Origin")
        if not self.check.origin_ok(origin, host):
            raise self._refuse(web.HTTPForbidden, f"refused Origin {origin!r}")
        path = request.path
        if path == "/" and not self._token_ok(request.query.get("token")):
            raise self._refuse(
                web.HTTPForbidden,
                "open the address with the token that evalmon serve printed (/?token=...)",
            )
        if path == "/ws" or path.startswith("/ws/"):
            if not self._token_ok(request.match_info.get("token")):
                raise self._refuse(web.HTTPForbidden, "websocket without the token")
            if self.sessions >= self.max_sessions:
                raise self._refuse(
                    web.HTTPServiceUnavailable,
                    f"{self.max_sessions} dashboards are open already (--max-sessions)",
                )
        return await handler(request)

    # -- the app

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        # the websocket carries the token in its path: textual.js appends ?width=...&height=
        app.router.add_get("/ws/{token}", self.handle_websocket, name="guarded-websocket")
        return app

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        self.sessions += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.sessions -= 1

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        """The page, with URLs on the host the browser used (already checked)."""
        base = f"{request.scheme}://{request.host}"
        scheme = "wss" if request.scheme == "https" else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{scheme}://{request.host}/ws/{self.token}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }

    async def on_startup(self, app: web.Application) -> None:
        print(f"evalmon serve: open {self.url()}  (Ctrl+C to stop; at most "
              f"{self.max_sessions} browser sessions at once)", file=sys.stderr, flush=True)

    def url(self) -> str:
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        elif ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/?token={self.token}"
