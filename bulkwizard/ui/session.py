"""Who the app is signed in as, and the org's metadata: shared by every page.

:class:`Session` holds the signed-in :class:`~bulkwizard.zoho.client.ZohoClient` (``None`` when
signed out), what the window shows about it, and the org's metadata snapshot, loaded (from the
per-profile cache, or pulled from the org) in a worker after each sign-in. Pages never call the
network themselves for metadata: they read :attr:`Session.snapshot` and listen to
:attr:`Session.metadata_loaded`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.ui.workers import Task
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.metadata_cache import cached_snapshot

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Account:
    """What the window shows about the signed-in account."""

    profile_name: str
    org_name: str
    user_name: str
    api_url: str
    is_sandbox: bool = False


def _load_snapshot(client: ZohoClient, refresh: bool) -> MetadataSnapshot:
    snapshot, _folder = cached_snapshot(client, refresh=refresh)
    return snapshot


class Session(QObject):
    """The signed-in account and its metadata; see the module docstring."""

    signed_in = Signal(object)  # Account
    signed_out = Signal()
    metadata_loading = Signal()
    metadata_loaded = Signal(object)  # MetadataSnapshot
    metadata_failed = Signal(Exception)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client: ZohoClient | None = None
        self.account: Account | None = None
        self.snapshot: MetadataSnapshot | None = None
        self._metadata_task: Task | None = None

    @property
    def is_signed_in(self) -> bool:
        return self.client is not None

    def sign_in(self, client: ZohoClient, account: Account) -> None:
        """Use ``client`` from now on (it is already signed in) and load the org's metadata."""
        self.client = client
        self.account = account
        self.snapshot = None
        self.signed_in.emit(account)
        self.load_metadata()

    def sign_out(self) -> None:
        """Forget the client (revoking tokens is the Sign-in page's business)."""
        self.client = None
        self.account = None
        self.snapshot = None
        self.signed_out.emit()

    def load_metadata(self, *, refresh: bool = False) -> None:
        """Load the snapshot in a worker (from the cache unless ``refresh``)."""
        client = self.client
        if client is None or (self._metadata_task is not None and self._metadata_task.running):
            return
        self.metadata_loading.emit()
        self._metadata_task = Task(
            self, lambda: _load_snapshot(client, refresh), self.on_metadata_task_finished
        ).failure(self.on_metadata_task_failed)
        self._metadata_task.run()

    @Slot(object)
    def on_metadata_task_finished(self, snapshot: MetadataSnapshot) -> None:
        if self.client is None:  # signed out while loading
            return
        self.snapshot = snapshot
        self.metadata_loaded.emit(snapshot)

    @Slot(Exception)
    def on_metadata_task_failed(self, error: Exception) -> None:
        log.warning("could not load the org's metadata: %s", error)
        self.metadata_failed.emit(error)
