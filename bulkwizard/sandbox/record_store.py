"""The sandbox's record store: every CRM record of every module, in SQLite plus a memory cache.

Records are kept in the Records API shape (``{"id": ..., "Last_Name": ..., "Account_Name":
{"id": ..., "name": ...}, "Interests": ["CRM", "Mobile"], ...}``). Subform rows and linking-module
rows are records of their own module (``Secondary`` rows carry ``Parent_Id``;
``Lead_Contact_Lookup`` rows carry the ``Leads`` and ``Contacts`` lookups); :meth:`RecordStore.get`
folds them into the parent as the Records API does.

SQLite is the durable copy; every module's records are also cached in memory on first use, and
:meth:`RecordStore.find` uses per-field dictionaries built lazily from that cache, so the
thousands of lookups of a 25,000-row bulk job cost microseconds each.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bulkwizard.core.metadata import FieldMeta, MetadataSnapshot
from bulkwizard.sandbox.criteria import Criteria, parse_criteria
from bulkwizard.sandbox.db import Database

Record = dict[str, Any]
# Aliases: inside RecordStore the name ``list`` is the method, not the builtin.
RecordList = list[Record]
UserList = list[dict[str, Any]]

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    module TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (module, id)
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

# Record ids: the org's 7-digit prefix then a 12-digit counter; 19 digits like Zoho's ids and
# clear of the metadata ids (which use counters below 10**9).
_ID_PREFIX = "4876876"
_ID_START = 1_000_000_000
_ID_BLOCK = 1000


class RecordNotFound(KeyError):
    """No record with that id in that module."""


def index_keys(value: Any) -> list[str]:
    """The normalised keys a value is found by (lookups by id, lists by each element)."""
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        key = value.get("id")
        return [str(key).lower()] if key is not None else []
    if isinstance(value, list):
        return [key for item in value for key in index_keys(item)]
    if isinstance(value, bool):
        return [str(value).lower()]
    return [str(value).strip().lower()]


def _time_zone(name: str) -> tzinfo:
    """The org's time zone; a fixed Pacific offset where the OS has no tz database (Windows
    without the ``tzdata`` package)."""
    try:
        return ZoneInfo(name)
    except ZoneInfoNotFoundError:
        return timezone(timedelta(hours=-8), "PST")


class IdSequence:
    """19-digit numeric-string ids, unique across restarts (blocks reserved in the ``kv`` table)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # The database's own lock, never a second one: a thread inside a transaction holds it
        # and may need an id, so two locks could deadlock.
        self._lock = db.lock
        row = db.query_one("SELECT value FROM kv WHERE key = 'next_id'")
        self._next = int(row["value"]) if row else _ID_START
        self._limit = self._next

    def __call__(self) -> str:
        with self._lock:
            if self._next >= self._limit:
                self._limit = self._next + _ID_BLOCK
                self._db.execute(
                    "INSERT OR REPLACE INTO kv (key, value) VALUES ('next_id', ?)",
                    (str(self._limit),),
                )
            self._next += 1
            return f"{_ID_PREFIX}{self._next:012d}"


