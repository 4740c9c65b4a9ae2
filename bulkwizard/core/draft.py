"""The job draft: the one plain object every wizard page views and edits.

A :class:`JobDraft` holds what the user has chosen so far: the connection profile *name* (never a
secret), the operation, the options, and per resource its source file, the read options the user
confirmed and the mappings *keyed by source column* (header text and index). It turns into the
:class:`~bulkwizard.core.job.BulkWriteJob` request for a given upload, round-trips to a versioned
JSON file (what autosave writes and a template is made from) and emits no Qt signals: the UI wraps
it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bulkwizard.core.atomic import atomic_write_text
from bulkwizard.core.errors import DraftFormatError
from bulkwizard.core.job import (
    RESOURCE_TYPE_DATA,
    BulkWriteJob,
    Callback,
    DefaultValue,
    FieldMapping,
    ModuleRef,
    Resource,
)
from bulkwizard.core.reading.sniff import ReadOptions

DRAFT_VERSION = 1
"""The draft file format this code writes; files of a later version are refused, not guessed."""

# The ReadOptions fields the user confirms; the rest (bom, guessed ...) are reports, not choices.
# ``sheet`` lives on SourceFile itself.
READ_OPTION_KEYS = ("encoding", "delimiter", "quotechar", "has_header", "header_row")

JsonObject = dict[str, Any]


def _normalise_header(text: str) -> str:
    """Header text as compared when rebinding: case-folded, whitespace collapsed."""
    return " ".join(text.split()).casefold()


@dataclass
class ColumnRef:
    """A source column: its 0-based index and its header text (empty without a header row)."""

    index: int
    header: str = ""

    def to_json(self) -> JsonObject:
        return {"index": self.index, "header": self.header}


@dataclass
class FieldMappingDraft:
    """One CRM field and where its values come from.

    Attributes:
        api_name: the CRM field's API name.
        column: the source column feeding it; None when only ``default`` feeds it.
        format: date/time format of the column's values, when not the CRM's own.
        find_by: for lookups, the field of the looked-up module to match on.
        default: used when the cell is empty, or for every row when there is no column.
        parent_column: in a child resource, the column of the PARENT file whose values this
            column's values match (``parent_column_index`` in the request).
    """

    api_name: str
    column: ColumnRef | None = None
    format: str | None = None
    find_by: str | None = None
    default: DefaultValue | None = None
    parent_column: ColumnRef | None = None

    def to_mapping(self) -> FieldMapping:
        """The request's ``field_mappings[]`` entry (by column index)."""
        return FieldMapping(
            api_name=self.api_name,
            index=self.column.index if self.column is not None else None,
            find_by=self.find_by,
            format=self.format,
            default_value=DefaultValue(self.default.value, self.default.name, self.default.module)
            if self.default is not None
            else None,
            parent_column_index=self.parent_column.index
            if self.parent_column is not None
            else None,
        )


@dataclass
class SourceFile:
    """The spreadsheet a resource reads, and the read options the user confirmed.

    ``read_options`` keeps only the keys of :data:`READ_OPTION_KEYS` that were confirmed; a
    missing key means "detect it".
    """

    path: str
    sheet: str | None = None
    read_options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_read_options(cls, path: str, options: ReadOptions) -> SourceFile:
        """Keep the confirmed choices of ``options`` (not what was merely reported)."""
        chosen = {key: getattr(options, key) for key in READ_OPTION_KEYS}
        return cls(
            path=path,
            sheet=options.sheet,
            read_options={key: value for key, value in chosen.items() if value is not None},
        )

    def to_read_options(self) -> ReadOptions:
        """The options to read the file with (None where the reader should detect)."""
        known = {
            key: self.read_options[key] for key in READ_OPTION_KEYS if key in self.read_options
        }
        return ReadOptions(sheet=self.sheet, **known)


