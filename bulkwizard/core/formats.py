"""Zoho ``format`` patterns for dates, date-times and numbers, and parsing values against them.

Zoho's Bulk Write API takes Java-style patterns (``dd/MM/yyyy``, ``MM/dd/yyyy HH:mm:ss``) in a
mapping's ``format`` key (zoho-api.md section 6.2). This module is the single place that knows them:

* :data:`ALLOWED_DATE_FORMATS`, :data:`ALLOWED_DATETIME_FORMATS`, :data:`ALLOWED_NUMBER_FORMATS`:
  what we let users pick (and what the pre-flight validator accepts).
* :func:`compile_pattern` turns a pattern into a :class:`DatePattern` (a compiled parser, cached).
* :func:`parse_date` / :func:`parse_datetime`: strict parsing of one value against one pattern;
  :func:`parse_zoho_date` / :func:`parse_zoho_datetime`: what Zoho accepts for a mapping (the
  declared ``format`` or the default, and also ISO-8601).
* :func:`detect_date_format` / :func:`detect_datetime_format` / :func:`detect_number_format`: the
  pattern that fits a column's sample values.
* :func:`format_date` / :func:`format_datetime`: the reverse, for rewriting values.

Pattern letters understood (Java ``SimpleDateFormat`` meaning, English month/day names):
``yyyy yy MMMM MMM MM M dd d HH H hh h mm m ss s SSS a EEE EEEE X XX XXX Z`` and quoted literals
(``'T'``; ``''`` is a quote). Numeric fields of one or two letters accept one or two digits when
no other number touches them (Java's lenient width, so ``7/4/2023`` fits ``MM/dd/yyyy``);
``yyyy`` needs four digits and ``yy`` two. Two-digit years use Java's pivot (80 years back, 20
ahead). Values are stripped of surrounding whitespace before parsing. Parsers return ``None`` for
a value that does not fit instead of raising, since callers check millions of cells.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

DEFAULT_DATE_FORMAT = "MM/dd/yyyy"
DEFAULT_DATETIME_FORMAT = "MM/dd/yyyy HH:mm:ss"
ISO_DATE_FORMAT = "yyyy-MM-dd"
ISO_DATETIME_FORMAT = "yyyy-MM-dd'T'HH:mm:ssXXX"

# The Date list from Zoho's PDF "allowed formats for fields in create bulk write job api", as far
# as it was retrieved (zoho-api.md section 6.2), in that order.
LISTED_DATE_FORMATS: tuple[str, ...] = (
    "dd MMM yy", "yy MMM dd", "MMM/dd/yy", "dd MMM yyyy", "yyyy.MMM.dd", "dd-MMMM-yy", "yy-MMMM-dd",
    "MMMM-dd-yy", "dd.MMMM.yy", "yy.MMMM.dd", "yyyy-MMMM-dd", "dd-MMM-yyyy", "dd.MM.yyyy",
    "MM.dd.yyyy", "dd MMMM yyyy", "MMM-dd-yy", "MMM/dd/yyyy", "MMM dd yyyy", "dd/MMM/yyyy",
    "yyyy/MMMM/dd", "yyyy MMMM dd", "MMM.dd.yy", "yyyy.MM.dd", "dd-MMM-yy", "yy-MMM-dd",
    "MMMM-dd-yyyy", "dd.MM.yy", "MM.dd.yy", "yy.MM.dd", "dd/MM/yyyy", "MM/dd/yyyy", "dd MM yyyy",
    "MM dd yyyy", "dd-MMMM-yyyy", "MMM.dd.yyyy", "yyyy MM dd", "dd/MM/yy", "MM/dd/yy", "yy/MM/dd",
    "MMMM.dd.yyyy", "dd/MMMM/yyyy", "dd.MMM.yyyy", "dd/MMM/yy", "yy/MMM/dd", "yyyy/MMM/dd",
    "yyyy MMM dd", "dd.MMM.yy", "yy.MMM.dd", "yyyy.MMMM.dd", "MMMM dd yy", "MMM dd,yyyy",
    "MMMM dd,yyyy", "dd/MMMM/yy", "yy/MMMM/dd", "yyyy-MM-dd",
)  # fmt: skip

# The retrieved list ends with "..." and is visibly symmetric (every separator with every order), so
# we add the members of that grid it cut off. Zoho's own docs use yyyy/MM/dd as an example.
_INFERRED_DATE_FORMATS: tuple[str, ...] = (
    "yyyy/MM/dd", "dd-MM-yyyy", "MM-dd-yyyy", "dd-MM-yy", "MM-dd-yy", "yy-MM-dd", "yyyy-MMM-dd",
    "MMMM/dd/yyyy", "MMMM/dd/yy", "MMMM dd yyyy", "MMM dd yy", "dd MMMM yy",
    "MMMM.dd.yy", "yy MM dd", "dd MM yy", "MM dd yy",
)  # fmt: skip

ALLOWED_DATE_FORMATS: tuple[str, ...] = LISTED_DATE_FORMATS + tuple(
    p for p in _INFERRED_DATE_FORMATS if p not in LISTED_DATE_FORMATS
)

# Date-time patterns are not in the retrieved part of the PDF (UNVERIFIED): every date pattern with
# a 24-hour time, with or without seconds, or ISO-style with a literal T, plus ISO-8601 + offset.
_TIME_SUFFIXES: tuple[str, ...] = (" HH:mm:ss", " HH:mm", "'T'HH:mm:ss")
ALLOWED_DATETIME_FORMATS: tuple[str, ...] = (
    DEFAULT_DATETIME_FORMAT,
    ISO_DATETIME_FORMAT,
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "yyyy-MM-dd'T'HH:mm:ssZ",
    *(
        d + t
        for d in ALLOWED_DATE_FORMATS
        for t in _TIME_SUFFIXES
        if d + t != DEFAULT_DATETIME_FORMAT
    ),
)

# Number patterns: the PDF's Number section was not retrieved, so this is our best reading of what
# Zoho accepts (Kaizen #103 shows "123,344"): grouping separator, then decimal separator.
NUMBER_SEPARATORS: dict[str, tuple[str, str]] = {
    "####.##": ("", "."),
    "#,###.##": (",", "."),
    "####,##": ("", ","),
    "#.###,##": (".", ","),
    "# ###,##": (" ", ","),
    "# ###.##": (" ", "."),
    "#'###.##": ("'", "."),
}
ALLOWED_NUMBER_FORMATS: tuple[str, ...] = tuple(NUMBER_SEPARATORS)
DEFAULT_NUMBER_FORMAT = "####.##"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_FULL = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH_ABBR = {m[:3].lower(): i for i, m in enumerate(MONTHS, 1)}

_TOKEN_RE = re.compile(r"'(?:[^']|'')*'|([A-Za-z])\1*|[^A-Za-z']+")
_NUMERIC_LETTERS = frozenset("yMdHhmsS")
_TIME_LETTERS = frozenset("HhmsSaXZ")


# datetime() argument filled by a plain numeric field ("h" without "a" reads like "H").
_PLAIN_SLOTS = {"d": 2, "H": 3, "h": 3, "m": 4, "s": 5}


class PatternError(ValueError):
    """A format pattern that uses letters this module (and Zoho) does not understand."""


@dataclass(frozen=True)
class _Field:
    letter: str
    width: int


@dataclass(frozen=True)
class DatePattern:
    """A compiled Java-style date/time pattern.

    Attributes:
        pattern: the pattern text, as given.
        regex_source: an anchored regular expression for the whole value; it uses only syntax shared
            by Python ``re`` and RE2, so pyarrow's ``match_substring_regex`` can run it too.
        has_date: the pattern names a year, month and day.
        has_time: the pattern names at least an hour.
    """

    pattern: str
    regex_source: str
    has_date: bool
    has_time: bool
    fields: tuple[_Field, ...]

    @functools.cached_property
    def _regex(self) -> re.Pattern[str]:
        return re.compile(self.regex_source)

    @functools.cached_property
    def _slots(self) -> tuple[int, ...] | None:
        """For patterns of plain numbers only, the ``datetime()`` argument each group fills."""
        slots: list[int] = []
        for field in self.fields:
            letter = field.letter
            if letter == "y" and field.width != 2:
                slots.append(0)
            elif letter == "M" and field.width <= 2:
                slots.append(1)
            elif letter in _PLAIN_SLOTS:
                slots.append(_PLAIN_SLOTS[letter])
            else:  # two-digit years, month names, milliseconds, am/pm, offsets
                return None
        return tuple(slots) if "a" not in {f.letter for f in self.fields} else None

    def parse(self, value: str) -> dt.datetime | None:
        """Return the value as a datetime (aware when the pattern has an offset), or None."""
        match = self._regex.match(value.strip())
        if match is None:
            return None
        return self._build(match)

    def _build(self, match: re.Match[str]) -> dt.datetime | None:
        slots = self._slots
        if slots is not None:  # the common case, kept short: detection parses many values
            args = [1970, 1, 1, 0, 0, 0]
            for slot, text in zip(slots, match.groups(), strict=True):
                args[slot] = int(text)
            try:
                return dt.datetime(args[0], args[1], args[2], args[3], args[4], args[5])
            except ValueError:  # 31 February, hour 25, ...
                return None
        year, month, day, hour, minute, second, micro = 1970, 1, 1, 0, 0, 0, 0
        pm: bool | None = None
        tz: dt.tzinfo | None = None
        for field, text in zip(self.fields, match.groups(), strict=True):
            letter = field.letter
            if letter == "y":
                year = _pivot_year(int(text)) if field.width == 2 else int(text)
            elif letter == "M":
                month = (
                    int(text)
                    if field.width <= 2
                    else (_MONTH_ABBR if field.width == 3 else _MONTH_FULL)[text.lower()]
                )
            elif letter == "d":
                day = int(text)
            elif letter in "Hh":
                hour = int(text)
            elif letter == "m":
                minute = int(text)
            elif letter == "s":
                second = int(text)
            elif letter == "S":
                micro = int(text) * 1000
            elif letter == "a":
                pm = text.lower() == "pm"
            elif letter in "XZ":
                tz = _parse_offset(text)
        if pm is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if pm else 0)
        try:
            return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        except ValueError:  # 31 February, hour 25, ...
            return None

    def format(self, value: dt.date | dt.datetime) -> str:
        """Render a date or datetime with this pattern (the reverse of :meth:`parse`)."""
        parts: list[str] = []
        for token in _tokenize(self.pattern):
            if isinstance(token, str):
                parts.append(token)
            else:
                parts.append(_render_field(token, value))
        return "".join(parts)


def _pivot_year(two_digits: int) -> int:
    # Java SimpleDateFormat: the century that puts the date within 80 years before and 20 after now.
    limit = dt.date.today().year + 20
    year = (limit // 100) * 100 + two_digits
    return year if year <= limit else year - 100


def _parse_offset(text: str) -> dt.tzinfo:
    if text.upper() == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _tokenize(pattern: str) -> list[str | _Field]:
    """Split a pattern into literal strings and fields; raise PatternError for unknown letters."""
    tokens: list[str | _Field] = []
    for match in _TOKEN_RE.finditer(pattern):
        text = match.group(0)
        if text.startswith("'"):
            tokens.append(text[1:-1].replace("''", "'") if text != "''" else "'")
        elif match.group(1):
            letter = match.group(1)
            if letter not in "yMdHhmsSaEXZ":
                raise PatternError(f"unsupported letter {letter!r} in date pattern {pattern!r}")
            tokens.append(_Field(letter, len(text)))
        else:
            tokens.append(text)
    return tokens


def _field_regex(field: _Field, exact: bool) -> str:
    letter, width = field.letter, field.width
    if letter == "y":
        return r"(\d{2})" if width == 2 else r"(\d{4})"
    if letter == "M" and width >= 3:
        names = [m[:3] for m in MONTHS] if width == 3 else list(MONTHS)
        return "(" + "|".join(names) + ")"
    if letter in "MdHhms":
        return rf"(\d{{{width}}})" if exact else r"(\d{1,2})"
    if letter == "S":
        return rf"(\d{{{width}}})" if exact else r"(\d{1,3})"
    if letter == "a":
        return "(AM|PM)"
    if letter == "E":
        names = [d[:3] for d in DAYS] if width <= 3 else list(DAYS)
        return "(?:" + "|".join(names) + ")"
    if letter == "X" and width == 1:
        return r"(Z|[+-]\d{2}(?:\d{2})?)"
    if letter == "X" and width == 2:
        return r"(Z|[+-]\d{4})"
    if letter == "X":
        return r"(Z|[+-]\d{2}:\d{2})"
    return r"(Z|[+-]\d{4})"  # Z (RFC 822); we also take a literal Z for UTC


@functools.lru_cache(maxsize=512)
def compile_pattern(pattern: str) -> DatePattern:
    """Compile a Java-style date/time pattern into a parser.

    Raises:
        PatternError: the pattern uses an unsupported letter or names no date/time field.
    """
    tokens = _tokenize(pattern)
    parts: list[str] = ["(?i)^"]
    fields: list[_Field] = []
    for i, token in enumerate(tokens):
        if isinstance(token, str):
            parts.append(re.escape(token))
            continue
        # A numeric field touching another numeric field (yyyyMMdd) must keep its exact width.
        neighbours = (tokens[i - 1] if i else None, tokens[i + 1] if i + 1 < len(tokens) else None)
        touching = any(
            isinstance(n, _Field)
            and n.letter in _NUMERIC_LETTERS
            and not (n.letter == "M" and n.width >= 3)
            for n in neighbours
        )
        parts.append(_field_regex(token, touching))
        if token.letter != "E":  # day names are matched but not used
            fields.append(token)
    parts.append("$")
    letters = {f.letter for f in fields}
    if not letters:
        raise PatternError(f"date pattern {pattern!r} has no date or time letters")
    return DatePattern(
        pattern=pattern,
        regex_source="".join(parts),
        has_date={"y", "M", "d"} <= letters,
        has_time=bool(letters & {"H", "h"}),
        fields=tuple(fields),
    )


def is_valid_pattern(pattern: str) -> bool:
    """Return True when the pattern compiles (whether or not Zoho lists it)."""
    try:
        compile_pattern(pattern)
    except PatternError:
        return False
    return True


def parse_date(value: str, pattern: str = DEFAULT_DATE_FORMAT) -> dt.date | None:
    """Parse a date strictly against one pattern; None if it does not fit or is not a real date."""
    parsed = compile_pattern(pattern).parse(value)
    return parsed.date() if parsed is not None else None


def parse_datetime(value: str, pattern: str = DEFAULT_DATETIME_FORMAT) -> dt.datetime | None:
    """Parse a date-time strictly against one pattern; None when it does not fit."""
    return compile_pattern(pattern).parse(value)


_ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME_RE = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?$"
)


def parse_iso_date(value: str) -> dt.date | None:
    """Parse an ISO-8601 calendar date (``2023-05-03``); None otherwise."""
    text = value.strip()
    if not _ISO_DATE_RE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def parse_iso_datetime(value: str) -> dt.datetime | None:
    """Parse an ISO-8601 date-time (``2023-05-03T20:39:19+05:30``, ``Z``, space or T); else None."""
    text = value.strip()
    if not _ISO_DATETIME_RE.match(text):
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_zoho_date(value: str, pattern: str | None = None) -> dt.date | None:
    """Parse a date the way Zoho reads a column: the declared format (else the default), or ISO."""
    parsed = parse_date(value, pattern or DEFAULT_DATE_FORMAT)
    return parsed if parsed is not None else parse_iso_date(value)


def parse_zoho_datetime(value: str, pattern: str | None = None) -> dt.datetime | None:
    """Parse a date-time the way Zoho reads it: declared format (else the default), or ISO-8601."""
    parsed = parse_datetime(value, pattern or DEFAULT_DATETIME_FORMAT)
    return parsed if parsed is not None else parse_iso_datetime(value)


def format_date(value: dt.date, pattern: str = DEFAULT_DATE_FORMAT) -> str:
    """Render a date with a pattern (e.g. to rewrite a column into the default format)."""
    return compile_pattern(pattern).format(value)


def format_datetime(value: dt.datetime, pattern: str = DEFAULT_DATETIME_FORMAT) -> str:
    """Render a date-time with a pattern."""
    return compile_pattern(pattern).format(value)


def _render_field(field: _Field, value: dt.date | dt.datetime) -> str:
    letter, width = field.letter, field.width
    moment = (
        value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
    )
    if letter == "y":
        return f"{moment.year % 100:02d}" if width == 2 else f"{moment.year:04d}"
    if letter == "M":
        if width >= 3:
            name = MONTHS[moment.month - 1]
            return name[:3] if width == 3 else name
        return f"{moment.month:0{width}d}"
    if letter == "E":
        name = DAYS[moment.weekday()]
        return name[:3] if width <= 3 else name
    if letter == "a":
        return "PM" if moment.hour >= 12 else "AM"
    if letter in "XZ":
        return _render_offset(moment, field)
    number = {
        "d": moment.day,
        "H": moment.hour,
        "h": (moment.hour % 12) or 12,
        "m": moment.minute,
        "s": moment.second,
        "S": moment.microsecond // 1000,
    }[letter]
    return f"{number:0{width}d}"


def _render_offset(moment: dt.datetime, field: _Field) -> str:
    offset = moment.utcoffset()
    if offset is None or (offset == dt.timedelta(0) and field.letter == "X"):
        return "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    sep = ":" if field.letter == "X" and field.width >= 3 else ""
    return f"{sign}{hours:02d}{sep}{mins:02d}"


def _non_empty(samples: Iterable[str], limit: int) -> list[str]:
    values: list[str] = []
    for sample in samples:
        text = sample.strip()
        if text:
            values.append(text)
            if len(values) >= limit:
                break
    return values


def _best_pattern(values: Sequence[str], candidates: Sequence[str], min_share: float) -> str | None:
    found = _best_pattern_fit(values, candidates, min_share)
    return found[0] if found is not None else None


def _best_pattern_fit(
    values: Sequence[str], candidates: Sequence[str], min_share: float
) -> tuple[str, float] | None:
    """The first candidate that parses enough values, with the share it parses.

    ``values`` must be stripped and non-blank (as :func:`_non_empty` returns them).
    """
    if not values:
        return None
    allowed_misses = int(len(values) * (1.0 - min_share))
    for pattern in candidates:
        compiled = compile_pattern(pattern)
        match, build = compiled._regex.match, compiled._build  # values are already stripped
        misses = 0
        for value in values:
            found = match(value)
            if found is None or build(found) is None:
                misses += 1
                if misses > allowed_misses:
                    break
        else:
            return pattern, (len(values) - misses) / len(values)
    return None


@functools.lru_cache(maxsize=2)
def _date_candidates(day_first: bool) -> tuple[str, ...]:
    # Ambiguous columns (every day <= 12) resolve to the first fitting pattern: ISO, then Zoho's
    # default month-first (or day-first when the caller knows the file is European), then the rest.
    first = (
        ("dd/MM/yyyy", DEFAULT_DATE_FORMAT) if day_first else (DEFAULT_DATE_FORMAT, "dd/MM/yyyy")
    )
    head = (ISO_DATE_FORMAT, *first)
    return head + tuple(p for p in ALLOWED_DATE_FORMATS if p not in head)


def detect_date_format(
    samples: Iterable[str], *, min_share: float = 1.0, day_first: bool = False, limit: int = 200
) -> str | None:
    """Return the allowed date pattern that fits the samples' non-empty values, or None.

    Args:
        samples: cell values (blank ones are ignored).
        min_share: share of the values that must fit (1.0 = all of them).
        day_first: prefer ``dd/MM`` over ``MM/dd`` when both fit (every day is 12 or less).
        limit: how many non-empty values to look at.
    """
    return _best_pattern(_non_empty(samples, limit), _date_candidates(day_first), min_share)


def detect_datetime_format(
    samples: Iterable[str], *, min_share: float = 1.0, day_first: bool = False, limit: int = 200
) -> str | None:
    """Return the allowed date-time pattern that fits the samples, or None (see date version)."""
    return _best_pattern(_non_empty(samples, limit), _datetime_candidates(day_first), min_share)


@functools.lru_cache(maxsize=2)
def _datetime_candidates(day_first: bool) -> tuple[str, ...]:
    dates = _date_candidates(day_first)
    return (
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd'T'HH:mm:ss",
        ISO_DATETIME_FORMAT,
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        "yyyy-MM-dd'T'HH:mm:ssZ",
        *(d + t for d in dates for t in _TIME_SUFFIXES),
    )


def fit_date_format(
    values: Sequence[str], *, min_share: float = 1.0, day_first: bool = False, timed: bool = False
) -> tuple[str, float] | None:
    """Detect a date (or, with ``timed``, date-time) pattern and the share of values it parses.

    The same choice as :func:`detect_date_format` / :func:`detect_datetime_format`, for values
    that are already stripped and non-blank, all of them looked at (no ``limit``); the share
    comes from the same pass, so nothing is parsed twice.
    """
    candidates = _datetime_candidates(day_first) if timed else _date_candidates(day_first)
    return _best_pattern_fit(values, candidates, min_share)


def _number_regex(group: str, decimal: str) -> re.Pattern[str]:
    sign = r"[+-]?"
    if group:
        grouped = rf"\d{{1,3}}(?:{re.escape(group)}\d{{3}})+"
        integer = rf"(?:{grouped}|\d+)"
    else:
        integer = r"\d+"
    return re.compile(rf"{sign}(?:{integer}(?:{re.escape(decimal)}\d+)?|{re.escape(decimal)}\d+)$")


_NUMBER_RES = {p: _number_regex(*seps) for p, seps in NUMBER_SEPARATORS.items()}


def parse_number(value: str, pattern: str = DEFAULT_NUMBER_FORMAT) -> Decimal | None:
    """Parse a number written with the pattern's grouping and decimal separators; None otherwise.

    Raises:
        PatternError: the pattern is not one of :data:`ALLOWED_NUMBER_FORMATS`.
    """
    try:
        group, decimal = NUMBER_SEPARATORS[pattern]
    except KeyError:
        raise PatternError(f"unknown number pattern {pattern!r}") from None
    text = value.strip()
    if not _NUMBER_RES[pattern].match(text):
        return None
    if group:
        text = text.replace(group, "")
    try:
        return Decimal(text.replace(decimal, "."))
    except InvalidOperation:  # pragma: no cover - the regex only lets valid numbers through
        return None


def detect_number_format(
    samples: Iterable[str], *, min_share: float = 1.0, limit: int = 200
) -> str | None:
    """Return the number pattern that fits the samples, or None.

    The first fitting pattern in :data:`ALLOWED_NUMBER_FORMATS` order wins: no grouping before
    grouping, so ``1,234`` reads as one thousand two hundred and thirty-four (``#,###.##``) and
    ``12,5`` as twelve and a half (``####,##``).
    """
    values = _non_empty(samples, limit)
    if not values:
        return None
    allowed_misses = int(len(values) * (1.0 - min_share))
    for pattern, regex in _NUMBER_RES.items():
        misses = 0
        for value in values:
            if not regex.match(value):
                misses += 1
                if misses > allowed_misses:
                    break
        else:
            return pattern
    return None


def pattern_kind(pattern: str) -> str:
    """Return ``"date"``, ``"datetime"`` or ``"number"`` for a pattern, or raise PatternError."""
    if pattern in NUMBER_SEPARATORS:
        return "number"
    compiled = compile_pattern(pattern)
    return "datetime" if compiled.has_time else "date"
