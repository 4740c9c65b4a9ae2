"""Per-column cell rules, compiled once from a field's metadata and its mapping.

:func:`compile_rule` turns (field, mapping) into a :class:`ColumnRule`: a few batch filters
(:mod:`bulkwizard.core.rowcheck.filters`) that clear clean batches at C speed, and one exact check
that explains a suspect cell in plain language and suggests a fix.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bulkwizard.core.job import FieldMapping
from bulkwizard.core.metadata import FieldMeta
from bulkwizard.core.rowcheck.dates import date_rule
from bulkwizard.core.rowcheck.filters import (
    ANY_TEXT,
    BatchFilter,
    KnownGoodFilter,
    LengthFilter,
    NotEmptyFilter,
    RegexFilter,
    SetFilter,
    optional,
)
from bulkwizard.core.rowcheck.model import (
    ERROR,
    INVALID_DATA,
    MANDATORY_NOT_FOUND,
    WARNING,
    Problem,
)
from bulkwizard.core.rowcheck.numbers import number_rule

Check = Callable[[str], Problem | None]

# Shapes, deliberately simple: they catch what exports get wrong (spaces, commas, missing @).
# (The look-behind asks for a top-level domain of 2+ letters without backtracking.)
EMAIL_FAST = r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?<=[A-Za-z]{2})"
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(?:\.[^@\s.]+)*\.[^@\s.]{2,}")
URL_FAST = r"(?:https?://)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?::\d{1,5})?(?:[/?#][!-~]*)?"
_URL = re.compile(r"(?:https?://)?[^\s/:?#.]+(?:\.[^\s/:?#.]+)+(?::\d{1,5})?(?:[/?#]\S*)?")
PHONE_FAST = r"(?=[+() ./-]*[0-9])[0-9+() ./-]+"
_PHONE = re.compile(r"[0-9+() ./-]*[0-9][0-9+() ./-]*(?:\s*(?:x|ext\.?|#)\s*\d+)?", re.IGNORECASE)
# Zoho record ids are 18-19 digit numbers; allow a little either side.
ID_FAST = r"[0-9]{15,20}"
_SCIENTIFIC = re.compile(r"[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+")
TRUE_FALSE = ("true", "false", "TRUE", "FALSE", "True", "False")
_BOOLEAN_WORDS = {
    "yes": "true", "y": "true", "1": "true", "checked": "true", "on": "true", "x": "true",
    "no": "false", "n": "false", "0": "false", "unchecked": "false", "off": "false",
}  # fmt: skip
TEXT_TYPES = frozenset({"text", "textarea", "email", "phone", "website", "picklist"})


@dataclass
class ColumnRule:
    """The checks of one mapped column."""

    column_index: int
    header: str
    api_name: str
    label: str
    filters: tuple[BatchFilter, ...]
    check: Check
    kinds: tuple[str, ...] = field(default=())

    memo: dict[str, Problem | None] = field(default_factory=dict, repr=False)

    def scan(self, cells: Sequence[str]) -> list[tuple[int, Problem]]:
        """Problems in a batch of this column's cells, as (position in batch, problem)."""
        suspects: set[int] = set()
        for batch_filter in self.filters:
            suspects.update(batch_filter.suspects(cells))
        if not suspects:
            return []
        positions = sorted(suspects)
        return self.explain(positions, [cells[position] for position in positions])

    def explain(self, positions: Sequence[int], values: Sequence[str]) -> list[tuple[int, Problem]]:
        """Run the exact check on suspect cells (``values`` at ``positions``, in order)."""
        # Bad values repeat ("n/a", a wrong date format): explain each one once.
        memo = self.memo
        if len(memo) > 10_000:
            memo.clear()
        found: list[tuple[int, Problem]] = []
        for position, value in zip(positions, values, strict=True):
            if value in memo:
                problem = memo[value]
            else:
                problem = memo[value] = self.check(value)
            if problem is not None:
                found.append((position, problem))
        return found


