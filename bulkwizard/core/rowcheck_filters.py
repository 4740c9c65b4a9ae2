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
        """Positions of cells that do not pass."""
        ...


class RegexFilter:
    """Cells must match a pattern; the pattern must accept the empty cell when empty is fine."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.one = re.compile(pattern, flags)
        self.many = re.compile(f"(?:{pattern})(?:{SEPARATOR}(?:{pattern}))*", flags)

    def all_ok(self, cells: Sequence[str]) -> bool:
        joined = SEPARATOR.join(cells)
        if joined.count(SEPARATOR) != len(cells) - 1:
            return False  # a cell holds NUL itself: let the per-cell path decide
        return self.many.fullmatch(joined) is not None

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        return compress(range(len(cells)), map(not_, map(self.one.fullmatch, cells)))


class LengthFilter:
    """Cells must be at most ``limit`` characters long."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def all_ok(self, cells: Sequence[str]) -> bool:
        return max(map(len, cells), default=0) <= self.limit

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        return compress(range(len(cells)), map(self.limit.__lt__, map(len, cells)))


class SetFilter:
    """Cells must be one of a fixed set of values (picklists, booleans)."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = frozenset(allowed)

    def all_ok(self, cells: Sequence[str]) -> bool:
        return self.allowed.issuperset(cells)

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        return compress(range(len(cells)), map(not_, map(self.allowed.__contains__, cells)))


class NotEmptyFilter:
    """Cells must not be empty or blank (mandatory fields)."""

    def all_ok(self, cells: Sequence[str]) -> bool:
        return "" not in cells and not any(map(str.isspace, cells))

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
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

    def all_ok(self, cells: Sequence[str]) -> bool:
        if self.good.issuperset(cells):
            return True
        new = set(cells).difference(self.good)
        if len(self.good) + len(new) > self.capacity:
            self.good = {""}
        self.good.update(value for value in new if self.is_good(value))
        return self.good.issuperset(cells)

    def suspects(self, cells: Sequence[str]) -> Iterable[int]:
        return compress(range(len(cells)), map(not_, map(self.good.__contains__, cells)))


def optional(pattern: str) -> str:
    """A cell pattern that also accepts the empty cell."""
    return f"(?:{pattern})?"
