"""Start the embedded sandbox org in the background and sign in to it.

The sandbox is the app's default org: a new user sees a working CRM before owning a Zoho
account. Starting it (SQLite, seeding on first run) and signing in are blocking, so both run in a
worker; :class:`SandboxConnection` reports back on the GUI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal, Slot

from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.sandbox.server import SandboxServer
from bulkwizard.storage import paths
from bulkwizard.storage.profiles import Profile
from bulkwizard.ui.workers import Task
from bulkwizard.zoho import datacenters
from bulkwizard.zoho.client import ZohoClient
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
    """A running sandbox server and a client signed in to it."""

    server: SandboxServer
    client: ZohoClient
    summary: SandboxSummary


def start_embedded_sandbox(data_dir: str | Path | None = None) -> EmbeddedSandbox:
    """Start the sandbox on a free loopback port, sign in with its demo client, read the org.

    Blocking: call from a worker. The demo credentials come from the sandbox's own
    ``credentials.json``; the access token stays in memory.
    """
    folder = Path(data_dir) if data_dir else paths.sandbox_dir()
    server = SandboxServer(data_dir=folder, port=0)
    server.start()
    try:
        credentials = server.credentials
        centre = datacenters.custom(server.base_url)
        profile = Profile(
            name=SANDBOX_PROFILE_NAME,
            datacentre=centre.code,
            accounts_url=centre.accounts_url,
            api_url=centre.api_url,
            upload_url=centre.upload_url,
            download_url=centre.download_url,
            client_id=str(credentials["client_id"]),
            org_zgid=str(credentials.get("zgid", "")),
            sandbox=True,
        )
        oauth = OAuthClient(
            profile.accounts_url, profile.client_id, str(credentials["client_secret"])
        )
        refresh_token = str(credentials["refresh_token"])
        client = ZohoClient(profile, RefreshingTokenProvider(lambda: oauth.refresh(refresh_token)))
        org = client.org()
        user = client.current_user()
        snapshot = MetadataSnapshot.from_responses(client.modules_body(), {})
        summary = SandboxSummary(
            base_url=server.base_url,
            org_name=str(org.get("company_name", "")),
            user_name=str(user.get("full_name", "")),
            modules=[(module.api_name, module.label) for module in snapshot.parent_modules()],
        )
    except BaseException:
        server.stop()
        raise
    return EmbeddedSandbox(server=server, client=client, summary=summary)


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
            embedded.server.stop()
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
            self.embedded.server.stop()
            self.embedded = None
