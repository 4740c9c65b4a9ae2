"""Batch filters: decide at C speed whether a whole column slice is clean.

Row checks run over millions of cells, and a Python call per cell would cost more than reading
the file. Each column therefore gets one or more filters that look at a batch of cells at once
(a regular expression over the joined batch, ``max(map(len, ...))``, a set inclusion) and only
when a batch is not clean name the *suspect* cells, again without a Python-level loop. The exact
(slow) check then runs on the suspects alone.

The contract every filter keeps: a cell a filter lets through is one the exact check accepts.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from itertools import compress
from operator import not_
from typing import Protocol

# Joins a batch for one regex pass. NUL never appears in a clean CSV cell, and value patterns never
# match it, so the joined string matches exactly when every cell does (checked by counting).
SEPARATOR = "\x00"


class BatchFilter(Protocol):
    """A cheap, conservative test of a batch of cells."""

    def all_ok(self, cells: Sequence[str]) -> bool:
        """True when every cell passes (then the exact check would accept every one)."""
        ...

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        """Positions of cells that do not pass (quickly nothing when :meth:`all_ok`)."""
        ...


class RegexFilter:
    """Cells must match a pattern; the pattern must accept the empty cell when empty is fine."""

    def __init__(
        self,
        pattern: str,
        flags: int = 0,
        *,
        max_length: int | None = None,
        required: bool = False,
    ) -> None:
        self.pattern = pattern
        self.flags = flags
        self.max_length = max_length
        self.required = required
        # Length and "not blank" as look-aheads, so one pass over the text checks everything.
        if required:
            pattern = rf"(?=\s*[^\s{SEPARATOR}])(?:{pattern})"
        if max_length is not None:
            pattern = f"(?=[^{SEPARATOR}]{{0,{max_length}}}(?![^{SEPARATOR}]))(?:{pattern})"
        self.one = re.compile(pattern, flags)
        # Each cell is matched inside an atomic group that must end at a separator: once a cell
        # matched, a later failure never backtracks into it (which could take exponential time).
        cell = f"(?>(?:{pattern})(?={SEPARATOR}|\\Z))"
        self.many = re.compile(f"{cell}(?:{SEPARATOR}{cell})*+", flags)
        # The longest run of good cells (each followed by a separator) from a position.
        self.run = re.compile(f"(?:{cell}{SEPARATOR})*+", flags)

    def all_ok(self, cells: Sequence[str]) -> bool:
        joined = SEPARATOR.join(cells)
        if joined.count(SEPARATOR) != len(cells) - 1:
            return False  # a cell holds NUL itself: let the per-cell path decide
        return self.many.fullmatch(joined) is not None

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        joined = SEPARATOR.join(cells)
        if joined.count(SEPARATOR) != len(cells) - 1:
            return [i for i, cell in enumerate(cells) if self.one.fullmatch(cell) is None]
        if self.many.fullmatch(joined) is not None:
            return ()
        # Bad cells are rare: jump from one to the next with the run regex, so the text is
        # scanned about once instead of calling the regex once per cell.
        found: list[int] = []
        run, one = self.run.match, self.one.fullmatch
        size = len(joined)
        position = index = 0
        while True:
            end = run(joined, position).end()  # type: ignore[union-attr]  # always matches
            index += joined.count(SEPARATOR, position, end)
            stop = joined.find(SEPARATOR, end)
            if stop < 0:
                stop = size
            if one(joined, end, stop) is None:
                found.append(index)
            if stop >= size:
                return found
            position, index = stop + 1, index + 1


class LengthFilter:
    """Cells must be at most ``limit`` characters long."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def all_ok(self, cells: Sequence[str]) -> bool:
        return max(map(len, cells), default=0) <= self.limit

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        if self.all_ok(cells):
            return ()
        return compress(range(len(cells)), map(self.limit.__lt__, map(len, cells)))


class SetFilter:
    """Cells must be one of a fixed set of values (picklists, booleans)."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = frozenset(allowed)

    def all_ok(self, cells: Sequence[str]) -> bool:
        return self.allowed.issuperset(cells)

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        if self.all_ok(cells):
            return ()
        return compress(range(len(cells)), map(not_, map(self.allowed.__contains__, cells)))


class NotEmptyFilter:
    """Cells must not be empty or blank (mandatory fields)."""

    def all_ok(self, cells: Sequence[str]) -> bool:
        return "" not in cells and not any(map(str.isspace, cells))

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        if self.all_ok(cells):
            return ()
        return compress(range(len(cells)), map(not_, map(str.strip, cells)))


class KnownGoodFilter:
    """Remembers values already found good: for columns with few distinct values (multi-selects).

    ``is_good`` is the exact test; it runs once per distinct new value. The memory is bounded:
    past ``capacity`` remembered values it starts over.
    """

    def __init__(self, is_good: Callable[[str], bool], capacity: int = 50_000) -> None:
        self.is_good = is_good
        self.capacity = capacity
        self.good: set[str] = {""}
        self.bad: set[str] = set()  # bad values repeat too ("n/a"): test each once

    def all_ok(self, cells: Sequence[str]) -> bool:
        if self.good.issuperset(cells):
            return True
        new = set(cells).difference(self.good).difference(self.bad)
        if len(self.good) + len(self.bad) + len(new) > self.capacity:
            self.good, self.bad = {""}, set()
        for value in new:
            (self.good if self.is_good(value) else self.bad).add(value)
        return self.good.issuperset(cells)

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        if self.all_ok(cells):
            return ()
        return compress(range(len(cells)), map(not_, map(self.good.__contains__, cells)))


ANY_TEXT = f"[^{SEPARATOR}]*"


def optional(pattern: str) -> str:
    """A cell pattern that also accepts the empty cell."""
    return f"(?:{pattern})?"
