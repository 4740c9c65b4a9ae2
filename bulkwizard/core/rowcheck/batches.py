"""Batch filters on pyarrow arrays: clear clean cells of a whole block without Python per cell.

:mod:`bulkwizard.core.rowcheck.filters` clears clean batches of Python strings; when a file is
read in pyarrow blocks (:mod:`bulkwizard.core.reading.blocks`) the same filters run here as
vectorised pyarrow kernels (RE2 regular expressions, set lookups, lengths), so that only the few
*suspect* cells are turned into Python strings and handed to the rule's exact check.

The contract is the one of every batch filter, only stricter: a cell this module clears is a cell
the Python filter would clear, so the exact check sees every cell it would have seen (and maybe a
few more), and the findings are the same. Where a filter cannot be expressed safely (a regular
expression RE2 does not support, a filter type this module does not know) its Python version
runs on the block's cells instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from bulkwizard.core.rowcheck.filters import (
    SEPARATOR,
    KnownGoodFilter,
    LengthFilter,
    NotEmptyFilter,
    RegexFilter,
    SetFilter,
)
from bulkwizard.core.rowcheck.rules import EMAIL_FAST, PHONE_FAST, ColumnRule

try:
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover - the fast reader is off without pyarrow anyway
    pa = pc = None

# Look-arounds RE2 lacks, rewritten as equivalent plain expressions.
_REWRITES = (
    (EMAIL_FAST, r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z0-9-]*[A-Za-z]{2}"),
    (PHONE_FAST, r"[+() ./-]*[0-9][0-9+() ./-]*"),
    (r"(?!0000)\d{4}", r"(?:[1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])"),
    (SEPARATOR, r"\x00"),
)
# A letter or a digit: never whitespace, so a cell holding one is surely not blank.
_NOT_BLANK = r"[\pL\pN]"

Mask = Callable[[Any], Any]  # array -> BooleanArray (True: the cell surely passes) or None (all)


def _re2(pattern: str) -> str | None:
    """``pattern`` in RE2 syntax, or None when it keeps a construct RE2 lacks."""
    for python, plain in _REWRITES:
        pattern = pattern.replace(python, plain)
    if "(?=" in pattern or "(?!" in pattern or "(?<" in pattern or "(?>" in pattern:
        return None
    if "*+" in pattern or "++" in pattern or "?+" in pattern:
        return None
    try:
        pc.match_substring_regex(pa.array(["x"], pa.string()), f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pattern


def _python_mask(batch_filter: Any) -> Mask:
    """The filter itself on the block's cells as Python strings (the slow, always-right way)."""

    def mask(array: Any) -> Any:
        bad = set(batch_filter.suspects(array.to_pylist()))
        if not bad:
            return None
        return pa.array([i not in bad for i in range(len(array))], pa.bool_())

    return mask


def _known_good_mask(batch_filter: KnownGoodFilter) -> Mask:
    """Few distinct values (dates, multi-selects): run the filter on each distinct value once."""

    def mask(array: Any) -> Any:
        encoded = pc.dictionary_encode(array)
        values = encoded.dictionary.to_pylist()
        bad = set(batch_filter.suspects(values))
        if not bad:
            return None
        flags = pa.array([i not in bad for i in range(len(values))], pa.bool_())
        return flags.take(encoded.indices)

    return mask


def _regex_mask(batch_filter: RegexFilter) -> Mask:
    flags = batch_filter.flags
    pattern = _re2(batch_filter.pattern) if not flags & ~re.IGNORECASE else None
    if pattern is None:
        return _python_mask(batch_filter)
    full = f"^(?:{pattern})$"
    fold = bool(flags & re.IGNORECASE)
    limit = batch_filter.max_length
    required = batch_filter.required

    def mask(array: Any) -> Any:
        ok = pc.match_substring_regex(array, full, ignore_case=fold)
        if fold:  # RE2 and Python fold some non-ASCII letters differently: stay in ASCII
            ok = pc.and_(ok, pc.string_is_ascii(array))
        if limit is not None:
            ok = pc.and_(ok, pc.less_equal(pc.utf8_length(array), limit))
        if required:
            ok = pc.and_(ok, pc.match_substring_regex(array, _NOT_BLANK))
        return ok

    return mask


def _mask_for(batch_filter: Any) -> Mask:
    if isinstance(batch_filter, RegexFilter):
        return _regex_mask(batch_filter)
    if isinstance(batch_filter, SetFilter):
        allowed = pa.array(sorted(batch_filter.allowed), pa.string())
        return lambda array: pc.is_in(array, value_set=allowed)
    if isinstance(batch_filter, LengthFilter):
        limit = batch_filter.limit
        return lambda array: pc.less_equal(pc.utf8_length(array), limit)
    if isinstance(batch_filter, NotEmptyFilter):
        return lambda array: pc.match_substring_regex(array, _NOT_BLANK)
    if isinstance(batch_filter, KnownGoodFilter):
        return _known_good_mask(batch_filter)
    return _python_mask(batch_filter)


class VectorRule:
    """A column rule whose filters run on pyarrow arrays."""

    def __init__(self, rule: ColumnRule) -> None:
        self.rule = rule
        self.masks = [_mask_for(f) for f in rule.filters]

    def suspects(self, array: Any) -> list[int]:
        """Positions of the cells that some filter does not clear."""
        ok = None
        for mask in self.masks:
            passed = mask(array)
            if passed is not None:
                ok = passed if ok is None else pc.and_(ok, passed)
        if ok is None or pc.all(ok).as_py() is not False:
            return []
        found: list[int] = pc.indices_nonzero(pc.invert(ok)).to_pylist()
        return found

    def scan(self, array: Any) -> list[tuple[int, str, Any]]:
        """(position, value, problem) of every cell of ``array`` the exact check rejects."""
        positions = self.suspects(array)
        if not positions:
            return []
        values: Sequence[str] = array.take(pa.array(positions, pa.int64())).to_pylist()
        by_position = dict(zip(positions, values, strict=True))
        return [(p, by_position[p], problem) for p, problem in self.rule.explain(positions, values)]