def _shape_check(pattern: re.Pattern[str], kind: str, what: str, severity: str = ERROR) -> Check:
    def check(value: str) -> Problem | None:
        text = value.strip()
        if not text or pattern.fullmatch(text):
            return None
        suggestion = None
        fixed = text.replace(" ", "").replace(",", ".").removeprefix("mailto:")
        if fixed != text and pattern.fullmatch(fixed):
            suggestion = fixed
        return Problem(INVALID_DATA, kind, f"{text!r} is not {what}", severity, suggestion)

    return check


def _id_check(value: str) -> Problem | None:
    text = value.strip()
    if not text or re.fullmatch(ID_FAST, text):
        return None
    if text.lower().startswith("zcrm_") and re.fullmatch(ID_FAST, text[5:]):
        return Problem(
            INVALID_DATA, "id", f"{text!r} has the zcrm_ prefix of a Zoho export", ERROR, text[5:]
        )
    if _SCIENTIFIC.fullmatch(text):
        message = (
            f"{text!r} is a record id that a spreadsheet turned into scientific notation; "
            "export the column formatted as text"
        )
        return Problem(INVALID_DATA, "id", message)
    message = f"{text!r} is not a Zoho record id (a number of about 19 digits)"
    return Problem(INVALID_DATA, "id", message)


def _boolean_check(value: str) -> Problem | None:
    text = value.strip()
    if not text or text.lower() in ("true", "false"):
        return None
    suggestion = _BOOLEAN_WORDS.get(text.lower())
    return Problem(INVALID_DATA, "boolean", f"{text!r} is not true or false", ERROR, suggestion)


def _picklist_problem(item: str, allowed: Sequence[str], kind: str) -> Problem | None:
    if item in allowed:
        return None
    by_case = {value.casefold(): value for value in allowed}
    if item.casefold() in by_case:
        right = by_case[item.casefold()]
        message = f"{item!r} differs from the allowed value {right!r} only in letter case"
        return Problem(INVALID_DATA, kind, message, WARNING, right)
    close = difflib.get_close_matches(item, allowed, n=1, cutoff=0.6)
    if not close:
        close = difflib.get_close_matches(item.casefold(), list(by_case), n=1, cutoff=0.6)
        close = [by_case[c] for c in close]
    shown = ", ".join(repr(v) for v in allowed[:8]) + (" ..." if len(allowed) > 8 else "")
    message = f"{item!r} is not one of the allowed values ({shown})"
    return Problem(INVALID_DATA, kind, message, ERROR, close[0] if close else None)


def _picklist_check(allowed: Sequence[str]) -> Check:
    def check(value: str) -> Problem | None:
        text = value.strip()
        return _picklist_problem(text, allowed, "picklist") if text else None

    return check


def _multiselect_check(allowed: Sequence[str]) -> Check:
    def check(value: str) -> Problem | None:
        items = [item.strip() for item in value.split(";") if item.strip()]
        checked = [(item, _picklist_problem(item, allowed, "multiselect")) for item in items]
        problems = [problem for _, problem in checked if problem is not None]
        if not problems:
            return None
        severity = ERROR if any(p.severity == ERROR for p in problems) else WARNING
        fixable = all(p.suggestion for p in problems)
        fixed = ";".join(p.suggestion if p and p.suggestion else item for item, p in checked)
        message = "; ".join(p.message for p in problems) + " (values are separated by ';')"
        return Problem(INVALID_DATA, "multiselect", message, severity, fixed if fixable else None)

    return check


def _length_check(label: str, limit: int, inner: Check | None) -> Check:
    def check(value: str) -> Problem | None:
        if len(value) > limit:
            message = (
                f"this value is {len(value):,} characters long, but {label} holds at most "
                f"{limit:,}; shorten it (the suggestion keeps the first {limit:,})"
            )
            return Problem(INVALID_DATA, "length", message, ERROR, value[:limit])
        return inner(value) if inner is not None else None

    return check


def _mandatory_check(label: str, inner: Check | None) -> Check:
    def check(value: str) -> Problem | None:
        if not value.strip():
            message = f"{label} is mandatory but this cell is empty"
            return Problem(MANDATORY_NOT_FOUND, "mandatory", message)
        return inner(value) if inner is not None else None

    return check


