"""Fixtures shared by the whole suite.

- Qt runs offscreen unless a test session sets another platform (pytest-qt reads ``qt_api``).
- Every test gets an in-memory keyring, so no test touches the user's real keyring; the one test
  that exercises a real Secret Service opts out explicitly (marker ``secret_service``).
- Every test gets its own config/data/cache folders through ``BULKWIZARD_HOME``.
- ``make_sandbox(**options)`` starts a real sandbox server on a free loopback port (options are
  :class:`~bulkwizard.sandbox.server.SandboxServer`'s: ``faults=``, ``token_ttl=``, ``data_dir=``
  ...; the data folder defaults to ``tmp_path / "sandbox"``, outside ``BULKWIZARD_HOME``, so
  secret scans of bulkwizard's own folders stay honest); ``sandbox`` is a default one. Every
  sandbox made is stopped when the test ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest

from bulkwizard.sandbox.server import SandboxServer

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TESTS_DIR = Path(__file__).parent
DEMO_SNAPSHOT_DIR = TESTS_DIR / "data" / "demo_snapshot"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that keeps secrets in a dict for the duration of one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.secrets[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError(username) from None


@pytest.fixture(autouse=True)
def memory_keyring(request: pytest.FixtureRequest) -> Iterator[MemoryKeyring | None]:
    """Install an in-memory keyring backend, except for tests marked ``secret_service``."""
    if request.node.get_closest_marker("secret_service"):
        yield None
        return
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point bulkwizard's config/data/cache folders at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("bulkwizard-home")
    monkeypatch.setenv("BULKWIZARD_HOME", str(home))
    return home


@pytest.fixture
def demo_snapshot_dir() -> Path:
    """The committed metadata snapshot of the sandbox's demo org."""
    return DEMO_SNAPSHOT_DIR


@pytest.fixture
def make_sandbox(tmp_path: Path) -> Iterator[Callable[..., SandboxServer]]:
    """Start sandboxes with custom options; all are stopped at the end of the test."""
    started: list[SandboxServer] = []

    def make(**options: Any) -> SandboxServer:
        options.setdefault("data_dir", tmp_path / "sandbox")
        options.setdefault("port", 0)
        server = SandboxServer(**options).start()
        started.append(server)
        return server

    yield make
    for server in reversed(started):
        server.stop()


@pytest.fixture
def sandbox(make_sandbox: Callable[..., SandboxServer]) -> SandboxServer:
    """A running sandbox with the demo org, on a free loopback port."""
    return make_sandbox()
