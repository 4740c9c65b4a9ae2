"""Zoho OAuth: exchange a grant code, refresh, revoke, and the browser sign-in flow.

Two ways in (``zoho-api.md`` §1.2-1.6):

- **Self Client**: the admin pastes the client id, secret and a grant code generated in the API
  console; :meth:`OAuthClient.exchange_code` turns it into tokens.
- **Browser sign-in** for a registered server-based client: :func:`browser_sign_in` opens the
  system browser at ``{accounts}/oauth/v2/auth`` and receives the code on a loopback listener
  (:mod:`bulkwizard.zoho.loopback`), verifying ``state`` and honouring ``accounts-server``.

Secrets travel only in form bodies (never in a URL, which proxies and debug logs record).
"""

from __future__ import annotations

import secrets as pysecrets
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from bulkwizard.zoho import datacenters
from bulkwizard.zoho.errors import (
    ZohoApiError,
    ZohoAuthError,
    ZohoNetworkError,
    error_from_response,
    request_label,
)
from bulkwizard.zoho.loopback import LoopbackReceiver, SignInCancelled
from bulkwizard.zoho.redact import get_logger
from bulkwizard.zoho.tokens import TokenResponse, parse_token_response

log = get_logger(__name__)

#: zoho-api.md §1.8, plus the profile scope Zoho's SDK uses to read the user's e-mail.
SCOPES: tuple[str, ...] = (
    "ZohoCRM.bulk.ALL",
    "ZohoCRM.modules.ALL",
    "ZohoFiles.files.ALL",
    "ZohoCRM.settings.modules.READ",
    "ZohoCRM.settings.fields.READ",
    "ZohoCRM.settings.layouts.READ",
    "ZohoCRM.org.READ",
    "ZohoCRM.users.READ",
)
DEFAULT_TIMEOUT = 30.0
SIGN_IN_TIMEOUT = 300.0

__all__ = [
    "SCOPES",
    "OAuthClient",
    "SignInCancelled",
    "SignInResult",
    "authorization_url",
    "browser_sign_in",
]


class OAuthClient:
    """Calls to one accounts server with one OAuth client (id + secret)."""

    def __init__(
        self,
        accounts_url: str,
        client_id: str,
        client_secret: str,
        *,
        session: requests.Session | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.accounts_url = datacenters.normalise_url(accounts_url)
        self.client_id = client_id
        self._client_secret = client_secret
        self.session = session or requests.Session()
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"OAuthClient({self.accounts_url!r}, client_id={self.client_id!r})"

    def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        url = f"{self.accounts_url}{path}"
        label = request_label("POST", url)
        try:
            response = self.session.post(url, data=form, timeout=self.timeout)
        except requests.RequestException as exc:
            raise ZohoNetworkError(
                "NETWORK_ERROR", None, f"cannot reach {self.accounts_url}: {exc}", request=label
            ) from None
        log.debug("%s -> HTTP %s", label, response.status_code)
        try:
            body = response.json()
        except ValueError:
            body = None
        # Zoho reports OAuth errors as {"error": ...}, sometimes with HTTP 200.
        if response.status_code >= 400 or not isinstance(body, dict) or "error" in body:
            error = error_from_response(response, label)
            if isinstance(error, ZohoAuthError) or response.status_code < 500:
                raise ZohoAuthError(
                    error.code, error.http_status, error.message, error.details, request=label
                )
            raise error
        return body

    def exchange_code(self, code: str, redirect_uri: str | None = None) -> TokenResponse:
        """Exchange a grant code (Self Client or browser) for access + refresh tokens.

        Raises:
            ZohoAuthError: the code is wrong, expired or already used (``invalid_code``) or the
                client id/secret are wrong (``invalid_client``).
        """
        form = {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "code": code.strip(),
        }
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        result = parse_token_response(self._post("/oauth/v2/token", form))
        if not result.refresh_token:
            raise ZohoAuthError(
                "NO_REFRESH_TOKEN",
                200,
                "Zoho returned no refresh token: generate the code with access_type=offline "
                "(Self Client codes always qualify) and try again",
                request="POST /oauth/v2/token",
            )
        return result

    def refresh(self, refresh_token: str) -> TokenResponse:
        """Mint a new access token from ``refresh_token``."""
        form = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "refresh_token": refresh_token,
        }
        return parse_token_response(self._post("/oauth/v2/token", form))

    def revoke(self, refresh_token: str) -> None:
        """Revoke ``refresh_token`` (and every access token minted from it)."""
        self._post("/oauth/v2/token/revoke", {"token": refresh_token})


