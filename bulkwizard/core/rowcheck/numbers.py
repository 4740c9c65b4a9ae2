"""Number cell checks: integer, bigint, double, decimal, currency and percent fields.

The mapping's ``format`` names the grouping and decimal separators (``#,###.##`` ...; see
:data:`bulkwizard.core.formats.NUMBER_SEPARATORS`, default ``####.##``). Digits before the
decimal point are limited by the field's ``length`` (Zoho: integer 9, currency 16); more
decimals than the field's ``decimal_place`` are a warning, since Zoho rounds them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from bulkwizard.core import formats
from bulkwizard.core.metadata import NUMBER_TYPES, FieldMeta
from bulkwizard.core.rowcheck.filters import BatchFilter, RegexFilter, optional
from bulkwizard.core.rowcheck.model import ERROR, INVALID_DATA, WARNING, Problem

INTEGRAL_TYPES = frozenset({"integer", "bigint"})
_DEFAULT_DIGITS = {"integer": 9, "bigint": 18}
_NOISE = re.compile(r"[\s$€£¥₹%]|USD|EUR|GBP|INR")


def _render(number: Decimal, decimal: str) -> str:
    return format(number, "f").replace(".", decimal)


def _grouped(text: str, separator: str) -> bool:
    """True when ``separator`` splits ``text`` like a thousands separator (``1.000``)."""
    head, *groups = text.lstrip("-").split(separator)
    return (
        1 <= len(head) <= 3 and head.isdigit() and all(len(g) == 3 and g.isdigit() for g in groups)
    )


def number_rule(
    meta: FieldMeta, pattern: str | None
) -> tuple[BatchFilter, Callable[[str], Problem | None]] | None:
    """The batch filter and exact check of a number column, or None for non-number fields."""
    data_type = meta.data_type
    if data_type not in NUMBER_TYPES:
        return None
    integral = data_type in INTEGRAL_TYPES
    chosen = pattern if pattern in formats.NUMBER_SEPARATORS else formats.DEFAULT_NUMBER_FORMAT
    group, decimal = formats.NUMBER_SEPARATORS[chosen]
    digits = meta.length if meta.length and meta.length > 0 else _DEFAULT_DIGITS.get(data_type, 16)
    places = 0 if integral else (meta.decimal_place if meta.decimal_place is not None else 9)
    example = _render(Decimal("1234.5") if places else Decimal(1234), decimal)
    if group:
        example = example.replace("1234", f"1{group}234")

    def check(value: str) -> Problem | None:
        text = value.strip()
        if not text:
            return None
        number = formats.parse_number(text, chosen)
        if number is None:
            return _unparsable(text)
        whole = number.to_integral_value(ROUND_HALF_UP)
        if integral and number == whole and decimal in text and _grouped(text, decimal):
            # "1.000" parses as 1 under the default format, but in a file from a locale that
            # groups thousands with the decimal sign it means 1000: say so instead of passing it.
            ungrouped = text.replace(decimal, "")
            message = (
                f"{text!r} reads as {_render(whole, decimal)} with the column's format; if the "
                f"{decimal!r} separates thousands, write {ungrouped} (or set the column's format)"
            )
            return Problem(INVALID_DATA, "integer", message, WARNING, ungrouped)
        if integral and number != whole:
            message = f"{text!r} is not a whole number"
            return Problem(INVALID_DATA, "integer", message, ERROR, _render(whole, decimal))
        count = len(str(abs(int(whole)))) if whole else 1
        if count > digits:
            message = (
                f"{text!r} has {count} digits before the decimal point; "
                f"the field holds at most {digits}"
            )
            return Problem(INVALID_DATA, "number_size", message)
        exponent = number.as_tuple().exponent
        if not integral and isinstance(exponent, int) and -exponent > places:
            rounded = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
            message = (
                f"{text!r} has more than {places} decimal places; Zoho will store "
                f"{_render(rounded, decimal)}"
            )
            return Problem(
                INVALID_DATA, "decimal_places", message, WARNING, _render(rounded, decimal)
            )
        return None

    def _unparsable(text: str) -> Problem:
        cleaned = _NOISE.sub("", text)
        suggestion = None
        hint = ""
        for candidate in (chosen, *formats.ALLOWED_NUMBER_FORMATS):
            number = formats.parse_number(cleaned, candidate) if cleaned else None
            if number is not None:
                suggestion = _render(number, decimal)
                if candidate != chosen:
                    hint = f"; it looks like {candidate}: set the column's format or rewrite it"
                elif cleaned != text:
                    hint = "; remove currency signs, percent signs and spaces"
                break
        kind = "integer" if integral else "number"
        message = f"{text!r} is not a number written like {example}{hint}"
        return Problem(INVALID_DATA, kind, message, ERROR, suggestion)

    sign = "-?"
    plain = rf"\d{{1,{digits}}}"
    if group:
        groups = max((digits - 3) // 3, 0)
        plain = (
            rf"(?:{plain}|\d{{1,3}}(?:{re.escape(group)}\d{{3}}){{1,{groups}}})"
            if groups
            else plain
        )
    fraction = rf"(?:{re.escape(decimal)}\d{{1,{places}}})?" if places else ""
    return RegexFilter(optional(f"{sign}{plain}{fraction}")), check
