"""OAuth clients, grant codes, refresh and access tokens of the sandbox's accounts server.

Tokens look like Zoho's (``1000.<32 hex>.<32 hex>``). The database keeps only their SHA-256, so a
copied sandbox database does not leak usable tokens; the one refresh token the sandbox hands out in
``credentials.json`` lives only there. Limits follow zoho-api.md §1.5: access tokens expire
(configurable TTL), at most 15 active access tokens per refresh token (the 16th retires the oldest),
at most ``mint_limit`` tokens minted per refresh token per 10 minutes.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bulkwizard.sandbox.db import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS oauth_clients (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS grant_codes (
    code_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, scopes TEXT NOT NULL,
    user_id TEXT NOT NULL, redirect_uri TEXT, offline INTEGER NOT NULL,
    expires_at REAL NOT NULL, used INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY, client_id TEXT NOT NULL, scopes TEXT NOT NULL,
    user_id TEXT NOT NULL, created_at REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS access_tokens (
    token_hash TEXT PRIMARY KEY, refresh_hash TEXT, client_id TEXT NOT NULL,
    scopes TEXT NOT NULL, user_id TEXT NOT NULL, created_at REAL NOT NULL,
    expires_at REAL NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, uses INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS access_tokens_refresh ON access_tokens (refresh_hash, created_at);
"""

ACTIVE_TOKENS_PER_REFRESH = 15
MINT_WINDOW_SECONDS = 600
DEFAULT_GRANT_TTL = 180  # a Self Client code's default validity: 3 minutes


class OAuthError(Exception):
    """A token endpoint error: ``{"error": code}`` (plus a description where Zoho has one)."""

    def __init__(self, error: str, description: str | None = None, status: int = 200) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        # Zoho answers most token errors with HTTP 200 and an "error" key; clients must branch
        # on the key, not the status.
        self.status = status

    def body(self) -> dict[str, str]:
        """The JSON body Zoho sends."""
        data = {"error": self.error}
        if self.description:
            data["error_description"] = self.description
        return data


@dataclass(frozen=True)
class AccessToken:
    """A valid access token as the API sees it (never carries the token text)."""

    token_hash: str
    client_id: str
    scopes: tuple[str, ...]
    user_id: str
    expires_at: float
    refresh_hash: str | None
    uses: int


def token_hash(token: str) -> str:
    """The SHA-256 the database stores instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh token in Zoho's ``1000.<hex>.<hex>`` form."""
    return f"1000.{secrets.token_hex(16)}.{secrets.token_hex(16)}"


