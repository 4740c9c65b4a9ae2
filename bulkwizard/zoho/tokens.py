"""Access tokens: held in memory, refreshed shortly before expiry, never minted per request.

Zoho allows only ~10 access tokens per refresh token per 10 minutes (``zoho-api.md`` §1.5), so a
:class:`RefreshingTokenProvider` reuses one token until ``margin`` seconds before it expires, and
mints a new one only then or when the API says the token is invalid (:meth:`invalidate`, called
once per request on a 401 ``INVALID_TOKEN``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_LIFETIME = 3600.0
REFRESH_MARGIN = 60.0


@dataclass(frozen=True)
class TokenResponse:
    """A parsed token-endpoint answer. ``repr`` hides the tokens."""

    access_token: str
    expires_in: float
    api_domain: str | None = None
    refresh_token: str | None = None
    scope: str | None = None

    def __repr__(self) -> str:
        return (
            f"TokenResponse(expires_in={self.expires_in}, api_domain={self.api_domain!r}, "
            f"refresh_token={'set' if self.refresh_token else 'none'})"
        )


def lifetime_seconds(body: Mapping[str, Any]) -> float:
    """The access token's lifetime in seconds.

    Current Zoho sends ``expires_in`` in seconds. An older shape (still handled by Zoho's SDK)
    carries ``expires_in_sec`` in seconds with ``expires_in`` in milliseconds.
    """
    if "expires_in_sec" in body:
        try:
            return float(body["expires_in_sec"])
        except (TypeError, ValueError):
            pass
        try:
            return float(body["expires_in"]) / 1000.0
        except (TypeError, ValueError, KeyError):
            return DEFAULT_LIFETIME
    try:
        return float(body["expires_in"])
    except (TypeError, ValueError, KeyError):
        return DEFAULT_LIFETIME


def parse_token_response(body: Mapping[str, Any]) -> TokenResponse:
    """Read a successful token body (caller has checked there is no ``error``)."""
    return TokenResponse(
        access_token=str(body["access_token"]),
        expires_in=lifetime_seconds(body),
        api_domain=str(body["api_domain"]) if body.get("api_domain") else None,
        refresh_token=str(body["refresh_token"]) if body.get("refresh_token") else None,
        scope=str(body["scope"]) if body.get("scope") else None,
    )


class TokenProvider(Protocol):
    """What the client asks for a token; ``invalidate`` after the API rejected ``token``."""

    def access_token(self) -> str: ...

    def invalidate(self, token: str) -> None: ...


class StaticTokenProvider:
    """A fixed token (tests, or a token pasted for one call); cannot refresh."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def invalidate(self, token: str) -> None:
        """Nothing to do: the caller will get the auth error."""


class RefreshingTokenProvider:
    """Mints access tokens from a refresh token; thread-safe.

    Args:
        refresh: a function that exchanges the refresh token for a new :class:`TokenResponse`
            (:meth:`bulkwizard.zoho.oauth.OAuthClient.refresh` bound to the profile's secrets).
        margin: refresh this many seconds before expiry (capped at a third of short lifetimes).
        clock: monotonic clock, injectable for tests.
        initial: a token already in hand (from the sign-in, or cached by an earlier run).
        on_minted: called with every newly minted token, so it can be kept for the next run
            (each ``bulkwizard-cli`` command is a new process; minting one per command would hit
            Zoho's token-creation throttle within a few commands).
    """

    def __init__(
        self,
        refresh: Callable[[], TokenResponse],
        *,
        margin: float = REFRESH_MARGIN,
        clock: Callable[[], float] = time.monotonic,
        initial: TokenResponse | None = None,
        on_minted: Callable[[TokenResponse], None] | None = None,
    ) -> None:
        self._refresh = refresh
        self._on_minted = on_minted
        self._margin = margin
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._refresh_at = 0.0
        #: How many tokens this provider has minted (tests assert on it).
        self.minted = 0
        if initial is not None:
            self._store(initial)

    def _store(self, response: TokenResponse) -> None:
        margin = min(self._margin, response.expires_in / 3)
        self._token = response.access_token
        self._refresh_at = self._clock() + response.expires_in - margin

    def access_token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._refresh_at:
                response = self._refresh()
                self._store(response)
                self.minted += 1
                if self._on_minted is not None:
                    self._on_minted(response)
            assert self._token is not None
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` if it is still the current one (another thread may have renewed it)."""
        with self._lock:
            if self._token == token:
                self._token = None
