"""Checks across rows: duplicate values, repeated parent keys and orphan child rows.

Both keep one entry per distinct value seen so far: the value's hash mapped to the first row
that had it. Hashes rather than the strings keep a million-row column in tens of megabytes; a
64-bit collision between two real values is far less likely than any bad row we look for.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import compress
from operator import ne, not_

from bulkwizard.core.rowcheck.model import DUPLICATE_DATA, ERROR, Problem

_EMPTY = hash("")


class DuplicateTracker:
    """Finds cells whose value already appeared in an earlier row of the same column.

    Attributes:
        column_index: the column.
        api_name: the field the column feeds (empty for parent keys).
        label: the field label.
        why: ``unique`` (a unique field), ``find_by`` (the resource's match field) or
            ``parent_key`` (the column children link to).
        severity: of the findings.
        fold: compare case-insensitively (emails).
        seen: hash of value -> first row number.
    """

    def __init__(
        self,
        column_index: int,
        api_name: str | None,
        label: str | None,
        why: str,
        severity: str = ERROR,
        *,
        fold: bool = False,
    ) -> None:
        self.column_index = column_index
        self.api_name = api_name
        self.label = label
        self.why = why
        self.severity = severity
        self.fold = fold
        self.seen: dict[int, int] = {}

    def _hashes(self, cells: Sequence[str]) -> list[int]:
        return list(map(hash, map(str.casefold, cells) if self.fold else cells))

    def scan(self, cells: Sequence[str], numbers: Sequence[int]) -> list[tuple[int, Problem]]:
        """Record a batch; return (position in batch, problem) for each repeated value.

        Blank cells are never recorded nor reported. Whatever the batch size, a non-blank cell
        is reported exactly when an earlier row had the same value, naming the first such row.
        """
        hashes = self._hashes(cells)
        count = len(cells)
        # First position of each value within the batch: later entries of a dict built
        # backwards win.
        firsts = dict(zip(reversed(hashes), reversed(range(count)), strict=True))
        empties = cells.count("")
        if empties:
            firsts.pop(_EMPTY, None)
        seen = self.seen
        if (
            len(firsts) == count - empties
            and seen.keys().isdisjoint(firsts)
            and not any(map(str.isspace, cells))
        ):
            seen.update(zip(firsts.keys(), map(numbers.__getitem__, firsts.values()), strict=True))
            return []
        # Suspects: cells that are not the first of their value in the batch, or whose value
        # an earlier batch had. Only they are looked at one by one.
        positions = range(count)
        suspects = set(compress(positions, map(ne, map(firsts.get, hashes), positions)))
        suspects.update(compress(positions, map(seen.__contains__, hashes)))
        blank = set(compress(positions, map(not_, map(str.strip, cells))))
        for key in seen.keys() & firsts.keys():
            del firsts[key]
        for position in blank:
            firsts.pop(hashes[position], None)
        seen.update(zip(firsts.keys(), map(numbers.__getitem__, firsts.values()), strict=True))
        return [
            (position, self._problem(cells[position], seen[hashes[position]]))
            for position in sorted(suspects - blank)
        ]

    def _problem(self, value: str, first: int) -> Problem:
        if self.why == "parent_key":
            message = (
                f"row {first} already has the parent key {value!r}; child rows that link to it "
                "cannot tell the two parent rows apart"
            )
        elif self.why == "find_by":
            message = (
                f"row {first} already has {value!r} in {self.label}, the field records are "
                "matched by: both rows would write to the same record"
            )
        else:
            message = f"{self.label} must be unique, but row {first} already has {value!r}"
        return Problem(DUPLICATE_DATA, self.why, message, self.severity)


class ParentKeys:
    """The parent file's key columns (``parent_column_index`` values), filled while it is read."""

    def __init__(self, columns: Iterable[int], headers: Sequence[str] = ()) -> None:
        self.trackers = {
            column: DuplicateTracker(column, None, None, "parent_key") for column in columns
        }
        self.headers = list(headers)

    def column_name(self, column: int) -> str:
        """How a message names the parent's key column: its header and its 0-based index."""
        if 0 <= column < len(self.headers):
            return f"column {self.headers[column]!r} (index {column})"
        return f"column {column}"

    def near(self, column: int, value: str) -> str | None:
        """A parent key that differs from ``value`` only in outer spaces or letter case.

        Only hashes of the keys are kept, so this tries the usual variants (trimmed; upper,
        lower and title case) rather than searching: it finds ``L2`` for `` l2 ``, not
        ``McDonald`` for ``mcdonald``. Zoho links exactly, so these rows are still orphans; the
        variant is the suggested fix.
        """
        tracker = self.trackers.get(column)
        if tracker is None:
            return None
        trimmed = value.strip()
        for candidate in (trimmed, trimmed.upper(), trimmed.lower(), trimmed.title()):
            if candidate and candidate != value and hash(candidate) in tracker.seen:
                return candidate
        return None

    @property
    def columns(self) -> list[int]:
        return sorted(self.trackers)

    def add(
        self, column: int, cells: Sequence[str], numbers: Sequence[int]
    ) -> list[tuple[int, Problem]]:
        """Record a batch of parent keys; return problems for keys that repeat."""
        return self.trackers[column].scan(cells, numbers)

    def orphans(self, column: int, cells: Sequence[str]) -> Iterable[int]:
        """Positions of child cells whose key matches no parent row (empty keys included)."""
        if column not in self.trackers:
            return range(len(cells))
        seen = self.trackers[column].seen
        return compress(range(len(cells)), map(not_, map(seen.__contains__, map(hash, cells))))
