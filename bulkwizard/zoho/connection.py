"""From a profile name to a working client, and back: sign-in completion and sign-out.

- :func:`finish_sign_in` takes fresh tokens, reads the org and user, stores the secrets in the
  secret store and the profile in ``profiles.json`` (in that order: no profile without secrets).
- :func:`connect` builds a :class:`~bulkwizard.zoho.client.ZohoClient` whose token provider keeps
  the access token in memory and renews it from the stored refresh token; the current access
  token is also kept in the secret store so the next command reuses it.
- :func:`sign_out` revokes the refresh token at Zoho and deletes the secrets and the profile.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import requests

from bulkwizard.storage import secrets
from bulkwizard.storage.profiles import Profile, ProfileStore
from bulkwizard.zoho import datacenters
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.errors import ZohoApiError, ZohoAuthError
from bulkwizard.zoho.oauth import SCOPES, OAuthClient
from bulkwizard.zoho.redact import get_logger
from bulkwizard.zoho.tokens import REFRESH_MARGIN, RefreshingTokenProvider, TokenResponse

log = get_logger(__name__)


@dataclass(frozen=True)
class Endpoints:
    """Where a sign-in talks to: a data centre table entry or custom URLs."""

    centre: datacenters.DataCentre
    sandbox: bool = False


def profile_for(
    name: str, centre: datacenters.DataCentre, client_id: str, **details: Any
) -> Profile:
    """A profile whose URLs are ``centre``'s; ``details`` sets the other fields (org, user...)."""
    return Profile(
        name=name,
        datacentre=centre.code,
        accounts_url=centre.accounts_url,
        api_url=centre.api_url,
        upload_url=centre.upload_url,
        download_url=centre.download_url,
        client_id=client_id,
        **details,
    )


def finish_sign_in(
    name: str,
    endpoints: Endpoints,
    client_id: str,
    client_secret: str,
    tokens: TokenResponse,
    *,
    store: secrets.SecretStore,
    profiles: ProfileStore | None = None,
    session: requests.Session | None = None,
    redirect_uri: str = "",
    make_default: bool = False,
) -> Profile:
    """Verify the tokens against the API, then save secrets and the profile.

    For a Zoho data centre the token response's ``api_domain`` wins (the user's org may live in
    another DC than the one picked); the upload/download hosts follow that DC.
    """
    if not tokens.refresh_token:
        raise ZohoAuthError("NO_REFRESH_TOKEN", None, "no refresh token to store")
    centre = endpoints.centre
    if centre.code != datacenters.CUSTOM and tokens.api_domain:
        centre = datacenters.for_api_domain(tokens.api_domain) or centre
    profile = profile_for(
        name,
        centre,
        client_id,
        scopes=list(SCOPES),
        redirect_uri=redirect_uri,
        sandbox=endpoints.sandbox,
    )
    oauth = OAuthClient(profile.accounts_url, client_id, client_secret, session=session)
    refresh_token = tokens.refresh_token
    provider = RefreshingTokenProvider(lambda: oauth.refresh(refresh_token), initial=tokens)
    client = ZohoClient(profile, provider, session=session)
    org = client.org()
    user = client.current_user()
    profile.org_zgid = str(org.get("zgid") or "")
    profile.org_name = str(org.get("company_name") or "")
    profile.user_name = str(user.get("full_name") or "")
    profile.user_email = str(user.get("email") or "")
    store.set(name, secrets.CLIENT_SECRET, client_secret)
    store.set(name, secrets.REFRESH_TOKEN, refresh_token)
    remember_access_token(store, name, tokens)
    (profiles or ProfileStore()).save(profile, make_default=make_default)
    log.info("signed in profile %s (org %s)", name, profile.org_zgid)
    return profile


def token_provider(
    profile: Profile, store: secrets.SecretStore, session: requests.Session | None = None
) -> RefreshingTokenProvider:
    """A provider that renews the access token from the profile's stored refresh token."""
    client_secret = store.get(profile.name, secrets.CLIENT_SECRET)
    refresh_token = store.get(profile.name, secrets.REFRESH_TOKEN)
    if not client_secret or not refresh_token:
        raise ZohoAuthError(
            "NOT_SIGNED_IN",
            None,
            f"profile {profile.name!r} has no stored sign-in; run `bulkwizard-cli login "
            f"--profile {profile.name}` again",
        )
    oauth = OAuthClient(profile.accounts_url, profile.client_id, client_secret, session=session)
    return RefreshingTokenProvider(
        lambda: oauth.refresh(refresh_token),
        initial=cached_access_token(store, profile.name),
        on_minted=lambda tokens: remember_access_token(store, profile.name, tokens),
    )


def remember_access_token(
    store: secrets.SecretStore, profile: str, tokens: TokenResponse, *, now: float | None = None
) -> None:
    """Keep the access token and its wall-clock expiry in the secret store for the next run.

    A failure to write is logged, not raised: the call that minted the token still works.
    """
    expires_at = (time.time() if now is None else now) + tokens.expires_in
    value = json.dumps({"access_token": tokens.access_token, "expires_at": expires_at})
    try:
        store.set(profile, secrets.ACCESS_TOKEN, value)
    except secrets.SecretStoreError as exc:
        log.warning("could not keep the access token for the next run: %s", exc.__class__.__name__)


def cached_access_token(
    store: secrets.SecretStore, profile: str, *, now: float | None = None
) -> TokenResponse | None:
    """The access token an earlier run kept, if it is still valid for more than a minute."""
    try:
        raw = store.get(profile, secrets.ACCESS_TOKEN)
        data = json.loads(raw) if raw else {}
        token = str(data["access_token"])
        remaining = float(data["expires_at"]) - (time.time() if now is None else now)
    except (secrets.SecretStoreError, ValueError, TypeError, KeyError):
        return None  # none kept, or unreadable: mint a new one
    if not token or remaining <= REFRESH_MARGIN:
        return None
    return TokenResponse(access_token=token, expires_in=remaining)


def connect(
    profile: Profile,
    store: secrets.SecretStore | None = None,
    session: requests.Session | None = None,
) -> ZohoClient:
    """A client for ``profile`` (secrets from ``store``, default: the keyring)."""
    store = store if store is not None else secrets.default_store()
    session = session or requests.Session()
    return ZohoClient(profile, token_provider(profile, store, session), session=session)


def sign_out(
    profile: Profile,
    store: secrets.SecretStore,
    *,
    profiles: ProfileStore | None = None,
    session: requests.Session | None = None,
    keep_profile: bool = False,
) -> ZohoApiError | None:
    """Revoke the refresh token, delete the secrets (and the profile unless ``keep_profile``).

    Local secrets are deleted even if Zoho cannot be reached; the revoke error is returned so
    the caller can tell the user to revoke the grant in Zoho's accounts page.
    """
    refresh_token = store.get(profile.name, secrets.REFRESH_TOKEN)
    client_secret = store.get(profile.name, secrets.CLIENT_SECRET) or ""
    problem: ZohoApiError | None = None
    if refresh_token:
        try:
            OAuthClient(
                profile.accounts_url, profile.client_id, client_secret, session=session
            ).revoke(refresh_token)
        except ZohoApiError as exc:
            problem = exc
    for kind in secrets.KINDS:
        store.delete(profile.name, kind)
    if not keep_profile:
        (profiles or ProfileStore()).delete(profile.name)
    return problem
