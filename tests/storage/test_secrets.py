"""Secrets live only in the keyring; an unusable keyring is reported, never worked around."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.errors
import pytest

from bulkwizard.storage import secrets


def test_keyring_store_round_trip(memory_keyring: object) -> None:
    store = secrets.KeyringStore()
    store.set("work", secrets.REFRESH_TOKEN, "rt-1")
    store.set("work", secrets.CLIENT_SECRET, "cs-1")
    assert store.get("work", secrets.REFRESH_TOKEN) == "rt-1"
    assert memory_keyring.secrets == {  # type: ignore[attr-defined]
        ("bulkwizard", "work:refresh_token"): "rt-1",
        ("bulkwizard", "work:client_secret"): "cs-1",
    }
    store.delete("work", secrets.REFRESH_TOKEN)
    store.delete("work", secrets.REFRESH_TOKEN)  # deleting twice is fine
    assert store.get("work", secrets.REFRESH_TOKEN) is None
    with pytest.raises(ValueError):
        store.get("work", "password")


@pytest.mark.parametrize(
    "backend, reason",
    [
        (keyring.backends.fail.Keyring(), "no keyring backend"),
        (keyring.backends.null.Keyring(), "disabled"),
    ],
)
def test_unusable_backend_raises_a_typed_error(
    backend: keyring.backend.KeyringBackend, reason: str
) -> None:
    keyring.set_keyring(backend)
    store = secrets.KeyringStore()
    with pytest.raises(secrets.KeyringUnavailableError, match=reason) as caught:
        store.set("work", secrets.REFRESH_TOKEN, "rt")
    assert "session only" in caught.value.help
    assert "never writes tokens to a plain file" in str(caught.value)
    with pytest.raises(secrets.KeyringUnavailableError):
        secrets.default_store()
    assert secrets.default_store(allow_session=True) is secrets.session_store()


def test_empty_chainer_is_unusable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring.backends.chainer.ChainerBackend, "backends", [])
    assert "chain" in str(secrets.backend_problem(keyring.backends.chainer.ChainerBackend()))


class LockedKeyring(keyring.backend.KeyringBackend):
    """A keyring whose collection is locked, like a macOS keychain the user did not unlock."""

    priority = 1

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("Failed to unlock the collection!")


def test_locked_keyring_is_reported_as_unavailable() -> None:
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(secrets.KeyringUnavailableError, match="locked"):
        secrets.KeyringStore().get("work", secrets.REFRESH_TOKEN)


def test_session_store_keeps_secrets_in_memory_only() -> None:
    store = secrets.SessionStore()
    assert store.persistent is False
    store.set("work", secrets.REFRESH_TOKEN, "rt")
    assert store.get("work", secrets.REFRESH_TOKEN) == "rt"
    store.delete("work", secrets.REFRESH_TOKEN)
    assert store.get("work", secrets.REFRESH_TOKEN) is None
