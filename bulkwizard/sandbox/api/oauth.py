"""The sandbox's accounts server: Zoho's OAuth endpoints (zoho-api.md §1).

- ``POST /oauth/v2/token``: ``authorization_code`` (Self Client codes and browser codes),
  ``refresh_token`` and ``client_credentials`` (with ``scope`` and ``soid=ZohoCRM.<zgid>``);
  parameters in a form body or the query string.
- ``POST /oauth/v2/token/revoke?token=``: revoke a refresh token (and its access tokens).
- ``GET /oauth/v2/auth``: the browser sign-in. Shows a consent page whose button approves;
  ``auto_approve=true`` (a sandbox-only parameter) redirects at once. The redirect carries
  ``code``, ``state``, ``location=us`` and ``accounts-server``. The demo client accepts loopback
  redirect URIs (``http://127.0.0.1:<any port>/...`` or ``http://localhost...``), as a desktop app
  registers them.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode, urlparse

from bulkwizard.sandbox.http import Request, Response, Router, is_valid_scope, parse_scope_list
from bulkwizard.sandbox.state import SandboxState
from bulkwizard.sandbox.token_store import OAuthError

WEB_GRANT_TTL = 120  # browser grant codes live 2 minutes (zoho-api.md §1.5)


def register(router: Router, state: SandboxState) -> None:
    """Add the OAuth routes."""
    endpoints = OAuthEndpoints(state)
    router.add("POST", r"/oauth/v2/token", endpoints.token, auth=False)
    router.add("POST", r"/oauth/v2/token/revoke", endpoints.revoke, auth=False)
    router.add("GET", r"/oauth/v2/auth", endpoints.authorize, auth=False)
    router.add("POST", r"/oauth/v2/auth", endpoints.approve, auth=False)


class OAuthEndpoints:
    """Handlers of the OAuth routes."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # ------------------------------------------------------------------- token

    def token(self, request: Request) -> Response:
        """``POST /oauth/v2/token``."""
        params = {**request.query, **request.form()}
        try:
            return Response.json(self._grant(params))
        except OAuthError as exc:
            return Response.json(exc.body(), exc.status)

    def _grant(self, params: dict[str, str]) -> dict[str, object]:
        tokens = self.state.tokens
        grant_type = params.get("grant_type", "")
        client_id = params.get("client_id", "")
        secret = params.get("client_secret")
        user_id = self.state.records.current_user["id"]
        refresh: str | None = None
        if grant_type == "authorization_code":
            if not params.get("code"):
                raise OAuthError("invalid_code")
            access, refresh, scopes = tokens.exchange_code(
                client_id, secret, params["code"], params.get("redirect_uri")
            )
        elif grant_type == "refresh_token":
            if not params.get("refresh_token"):
                raise OAuthError("invalid_code")
            access, scopes = tokens.refresh(client_id, secret, params["refresh_token"])
        elif grant_type == "client_credentials":
            tokens.check_client(client_id, secret)
            scopes = tuple(parse_scope_list(params.get("scope", "")))
            if not scopes or not all(is_valid_scope(s) for s in scopes):
                raise OAuthError("invalid_scope")
            soid = params.get("soid", "")
            if soid.lower() != f"zohocrm.{self.state.zgid}":
                raise OAuthError("invalid_soid")
            access = tokens.client_credentials(client_id, secret, scopes, user_id)
        else:
            raise OAuthError("unsupported_grant_type")
        body: dict[str, object] = {"access_token": access}
        if refresh:
            body["refresh_token"] = refresh
        body.update(
            {
                "scope": " ".join(scopes),
                "api_domain": self.state.base_url,
                "token_type": "Bearer",
                "expires_in": tokens.access_ttl,
            }
        )
        return body

    def revoke(self, request: Request) -> Response:
        """``POST /oauth/v2/token/revoke?token=...``."""
        token = request.query.get("token") or request.form().get("token")
        if token and self.state.tokens.revoke(token):
            return Response.json({"status": "success"})
        return Response.json({"error": "invalid_token", "status": "failure"}, 400)

    # ------------------------------------------------------------ browser flow

    def _check_authorize(self, params: dict[str, str]) -> tuple[str, list[str]] | Response:
        """Validate an authorization request; return (redirect_uri, scopes) or an error page."""
        if params.get("response_type", "code") != "code":
            return _page("Unsupported response type", "Only response_type=code is supported.", 400)
        if params.get("client_id") != self.state.client_id:
            return _page("Invalid client", "The client_id is not registered.", 400)
        redirect_uri = params.get("redirect_uri", "")
        parsed = urlparse(redirect_uri)
        if parsed.scheme not in ("http", "https") or parsed.hostname not in (
            "127.0.0.1",
            "localhost",
            "::1",
        ):
            return _page(
                "Invalid redirect URI",
                "The sandbox's demo client accepts only loopback redirect URIs.",
                400,
            )
        scopes = parse_scope_list(params.get("scope", ""))
        if not scopes or not all(is_valid_scope(s) for s in scopes):
            return _page("Invalid scope", "The scope parameter is missing or invalid.", 400)
        return redirect_uri, scopes

    def authorize(self, request: Request) -> Response:
        """``GET /oauth/v2/auth``: consent page, or an immediate redirect with auto_approve."""
        params = request.query
        checked = self._check_authorize(params)
        if isinstance(checked, Response):
            return checked
        if params.get("auto_approve", "").lower() in ("1", "true", "yes"):
            return self._redirect_with_code(params, *checked)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        scopes = "".join(f"<li>{html.escape(s)}</li>" for s in checked[1])
        user = self.state.records.current_user
        body = (
            f"<p>Signed in as <b>{html.escape(user['full_name'])}</b> "
            f"({html.escape(user['email'])}), org Zylker Demo.</p>"
            f"<p>bulkwizard would like to access:</p><ul>{scopes}</ul>"
            f'<form method="post" action="/oauth/v2/auth">{hidden}'
            '<button type="submit" name="approve" value="1">Accept</button> '
            '<button type="submit" name="approve" value="0">Reject</button></form>'
        )
        return _page("Zoho CRM sandbox: grant access", body, 200, escape=False)

    def approve(self, request: Request) -> Response:
        """``POST /oauth/v2/auth``: the consent page's buttons."""
        params = {**request.query, **request.form()}
        checked = self._check_authorize(params)
        if isinstance(checked, Response):
            return checked
        if params.get("approve") != "1":
            query = {"error": "access_denied"}
            if params.get("state"):
                query["state"] = params["state"]
            return Response.redirect(_with_query(checked[0], query))
        return self._redirect_with_code(params, *checked)

    def _redirect_with_code(
        self, params: dict[str, str], redirect_uri: str, scopes: list[str]
    ) -> Response:
        code = self.state.tokens.mint_grant_code(
            self.state.client_id,
            scopes,
            self.state.records.current_user["id"],
            ttl=WEB_GRANT_TTL,
            redirect_uri=redirect_uri,
            offline=params.get("access_type", "online").lower() == "offline",
        )
        query = {"code": code}
        if "state" in params:
            query["state"] = params["state"]
        query["location"] = "us"
        query["accounts-server"] = self.state.base_url
        return Response.redirect(_with_query(redirect_uri, query))


def _with_query(url: str, query: dict[str, str]) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode(query)}"


def _page(title: str, body: str, status: int, escape: bool = True) -> Response:
    content = html.escape(body) if escape else body
    page = Response.html(
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{content}</body></html>",
        status,
    )
    # The consent page must not be framed by another site (clickjacking of the Accept button).
    page.headers["X-Frame-Options"] = "DENY"
    page.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    return page