@dataclass
class ResourceDraft:
    """One module to write and the file feeding it; resource 0 of a draft is the parent."""

    module: str
    kind: str = RESOURCE_TYPE_DATA
    source: SourceFile | None = None
    mappings: list[FieldMappingDraft] = field(default_factory=list)
    find_by: str | None = None

    def rebind(self, headers: Sequence[str]) -> list[FieldMappingDraft]:
        """Re-find each mapped column by header text after the file's columns moved.

        Mappings are keyed by header AND index for exactly this: the user re-exports the
        spreadsheet with the columns in another order, and the mapping must follow the header,
        not the position. Headers match case- and whitespace-insensitively. A column whose header
        still sits at its index stays; one found once elsewhere moves there (its header text is
        refreshed); one missing or found more than once is left as it was.

        Args:
            headers: the file's header row, as now read.

        Returns:
            The mappings whose column could not be re-found (missing or ambiguous).
        """
        unresolved: list[FieldMappingDraft] = []
        for mapping in self.mappings:
            if mapping.column is not None and not _rebind_column(mapping.column, headers):
                unresolved.append(mapping)
        return unresolved


def _rebind_column(column: ColumnRef, headers: Sequence[str]) -> bool:
    """Point ``column`` at its header in ``headers``; False when that cannot be done surely."""
    wanted = _normalise_header(column.header)
    if not wanted:
        # Without a header row there is nothing to re-find by: the index is all we know.
        return column.index < len(headers)
    if column.index < len(headers) and _normalise_header(headers[column.index]) == wanted:
        return True
    found = [i for i, text in enumerate(headers) if _normalise_header(text) == wanted]
    if len(found) != 1:
        return False
    column.index = found[0]
    column.header = headers[found[0]]
    return True


@dataclass
class JobDraft:
    """Everything the wizard has chosen so far; see the module docstring.

    ``module`` and ``find_by`` are those of resource 0 (the parent): the request has them per
    resource, so the draft keeps them there only and these are views.
    """

    profile: str | None = None
    operation: str | None = None
    ignore_empty: bool = False
    callback_url: str | None = None
    character_encoding: str | None = None
    resources: list[ResourceDraft] = field(default_factory=list)
    version: int = DRAFT_VERSION

    @property
    def module(self) -> str | None:
        """The parent module's API name."""
        return self.resources[0].module if self.resources else None

    @module.setter
    def module(self, api_name: str) -> None:
        if self.resources:
            self.resources[0].module = api_name
        else:
            self.resources.append(ResourceDraft(module=api_name))

    @property
    def find_by(self) -> str | None:
        """The parent resource's ``find_by`` (how update/upsert find existing records)."""
        return self.resources[0].find_by if self.resources else None

    @find_by.setter
    def find_by(self, api_name: str | None) -> None:
        if not self.resources:
            raise ValueError("choose a module before find_by")
        self.resources[0].find_by = api_name

    def rebind(self, resource_index: int, headers: Sequence[str]) -> list[FieldMappingDraft]:
        """Re-find a resource's columns by header after its file changed (see ResourceDraft).

        When the parent's file changed, the children's ``parent_column`` links (which point into
        the parent file) are re-found too.

        Returns:
            The mappings (of any resource) whose column could not be re-found.
        """
        unresolved = self.resources[resource_index].rebind(headers)
        if resource_index == 0:
            for child in self.resources[1:]:
                for mapping in child.mappings:
                    parent = mapping.parent_column
                    if parent is not None and not _rebind_column(parent, headers):
                        unresolved.append(mapping)
        return unresolved

    def to_job(
        self, file_id: str | None = None, file_names: Sequence[str] | None = None
    ) -> BulkWriteJob:
        """The Create Bulk Write Job request for an upload.

        Args:
            file_id: the id the upload returned (the same for every resource); None before upload.
            file_names: the CSV name inside the upload for each resource, in resource order.

        A resource without mappings is auto-mapped (its header row holds the API names).
        """
        if file_names is not None and len(file_names) != len(self.resources):
            raise ValueError(
                f"{len(file_names)} file names given for {len(self.resources)} resources"
            )
        resources = [
            Resource(
                module=ModuleRef(resource.module),
                type=resource.kind,
                file_id=file_id,
                file_names=[file_names[position]] if file_names is not None else None,
                find_by=resource.find_by,
                field_mappings=[m.to_mapping() for m in resource.mappings]
                if resource.mappings
                else None,
            )
            for position, resource in enumerate(self.resources)
        ]
        return BulkWriteJob(
            operation=self.operation,
            resources=resources,
            ignore_empty=self.ignore_empty,
            callback=Callback(url=self.callback_url, method="post") if self.callback_url else None,
            character_encoding=self.character_encoding,
        )

    # --- JSON ----------------------------------------------------------------------------------

    def to_json(self) -> JsonObject:
        """The draft as a JSON object (with ``"version"``; no secrets: only the profile name)."""
        return {
            "version": DRAFT_VERSION,
            "profile": self.profile,
            "operation": self.operation,
            "ignore_empty": self.ignore_empty,
            "callback_url": self.callback_url,
            "character_encoding": self.character_encoding,
            "resources": [_resource_json(resource) for resource in self.resources],
        }

    @classmethod
    def from_json(cls, data: Any, source: str | None = None) -> JobDraft:
        """Read a draft from parsed JSON.

        Raises:
            DraftFormatError: not a draft, or a version this code does not know; names ``source``.
        """
        return _Reader(source).draft(data)

    def save(self, path: Path) -> None:
        """Write the draft atomically: on any failure the previous file stays as it was."""
        # Serialise before opening the file, so a failure leaves not even a temp file behind.
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        with atomic_write_text(path) as stream:
            stream.write(text)

    @classmethod
    def load(cls, path: Path) -> JobDraft:
        """Read a draft file.

        Raises:
            DraftFormatError: unreadable, not JSON, or not a draft; names the file.
        """
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DraftFormatError(f"cannot read the draft: {exc}", source=str(path)) from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DraftFormatError(
                f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                "the file may be truncated",
                source=str(path),
            ) from exc
        return cls.from_json(data, source=str(path))


