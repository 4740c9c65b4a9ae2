"""Will Zoho take this value for this field? Used for ``default_value`` and for sample cells.

Zoho accepts the job whatever the values are and fails rows one by one, so everything here is a
warning: it tells the admin which rows will probably fail (or silently create new picklist values).
"""

from __future__ import annotations

import difflib
import re

from bulkwizard.core import formats
from bulkwizard.core.job import FieldMapping
from bulkwizard.core.metadata import DATE_TYPES, DATETIME_TYPES, NUMBER_TYPES, FieldMeta
from bulkwizard.core.validation.model import Context, describe_field, mapping_path

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
BOOLEAN_WORDS = ("true", "false")
_INTEGER_TYPES = frozenset({"integer", "bigint"})


def value_issue(
    meta: FieldMeta, value: str, pattern: str | None, find_by: str | None
) -> str | None:
    """Why Zoho would probably refuse ``value`` for ``meta`` (None when it looks fine).

    Args:
        meta: the field.
        value: the text as it would be imported (not empty).
        pattern: the mapping's ``format``, if any.
        find_by: the mapping's ``find_by``, if any (for lookups).
    """
    text = value.strip()
    data_type = meta.data_type
    if data_type == "picklist":
        if meta.allowed_values and text not in meta.allowed_values:
            return _picklist_issue(meta, [text])
    elif data_type == "multiselectpicklist":
        parts = [part.strip() for part in text.split(";") if part.strip()]
        unknown = [part for part in parts if part not in meta.allowed_values]
        if meta.allowed_values and unknown:
            return _picklist_issue(meta, unknown)
    elif data_type == "boolean":
        if text.lower() not in BOOLEAN_WORDS:
            return "a checkbox takes true or false"
    elif data_type in DATE_TYPES:
        if formats.parse_zoho_date(text, _date_pattern(pattern)) is None:
            return f"it is not a date in the format {pattern or formats.DEFAULT_DATE_FORMAT}"
    elif data_type in DATETIME_TYPES:
        if formats.parse_zoho_datetime(text, _date_pattern(pattern)) is None:
            return (
                f"it is not a date-time in the format {pattern or formats.DEFAULT_DATETIME_FORMAT}"
            )
    elif data_type in NUMBER_TYPES:
        return _number_issue(meta, text, pattern)
    elif data_type == "email":
        if not _EMAIL.match(text):
            return "it is not an email address"
    elif meta.is_lookup and (find_by or "").lower() == "id":
        if not text.isdigit():
            return "the lookup finds records by id, and record ids are long numbers"
    if meta.length and data_type in ("text", "textarea", "phone", "website", "email"):
        if len(text) > meta.length:
            return f"it is {len(text)} characters long; the field holds at most {meta.length}"
    return None


def _date_pattern(pattern: str | None) -> str | None:
    """Only a pattern the format module understands (an invalid one is reported elsewhere)."""
    return pattern if pattern and formats.is_valid_pattern(pattern) else None


def _number_issue(meta: FieldMeta, text: str, pattern: str | None) -> str | None:
    number_pattern = pattern if pattern in formats.NUMBER_SEPARATORS else None
    parsed = formats.parse_number(text.lstrip("$€£¥").rstrip("%"), number_pattern or "####.##")
    if parsed is None:
        return "it is not a number" + (
            f" written as {number_pattern}"
            if number_pattern
            else " (digits and one . for decimals)"
        )
    if meta.data_type in _INTEGER_TYPES and parsed != parsed.to_integral_value():
        return "the field takes whole numbers only"
    return None


def _picklist_issue(meta: FieldMeta, unknown: list[str]) -> str:
    options = ", ".join(meta.allowed_values[:8])
    more = "…" if len(meta.allowed_values) > 8 else ""
    lower = {value.lower(): value for value in meta.allowed_values}
    fixes: list[str] = []
    for value in unknown:
        key = value.lower()
        close = (
            [lower[key]] if key in lower else [o for o in meta.allowed_values if key in o.lower()]
        )
        close = close or difflib.get_close_matches(value, meta.allowed_values, n=1, cutoff=0.6)
        fixes.extend(f'"{match}"' for match in close[:2])
    hint = f" (did you mean {', '.join(fixes)}?)" if fixes else ""
    shown = ", ".join(f'"{v}"' for v in unknown[:3])
    return f"{shown} is not an option of the picklist{hint}; options: {options}{more}"


def check_default_value(
    context: Context, index: int, position: int, mapping: FieldMapping, meta: FieldMeta
) -> None:
    """Warn about a default value the field will probably not take."""
    default = mapping.default_value
    if default is None or default.value is None:
        return
    raw = default.value
    value = ("true" if raw else "false") if isinstance(raw, bool) else str(raw)
    if not value.strip():
        return
    issue = value_issue(meta, value, mapping.format, mapping.find_by)
    if issue:
        context.problems.warning(
            "INVALID_DEFAULT_VALUE",
            f'The default value "{value}" for {describe_field(meta)} will probably be refused: '
            f"{issue}.",
            f"{mapping_path(index, position)}.default_value.value",
            resource=index,
            field=meta.api_name,
        )


def check_layout_default(
    context: Context, index: int, position: int, mapping: FieldMapping
) -> None:
    """``Layout`` defaults hold a layout id (a long number), not a layout name."""
    default = mapping.default_value
    if default is None or default.value is None:
        return
    value = str(default.value).strip()
    if not value.isdigit():
        context.problems.warning(
            "INVALID_DEFAULT_VALUE",
            f'The Layout default "{value}" is not a layout id. Use the layout\'s id (a long '
            "number, from Setup > Layouts or the Layouts API); to give layout names instead, map "
            "a column that holds them.",
            f"{mapping_path(index, position)}.default_value.value",
            resource=index,
            field="Layout",
        )
