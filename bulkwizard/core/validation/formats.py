"""Pre-flight checks of a mapping's ``format``: only Zoho's allowed patterns, for the field's type.

The patterns come from :mod:`bulkwizard.core.formats` (zoho-api.md section 6.2). When the CSV's
sample rows are known, the error names the pattern the column's values actually fit.
"""

from __future__ import annotations

import difflib

from bulkwizard.core import formats
from bulkwizard.core.job import FieldMapping
from bulkwizard.core.metadata import DATE_TYPES, DATETIME_TYPES, NUMBER_TYPES, FieldMeta
from bulkwizard.core.validation.model import Context, describe_field, mapping_path


def allowed_formats(meta: FieldMeta) -> tuple[str, tuple[str, ...]] | None:
    """(kind, allowed patterns) for fields that take a ``format``; None for the others."""
    if meta.data_type in DATE_TYPES:
        return "date", formats.ALLOWED_DATE_FORMATS
    if meta.data_type in DATETIME_TYPES:
        return "date-time", formats.ALLOWED_DATETIME_FORMATS
    if meta.data_type in NUMBER_TYPES:
        return "number", formats.ALLOWED_NUMBER_FORMATS
    return None


def check_format(
    context: Context, index: int, position: int, mapping: FieldMapping, meta: FieldMeta
) -> None:
    """Check the pattern of one mapping against its field's type."""
    if mapping.format is None:
        return
    problems, path = context.problems, f"{mapping_path(index, position)}.format"
    allowed = allowed_formats(meta)
    if allowed is None:
        problems.warning(
            "FORMAT_IGNORED",
            f"{describe_field(meta)} is a {meta.data_type} field; format only applies to date, "
            "date-time and number fields, so Zoho ignores it. Remove it.",
            path,
            resource=index,
            field=meta.api_name,
        )
        return
    kind, patterns = allowed
    if mapping.format in patterns:
        return
    hint = ""
    csv = context.csv(index)
    if csv is not None and mapping.index is not None and 0 <= mapping.index < csv.column_count:
        values = csv.column_values(mapping.index)
        detected = (
            formats.detect_date_format(values)
            if kind == "date"
            else formats.detect_datetime_format(values)
            if kind == "date-time"
            else formats.detect_number_format(values)
        )
        if detected:
            hint = f' The values in {csv.describe_column(mapping.index)} fit "{detected}".'
    if not hint:
        close = difflib.get_close_matches(mapping.format, list(patterns), n=3, cutoff=0.6)
        examples = close or list(patterns[:3])
        hint = " Allowed patterns include " + ", ".join(f'"{p}"' for p in examples) + "."
    problems.error(
        "INVALID_FORMAT",
        f'"{mapping.format}" is not a {kind} format Zoho accepts for {describe_field(meta)}.{hint}',
        path,
        resource=index,
        field=meta.api_name,
    )
