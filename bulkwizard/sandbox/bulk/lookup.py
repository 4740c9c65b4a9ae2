"""Record access for bulk-write processing: finding existing records and resolving lookups.

:class:`Records` wraps the platform's :class:`~bulkwizard.sandbox.record_store.RecordStore`, whose
``find`` is backed by per-field in-memory indexes (case-insensitive; lookups match by id), so the
duplicate checks and ``find_by`` matches of a 25,000-row job cost an index probe each.
"""

from __future__ import annotations

from typing import Any, Protocol

from bulkwizard.core.metadata import FieldMeta, MetadataSnapshot
from bulkwizard.sandbox.bulk.values import INVALID_DATA, RESOURCE_NOT_FOUND, CellError

Record = dict[str, Any]


class RecordStoreLike(Protocol):
    """The RecordStore methods processing uses (``bulkwizard.sandbox.record_store.RecordStore``)."""

    def insert(self, module: str, values: Record) -> str: ...

    def update(self, module: str, record_id: str, values: Record) -> None: ...

    def get(self, module: str, record_id: str) -> Record | None: ...

    def find(self, module: str, field_api_name: str, value: Any) -> list[str]: ...

    def users(self) -> list[Record]: ...

    def find_user(self, by: str, value: str) -> Record | None: ...


class Records:
    """Store access for one job; remembers display names so lookups cost one index probe."""

    def __init__(self, store: RecordStoreLike, snapshot: MetadataSnapshot, user: Record) -> None:
        self.store = store
        self.snapshot = snapshot
        self.user = user
        self._names: dict[tuple[str, str], str | None] = {}
        # The store makes its current user the default Owner; naming it again costs a user lookup
        # per row, so only a job created by someone else sets Owner explicitly.
        current = getattr(store, "current_user", None)
        self.creator_is_default = isinstance(current, dict) and current.get("id") == user.get("id")

    def find_ids(self, module: str, field: str, value: Any) -> list[str]:
        """Ids of records of ``module`` whose ``field`` equals ``value`` (case-insensitive)."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return []
        elif value is None or isinstance(value, list):
            return []
        return self.store.find(module, field, value)

    def insert(self, module: str, values: Record) -> str:
        return self.store.insert(module, values)

    def update(self, module: str, record_id: str, values: Record) -> None:
        self.store.update(module, record_id, values)
        self._names.pop((module, record_id), None)

    def exists(self, module: str, record_id: str) -> bool:
        return bool(self.store.find(module, "id", record_id))

    def name_of(self, module: str, record_id: str) -> str | None:
        """The display name of a record (cached for the job)."""
        key = (module, record_id)
        if key not in self._names:
            record = self.store.get(module, record_id)
            self._names[key] = self.display_name(module, record) if record else None
        return self._names[key]

    # -- lookups ---------------------------------------------------------------------------------

    def resolve_lookup(self, meta: FieldMeta, find_by: str | None, value: str) -> Record:
        """Resolve a lookup cell to ``{"id", "name"}`` (users: plus ``email``).

        Raises:
            CellError: RESOURCE_NOT_FOUND when nothing matches, INVALID_DATA for a bad find_by.
        """
        target = meta.lookup_module or ""
        if meta.is_user_lookup or target == "Users":
            return self._resolve_user(find_by, value)
        how = find_by or self._display_field(target) or "id"
        if how != "id" and self.snapshot.fields_of(target) is not None:
            if self.snapshot.field(target, how) is None:
                raise CellError(INVALID_DATA, f"{target} has no field {how}")
        ids = self.find_ids(target, how, value)
        if not ids and find_by is None and value.strip().isdigit():
            ids = self.find_ids(target, "id", value)  # an id in a display-name column
        if not ids:
            raise CellError(RESOURCE_NOT_FOUND, f"no {target} record with {how} {value!r}")
        return {"id": ids[0], "name": self.name_of(target, ids[0])}

    def _resolve_user(self, find_by: str | None, value: str) -> Record:
        text = value.strip()
        how = (find_by or "").lower()
        if not how:  # no find_by: go by what the cell looks like
            how = "id" if text.isdigit() else "email" if "@" in text else "full_name"
        user = self.store.find_user({"name": "full_name"}.get(how, how), text)
        if user is None:
            raise CellError(RESOURCE_NOT_FOUND, f"no user {text!r}")
        return {"id": str(user["id"]), "name": user.get("full_name"), "email": user.get("email")}

    def _display_field(self, module: str) -> str | None:
        module_meta = self.snapshot.module(module)
        return module_meta.display_field if module_meta is not None else None

    def display_name(self, module: str, record: Record) -> str | None:
        """What Zoho shows for a record in a lookup (its module's display field)."""
        display = self._display_field(module)
        name = record.get(display) if display else None
        if not name and module in ("Leads", "Contacts"):
            parts = [record.get("First_Name"), record.get("Last_Name")]
            name = " ".join(str(p) for p in parts if p) or None
        return str(name) if name is not None else None