def authorization_url(
    accounts_url: str,
    client_id: str,
    redirect_uri: str,
    state: str,
    scopes: tuple[str, ...] = SCOPES,
) -> str:
    """The consent page URL (``access_type=offline`` so a refresh token is issued)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "scope": ",".join(scopes),
            "redirect_uri": redirect_uri,
            "access_type": "offline",
            "prompt": "consent",
            "state": state,
        }
    )
    return f"{datacenters.normalise_url(accounts_url)}/oauth/v2/auth?{query}"


@dataclass(frozen=True)
class SignInResult:
    """What a browser sign-in produced: tokens and the accounts server that issued them."""

    tokens: TokenResponse
    accounts_url: str
    redirect_uri: str
    location: str | None = None


def browser_sign_in(
    accounts_url: str,
    client_id: str,
    client_secret: str,
    *,
    open_browser: Callable[[str], Any] = webbrowser.open,
    port: int = 0,
    timeout: float = SIGN_IN_TIMEOUT,
    cancel: Callable[[], bool] | None = None,
    session: requests.Session | None = None,
    scopes: tuple[str, ...] = SCOPES,
) -> SignInResult:
    """Sign in through the system browser for a server-based client.

    Args:
        open_browser: opens a URL (``webbrowser.open``; tests inject a function that follows the
            consent page with requests).
        port: loopback port (0 = any free port; a fixed one when the client's registered
            redirect URI names a port).
        timeout: seconds to wait for the browser to come back.
        cancel: polled while waiting; return True to stop.

    Raises:
        SignInCancelled: the user cancelled, denied consent, or the wait timed out.
        ZohoAuthError: the state did not match or the code exchange failed.
    """
    state = pysecrets.token_urlsafe(24)
    with LoopbackReceiver(port=port) as receiver:
        url = authorization_url(accounts_url, client_id, receiver.redirect_uri, state, scopes)
        log.info("opening the browser for sign-in at %s", datacenters.normalise_url(accounts_url))
        open_browser(url)
        reply = receiver.wait(timeout=timeout, cancel=cancel)
    if reply.get("state") != state:
        raise ZohoAuthError(
            "STATE_MISMATCH",
            None,
            "the sign-in reply did not carry the state this app sent; it was ignored "
            "(possible forged redirect): please sign in again",
            request="GET /oauth/v2/auth",
        )
    if reply.get("error"):
        raise SignInCancelled(f"Zoho refused the sign-in: {reply['error']}")
    code = reply.get("code")
    if not code:
        raise ZohoAuthError("NO_CODE", None, "the sign-in reply carried no code", request="")
    # Multi-DC: the user's own accounts server must redeem the code.
    issuer = reply.get("accounts-server") or ""
    token_server = accounts_url
    if issuer:
        try:
            token_server = datacenters.normalise_url(issuer)
        except ValueError:
            raise ZohoApiError(
                "BAD_REDIRECT", None, f"accounts-server {issuer!r} is not a web address"
            ) from None
        # The client secret goes only to a known Zoho accounts server or the one we started at.
        same_host = urlsplit(token_server).netloc == urlsplit(accounts_url).netloc
        if not same_host and datacenters.from_location(None, token_server) is None:
            raise ZohoAuthError(
                "BAD_REDIRECT",
                None,
                f"the sign-in reply named an unknown accounts server {issuer!r}; refused",
            )
    oauth = OAuthClient(token_server, client_id, client_secret, session=session)
    tokens = oauth.exchange_code(code, redirect_uri=receiver.redirect_uri)
    return SignInResult(
        tokens=tokens,
        accounts_url=token_server,
        redirect_uri=receiver.redirect_uri,
        location=reply.get("location"),
    )