def _column_json(column: ColumnRef | None) -> JsonObject | None:
    return column.to_json() if column is not None else None


def _resource_json(resource: ResourceDraft) -> JsonObject:
    source = resource.source
    return {
        "module": resource.module,
        "kind": resource.kind,
        "find_by": resource.find_by,
        "source": None
        if source is None
        else {
            "path": source.path,
            "sheet": source.sheet,
            "read_options": dict(source.read_options),
        },
        "mappings": [
            {
                "api_name": m.api_name,
                "column": _column_json(m.column),
                "format": m.format,
                "find_by": m.find_by,
                "default": m.default.to_json() if m.default is not None else None,
                "parent_column": _column_json(m.parent_column),
            }
            for m in resource.mappings
        ],
    }


class _Reader:
    """Parsed JSON -> draft, with errors naming the file and the JSON path."""

    def __init__(self, source: str | None) -> None:
        self.source = source

    def error(self, message: str, where: str) -> DraftFormatError:
        return DraftFormatError(message, source=self.source, where=where)

    def obj(self, value: Any, where: str, what: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.error(f"{what} must be a JSON object, not {type(value).__name__}", where)
        return value

    def typed(self, data: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
        """``data[key]`` when it is None/absent or of ``kind`` (bool is not an int here)."""
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(
                f"{key} must be {kind.__name__}, not {type(value).__name__}", f"{where}.{key}"
            )
        return value

    def draft(self, value: Any) -> JobDraft:
        data = self.obj(value, "$", "a draft")
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int):
            raise self.error('a draft needs a whole-number "version"', "$.version")
        if version > DRAFT_VERSION:
            raise self.error(
                f"draft version {version} was written by a newer bulkwizard; this one reads "
                f"version {DRAFT_VERSION} and earlier: update bulkwizard to open it",
                "$.version",
            )
        if version < 1:
            raise self.error(f"unknown draft version {version}", "$.version")
        resources = data.get("resources", [])
        if not isinstance(resources, list):
            raise self.error("resources must be a JSON array", "$.resources")
        return JobDraft(
            profile=self.typed(data, "profile", str, "$"),
            operation=self.typed(data, "operation", str, "$"),
            ignore_empty=bool(self.typed(data, "ignore_empty", bool, "$")),
            callback_url=self.typed(data, "callback_url", str, "$"),
            character_encoding=self.typed(data, "character_encoding", str, "$"),
            resources=[
                self.resource(item, f"$.resources[{position}]")
                for position, item in enumerate(resources)
            ],
        )

    def resource(self, value: Any, where: str) -> ResourceDraft:
        data = self.obj(value, where, "a resource")
        module = self.typed(data, "module", str, where)
        if not module:
            raise self.error("a resource needs a module API name", f"{where}.module")
        mappings = data.get("mappings", [])
        if not isinstance(mappings, list):
            raise self.error("mappings must be a JSON array", f"{where}.mappings")
        source = None
        if data.get("source") is not None:
            source = self.source_file(data["source"], f"{where}.source")
        return ResourceDraft(
            module=module,
            kind=self.typed(data, "kind", str, where) or RESOURCE_TYPE_DATA,
            source=source,
            mappings=[
                self.mapping(item, f"{where}.mappings[{position}]")
                for position, item in enumerate(mappings)
            ],
            find_by=self.typed(data, "find_by", str, where),
        )

    def source_file(self, value: Any, where: str) -> SourceFile:
        data = self.obj(value, where, "source")
        path = self.typed(data, "path", str, where)
        if not path:
            raise self.error("a source file needs a path", f"{where}.path")
        options = self.obj(data.get("read_options") or {}, f"{where}.read_options", "read_options")
        for key in options:
            if key not in READ_OPTION_KEYS:
                raise self.error(f"unknown read option {key!r}", f"{where}.read_options.{key}")
        expected: dict[str, type] = {"has_header": bool, "header_row": int}
        for key in READ_OPTION_KEYS:
            self.typed(options, key, expected.get(key, str), f"{where}.read_options")
        return SourceFile(
            path=path, sheet=self.typed(data, "sheet", str, where), read_options=dict(options)
        )

    def column(self, data: Mapping[str, Any], key: str, where: str) -> ColumnRef | None:
        if data.get(key) is None:
            return None
        column = self.obj(data[key], f"{where}.{key}", key)
        index = self.typed(column, "index", int, f"{where}.{key}")
        if index is None or index < 0:
            raise self.error("a column needs an index of 0 or more", f"{where}.{key}.index")
        return ColumnRef(
            index=index, header=self.typed(column, "header", str, f"{where}.{key}") or ""
        )

    def mapping(self, value: Any, where: str) -> FieldMappingDraft:
        data = self.obj(value, where, "a mapping")
        api_name = self.typed(data, "api_name", str, where)
        if not api_name:
            raise self.error("a mapping needs the CRM field's api_name", f"{where}.api_name")
        default = None
        if data.get("default") is not None:
            raw = self.obj(data["default"], f"{where}.default", "default")
            if "value" not in raw or isinstance(raw["value"], dict | list):
                raise self.error(
                    "default needs a text, number or true/false value", f"{where}.default"
                )
            default = DefaultValue(
                value=raw["value"],
                name=self.typed(raw, "name", str, f"{where}.default"),
                module=self.typed(raw, "module", str, f"{where}.default"),
            )
        return FieldMappingDraft(
            api_name=api_name,
            column=self.column(data, "column", where),
            format=self.typed(data, "format", str, where),
            find_by=self.typed(data, "find_by", str, where),
            default=default,
            parent_column=self.column(data, "parent_column", where),
        )
