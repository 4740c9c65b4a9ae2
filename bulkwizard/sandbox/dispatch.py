"""HTTP plumbing of the sandbox: the request dispatcher and the threaded HTTP server.

:class:`Dispatcher` runs every request through latency, injected faults, authentication, scopes
and API credits before the route's handler; :class:`SandboxHttpServer` is a ``ThreadingHTTPServer``
speaking HTTP/1.1 keep-alive that can drop its open connections when the sandbox stops.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from requests.structures import CaseInsensitiveDict

from bulkwizard.sandbox.http import (
    ApiError,
    HttpError,
    Request,
    Response,
    Route,
    Router,
    grants_any,
)
from bulkwizard.sandbox.state import SandboxState

log = logging.getLogger("bulkwizard.sandbox.server")
_AUTH_PREFIX = "zoho-oauthtoken "
_SECRET_PARAMS = re.compile(r"\b(token|code|client_secret|refresh_token|access_token)=[^&\s]*")
# The largest body read: a 25 MB zip plus multipart overhead. Bigger bodies get 413 unread, so a
# bogus Content-Length can neither exhaust memory nor stall a thread.
MAX_BODY_BYTES = 25 * 1024 * 1024 + 1024 * 1024
# Up to this much of an oversized body is read and dropped, so the client sees the 413 instead of
# a reset connection; past it the connection is simply closed after the answer.
_DRAIN_LIMIT = 64 * 1024 * 1024
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


class BodyTooLarge(ValueError):
    """The request body exceeds :data:`MAX_BODY_BYTES`."""

    def __init__(self, length: int | None) -> None:
        super().__init__("request body too large")
        self.length = length


def is_loopback_name(host: str) -> bool:
    """Whether a host name or IP literal (brackets allowed) designates this machine only."""
    name = host.strip().strip("[]").rstrip(".").lower()
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_header_name(value: str) -> str:
    """The host part of a ``Host`` header (``[::1]:8765`` -> ``::1``, ``a:80`` -> ``a``)."""
    value = value.strip()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Dispatcher:
    """Runs one request through latency, faults, auth, scopes, credits and the handler."""

    def __init__(self, router: Router, state: SandboxState) -> None:
        self.router = router
        self.state = state
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()

    def dispatch(self, request: Request) -> Response:
        """Answer one request; never raises."""
        try:
            return self._dispatch(request)
        except HttpError as exc:
            return exc.response
        except Exception:  # a bug in a handler must not kill the connection thread
            log.error("sandbox handler failed:\n%s", traceback.format_exc())
            return Response.error(500, "INTERNAL_ERROR", "Internal Server Error", {})

    def _dispatch(self, request: Request) -> Response:
        self._check_host(request)
        route, params, path_known = self.router.match(request.method, request.path)
        if route is None:
            if path_known:
                raise ApiError(
                    400, "INVALID_REQUEST_METHOD", "The http request method type is not a valid one"
                )
            raise ApiError(
                404,
                "INVALID_URL_PATTERN",
                "Please check if the URL trying to access is a correct one",
            )
        request.params = params
        if not route.auth:
            if route.faults:
                self._inject_faults(request)
            return route.handler(request)
        self._enter()
        try:
            return self._dispatch_api(request, route)
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1

    def _check_host(self, request: Request) -> None:
        """Refuse foreign ``Host`` headers while the sandbox listens on loopback only.

        A web page the user visits can make its own domain resolve to 127.0.0.1 (DNS rebinding)
        and then talk to the sandbox as a same-origin site; its requests carry the page's domain
        in ``Host``. Loopback names and IP literals always pass; a sandbox bound to another
        address (``--host 0.0.0.0``) is deliberately reachable, so the check is off there.
        """
        if not is_loopback_name(self.state.config.host):
            return
        host = request.headers.get("Host")
        if host is None or is_loopback_name(host_header_name(host)):
            return  # HTTP/1.0 clients may omit Host
        raise ApiError(
            403,
            "NO_PERMISSION",
            "the Host header must name this machine (127.0.0.1 or localhost)",
            {"host": host[:200]},
        )

    def _enter(self) -> None:
        """Count an API call in flight; 429 past the org's concurrency limit (zoho-api.md §6.3)."""
        limit = self.state.config.max_concurrent_calls
        with self._in_flight_lock:
            if limit is not None and self._in_flight >= limit:
                raise ApiError(
                    429,
                    "TOO_MANY_REQUESTS",
                    "Too many concurrent requests are made. Please try again later.",
                    {"concurrency_limit": limit},
                    {"Retry-After": "1"},
                )
            self._in_flight += 1

    def _dispatch_api(self, request: Request, route: Route) -> Response:
        if self.state.config.latency_ms > 0:
            time.sleep(self.state.config.latency_ms / 1000)
        if route.faults:
            self._inject_faults(request)
        self._authenticate(request, route)
        self.state.credits.charge(route.credits)
        response = route.handler(request)
        if request.token is not None and self.state.faults.spec.token_uses is not None:
            self.state.tokens.count_use(request.token)
        return response

    def _inject_faults(self, request: Request) -> None:
        faults = self.state.faults
        if not faults.active or not faults.applies_to(request.path):
            return
        if faults.should("slow"):
            time.sleep(faults.spec.slow_ms / 1000)
        if faults.should("429"):
            raise ApiError(
                429,
                "TOO_MANY_REQUESTS",
                "Too many requests are made. Please try again later.",
                {},
                {"Retry-After": str(faults.spec.retry_after)},
            )
        if faults.should("500"):
            raise ApiError(500, "INTERNAL_ERROR", "Internal Server Error", {})

    def _authenticate(self, request: Request, route: Route) -> None:
        header = request.headers.get("Authorization", "")
        invalid = ApiError(401, "INVALID_TOKEN", "invalid oauth token", {})
        if not header.lower().startswith(_AUTH_PREFIX):
            raise invalid
        access = self.state.tokens.validate(header[len(_AUTH_PREFIX) :].strip())
        if access is None:
            raise invalid
        faults = self.state.faults
        if faults.active and faults.applies_to(request.path):
            uses = faults.spec.token_uses
            if faults.should("expire_tokens") or (uses is not None and access.uses >= uses):
                self.state.tokens.expire(access)
                raise invalid
        request.token = access
        request.scopes = access.scopes
        request.user = self.state.records.find_user("id", access.user_id)
        for required in route.scopes:
            if not grants_any(access.scopes, [required]):
                raise ApiError(
                    401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL", {}
                )


