"""Fixtures for sandbox tests: a running sandbox on a free port and a signed-in session.

- ``sandbox``: a :class:`~bulkwizard.sandbox.server.SandboxServer` on port 0 with a fresh data dir
  (demo org seeded); ``sandbox.base_url``, ``sandbox.credentials``, ``sandbox.state``.
- ``sandbox_session``: a ``requests.Session`` with a valid ``Authorization: Zoho-oauthtoken``
  header (all scopes); ``sandbox_session.base_url`` is the sandbox's base URL.
- ``sandbox`` and ``make_sandbox`` come from ``tests/conftest.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.sandbox.testing import authorized_session


@pytest.fixture
def sandbox_session(sandbox: SandboxServer) -> Iterator[requests.Session]:
    """A requests session signed in to ``sandbox`` with every scope."""
    with authorized_session(sandbox) as session:
        yield session
