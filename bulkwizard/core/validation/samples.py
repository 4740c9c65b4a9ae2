"""Warnings from the CSVs' sample rows: values Zoho will probably refuse, and data at risk.

Zoho accepts a job whatever its cells hold and then fails (or mangles) rows one by one, so these
are warnings: dates in another format than the mapping declares (with the format that would fit),
unknown picklist options, text too long, empty required cells, empty cells that an update
without ``ignore_empty`` would write over existing values, and a first row that is data rather
than column names (Zoho would swallow it as the header).
"""

from __future__ import annotations

from dataclasses import dataclass

from bulkwizard.core import formats
from bulkwizard.core.job import Resource
from bulkwizard.core.metadata import DATE_TYPES, DATETIME_TYPES, FieldMeta
from bulkwizard.core.reading import detect_has_header
from bulkwizard.core.validation.defaults import value_issue
from bulkwizard.core.validation.model import (
    Context,
    CsvShape,
    capitalise,
    describe_field,
    mapping_path,
    resource_path,
)


@dataclass(frozen=True)
class _Column:
    """One imported CSV column and how it is mapped."""

    index: int
    meta: FieldMeta
    path: str
    format: str | None = None
    find_by: str | None = None
    has_default: bool = False


def check_samples(context: Context, index: int, resource: Resource) -> None:
    """Look at the sample rows of one resource's CSV."""
    csv = context.csv(index)
    if csv is not None and csv.sample_rows:
        _check_header_row(context, index, csv)
    columns = _columns(context, index, resource, csv) if csv is not None else []
    if csv is not None and csv.sample_rows:
        for column in columns:
            _check_column(context, index, csv, column)
    if index == 0:
        _check_ignore_empty(context, resource, csv, columns)
        if csv is not None and csv.sample_rows:
            _check_match_keys(context, resource, csv)


HEADER_LOOKS_LIKE_DATA = "HEADER_LOOKS_LIKE_DATA"


def _check_header_row(context: Context, index: int, csv: CsvShape) -> None:
    """A file exported without column names: Zoho would take its first record as the header."""
    if detect_has_header([list(csv.headers), *csv.sample_rows]):
        return
    cells = ", ".join(f'"{cell}"' for cell in csv.headers[:4] if cell.strip())
    context.problems.warning(
        HEADER_LOOKS_LIKE_DATA,
        f"The first row of {csv.name} ({cells}) looks like data, not column names. Zoho reads "
        "the first row of an uploaded CSV as its header, so if the file is uploaded as it is, "
        "that row is not imported. Add a row of column names at the top of the file.",
        resource_path(index),
        resource=index,
    )


def _columns(context: Context, index: int, resource: Resource, csv: CsvShape) -> list[_Column]:
    module = resource.module.api_name
    fields = context.snapshot.fields_of(module) or {}
    result: list[_Column] = []
    if resource.field_mappings is None:
        for position, header in enumerate(csv.headers):
            base, _, sub = header.strip().partition(".")
            meta = fields.get(base)
            if meta is not None and meta.importable_for(context.operation):
                find_by = sub or None
                result.append(_Column(position, meta, resource_path(index), find_by=find_by))
        return result
    for position, mapping in enumerate(resource.field_mappings):
        meta = fields.get(mapping.api_name)
        column = mapping.index
        if meta is None or column is None or not 0 <= column < csv.column_count:
            continue
        if not meta.importable_for(context.operation):
            continue
        result.append(
            _Column(
                column,
                meta,
                mapping_path(index, position),
                format=mapping.format,
                find_by=mapping.find_by,
                has_default=mapping.default_value is not None,
            )
        )
    return result


def _check_column(context: Context, index: int, csv: CsvShape, column: _Column) -> None:
    problems, meta = context.problems, column.meta
    values = csv.column_values(column.index)
    filled = [value for value in values if value.strip()]
    where = csv.describe_column(column.index)
    if (
        meta.system_mandatory
        and context.operation in ("insert", "upsert")
        and not column.has_default
        and len(filled) < len(values)
    ):
        problems.warning(
            "EMPTY_REQUIRED_VALUES",
            f"{len(values) - len(filled)} of {len(values)} sample rows have an empty {where}, "
            f"but {describe_field(meta)} is required: those rows will fail. Fill the cells or "
            "give the mapping a default value.",
            column.path,
            resource=index,
            field=meta.api_name,
        )
    if meta.data_type in DATE_TYPES | DATETIME_TYPES:
        _check_dates(context, index, where, column, filled)
        return
    bad: list[tuple[str, str]] = []
    for value in filled:
        issue = value_issue(meta, value, column.format, column.find_by)
        if issue:
            bad.append((value, issue))
    if bad:
        value, issue = bad[0]
        problems.warning(
            "VALUES_NOT_ACCEPTED",
            f"{len(bad)} of {len(filled)} sample values in {where} will probably be refused for "
            f'{describe_field(meta)}; for example "{value}": {issue}.',
            column.path,
            resource=index,
            field=meta.api_name,
        )


