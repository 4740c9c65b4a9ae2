"""Fixtures for client tests: a real sandbox on loopback and a client signed in to it.

- ``sandbox`` and ``make_sandbox`` come from ``tests/conftest.py``.
- ``connect_client(sandbox, **client_options)``: a :class:`ZohoClient` signed in through a Self
  Client grant code (real token endpoint), with its token provider at ``client.provider``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.storage.profiles import Profile
from bulkwizard.zoho import datacenters
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.connection import profile_for
from bulkwizard.zoho.http import RetryPolicy
from bulkwizard.zoho.oauth import OAuthClient
from bulkwizard.zoho.tokens import RefreshingTokenProvider


def sandbox_profile(sandbox: SandboxServer, name: str = "sbx") -> Profile:
    centre = datacenters.custom(sandbox.base_url)
    creds = sandbox.credentials
    return profile_for(name, centre, creds["client_id"], org_zgid=str(creds["zgid"]), sandbox=True)


class Sleeps(list[float]):
    """Records the waits a client asked for, without waiting long (tests stay fast)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def connect_client() -> Callable[..., ZohoClient]:
    def connect(sandbox: SandboxServer, **options: Any) -> ZohoClient:
        creds = sandbox.credentials
        oauth = OAuthClient(sandbox.base_url, creds["client_id"], creds["client_secret"])
        tokens = oauth.exchange_code(sandbox.mint_grant_code())
        assert tokens.refresh_token is not None
        refresh_token = tokens.refresh_token
        provider = RefreshingTokenProvider(
            lambda: oauth.refresh(refresh_token),
            clock=options.pop("clock", None) or __import__("time").monotonic,
        )
        options.setdefault("sleep", Sleeps())
        options.setdefault("retry", RetryPolicy(attempts=3, backoff=0.01))
        client = ZohoClient(sandbox_profile(sandbox), provider, **options)
        client.provider = provider  # type: ignore[attr-defined]
        client.oauth = oauth  # type: ignore[attr-defined]
        client.refresh_token = refresh_token  # type: ignore[attr-defined]
        return client

    return connect
