"""Cell conversion for the sandbox's bulk-write processing: one CSV cell -> one stored field value.

Each converter takes the raw cell text (already known to be non-empty) and the field's metadata and
returns the value to store, or raises :class:`CellError` with the documented row error code
(zoho-api.md section 5: only MANDATORY_NOT_FOUND, INVALID_DATA, DUPLICATE_DATA, NOT_APPROVED,
BLOCKED_RECORD, CANNOT_PROCESS, LIMIT_EXCEEDED and RESOURCE_NOT_FOUND may appear in a result).

Stored shapes follow the Records API's JSON: dates ``yyyy-MM-dd``, date-times ISO-8601 with an
offset, numbers as JSON numbers, multi-select picklists as arrays, booleans as JSON booleans.
Lookups are resolved elsewhere (:mod:`~bulkwizard.sandbox.bulk.processing`): they need the store.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from bulkwizard.core import formats
from bulkwizard.core.metadata import FieldMeta

INVALID_DATA = "INVALID_DATA"
MANDATORY_NOT_FOUND = "MANDATORY_NOT_FOUND"
DUPLICATE_DATA = "DUPLICATE_DATA"
RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
CANNOT_PROCESS = "CANNOT_PROCESS"

# The documented row codes (zoho-api.md section 5); nothing else may reach a result CSV.
ROW_ERROR_CODES = frozenset(
    {
        MANDATORY_NOT_FOUND,
        INVALID_DATA,
        DUPLICATE_DATA,
        "NOT_APPROVED",
        "BLOCKED_RECORD",
        CANNOT_PROCESS,
        LIMIT_EXCEEDED,
        RESOURCE_NOT_FOUND,
    }
)

_EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_PHONE_RE = re.compile(r"^[0-9+\-()./ xX#*]+$")
_URL_RE = re.compile(r"^(https?://)?[^\s/$.?#][^\s]*\.[^\s]+$", re.IGNORECASE)
_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off"})
# Without a declared format Zoho also reads thousands separators (Kaizen #103: "123,344").
_FALLBACK_NUMBER_FORMATS = (formats.DEFAULT_NUMBER_FORMAT, "#,###.##")


class CellError(Exception):
    """A cell that cannot be stored; ``code`` is one of :data:`ROW_ERROR_CODES`."""

    def __init__(self, code: str, reason: str = "") -> None:
        assert code in ROW_ERROR_CODES, code
        super().__init__(reason or code)
        self.code = code
        self.reason = reason


def convert(meta: FieldMeta, raw: Any, pattern: str | None, tz: dt.tzinfo) -> Any:
    """Convert one non-empty cell (or default value) for ``meta``; raise CellError when invalid.

    Args:
        meta: the target field.
        raw: the cell text, or a JSON scalar from ``default_value``.
        pattern: the mapping's ``format`` (dates, date-times, numbers), if any.
        tz: the org's time zone, applied to date-times written without an offset.
    """
    text = raw if isinstance(raw, str) else _scalar_text(raw)
    kind = meta.data_type
    if kind in ("text", "textarea", "mediumtext"):
        return _checked_length(meta, text)
    if kind == "email":
        value = _checked_length(meta, text.strip())
        if not _EMAIL_RE.match(value):
            raise CellError(INVALID_DATA, f"{value!r} is not an e-mail address")
        return value
    if kind == "phone":
        value = _checked_length(meta, text.strip())
        if not _PHONE_RE.match(value) or not any(ch.isdigit() for ch in value):
            raise CellError(INVALID_DATA, f"{value!r} is not a phone number")
        return value
    if kind == "website":
        value = _checked_length(meta, text.strip())
        if not _URL_RE.match(value):
            raise CellError(INVALID_DATA, f"{value!r} is not a web address")
        return value
    if kind == "picklist":
        return _picklist_value(meta, text.strip())
    if kind == "multiselectpicklist":
        parts = [part.strip() for part in text.split(";") if part.strip()]
        return [_picklist_value(meta, part) for part in parts]
    if kind in ("integer", "bigint"):
        return _integer(meta, raw, text, pattern)
    if kind in ("double", "currency", "percent", "decimal"):
        return _decimal(meta, raw, text, pattern)
    if kind == "boolean":
        return _boolean(raw, text)
    if kind == "date":
        parsed_date = formats.parse_zoho_date(text, pattern)
        if parsed_date is None:
            raise CellError(INVALID_DATA, f"{text!r} does not fit {pattern or 'MM/dd/yyyy'}")
        return parsed_date.isoformat()
    if kind == "datetime":
        moment = formats.parse_zoho_datetime(text, pattern)
        if moment is None:
            raise CellError(
                INVALID_DATA, f"{text!r} does not fit {pattern or 'MM/dd/yyyy HH:mm:ss'}"
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.isoformat(timespec="seconds")
    # Anything else (territories, widgets ...) is stored as text within its length.
    return _checked_length(meta, text)


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _checked_length(meta: FieldMeta, value: str) -> str:
    if meta.length is not None and len(value) > meta.length:
        raise CellError(INVALID_DATA, f"{len(value)} characters; at most {meta.length} allowed")
    return value


def _picklist_value(meta: FieldMeta, value: str) -> str:
    allowed = meta.allowed_values
    if value in allowed:
        return value
    folded = {option.casefold(): option for option in allowed}
    for option in meta.picklist_values:  # a display value maps to its actual value
        folded.setdefault(option.display_value.casefold(), option.actual_value)
    match = folded.get(value.casefold())
    if match is None or match == "-None-":
        raise CellError(INVALID_DATA, f"{value!r} is not an option of {meta.api_name}")
    return match


def _number(raw: Any, text: str, pattern: str | None) -> Decimal:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Decimal(str(raw))
    candidates = (pattern,) if pattern else _FALLBACK_NUMBER_FORMATS
    for candidate in candidates:
        try:
            parsed = formats.parse_number(text, candidate)
        except formats.PatternError:
            parsed = None
        if parsed is not None:
            return parsed
    raise CellError(INVALID_DATA, f"{text!r} is not a number")


def _integer(meta: FieldMeta, raw: Any, text: str, pattern: str | None) -> int:
    number = _number(raw, text, pattern)
    if number != number.to_integral_value():
        raise CellError(INVALID_DATA, f"{text!r} is not a whole number")
    value = int(number)
    digits = len(str(abs(value)))
    limit = meta.length or (18 if meta.data_type == "bigint" else 9)
    if digits > limit:
        raise CellError(INVALID_DATA, f"{digits} digits; at most {limit} allowed")
    return value


def _decimal(meta: FieldMeta, raw: Any, text: str, pattern: str | None) -> float | int:
    number = _number(raw, text, pattern)
    integral_digits = len(str(abs(int(number))))
    limit = meta.length or 16
    if integral_digits > limit:
        raise CellError(INVALID_DATA, f"{integral_digits} digits; at most {limit} allowed")
    if meta.decimal_place is not None:
        number = round(number, meta.decimal_place)
    if meta.data_type == "percent" and not Decimal(0) <= number <= Decimal(100):
        raise CellError(INVALID_DATA, f"{text!r} is not a percentage between 0 and 100")
    return float(number)


def _boolean(raw: Any, text: str) -> bool:
    if isinstance(raw, bool):
        return raw
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise CellError(INVALID_DATA, f"{text!r} is not true or false")