class TokenStore:
    """Issues, checks and revokes the sandbox's OAuth grants and tokens."""

    def __init__(
        self,
        db: Database,
        access_ttl: int = 3600,
        mint_limit: int | None = 10,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.access_ttl = access_ttl
        self.mint_limit = mint_limit
        self.clock = clock  # public so tests can move time forward instead of sleeping
        db.executescript(SCHEMA)

    # ------------------------------------------------------------------ clients

    def ensure_client(self, client_id: str, client_secret: str, name: str) -> None:
        """Register a client (idempotent)."""
        self.db.execute(
            "INSERT OR IGNORE INTO oauth_clients (client_id, client_secret, name) VALUES (?, ?, ?)",
            (client_id, client_secret, name),
        )

    def client_secret(self, client_id: str) -> str | None:
        """The secret of a registered client, or ``None`` for unknown clients."""
        row = self.db.query_one(
            "SELECT client_secret FROM oauth_clients WHERE client_id = ?", (client_id,)
        )
        return str(row["client_secret"]) if row else None

    def check_client(self, client_id: str, client_secret: str | None) -> None:
        """Raise ``invalid_client`` / ``invalid_client_secret`` unless the pair is right."""
        secret = self.client_secret(client_id)
        if secret is None:
            raise OAuthError("invalid_client")
        if client_secret is None or not secrets.compare_digest(secret, client_secret):
            raise OAuthError("invalid_client_secret")

    # -------------------------------------------------------------- grant codes

    def mint_grant_code(
        self,
        client_id: str,
        scopes: Sequence[str],
        user_id: str,
        *,
        ttl: int = DEFAULT_GRANT_TTL,
        redirect_uri: str | None = None,
        offline: bool = True,
    ) -> str:
        """A single-use authorization code (Self Client style when ``redirect_uri`` is None)."""
        code = new_token()
        self.db.execute(
            "INSERT INTO grant_codes (code_hash, client_id, scopes, user_id, redirect_uri, offline,"
            " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                token_hash(code),
                client_id,
                json.dumps(list(scopes)),
                user_id,
                redirect_uri,
                int(offline),
                self.clock() + ttl,
            ),
        )
        return code

    def exchange_code(
        self, client_id: str, client_secret: str | None, code: str, redirect_uri: str | None
    ) -> tuple[str, str | None, tuple[str, ...]]:
        """Exchange a grant code; return (access token, refresh token or None, scopes)."""
        self.check_client(client_id, client_secret)
        with self.db.transaction():
            row = self.db.query_one(
                "SELECT * FROM grant_codes WHERE code_hash = ?", (token_hash(code),)
            )
            if (
                row is None
                or row["used"]
                or row["client_id"] != client_id
                or row["expires_at"] <= self.clock()
            ):
                raise OAuthError("invalid_code")
            # A browser code is bound to its redirect URI (RFC 6749 4.1.3): the exchange must
            # repeat it. Self Client codes have none.
            if row["redirect_uri"] and row["redirect_uri"] != redirect_uri:
                raise OAuthError("invalid_redirect_uri")
            self.db.execute(
                "UPDATE grant_codes SET used = 1 WHERE code_hash = ?", (row["code_hash"],)
            )
            scopes = tuple(json.loads(row["scopes"]))
            refresh = None
            if row["offline"]:
                refresh = self.issue_refresh_token(client_id, scopes, row["user_id"])
            access = self._mint_access(client_id, scopes, row["user_id"], refresh)
            return access, refresh, scopes

    # ----------------------------------------------------------- refresh tokens

    def issue_refresh_token(
        self, client_id: str, scopes: Sequence[str], user_id: str, token: str | None = None
    ) -> str:
        """Create a refresh token (or register a given one, for the pre-issued demo token)."""
        token = token or new_token()
        self.db.execute(
            "INSERT OR IGNORE INTO refresh_tokens (token_hash, client_id, scopes, user_id,"
            " created_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), client_id, json.dumps(list(scopes)), user_id, self.clock()),
        )
        return token

    def refresh_token_valid(self, token: str) -> bool:
        """Whether a refresh token exists and is not revoked."""
        row = self.db.query_one(
            "SELECT revoked FROM refresh_tokens WHERE token_hash = ?", (token_hash(token),)
        )
        return row is not None and not row["revoked"]

    def refresh(
        self, client_id: str, client_secret: str | None, refresh_token: str
    ) -> tuple[str, tuple[str, ...]]:
        """Mint an access token from a refresh token; return (access token, scopes)."""
        self.check_client(client_id, client_secret)
        with self.db.transaction():
            row = self.db.query_one(
                "SELECT * FROM refresh_tokens WHERE token_hash = ?", (token_hash(refresh_token),)
            )
            if row is None or row["revoked"] or row["client_id"] != client_id:
                raise OAuthError("invalid_code")
            scopes = tuple(json.loads(row["scopes"]))
            return self._mint_access(client_id, scopes, row["user_id"], refresh_token), scopes

    def client_credentials(
        self, client_id: str, client_secret: str | None, scopes: Sequence[str], user_id: str
    ) -> str:
        """An access token straight from the client's credentials (no refresh token)."""
        self.check_client(client_id, client_secret)
        with self.db.transaction():
            return self._mint_access(client_id, tuple(scopes), user_id, None)

    def _mint_access(
        self, client_id: str, scopes: Sequence[str], user_id: str, refresh: str | None
    ) -> str:
        now = self.clock()
        refresh_hash = token_hash(refresh) if refresh else None
        if refresh_hash is not None:
            minted = self.db.query(
                "SELECT token_hash, revoked, expires_at FROM access_tokens"
                " WHERE refresh_hash = ? AND created_at > ? ORDER BY created_at",
                (refresh_hash, now - MINT_WINDOW_SECONDS),
            )
            if self.mint_limit is not None and len(minted) >= self.mint_limit:
                raise OAuthError(
                    "Access Denied",
                    "You have made too many requests continuously. Please try again after "
                    "some time.",
                    status=400,
                )
            active = self.db.query(
                "SELECT token_hash FROM access_tokens WHERE refresh_hash = ? AND revoked = 0"
                " AND expires_at > ? ORDER BY created_at",
                (refresh_hash, now),
            )
            # The 16th active token retires the oldest (it then fails with INVALID_TOKEN).
            for old in active[: max(len(active) - ACTIVE_TOKENS_PER_REFRESH + 1, 0)]:
                self.db.execute(
                    "UPDATE access_tokens SET revoked = 1 WHERE token_hash = ?",
                    (old["token_hash"],),
                )
        token = new_token()
        self.db.execute(
            "INSERT INTO access_tokens (token_hash, refresh_hash, client_id, scopes, user_id,"
            " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                token_hash(token),
                refresh_hash,
                client_id,
                json.dumps(list(scopes)),
                user_id,
                now,
                now + self.access_ttl,
            ),
        )
        return token

    # ------------------------------------------------------------ API side

    def validate(self, token: str) -> AccessToken | None:
        """The access token's grant if it is known, unexpired and not revoked."""
        row = self.db.query_one(
            "SELECT a.*, r.revoked AS refresh_revoked FROM access_tokens a"
            " LEFT JOIN refresh_tokens r ON r.token_hash = a.refresh_hash"
            " WHERE a.token_hash = ?",
            (token_hash(token),),
        )
        if row is None or row["revoked"] or row["refresh_revoked"]:
            return None
        if row["expires_at"] <= self.clock():
            return None
        return AccessToken(
            token_hash=row["token_hash"],
            client_id=row["client_id"],
            scopes=tuple(json.loads(row["scopes"])),
            user_id=row["user_id"],
            expires_at=row["expires_at"],
            refresh_hash=row["refresh_hash"],
            uses=row["uses"],
        )

    def count_use(self, access: AccessToken) -> None:
        """Count one successful call made with the token (for the ``token_uses`` fault)."""
        self.db.execute(
            "UPDATE access_tokens SET uses = uses + 1 WHERE token_hash = ?", (access.token_hash,)
        )

    def expire(self, access: AccessToken) -> None:
        """Expire an access token now (the ``expire_tokens`` fault)."""
        self.db.execute(
            "UPDATE access_tokens SET revoked = 1 WHERE token_hash = ?", (access.token_hash,)
        )

    def revoke(self, token: str) -> bool:
        """Revoke a refresh token (and with it its access tokens) or an access token."""
        digest = token_hash(token)
        with self.db.transaction():
            found = self.db.execute(
                "UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0",
                (digest,),
            ).rowcount
            if found:
                self.db.execute(
                    "UPDATE access_tokens SET revoked = 1 WHERE refresh_hash = ?", (digest,)
                )
                return True
            return bool(
                self.db.execute(
                    "UPDATE access_tokens SET revoked = 1 WHERE token_hash = ? AND revoked = 0",
                    (digest,),
                ).rowcount
            )
