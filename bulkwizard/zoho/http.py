"""The HTTP layer under :class:`~bulkwizard.zoho.client.ZohoClient`: auth, time-outs, retries.

Rules (``zoho-api.md`` §1.7, §6.3):

- every call has a time-out; the access token goes only to the profile's own hosts;
- a 401 ``INVALID_TOKEN`` renews the token and repeats the call **once** (the server refused the
  call, so repeating cannot duplicate anything);
- 429 (honouring ``Retry-After``), 5xx and connection failures are retried with exponential
  back-off for **idempotent** calls only. A non-idempotent call (job creation) is repeated only
  when the request provably never reached the server (connect failure); otherwise the error
  carries ``ambiguous=True`` so the caller can check before acting;
- any other failure raises a typed :class:`~bulkwizard.zoho.errors.ZohoApiError`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from bulkwizard.zoho.errors import (
    ZohoApiError,
    ZohoAuthError,
    ZohoNetworkError,
    ZohoRateLimitError,
    ZohoServerError,
    error_from_response,
    request_label,
)
from bulkwizard.zoho.redact import get_logger
from bulkwizard.zoho.tokens import TokenProvider

log = get_logger(__name__)

AUTH_HEADER_PREFIX = "Zoho-oauthtoken "
INVALID_TOKEN_CODES = frozenset({"INVALID_TOKEN", "INVALID_OAUTHTOKEN", "AUTHENTICATION_FAILURE"})
DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Attributes:
        attempts: total tries of an idempotent call (1 = no retry).
        backoff: first wait in seconds; doubles each retry, with up to 25% jitter.
        max_backoff: cap on one computed wait.
        max_retry_after: cap on a server's ``Retry-After`` (a longer wait raises instead).
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 20.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int) -> float:
        base: float = min(self.max_backoff, self.backoff * (2**attempt))
        return base * (1 + random.random() * 0.25)


class Transport:
    """Sends requests for one profile.

    Args:
        tokens: where access tokens come from.
        session: a ``requests.Session`` (injected by tests and the UI).
        timeout: ``(connect, read)`` seconds, or one number for both.
        trusted_hosts: host[:port] names that may receive the access token.
        trusted_suffixes: domain suffixes (``.zoho.com``) whose https hosts may receive it too.
        sleep: how to wait between retries (tests pass a recorder).
    """

    def __init__(
        self,
        tokens: TokenProvider,
        *,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        trusted_hosts: Iterable[str] = (),
        trusted_suffixes: Iterable[str] = (),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.tokens = tokens
        self.session = session or requests.Session()
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.trusted_hosts = frozenset(host.lower() for host in trusted_hosts)
        self.trusted_suffixes = tuple(suffix.lower() for suffix in trusted_suffixes)
        self.sleep = sleep

    def trusts(self, url: str) -> bool:
        """May the access token go to ``url``'s host?"""
        parts = urlsplit(url)
        host = parts.netloc.lower()
        if host in self.trusted_hosts:
            return True
        name = (parts.hostname or "").lower()
        return parts.scheme == "https" and any(name.endswith(s) for s in self.trusted_suffixes)

    def request(
        self,
        method: str,
        url: str,
        *,
        idempotent: bool,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        body_factory: Callable[[], Any] | None = None,
        stream: bool = False,
        ok_statuses: tuple[int, ...] = (200, 201, 202, 204),
    ) -> requests.Response:
        """Send one call with the policy above and return the successful response.

        ``body_factory`` builds a fresh request body per attempt (a streamed upload cannot be
        replayed from the same object).

        Raises:
            ZohoApiError: or a subclass; ``ambiguous`` is set on it when a non-idempotent call
                may or may not have been carried out.
        """
        label = request_label(method, url)
        if not self.trusts(url):
            raise ZohoApiError(
                "UNTRUSTED_HOST",
                None,
                f"refusing to send the access token to {urlsplit(url).netloc!r}, which is not "
                "one of this profile's Zoho hosts",
                request=label,
            )
        refreshed = False
        attempt = 0
        while True:
            token = self.tokens.access_token()
            all_headers = {"Authorization": AUTH_HEADER_PREFIX + token, **(headers or {})}
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    data=body_factory() if body_factory else None,
                    headers=all_headers,
                    timeout=self.timeout,
                    stream=stream,
                )
            except requests.RequestException as exc:
                # A refused/failed connect never reached the server: safe to repeat any call.
                never_sent = isinstance(exc, requests.ConnectTimeout) or (
                    isinstance(exc, requests.ConnectionError) and _refused(exc)
                )
                network_error = ZohoNetworkError(
                    "TIMEOUT" if isinstance(exc, requests.Timeout) else "NETWORK_ERROR",
                    None,
                    f"{type(exc).__name__}: {exc}",
                    request=label,
                )
                network_error.ambiguous = not idempotent and not never_sent
                if (idempotent or never_sent) and attempt + 1 < self.retry.attempts:
                    wait = self.retry.delay(attempt)
                    log.warning("%s failed (%s); retry %d in %.1fs", label, exc, attempt + 1, wait)
                    self.sleep(wait)
                    attempt += 1
                    continue
                raise network_error from None
            log.debug("%s -> HTTP %s", label, response.status_code)
            if response.status_code in ok_statuses:
                return response
            error = error_from_response(response, label)
            response.close()
            if (
                isinstance(error, ZohoAuthError)
                and error.code in INVALID_TOKEN_CODES
                and not refreshed
            ):
                # The server refused the call outright, so repeating it is safe for any method.
                log.info("%s: access token rejected, renewing it once", label)
                self.tokens.invalidate(token)
                refreshed = True
                continue
            retryable = isinstance(error, ZohoRateLimitError) or isinstance(error, ZohoServerError)
            if retryable and idempotent and attempt + 1 < self.retry.attempts:
                pause = self._wait_for(error, attempt)
                if pause is not None:
                    log.warning(
                        "%s -> HTTP %s %s; retry %d in %.1fs",
                        label,
                        error.http_status,
                        error.code,
                        attempt + 1,
                        pause,
                    )
                    self.sleep(pause)
                    attempt += 1
                    continue
            error.ambiguous = isinstance(error, ZohoServerError) and not idempotent
            raise error

    def _wait_for(self, error: ZohoApiError, attempt: int) -> float | None:
        if isinstance(error, ZohoRateLimitError) and error.retry_after is not None:
            if error.retry_after > self.retry.max_retry_after:
                return None  # the caller decides; do not hang for minutes
            return error.retry_after
        return self.retry.delay(attempt)


def _refused(exc: requests.ConnectionError) -> bool:
    text = str(exc).lower()
    return "refused" in text or "failed to establish a new connection" in text
