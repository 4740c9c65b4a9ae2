"""Column profiles for the mapping screen: samples, empty share, distinct estimate, kind, format.

:func:`~bulkwizard.core.reading.scan.profile_table` scans a whole table once. For delimited text it
uses pyarrow's streaming CSV reader: every row is counted and every empty cell seen, while kinds
and distinct counts come from a sample of rows spread over the whole file (:data:`SAMPLE_ROWS`);
workbooks, files pyarrow cannot parse, and installs without pyarrow go through the Python engine
here, which sees every value. :func:`profile_rows` profiles rows already
in memory (the preview) at once.

Kinds, tried in this order on a column's non-empty values (95% must fit): ``boolean``,
``integer``, ``decimal``, ``datetime``, ``date``, ``email``, ``phone``, ``url``, else ``text``;
``empty`` when no value is filled. ``format`` is the Zoho pattern for dates and date-times and
the number pattern for numbers written with grouping or a decimal comma (None otherwise).
"""

from __future__ import annotations

import hashlib
import heapq
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bulkwizard.core import formats
from bulkwizard.core.errors import BulkWizardError
from bulkwizard.core.reading.table import CancelFlag, Row

KINDS = ("empty", "boolean", "integer", "decimal", "datetime", "date", "email", "phone", "url",
         "text")  # fmt: skip
MIN_SHARE = 0.95
SAMPLE_ROWS = 8192
KIND_VALUES = 200
DETECT_LIMIT = 200  # values the date detectors look at (their default)
SHOWN_SAMPLES = 5
EXACT_DISTINCT = 65536
SKETCH_SIZE = 1024

_BOOLEANS = frozenset({"true", "false", "yes", "no", "y", "n", "t", "f"})
_INTEGER = re.compile(r"[+-]?(?:0|[1-9]\d*)$")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]{2,}$")
_PHONE = re.compile(r"\+?[\d\s().-]{7,25}$")
_URL = re.compile(r"(?:https?://|www\.)\S+$", re.IGNORECASE)
_DATEISH = re.compile(r"\d{1,4}[-/. ]\S|[A-Za-z]{3,9}[-/. ]\d", re.ASCII)
_TIMEISH = re.compile(r"\d:\d\d")
_LEADING_ZERO = re.compile(r"[+-]?0\d")
_NUMERIC_START = re.compile(r"[+-]?[\d.,]")


class ProfileCancelled(BulkWizardError):
    """The caller set the cancel flag while a profile was being computed."""


@dataclass
class ColumnProfile:
    """What a column holds.

    Attributes:
        index: 0-based column position.
        name: display name (``Table.headers``).
        kind: one of :data:`KINDS`.
        format: Zoho ``format`` pattern for the column (dates, date-times, grouped numbers).
        empty_count: cells with no text at all.
        row_count: rows looked at.
        distinct_estimate: number of distinct non-empty values (exact when ``distinct_exact``).
        distinct_exact: whether ``distinct_estimate`` is a count rather than an estimate.
        samples: up to five distinct non-empty values, in file order.
        kind_share: share of the examined non-empty values that fit ``kind``.
    """

    index: int
    name: str
    kind: str = "empty"
    format: str | None = None
    empty_count: int = 0
    row_count: int = 0
    distinct_estimate: int = 0
    distinct_exact: bool = True
    samples: list[str] = field(default_factory=list)
    kind_share: float = 1.0

    @property
    def empty_share(self) -> float:
        """Share of empty cells (0.0 for a table with no rows)."""
        return self.empty_count / self.row_count if self.row_count else 0.0

    def to_json(self) -> dict[str, object]:
        """A plain dict for ``--json`` output and the UI."""
        return {
            "name": self.name,
            "index": self.index,
            "kind": self.kind,
            "format": self.format,
            "empty_share": round(self.empty_share, 4),
            "empty_count": self.empty_count,
            "distinct_estimate": self.distinct_estimate,
            "distinct_exact": self.distinct_exact,
            "samples": list(self.samples),
        }


@dataclass
class TableProfile:
    """Profiles of every column plus what the scan learned about the rows.

    Attributes:
        columns: one profile per column, in order.
        row_count: data rows in the table.
        ragged_rows: rows whose cell count differs from the header's (the arrow engine does not
            profile them; the row checker reports them).
        engine: ``"arrow"`` or ``"python"``.
    """

    columns: list[ColumnProfile]
    row_count: int
    ragged_rows: int = 0
    engine: str = "python"


