"""Everything the sandbox knows, shared by all request threads and the bulk-write workers.

:class:`SandboxState` holds the configuration, the SQLite database (``DATA/sandbox.sqlite3``), the
metadata (from :mod:`bulkwizard.sandbox.demo.metadata`), org and users, the record store, the
OAuth token store, the credit meter and the fault injector. Components that run threads register
``on_start`` / ``on_stop`` callbacks; the server calls :meth:`SandboxState.start` once it is
listening and :meth:`SandboxState.stop` before it closes the database.
"""

from __future__ import annotations

import copy
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.sandbox.credits import DEFAULT_DAILY_CREDITS, Credits
from bulkwizard.sandbox.db import Database
from bulkwizard.sandbox.demo import metadata as demo_metadata
from bulkwizard.sandbox.demo import org as demo_org
from bulkwizard.sandbox.faults import Faults, FaultSpec
from bulkwizard.sandbox.record_store import IdSequence, RecordStore
from bulkwizard.sandbox.token_store import TokenStore

JsonObject = dict[str, Any]
DATABASE_NAME = "sandbox.sqlite3"


@dataclass
class SandboxConfig:
    """How a sandbox runs; every field has the CLI's default."""

    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 0
    token_ttl: int = 3600
    latency_ms: int = 0
    faults: FaultSpec | str | None = None
    max_concurrent_jobs: int = 2
    daily_credits: int = DEFAULT_DAILY_CREDITS
    token_mint_limit: int | None = 10
    # Simultaneous API calls per org (Zoho Enterprise: 20); more get 429. None: no limit.
    max_concurrent_calls: int | None = 20
    seed_demo_records: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


class SandboxState:
    """The sandbox's shared state; see the module docstring."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.data_dir = Path(config.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.files_dir = self.data_dir / "files"
        self.files_dir.mkdir(exist_ok=True, mode=0o700)  # uploaded customer data
        self.base_url = f"http://{config.host}:{config.port}"
        self.db = Database(self.data_dir / DATABASE_NAME)
        self.db.executescript("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT);")
        self.new_id: Callable[[], str] = IdSequence(self.db)
        self.modules_body: JsonObject = demo_metadata.modules_body()
        self.fields_bodies: dict[str, JsonObject] = demo_metadata.fields_bodies()
        self.metadata = MetadataSnapshot.from_responses(self.modules_body, self.fields_bodies)
        self.org: JsonObject = demo_org.org_body()["org"][0]
        self.zgid: str = self.org["zgid"]
        self.records = RecordStore(
            self.db, self.metadata, demo_org.users(), self.new_id, demo_org.TIME_ZONE
        )
        self.tokens = TokenStore(self.db, config.token_ttl, config.token_mint_limit)
        self.credits = Credits(self.db, config.daily_credits)
        self.faults = Faults(config.faults)
        self.client_id, self.client_secret = self._demo_client()
        self._on_start: list[Callable[[], None]] = []
        self._on_stop: list[Callable[[], None]] = []
        self.started = False

    # ---------------------------------------------------------------- lifecycle

    def on_start(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the server starts listening (start worker threads there)."""
        self._on_start.append(callback)

    def on_stop(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the server stops, before the database closes (join threads)."""
        self._on_stop.append(callback)

    def start(self) -> None:
        """Seed the demo org on first start, then run the start callbacks."""
        if self.config.seed_demo_records and self.kv_get("seeded") is None:
            from bulkwizard.sandbox.demo import seed_records

            with self.db.transaction():
                seed_records(self.records)
                self.kv_set("seeded", self.records.now_iso())
        self.started = True
        for callback in self._on_start:
            callback()

    def stop(self) -> None:
        """Run the stop callbacks (in reverse order) and close the database."""
        try:
            for callback in reversed(self._on_stop):
                callback()
        finally:
            self.started = False
            self.db.close()

    # ------------------------------------------------------------------ helpers

    def kv_get(self, key: str) -> str | None:
        """A persisted setting of the sandbox itself."""
        row = self.db.query_one("SELECT value FROM kv WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def kv_set(self, key: str, value: str) -> None:
        """Persist a setting of the sandbox itself."""
        self.db.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def now_iso(self) -> str:
        """The current time, ISO-8601 with the org's offset."""
        return self.records.now_iso()

    def module_name(self, name: str) -> str | None:
        """The canonical api_name of a module named case-insensitively, or ``None``."""
        wanted = name.lower()
        for module in self.modules_body["modules"]:
            if module["api_name"].lower() == wanted:
                return str(module["api_name"])
        return None

    def module_body(self, api_name: str) -> JsonObject | None:
        """The Modules API object of one module."""
        for module in self.modules_body["modules"]:
            if module["api_name"] == api_name:
                return copy.deepcopy(module)
        return None

    def parent_module(self, api_name: str) -> str | None:
        """The module whose subform or multi-select lookup a child module belongs to."""
        for parent, fields in self.metadata.fields.items():
            for meta in fields.values():
                linking = meta.multiselectlookup or meta.multiuserlookup
                if meta.subform_module == api_name or (
                    linking and linking.linking_module == api_name
                ):
                    return parent
        return None

    def module_scope(self, api_name: str) -> str:
        """The scope name of a module's records: ``leads``, ``deals``, ``custom``...

        Subform and linking modules use their parent's scope.
        """
        module = self.metadata.module(api_name)
        if module is not None and module.generated_type in ("subform", "linking"):
            parent = self.parent_module(api_name)
            if parent:
                return self.module_scope(parent)
        if module is not None and module.generated_type == "custom":
            return "custom"
        return api_name.lower()

    @property
    def user(self) -> JsonObject:
        """The current user (every token the sandbox issues belongs to this user)."""
        return copy.deepcopy(self.records.current_user)

    def _demo_client(self) -> tuple[str, str]:
        """The demo OAuth client, created once and kept across restarts."""
        client_id = self.kv_get("client_id")
        client_secret = self.kv_get("client_secret")
        if client_id is None or client_secret is None:
            alphabet = string.ascii_uppercase + string.digits
            client_id = "1000." + "".join(secrets.choice(alphabet) for _ in range(30))
            client_secret = secrets.token_hex(21)
            self.kv_set("client_id", client_id)
            self.kv_set("client_secret", client_secret)
        self.tokens.ensure_client(client_id, client_secret, demo_org.DEMO_CLIENT_NAME)
        return client_id, client_secret
