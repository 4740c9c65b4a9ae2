"""Secrets (refresh tokens, client secrets, the current access token) in the OS keyring only.

:class:`KeyringStore` keeps each secret under service ``bulkwizard`` with the user name
``<profile>:<kind>``. Every keyring call runs behind one process-wide lock: backends such as
Secret Service are not safe to drive from several threads at once.

When no usable backend exists (a headless Linux without Secret Service, a locked keychain), the
store raises :class:`KeyringUnavailableError` with a plain explanation. There is **no plaintext
fallback**: the caller may instead choose :class:`SessionStore`, which keeps the secret in memory
for this run only.
"""

from __future__ import annotations

import threading
from typing import Protocol

import keyring
import keyring.backend
import keyring.errors

from bulkwizard.core.errors import BulkWizardError

SERVICE = "bulkwizard"
REFRESH_TOKEN = "refresh_token"
CLIENT_SECRET = "client_secret"
# The current access token and its expiry, so the next command reuses it instead of minting one
# (Zoho allows ~10 new access tokens per refresh token per 10 minutes).
ACCESS_TOKEN = "access_token"
KINDS = (REFRESH_TOKEN, CLIENT_SECRET, ACCESS_TOKEN)

_LOCK = threading.RLock()

NO_BACKEND_HELP = (
    "No usable system keyring was found, so bulkwizard cannot store your sign-in safely. "
    "On Linux, install and unlock a Secret Service provider (GNOME Keyring or KWallet) and make "
    "sure a D-Bus session is running; on macOS unlock the login keychain; on Windows the "
    "Credential Manager is used. bulkwizard never writes tokens to a plain file. You can instead "
    "keep the sign-in for this session only (it is forgotten when the program exits)."
)


class SecretStoreError(BulkWizardError):
    """A secret could not be read, written or deleted."""


class KeyringUnavailableError(SecretStoreError):
    """No usable keyring backend, or the keyring is locked.

    Attributes:
        backend: the name of the backend keyring chose (``fail Keyring``, ``SecretService`` ...).
        reason: the short technical reason.
        help: what the user can do (see ``NO_BACKEND_HELP``).
    """

    def __init__(self, backend: str, reason: str) -> None:
        self.backend = backend
        self.reason = reason
        self.help = NO_BACKEND_HELP
        super().__init__(f"keyring unavailable ({backend}: {reason}). {NO_BACKEND_HELP}")


class SecretStore(Protocol):
    """Where a profile's secrets live."""

    #: True when secrets survive the end of the process.
    persistent: bool

    def get(self, profile: str, kind: str) -> str | None: ...

    def set(self, profile: str, kind: str, value: str) -> None: ...

    def delete(self, profile: str, kind: str) -> None: ...


def _username(profile: str, kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown secret kind {kind!r}")
    return f"{profile}:{kind}"


def backend_problem(backend: keyring.backend.KeyringBackend | None = None) -> str | None:
    """Why ``backend`` (default: the current one) cannot hold secrets; ``None`` if it can."""
    backend = backend if backend is not None else keyring.get_keyring()
    module = type(backend).__module__
    if module.startswith("keyring.backends.fail"):
        return "no keyring backend is installed or reachable"
    if module.startswith("keyring.backends.null"):
        return "the keyring is disabled (null backend)"
    if module.startswith("keyring.backends.chainer"):
        backends = getattr(backend, "backends", [])
        usable = [b for b in backends if backend_problem(b) is None]
        if not usable:
            return "no keyring backend is available in the chain"
        return None
    if module.startswith("keyrings.alt"):
        # keyrings.alt backends write plaintext or weakly encrypted files: never acceptable.
        return f"{type(backend).__name__} stores secrets in a file, which bulkwizard refuses"
    priority = getattr(backend, "priority", 1)
    if isinstance(priority, int | float) and priority <= 0:
        return f"{type(backend).__name__} is not usable here (priority {priority})"
    return None


def _backend_name(backend: keyring.backend.KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


class KeyringStore:
    """Secrets in the OS keyring (service ``bulkwizard``)."""

    persistent = True

    def check(self) -> None:
        """Raise :class:`KeyringUnavailableError` unless a usable backend is configured."""
        backend = keyring.get_keyring()
        problem = backend_problem(backend)
        if problem:
            raise KeyringUnavailableError(_backend_name(backend), problem)

    def get(self, profile: str, kind: str) -> str | None:
        with _LOCK:
            self.check()
            try:
                return keyring.get_password(SERVICE, _username(profile, kind))
            except keyring.errors.KeyringError as exc:
                raise self._translate(exc) from None

    def set(self, profile: str, kind: str, value: str) -> None:
        with _LOCK:
            self.check()
            try:
                keyring.set_password(SERVICE, _username(profile, kind), value)
            except keyring.errors.KeyringError as exc:
                raise self._translate(exc) from None

    def delete(self, profile: str, kind: str) -> None:
        """Delete the secret; deleting one that is not there is not an error."""
        with _LOCK:
            self.check()
            try:
                keyring.delete_password(SERVICE, _username(profile, kind))
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError as exc:
                raise self._translate(exc) from None

    @staticmethod
    def _translate(exc: keyring.errors.KeyringError) -> SecretStoreError:
        backend = _backend_name(keyring.get_keyring())
        text = str(exc) or type(exc).__name__
        if isinstance(exc, keyring.errors.KeyringLocked | keyring.errors.InitError) or (
            "locked" in text.lower()
        ):
            return KeyringUnavailableError(backend, f"the keyring is locked or refused ({text})")
        if isinstance(exc, keyring.errors.NoKeyringError):
            return KeyringUnavailableError(backend, text)
        return SecretStoreError(f"keyring error ({backend}): {text}")


class SessionStore:
    """Secrets in memory for this process only; the user's explicit choice when no keyring works."""

    persistent = False

    def __init__(self) -> None:
        self._secrets: dict[tuple[str, str], str] = {}

    def get(self, profile: str, kind: str) -> str | None:
        with _LOCK:
            return self._secrets.get((profile, _username(profile, kind)))

    def set(self, profile: str, kind: str, value: str) -> None:
        with _LOCK:
            self._secrets[(profile, _username(profile, kind))] = value

    def delete(self, profile: str, kind: str) -> None:
        with _LOCK:
            self._secrets.pop((profile, _username(profile, kind)), None)


_SESSION = SessionStore()


def session_store() -> SessionStore:
    """The process-wide session-only store."""
    return _SESSION


def default_store(*, allow_session: bool = False) -> SecretStore:
    """The keyring store, or the session store if the keyring is unusable and that is allowed.

    Raises:
        KeyringUnavailableError: no usable keyring and ``allow_session`` is false.
    """
    store = KeyringStore()
    try:
        store.check()
    except KeyringUnavailableError:
        if allow_session:
            return _SESSION
        raise
    return store
