"""Start the embedded sandbox org in the background and sign in to it.

The sandbox is the app's default org: a new user sees a working CRM before owning a Zoho
account. Starting it (SQLite, seeding on first run) and signing in are blocking, so both run in a
worker; :class:`SandboxConnection` reports back on the GUI thread.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.sandbox.lock import SandboxBusyError
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.storage import paths
from bulkwizard.ui.workers import Task
from bulkwizard.zoho import datacenters
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.connection import profile_for
from bulkwizard.zoho.oauth import OAuthClient
from bulkwizard.zoho.tokens import RefreshingTokenProvider

SANDBOX_PROFILE_NAME = "Sandbox"


@dataclass(frozen=True)
class SandboxSummary:
    """What the window shows about the running sandbox org."""

    base_url: str
    org_name: str
    user_name: str
    modules: list[tuple[str, str]]  # (api_name, label) of modules one can import into


@dataclass
class EmbeddedSandbox:
    """A sandbox org and a client signed in to it.

    ``server`` is ``None`` when another process (``bulkwizard-cli sandbox``) already serves the
    same data folder: then the app connects to that one instead of starting its own.
    """

    server: SandboxServer | None
    client: ZohoClient
    summary: SandboxSummary

    def stop(self) -> None:
        """Stop the server if this app started it."""
        if self.server is not None:
            self.server.stop()


def start_embedded_sandbox(data_dir: str | Path | None = None) -> EmbeddedSandbox:
    """Start the sandbox on a free loopback port (or join the one running on the same folder),
    sign in with its demo client and read the org.

    Blocking: call from a worker. The demo credentials come from the sandbox's own
    ``credentials.json``; the access token stays in memory.
    """
    folder = Path(data_dir) if data_dir else paths.sandbox_dir()
    server: SandboxServer | None = SandboxServer(data_dir=folder, port=0)
    assert server is not None
    try:
        server.start()
        credentials = server.credentials
    except SandboxBusyError:
        server = None
        credentials = _read_credentials(folder / "credentials.json")
    try:
        client = _signed_in_client(credentials)
        org = client.org()
        user = client.current_user()
        snapshot = MetadataSnapshot.from_responses(client.modules_body(), {})
    except BaseException:
        if server is not None:
            server.stop()
        raise
    summary = SandboxSummary(
        base_url=client.profile.api_url,
        org_name=str(org.get("company_name", "")),
        user_name=str(user.get("full_name", "")),
        modules=[(module.api_name, module.label) for module in snapshot.parent_modules()],
    )
    return EmbeddedSandbox(server=server, client=client, summary=summary)


def _read_credentials(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _signed_in_client(credentials: Mapping[str, Any]) -> ZohoClient:
    centre = datacenters.custom(
        str(credentials["api_domain"]),
        accounts_url=str(credentials.get("accounts_url") or credentials["api_domain"]),
        upload_url=str(credentials.get("upload_url") or credentials["api_domain"]),
    )
    profile = profile_for(
        SANDBOX_PROFILE_NAME,
        centre,
        str(credentials["client_id"]),
        org_zgid=str(credentials.get("zgid", "")),
        sandbox=True,
    )
    oauth = OAuthClient(profile.accounts_url, profile.client_id, str(credentials["client_secret"]))
    refresh_token = str(credentials["refresh_token"])
    return ZohoClient(profile, RefreshingTokenProvider(lambda: oauth.refresh(refresh_token)))


class SandboxConnection(QObject):
    """Owns the embedded sandbox for the window: start in a worker, stop on close."""

    connected = Signal(object)  # SandboxSummary
    failed = Signal(Exception)

    def __init__(self, parent: QObject, data_dir: str | Path | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self.embedded: EmbeddedSandbox | None = None
        self._task: Task | None = None
        self._stop_requested = False

    def start(self) -> None:
        if self._task is not None and self._task.running:
            return
        self._stop_requested = False
        data_dir = self._data_dir
        self._task = Task(
            self, lambda: start_embedded_sandbox(data_dir), self.on_task_finished
        ).failure(self.on_task_failed)
        self._task.run()

    @Slot(object)
    def on_task_finished(self, embedded: EmbeddedSandbox) -> None:
        if self._stop_requested:  # the window closed while the sandbox was starting
            embedded.stop()
            return
        self.embedded = embedded
        self.connected.emit(embedded.summary)

    @Slot(Exception)
    def on_task_failed(self, error: Exception) -> None:
        self.failed.emit(error)

    def stop(self) -> None:
        """Stop the server (quick: it only closes the socket and the database)."""
        self._stop_requested = True
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None
