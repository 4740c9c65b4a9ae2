"""Date and date-time cell checks, against the mapping's ``format`` (or Zoho's default) or ISO-8601.

Parsing every cell of a million-row column is slow, so the batch filter is a *tightened* version
of the pattern's regular expression: months 1-12, days 1-28, hours 0-23, minutes and seconds
0-59. A cell that fits it is always a real date; days 29-31 (and anything else) go to the exact
parser in :mod:`bulkwizard.core.formats`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TypeVar

from bulkwizard.core import formats
from bulkwizard.core.rowcheck.filters import BatchFilter, KnownGoodFilter, RegexFilter, optional
from bulkwizard.core.rowcheck.model import INVALID_DATA, Problem

# Replacement for a numeric capture group, by (letter, original group text).
_T = TypeVar("_T")
_LENIENT = r"(\d{1,2})"
_TIGHT: dict[tuple[str, str], str] = {
    ("M", _LENIENT): r"(0?[1-9]|1[0-2])",
    ("M", r"(\d{2})"): r"(0[1-9]|1[0-2])",
    ("d", _LENIENT): r"(0?[1-9]|1\d|2[0-8])",
    ("d", r"(\d{2})"): r"(0[1-9]|1\d|2[0-8])",
    ("H", _LENIENT): r"([01]?\d|2[0-3])",
    ("H", r"(\d{2})"): r"([01]\d|2[0-3])",
    ("h", _LENIENT): r"(0?[1-9]|1[0-2])",
    ("h", r"(\d{2})"): r"(0[1-9]|1[0-2])",
    ("m", _LENIENT): r"([0-5]?\d)",
    ("m", r"(\d{2})"): r"([0-5]\d)",
    ("s", _LENIENT): r"([0-5]?\d)",
    ("s", r"(\d{2})"): r"([0-5]\d)",
    ("y", r"(\d{4})"): r"((?!0000)\d{4})",
}
_ISO_DATE_FAST = r"(?!0000)\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])"
_ISO_DATETIME_FAST = (
    _ISO_DATE_FAST
    + r"[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?(?:Z|[+-]0\d:[0-5]\d)?"
)


def _capture_groups(source: str) -> list[tuple[int, int]]:
    """(start, end) of each top-level capturing group in a regex source, in order."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    i = 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            if depth == 0 and not source.startswith("(?", i):
                start = i
                depth = 1
            elif depth:
                depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                spans.append((start, i + 1))
        i += 1
    return spans


def tight_regex(pattern: str) -> str | None:
    """A regex accepting only values of ``pattern`` that are surely real dates, or None.

    None when the pattern has zone offsets (their range is not worth encoding) or its regex does
    not have the expected shape.
    """
    compiled = formats.compile_pattern(pattern)
    source = compiled.regex_source
    prefix, suffix = "(?i)^", "$"
    if not source.startswith(prefix) or not source.endswith(suffix):
        return None
    if any(field.letter in "XZ" for field in compiled.fields):
        return None
    body = source[len(prefix) : -len(suffix)]
    spans = _capture_groups(body)
    if len(spans) != len(compiled.fields):
        return None
    parts: list[str] = []
    cursor = 0
    for (start, end), field in zip(spans, compiled.fields, strict=True):
        group = body[start:end]
        parts.append(body[cursor:start])
        parts.append(_TIGHT.get((field.letter, group), group))
        cursor = end
    parts.append(body[cursor:])
    # Nothing reads the groups of the batch regex; non-capturing groups match faster.
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", "".join(parts))


def _example(pattern: str, with_time: bool) -> str:
    sample = dt.datetime(2024, 3, 31, 14, 30, 0)
    return (
        formats.format_datetime(sample, pattern)
        if with_time
        else formats.format_date(sample.date(), pattern)
    )


def _parse(parser: Callable[[str, str], _T | None], text: str, pattern: str) -> _T | None:
    """Run a formats parser, treating odd inputs that make it raise (zone +99:00) as no match."""
    try:
        return parser(text, pattern)
    except (ValueError, OverflowError):
        return None


def date_rule(
    pattern: str | None, with_time: bool
) -> tuple[BatchFilter, Callable[[str], Problem | None]]:
    """The batch filter and exact check of a date (``with_time=False``) or date-time column."""
    default = formats.DEFAULT_DATETIME_FORMAT if with_time else formats.DEFAULT_DATE_FORMAT
    chosen = pattern if pattern and formats.is_valid_pattern(pattern) else default
    parse_zoho: Callable[[str, str], dt.date | None] = (
        formats.parse_zoho_datetime if with_time else formats.parse_zoho_date
    )
    compiled = formats.compile_pattern(chosen)
    candidates = formats.ALLOWED_DATETIME_FORMATS if with_time else formats.ALLOWED_DATE_FORMATS
    what = "date and time" if with_time else "date"
    # The date half of a date-time pattern, to recognise a cell that only lacks its time.
    date_part = re.split(r" H|'T'H| h", chosen)[0] if with_time else chosen
    if not formats.is_valid_pattern(date_part):
        date_part = formats.DEFAULT_DATE_FORMAT

    def check(value: str) -> Problem | None:
        text = value.strip()
        if not text or _parse(parse_zoho, text, chosen) is not None:
            return None
        kind = "datetime" if with_time else "date"
        suggestion, hint = _suggest(text)
        if (
            suggestion is None
            and compiled.parse(text) is None
            and re.match(compiled.regex_source, text)
        ):
            return Problem(INVALID_DATA, kind, f"{text!r} is not a real calendar {what}")
        example = _example(chosen, with_time)
        message = f"{text!r} is not a {what} in the format {chosen} (e.g. {example}){hint}"
        return Problem(INVALID_DATA, kind, message, suggestion=suggestion)

    def _suggest(text: str) -> tuple[str | None, str]:
        if with_time:
            as_date = _parse(formats.parse_zoho_date, text, date_part)
            if as_date is not None:
                moment = dt.datetime.combine(as_date, dt.time())
                return formats.format_datetime(moment, chosen), "; it has no time of day"
        else:
            as_moment = _parse(formats.parse_zoho_datetime, text, formats.DEFAULT_DATETIME_FORMAT)
            if as_moment is not None:
                return formats.format_date(as_moment.date(), chosen), "; drop the time of day"
        for other in candidates:
            parsed = _parse(formats.parse_datetime, text, other)
            if parsed is not None:
                hint = f"; it looks like {other}: set the column's format to that or rewrite it"
                if with_time:
                    return formats.format_datetime(parsed.replace(tzinfo=None), chosen), hint
                return formats.format_date(parsed.date(), chosen), hint
        return None, ""

    tight = tight_regex(chosen)
    batch_filter: BatchFilter
    if tight is None or not with_time:
        # Date columns hold few distinct values (a century is 36,525 days): remembering the
        # good ones beats any regex, and also clears the 29th to 31st without parsing again.
        batch_filter = KnownGoodFilter(lambda value: check(value) is None)
    else:
        iso = _ISO_DATETIME_FAST if with_time else _ISO_DATE_FAST
        batch_filter = RegexFilter(optional(f"{tight}|{iso}"), re.IGNORECASE)
    return batch_filter, check