def _type_rule(
    meta: FieldMeta, mapping: FieldMapping, find_by: str | None
) -> tuple[list[BatchFilter], Check | None]:
    """Batch filters and the exact check for the field's data type."""
    data_type = meta.data_type
    if mapping.api_name == "id" or (meta.is_lookup and find_by == "id"):
        return [RegexFilter(optional(ID_FAST))], _id_check
    if meta.is_lookup:
        if find_by and find_by.lower() == "email":
            return [RegexFilter(optional(EMAIL_FAST))], _shape_check(
                _EMAIL, "email", "an email address"
            )
        return [], None
    if data_type == "email":
        return [RegexFilter(optional(EMAIL_FAST))], _shape_check(
            _EMAIL, "email", "an email address"
        )
    if data_type == "website":
        return [RegexFilter(optional(URL_FAST))], _shape_check(_URL, "url", "a web address")
    if data_type == "phone":
        check = _shape_check(_PHONE, "phone", "a phone number", WARNING)
        return [RegexFilter(optional(PHONE_FAST))], check
    if data_type == "boolean":
        return [SetFilter(("", *TRUE_FALSE))], _boolean_check
    if data_type == "picklist" and meta.allowed_values:
        return [SetFilter(("", *meta.allowed_values))], _picklist_check(meta.allowed_values)
    if data_type == "multiselectpicklist" and meta.allowed_values:
        check = _multiselect_check(meta.allowed_values)
        return [KnownGoodFilter(lambda value: check(value) is None)], check
    if data_type in ("date", "datetime"):
        batch_filter, check = date_rule(mapping.format, with_time=data_type == "datetime")
        return [batch_filter], check
    rule = number_rule(meta, mapping.format)
    if rule is not None:
        return [rule[0]], rule[1]
    return [], None


def _with_length_and_presence(
    filters: list[BatchFilter], limit: int | None, mandatory: bool
) -> list[BatchFilter]:
    """Add the length limit and the "not empty" rule to a column's filters, cheaply.

    Each filter pass touches every cell, so the limits ride along as look-aheads in the column's
    regex filter when it has one (or a plain-text one when it has none); a picklist's set filter
    already bounds the length.
    """
    regex = next((f for f in filters if isinstance(f, RegexFilter)), None)
    has_set = any(isinstance(f, SetFilter) for f in filters)
    if regex is None and not has_set and limit is not None:
        regex = RegexFilter(ANY_TEXT)
        filters = [*filters, regex]
    if regex is not None:
        combined = RegexFilter(regex.pattern, regex.flags, max_length=limit, required=mandatory)
        return [combined if f is regex else f for f in filters]
    if mandatory:
        filters = [*filters, NotEmptyFilter()]
    if limit is not None and not has_set:
        filters = [*filters, LengthFilter(limit)]
    return filters


def compile_rule(
    meta: FieldMeta,
    mapping: FieldMapping,
    header: str,
    *,
    mandatory: bool,
    find_by: str | None = None,
) -> ColumnRule | None:
    """The rule for one mapped column, or None when nothing about its cells can be checked.

    Args:
        meta: the field.
        mapping: the mapping (its ``index`` is the column).
        header: the column's header text.
        mandatory: empty cells are errors (mandatory field, no default, creating records).
        find_by: how a lookup's value is resolved (the mapping's ``find_by``).
    """
    assert mapping.index is not None
    filters, check = _type_rule(meta, mapping, find_by or mapping.find_by)
    limit = meta.length if meta.data_type in TEXT_TYPES and (meta.length or 0) > 0 else None
    if limit is not None:
        check = _length_check(meta.label or meta.api_name, limit, check)
    if mandatory:
        check = _mandatory_check(meta.label, check)
    if limit is not None or mandatory:
        filters = _with_length_and_presence(filters, limit, mandatory)
    if check is None or not filters:
        return None
    return ColumnRule(
        column_index=mapping.index,
        header=header,
        api_name=meta.api_name,
        label=meta.label,
        filters=tuple(filters),
        check=check,
    )