def _check_dates(
    context: Context, index: int, where: str, column: _Column, filled: list[str]
) -> None:
    is_date = column.meta.data_type in DATE_TYPES
    pattern = column.format if column.format and formats.is_valid_pattern(column.format) else None
    parse = formats.parse_zoho_date if is_date else formats.parse_zoho_datetime
    bad = [value for value in filled if parse(value, pattern) is None]
    if not bad:
        return
    kind = "date" if is_date else "date-time"
    declared = pattern or (
        formats.DEFAULT_DATE_FORMAT if is_date else formats.DEFAULT_DATETIME_FORMAT
    )
    detect = formats.detect_date_format if is_date else formats.detect_datetime_format
    detected = detect(filled) or detect(filled, min_share=0.8)
    if detected and detected != declared:
        advice = (
            f' They fit "{detected}": set "format": "{detected}" on the '
            f"{column.meta.api_name} mapping."
        )
    else:
        advice = " Correct those cells, or set the format the column really uses."
    which = "the chosen" if pattern else "Zoho's default"
    context.problems.warning(
        "DATE_FORMAT_MISMATCH",
        f"{len(bad)} of {len(filled)} sample values in {where} do not fit {which} {kind} format "
        f'"{declared}" for {describe_field(column.meta)} (e.g. "{bad[0]}"); those rows will '
        f"fail.{advice}",
        f"{column.path}.format" if column.path.endswith("]") else column.path,
        resource=index,
        field=column.meta.api_name,
    )


def _check_ignore_empty(
    context: Context, resource: Resource, csv: CsvShape | None, columns: list[_Column]
) -> None:
    """On update, empty cells overwrite CRM values unless ignore_empty is true."""
    if context.operation not in ("update", "upsert"):
        return
    effective = resource.ignore_empty
    path = resource_path(0) + ".ignore_empty"
    if effective is None:
        effective = context.job.ignore_empty
        path = "$.ignore_empty"
    if effective:
        return
    advice = (
        'Set "ignore_empty": true to leave those fields unchanged, unless clearing them is what '
        "you want."
    )
    if csv is None or not csv.sample_rows:
        context.problems.warning(
            "EMPTY_CELLS_CLEAR_VALUES",
            f"This {context.operation} does not ignore empty cells: any empty cell erases the "
            f"value already in the CRM. {advice}",
            path,
            resource=0,
        )
        return
    emptied = [
        column
        for column in columns
        if not column.has_default and any(not v.strip() for v in csv.column_values(column.index))
    ]
    if emptied:
        names = ", ".join(describe_field(column.meta) for column in emptied[:3])
        more = f" and {len(emptied) - 3} more" if len(emptied) > 3 else ""
        context.problems.warning(
            "EMPTY_CELLS_CLEAR_VALUES",
            f"Some rows of {csv.name} have empty cells for {names}{more}; this "
            f"{context.operation} will erase those fields' current values in the CRM. {advice}",
            path,
            resource=0,
        )


def _check_match_keys(context: Context, resource: Resource, csv: CsvShape) -> None:
    """The find_by column: empty or repeated values do not match one record each."""
    find_by = resource.find_by
    if find_by is None or context.operation is None:
        return
    if resource.field_mappings is None:
        stripped = [header.strip() for header in csv.headers]
        column = stripped.index(find_by) if find_by in stripped else None
    else:
        mapping = resource.mapping(find_by)
        column = mapping.index if mapping is not None else None
    if column is None or not 0 <= column < csv.column_count:
        return  # reported as MANDATORY_FIELDS_NOT_MAPPED / COLUMN_INDEX_NOT_FOUND
    values = [value.strip() for value in csv.column_values(column)]
    where = csv.describe_column(column)
    path = resource_path(0) + ".find_by"
    empty = sum(1 for value in values if not value)
    outcome = {
        "update": "cannot be matched to a record and will fail",
        "upsert": "cannot be matched, so each creates a new record",
        "insert": "are not checked for existing records and are always created",
    }[context.operation]
    if empty:
        context.problems.warning(
            "EMPTY_MATCH_KEYS",
            f"{empty} of {len(values)} sample rows have an empty {where}, the {find_by} that "
            f"finds existing records: those rows {outcome}.",
            path,
            resource=0,
            field=find_by,
        )
    # Zoho matches unique fields case-insensitively (demo unique fields are casesensitive=false).
    counts: dict[str, int] = {}
    first_spelling: dict[str, str] = {}
    for value in values:
        if value:
            counts[value.lower()] = counts.get(value.lower(), 0) + 1
            first_spelling.setdefault(value.lower(), value)
    repeated = [first_spelling[key] for key, count in counts.items() if count > 1]
    if repeated:
        context.problems.warning(
            "REPEATED_MATCH_KEYS",
            f'{capitalise(where)} repeats {find_by} values (e.g. "{repeated[0]}" in '
            f"{counts[repeated[0].lower()]} sample rows): those rows all write to the same "
            "record, and only the last one's values remain. Merge the duplicates first.",
            path,
            resource=0,
            field=find_by,
        )