class _Handler(BaseHTTPRequestHandler):
    """Turns raw HTTP into :class:`Request` objects for the dispatcher."""

    protocol_version = "HTTP/1.1"
    server_version = "bulkwizard-sandbox"
    sys_version = ""  # no Python version in the Server header
    server: SandboxHttpServer
    timeout = 60  # idle keep-alive connections are dropped after a minute

    def _handle(self) -> None:
        try:
            self._answer()
        except OSError:
            self.close_connection = True  # the client went away; nothing left to answer
        except Exception:
            log.error("sandbox request failed:\n%s", traceback.format_exc())
            self.close_connection = True
            try:
                self._send(Response.error(500, "INTERNAL_ERROR", "Internal Server Error", {}))
            except OSError:
                pass

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler answers a method without a do_<METHOD> with an HTML 501; route
        # every method through the dispatcher instead, which answers Zoho's
        # INVALID_REQUEST_METHOD (known path) or INVALID_URL_PATTERN.
        if name.startswith("do_"):
            return self._handle
        raise AttributeError(name)

    def _answer(self) -> None:
        path, _, query = self.path.partition("?")
        try:
            body = self._read_body()
        except BodyTooLarge as exc:
            self._drain(exc.length)
            self.close_connection = True
            self._send(
                Response.error(
                    413,
                    "FILE_TOO_LARGE",
                    "File size too large to process",
                    {"maximum_size": MAX_BODY_BYTES},
                )
            )
            return
        except ValueError:
            self.close_connection = True  # the stream position is unknown: start afresh
            self._send(Response.error(400, "INVALID_DATA", "unreadable request body", {}))
            return
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for name, value in self.headers.items():
            headers[name] = value
        request = Request(
            method=self.command,
            path=path,
            query_string=query,
            headers=headers,
            body=body,
            client_address=self.client_address[0],
        )
        self._send(self.server.dispatcher.dispatch(request))

    def _read_body(self) -> bytes:
        """The request body, by Content-Length or chunked transfer encoding.

        Raises ValueError for a malformed length or chunk, :class:`BodyTooLarge` past
        :data:`MAX_BODY_BYTES`.
        """
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline(64).split(b";", 1)[0].strip() or b"0", 16)
                if size < 0:
                    raise ValueError("negative chunk size")
                if size == 0:
                    while self.rfile.readline(65537).strip():  # trailers
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY_BYTES:
                    raise BodyTooLarge(None)
                chunk = self.rfile.read(size)
                if len(chunk) < size:
                    raise ValueError("truncated chunk")
                chunks.append(chunk)
                self.rfile.readline(64)  # the CRLF after each chunk
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0:
            raise ValueError("negative Content-Length")
        if length > MAX_BODY_BYTES:
            raise BodyTooLarge(length)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ValueError("the body is shorter than its Content-Length")
        return body

    def _drain(self, length: int | None) -> None:
        """Read and drop an oversized body (up to a limit) so the client can read the answer."""
        if length is None or length > _DRAIN_LIMIT:
            return
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1024 * 1024))
            if not chunk:
                return
            remaining -= len(chunk)

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status not in (204, 304):  # RFC 9110: no Content-Length on 204
            self.send_header("Content-Length", str(len(response.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and response.body and response.status not in (204, 304):
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol-level errors (bad request line, 414, 431) in Zoho's JSON shape, not HTML."""
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        text = message or self.responses.get(code, ("error",))[0]
        error = "INTERNAL_ERROR" if code >= 500 else "INVALID_DATA"
        try:
            self._send(Response.error(code, error, text, {}))
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        # Request lines can carry secrets in the query (revoke takes ?token=): redact them.
        line = _SECRET_PARAMS.sub(r"\1=***", format % args)
        log.debug("%s %s", self.client_address[0], line)


class SandboxHttpServer(ThreadingHTTPServer):
    """A ``ThreadingHTTPServer`` that tracks its connections and joins its threads on close."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        super().__init__(address, _Handler)
        self.dispatcher = dispatcher
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log a failed connection instead of printing a traceback to stderr.

        A client that disconnects mid-response is routine (a cancelled download, a killed
        script); anything else is a sandbox bug worth a log line.
        """
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            log.debug("client %s went away: %s", client_address[0], error)
        else:
            log.error(
                "sandbox connection from %s failed:\n%s", client_address[0], traceback.format_exc()
            )

    def close_connections(self) -> None:
        """Drop kept-alive client connections so no thread serves a stopped sandbox."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
