"""A one-shot HTTP listener on 127.0.0.1 that receives the OAuth redirect from the browser.

It binds loopback only (never all interfaces), answers the browser with a short page, and hands
the redirect's query parameters (``code``, ``state``, ``location``, ``accounts-server`` or
``error``) to the waiting thread. Waiting stops on a reply, a time-out or a cancel request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from bulkwizard.core.errors import BulkWizardError

CALLBACK_PATH = "/callback"

_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>bulkwizard</title></head>"
    "<body style='font-family:sans-serif'><h1>{title}</h1><p>{text}</p></body></html>"
)


class SignInCancelled(BulkWizardError):
    """The browser sign-in was cancelled, denied, or timed out."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self.send_error(404)
            return
        params = {key: values[0] for key, values in parse_qs(parts.query).items() if values}
        ok = "code" in params and "error" not in params
        title = "Signed in" if ok else "Sign-in failed"
        text = (
            "You can close this tab and return to bulkwizard."
            if ok
            else "bulkwizard did not receive a sign-in code. Return to bulkwizard and try again."
        )
        body = _PAGE.format(title=title, text=text).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.deliver(params)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr log: the request line carries the grant code."""


class _Server(HTTPServer):
    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.reply: dict[str, str] | None = None
        self.arrived = threading.Event()

    def deliver(self, params: dict[str, str]) -> None:
        if self.reply is None:
            self.reply = params
            self.arrived.set()


class LoopbackReceiver:
    """Context manager: listen, expose ``redirect_uri``, :meth:`wait` for the reply, close."""

    def __init__(self, port: int = 0) -> None:
        self._server = _Server(port)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def __enter__(self) -> LoopbackReceiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, timeout: float, cancel: Callable[[], bool] | None = None) -> dict[str, str]:
        """Block until the browser comes back; return its query parameters.

        Raises:
            SignInCancelled: ``timeout`` seconds passed or ``cancel()`` returned True.
        """
        deadline = time.monotonic() + timeout
        while not self._server.arrived.wait(timeout=0.2):
            if cancel is not None and cancel():
                raise SignInCancelled("sign-in cancelled")
            if time.monotonic() >= deadline:
                raise SignInCancelled(
                    f"no answer from the browser within {timeout:.0f} seconds; sign-in stopped. "
                    "Run the sign-in again and finish it in the browser window that opens."
                )
        assert self._server.reply is not None
        return self._server.reply
