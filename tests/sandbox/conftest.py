"""Fixtures for sandbox tests: a running sandbox on a free port and a signed-in session.

- ``sandbox``: a :class:`~bulkwizard.sandbox.server.SandboxServer` on port 0 with a fresh data dir
  (demo org seeded); ``sandbox.base_url``, ``sandbox.credentials``, ``sandbox.state``.
- ``sandbox_session``: a ``requests.Session`` with a valid ``Authorization: Zoho-oauthtoken``
  header (all scopes); ``sandbox_session.base_url`` is the sandbox's base URL.
- ``make_sandbox``: a factory for sandboxes with other options (``faults=``, ``token_ttl=`` ...);
  every sandbox it makes is stopped at the end of the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import authorized_session


@pytest.fixture
def make_sandbox(tmp_path: Path) -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes with custom options; default data dir ``tmp_path / "sandbox"``."""
    started: list[SandboxServer] = []

    def make(**options: Any) -> SandboxServer:
        options.setdefault("data_dir", tmp_path / "sandbox")
        options.setdefault("port", 0)
        server = SandboxServer(**options).start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        server.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    """A running sandbox with the demo org, on a free loopback port."""
    return make_sandbox()


@pytest.fixture
def sandbox_session(sandbox: SandboxServer) -> Iterator[requests.Session]:
    """A requests session signed in to ``sandbox`` with every scope."""
    with authorized_session(sandbox) as session:
        yield session
