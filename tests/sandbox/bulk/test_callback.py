"""The sandbox's job callback: loopback only, and never carried elsewhere by a redirect."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from bulkwizard.sandbox.bulk.callback import send_callback


class _Recorder(BaseHTTPRequestHandler):
    """Answers every POST with ``self.server.answer`` (status, Location) and records the path."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        server = self.server
        assert isinstance(server, _Server)
        server.paths.append(self.path)
        status, location = server.answer
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(HTTPServer):
    def __init__(self, answer: tuple[int, str | None]) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.answer = answer
        self.paths: list[str] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def servers() -> Iterator[list[_Server]]:
    started: list[_Server] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def _start(servers: list[_Server], answer: tuple[int, str | None]) -> _Server:
    server = _Server(answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    servers.append(server)
    return server


def test_a_loopback_receiver_gets_the_details(servers: list[_Server]) -> None:
    receiver = _start(servers, (200, None))
    assert send_callback(f"{receiver.url}/done", {"id": "1", "status": "COMPLETED"}) is True
    assert receiver.paths == ["/done"]


def test_a_redirect_is_not_followed(servers: list[_Server]) -> None:
    elsewhere = _start(servers, (200, None))
    redirecting = _start(servers, (307, f"{elsewhere.url}/stolen"))
    assert send_callback(f"{redirecting.url}/done", {"id": "1"}) is False
    assert redirecting.paths == ["/done"]
    assert elsewhere.paths == []  # the job details went nowhere else


def test_a_remote_url_is_never_called() -> None:
    assert send_callback("https://example.org/hook", {"id": "1"}) is False