class RecordStore:
    """CRUD and search over the sandbox's records (thread-safe; see the module docstring)."""

    def __init__(
        self,
        db: Database,
        metadata: MetadataSnapshot,
        users: list[dict[str, Any]],
        new_id: Callable[[], str],
        time_zone: str = "America/Los_Angeles",
    ) -> None:
        self.db = db
        self.metadata = metadata
        self._users = users
        self.new_id = new_id
        self._tz = _time_zone(time_zone)
        self.current_user: dict[str, Any] = users[0]
        self._cache: dict[str, dict[str, Record]] = {}
        self._indexes: dict[tuple[str, str], dict[str, list[str]]] = {}
        self._autonumbers: dict[tuple[str, str], int] = {}
        self._dirty = False  # wrote inside the current transaction
        db.executescript(SCHEMA)
        db.on_rollback(self._on_rollback)
        db.on_commit(self._on_commit)

    # ----------------------------------------------------------------- helpers

    def now_iso(self) -> str:
        """The current time, ISO-8601 with the org's offset (``2026-01-15T09:30:00-08:00``)."""
        return datetime.now(self._tz).isoformat(timespec="seconds")

    def _on_rollback(self) -> None:
        # The memory cache may hold rows SQLite just dropped; rebuild it lazily.
        if self._dirty:
            self._reset_cache()
        self._dirty = False

    def _on_commit(self) -> None:
        self._dirty = False

    def _reset_cache(self) -> None:
        self._cache.clear()
        self._indexes.clear()
        self._autonumbers.clear()

    def _records(self, module: str) -> dict[str, Record]:
        cached = self._cache.get(module)
        if cached is None:
            rows = self.db.query(
                "SELECT id, data FROM records WHERE module = ? ORDER BY id", (module,)
            )
            cached = {row["id"]: json.loads(row["data"]) for row in rows}
            self._cache[module] = cached
        return cached

    def _index(self, module: str, field: str) -> dict[str, list[str]]:
        index = self._indexes.get((module, field))
        if index is None:
            index = {}
            for record_id, record in self._records(module).items():
                for key in index_keys(record.get(field)):
                    index.setdefault(key, []).append(record_id)
            self._indexes[(module, field)] = index
        return index

    def _reindex(self, module: str, record_id: str, old: Record | None, new: Record | None) -> None:
        for (indexed_module, field), index in self._indexes.items():
            if indexed_module != module:
                continue
            for key in index_keys(old.get(field)) if old else []:
                ids = index.get(key)
                if ids and record_id in ids:
                    ids.remove(record_id)
            for key in index_keys(new.get(field)) if new else []:
                index.setdefault(key, []).append(record_id)

    def _write(self, module: str, record: Record) -> None:
        self._dirty = True
        self.db.execute(
            "INSERT OR REPLACE INTO records (module, id, data) VALUES (?, ?, ?)",
            (module, record["id"], json.dumps(record, ensure_ascii=False)),
        )

    def user_ref(self, user: dict[str, Any] | None = None) -> dict[str, Any]:
        """A user as the Records API shows it in Owner/Created_By: ``{name, id, email}``."""
        user = user or self.current_user
        return {"name": user["full_name"], "id": user["id"], "email": user["email"]}

    def _fields(self, module: str) -> dict[str, FieldMeta]:
        return self.metadata.fields_of(module) or {}

    def _next_autonumber(self, module: str, field: FieldMeta) -> str:
        key = (module, field.api_name)
        if key not in self._autonumbers:
            highest = 0
            for record in self._records(module).values():
                try:
                    highest = max(highest, int(str(record.get(field.api_name) or 0)))
                except ValueError:
                    continue
            self._autonumbers[key] = max(highest, 999)
        self._autonumbers[key] += 1
        return str(self._autonumbers[key])

    def _computed(self, module: str, record: Record) -> None:
        """Fill the values Zoho computes: Full_Name, formulas."""
        fields = self._fields(module)
        if "Full_Name" in fields:
            parts = [record.get("First_Name"), record.get("Last_Name")]
            record["Full_Name"] = " ".join(str(p) for p in parts if p) or None
        if "Expected_Revenue" in fields:
            amount, probability = record.get("Amount"), record.get("Probability")
            if isinstance(amount, int | float) and isinstance(probability, int | float):
                record["Expected_Revenue"] = round(amount * probability / 100, 2)
            else:
                record["Expected_Revenue"] = None

    def _normalise_user(self, value: Any) -> Any:
        if isinstance(value, dict) and value.get("id"):
            user = self.find_user("id", str(value["id"]))
            if user is not None:
                return self.user_ref(user)
        return value

    # ------------------------------------------------------------------- writes

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Batch every write inside into one SQLite transaction (rolled back on an exception)."""
        with self.db.transaction():
            yield

    def insert(self, module: str, values: dict[str, Any]) -> str:
        """Create a record from field values; return its new 19-digit id.

        Sets ``id``, ``Created_Time``/``Modified_Time``, ``Created_By``/``Modified_By`` and a
        default ``Owner`` (the current user) where the module has them, auto-numbers and
        computed fields.
        """
        with self.db.transaction():
            record_id = values.get("id") or self.new_id()
            now = self.now_iso()
            fields = self._fields(module)
            record: Record = {"id": str(record_id)}
            record.update(copy.deepcopy(values))
            record["id"] = str(record_id)
            record["Created_Time"] = now
            record["Modified_Time"] = now
            for audit in ("Created_By", "Modified_By"):
                if audit in fields:
                    record[audit] = self.user_ref()
            if "Owner" in fields:
                record["Owner"] = self._normalise_user(record.get("Owner")) or self.user_ref()
            for field in fields.values():
                if field.data_type == "autonumber" and not record.get(field.api_name):
                    record[field.api_name] = self._next_autonumber(module, field)
            self._computed(module, record)
            self._write(module, record)
            self._records(module)[record["id"]] = record
            self._reindex(module, record["id"], None, record)
            return record["id"]

    def update(self, module: str, record_id: str, values: dict[str, Any]) -> None:
        """Merge field values into a record; raises :class:`RecordNotFound`."""
        with self.db.transaction():
            old = self._records(module).get(str(record_id))
            if old is None:
                raise RecordNotFound(f"{module} {record_id}")
            record = dict(old)
            record.update(copy.deepcopy({k: v for k, v in values.items() if k != "id"}))
            if "Owner" in values:
                record["Owner"] = self._normalise_user(record.get("Owner")) or self.user_ref()
            record["Modified_Time"] = self.now_iso()
            if "Modified_By" in self._fields(module):
                record["Modified_By"] = self.user_ref()
            self._computed(module, record)
            self._write(module, record)
            self._records(module)[record["id"]] = record
            self._reindex(module, record["id"], old, record)

    def delete(self, module: str, ids: Iterable[str]) -> dict[str, bool]:
        """Delete records with their subform and linking rows; map each id to whether it existed."""
        result: dict[str, bool] = {}
        with self.db.transaction():
            records = self._records(module)
            for record_id in ids:
                old = records.pop(str(record_id), None)
                result[str(record_id)] = old is not None
                if old is None:
                    continue
                self._dirty = True
                self.db.execute(
                    "DELETE FROM records WHERE module = ? AND id = ?", (module, str(record_id))
                )
                self._reindex(module, str(record_id), old, None)
                for child, link_field in self._child_links(module):
                    self.delete(child, self.find(child, link_field, str(record_id)))
        return result

    # -------------------------------------------------------------------- reads

    def _child_links(self, module: str) -> list[tuple[str, str]]:
        """(child module, field pointing at the parent) for subforms and linking modules."""
        links: list[tuple[str, str]] = []
        for field in self._fields(module).values():
            if field.subform_module:
                links.append((field.subform_module, "Parent_Id"))
            linking = field.multiselectlookup or field.multiuserlookup
            if linking:
                links.append((linking.linking_module, linking.lookup_api_name))
        return links

    def exists(self, module: str, record_id: str) -> bool:
        """Whether the record exists."""
        with self.db.lock:
            return str(record_id) in self._records(module)

    def get(self, module: str, record_id: str) -> Record | None:
        """One record in the Records API shape, with subform rows and multi-select lookups."""
        with self.db.lock:
            record = self._records(module).get(str(record_id))
            if record is None:
                return None
            return self._render(module, record, None)

    def _current_lookup(self, field: FieldMeta, value: Any) -> Any:
        """A lookup as the Records API shows it now: the target's current name, or null."""
        target = field.lookup_module
        if field.data_type != "lookup" or not target or not isinstance(value, dict):
            return value
        record = self._records(target).get(str(value.get("id")))
        if record is None:
            return None  # the looked-up record was deleted
        module = self.metadata.module(target)
        display = module.display_field if module else None
        if display and record.get(display) is not None:
            return {**value, "name": record[display]}
        return value

    def _render(self, module: str, record: Record, fields: set[str] | None) -> Record:
        result = copy.deepcopy(record)
        for field in self._fields(module).values():
            if fields is not None and field.api_name not in fields:
                continue
            if field.api_name in result and field.api_name != "Parent_Id":
                result[field.api_name] = self._current_lookup(field, result[field.api_name])
            if field.subform_module:
                rows = [
                    copy.deepcopy(self._records(field.subform_module)[row_id])
                    for row_id in self.find(field.subform_module, "Parent_Id", record["id"])
                ]
                result[field.api_name] = rows
            linking = field.multiselectlookup or field.multiuserlookup
            if linking:
                links = []
                for row_id in self.find(
                    linking.linking_module, linking.lookup_api_name, record["id"]
                ):
                    row = self._records(linking.linking_module)[row_id]
                    links.append(
                        {
                            linking.connected_lookup_api_name: row.get(
                                linking.connected_lookup_api_name
                            ),
                            "id": row_id,
                        }
                    )
                result[field.api_name] = links
        if fields is not None:
            result = {k: v for k, v in result.items() if k in fields or k == "id"}
        return result

    def find(self, module: str, field_api_name: str, value: Any) -> list[str]:
        """Ids of records whose field equals ``value`` (case-insensitive; lookups by id)."""
        with self.db.lock:
            if field_api_name == "id":
                return [str(value)] if str(value) in self._records(module) else []
            keys = index_keys(value)
            if not keys:
                return []
            return list(self._index(module, field_api_name).get(keys[0], ()))

    def count(self, module: str) -> int:
        """Number of records in a module."""
        with self.db.lock:
            return len(self._records(module))

    def list(
        self,
        module: str,
        page: int = 1,
        per_page: int = 200,
        sort_by: str = "id",
        sort_order: str = "asc",
        fields: Iterable[str] | None = None,
    ) -> tuple[RecordList, bool]:
        """One page of records, sorted; returns (records, more_records)."""
        with self.db.lock:
            records = self._sorted([*self._records(module).values()], sort_by, sort_order)
            start = (max(page, 1) - 1) * per_page
            chunk = records[start : start + per_page]
            wanted = set(fields) if fields is not None else None
            rendered = [self._render(module, record, wanted) for record in chunk]
            return rendered, start + per_page < len(records)

    @staticmethod
    def _sorted(records: RecordList, sort_by: str, sort_order: str) -> RecordList:
        def key(record: Record) -> tuple[int, Any]:
            value = record.get(sort_by)
            if isinstance(value, dict):
                value = value.get("name")
            if value is None:
                return (1, "")
            if sort_by == "id":
                return (0, int(value))
            return (0, value if isinstance(value, int | float) else str(value).lower())

        return sorted(records, key=key, reverse=sort_order.lower() == "desc")

    def search(self, module: str, criteria: str | Criteria) -> RecordList:
        """Records matching a Zoho criteria string (``(Email:equals:a@b.com)and(...)``).

        Raises :class:`bulkwizard.sandbox.criteria.CriteriaError` for unreadable criteria.
        """
        parsed = parse_criteria(criteria) if isinstance(criteria, str) else criteria
        with self.db.lock:
            records = self._records(module)
            return [
                self._render(module, record, None)
                for record in records.values()
                if parsed.matches(record)
            ]

    def users(self) -> UserList:
        """Every user of the org, in the Users API shape."""
        return copy.deepcopy(self._users)

    def find_user(self, by: str, value: str) -> dict[str, Any] | None:
        """A user by ``id``, ``email``, ``full_name``/``name`` or ``zuid`` (case-insensitive)."""
        key = {"name": "full_name"}.get(by, by)
        wanted = str(value).strip().lower()
        for user in self._users:
            if str(user.get(key, "")).lower() == wanted:
                return copy.deepcopy(user)
        return None