def infer_kind(values: Sequence[str], *, day_first: bool = False) -> tuple[str, str | None, float]:
    """Return (kind, format, share fitting) for a column's non-empty, stripped values."""
    if not values:
        return "empty", None, 1.0
    total = len(values)
    need = MIN_SHARE * total

    def share(test: Iterable[bool]) -> float:
        return sum(1 for ok in test if ok) / total

    head = values[:20]
    if sum(1 for v in head if v.lower() in _BOOLEANS) >= 0.9 * len(head):
        fit = share(v.lower() in _BOOLEANS for v in values)
        if fit * total >= need:
            return "boolean", None, fit
    if sum(1 for v in head if _INTEGER.match(v)) >= 0.9 * len(head):
        fit = share(bool(_INTEGER.match(v)) for v in values)
        if fit * total >= need:
            return "integer", None, fit
    # Leading zeros mark codes (ZIP, account numbers): a number field would drop them.
    numeric = sum(1 for v in head if _NUMERIC_START.match(v)) >= 0.9 * len(head)
    coded = numeric and any(_LEADING_ZERO.match(v) for v in values)
    number = (
        formats.detect_number_format(values, min_share=MIN_SHARE, limit=total)
        if numeric and not coded
        else None
    )
    if number is not None:
        separators = formats.NUMBER_SEPARATORS[number]
        has_fraction = any(separators[1] in v for v in values)
        pattern = None if number == formats.DEFAULT_NUMBER_FORMAT else number
        return ("decimal" if has_fraction else "integer"), pattern, 1.0
    if sum(1 for v in head if _DATEISH.match(v)) >= 0.5 * len(head):
        timed = sum(1 for v in head if _TIMEISH.search(v)) >= 0.5 * len(head)
        if timed:
            fitted = _date_fit(values, timed=True, day_first=day_first)
            if fitted is not None:
                return "datetime", *fitted
        fitted = _date_fit(values, timed=False, day_first=day_first)
        if fitted is not None:
            return "date", *fitted
    for kind, regex in (("email", _EMAIL), ("url", _URL), ("phone", _PHONE)):
        if sum(1 for v in head if regex.match(v)) >= 0.9 * len(head):
            fit = share(bool(regex.match(v)) for v in values)
            if fit * total >= need and (kind != "phone" or _mostly_digits(values)):
                return kind, None, fit
    return "text", None, 1.0


def _date_fit(values: Sequence[str], *, timed: bool, day_first: bool) -> tuple[str, float] | None:
    """The detected date (or date-time) pattern and the share of ``values`` it parses."""
    if len(values) <= DETECT_LIMIT and all(v and v.strip() == v for v in values):
        # The detector looks at exactly these values, so its pass also gives the share.
        return formats.fit_date_format(
            values, min_share=MIN_SHARE, day_first=day_first, timed=timed
        )
    detect = formats.detect_datetime_format if timed else formats.detect_date_format
    found = detect(values, min_share=MIN_SHARE, day_first=day_first, limit=DETECT_LIMIT)
    return None if found is None else (found, _fit(values, found))


def _fit(values: Sequence[str], pattern: str) -> float:
    compiled = formats.compile_pattern(pattern)
    return sum(1 for v in values if compiled.parse(v) is not None) / len(values)


def _mostly_digits(values: Sequence[str]) -> bool:
    return all(sum(map(str.isdigit, v)) >= 7 for v in values[:50])


def chao1(distinct: int, singletons: int, doubletons: int, population: int) -> int:
    """Bias-corrected Chao1 estimate of distinct values from a sample, capped at ``population``."""
    estimate = distinct + singletons * (singletons - 1) / (2 * (doubletons + 1))
    return int(min(max(estimate, distinct), population))


class _ColumnStats:
    """Streaming statistics of one column for the Python engine."""

    def __init__(self) -> None:
        self.empty = 0
        self.values: list[str] = []
        self.shown: list[str] = []
        self.distinct: set[str] | None = set()
        self.sketch: list[int] = []  # negated hashes: a max-heap of the smallest ones (KMV)
        self.sketched: set[int] = set()

    def add(self, value: str) -> None:
        if not value:
            self.empty += 1
            return
        if self.distinct is not None:
            if value not in self.distinct:
                self.distinct.add(value)
                if len(self.shown) < SHOWN_SAMPLES:
                    self.shown.append(value)
                if len(self.distinct) > EXACT_DISTINCT:
                    for known in self.distinct:
                        self._sketch(known)
                    self.distinct = None
        else:
            self._sketch(value)
        if len(self.values) < KIND_VALUES:
            stripped = value.strip()
            if stripped:
                self.values.append(stripped)

    def _sketch(self, value: str) -> None:
        digest = int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "big")
        if digest in self.sketched:
            return
        if len(self.sketch) < SKETCH_SIZE:
            heapq.heappush(self.sketch, -digest)
            self.sketched.add(digest)
        elif digest < -self.sketch[0]:
            self.sketched.discard(-heapq.heappushpop(self.sketch, -digest))
            self.sketched.add(digest)

    def distinct_count(self) -> tuple[int, bool]:
        if self.distinct is not None:
            return len(self.distinct), True
        kth = -self.sketch[0] / 2**64
        return int((SKETCH_SIZE - 1) / kth), False


def profile_rows(
    headers: Sequence[str],
    rows: Iterable[Row],
    *,
    day_first: bool = False,
    cancel: CancelFlag | None = None,
) -> TableProfile:
    """Profile rows with the Python engine (every value seen; exact distinct up to 65,536)."""
    stats = [_ColumnStats() for _ in headers]
    count = ragged = 0
    for row in rows:
        count += 1
        if row.ragged:
            ragged += 1
        for column, value in zip(stats, row.values, strict=False):
            column.add(value)
        if cancel is not None and count % 4096 == 0 and cancel.is_set():
            raise ProfileCancelled("profiling was cancelled")
    columns: list[ColumnProfile] = []
    for index, (name, column) in enumerate(zip(headers, stats, strict=True)):
        kind, pattern, fit = infer_kind(column.values, day_first=day_first)
        distinct, exact = column.distinct_count()
        columns.append(
            ColumnProfile(
                index=index,
                name=name,
                kind=kind,
                format=pattern,
                empty_count=column.empty,
                row_count=count,
                distinct_estimate=distinct,
                distinct_exact=exact,
                samples=column.shown,
                kind_share=fit,
            )
        )
    return TableProfile(columns=columns, row_count=count, ragged_rows=ragged, engine="python")
