"""Zoho search criteria: ``((Last_Name:equals:Burns)and(Email:starts_with:b))or(...)``.

Operators: ``equals``, ``not_equal``, ``starts_with``, ``in`` (values separated by ``,``),
``greater_than``, ``greater_equal``, ``less_than``, ``less_equal``, ``between`` (two values).
Text compares case-insensitively; lookups compare by id or name; ``\\(``, ``\\)`` and ``\\,``
escape those characters inside a value, as Zoho documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

OPERATORS = frozenset(
    {
        "equals",
        "not_equal",
        "starts_with",
        "in",
        "greater_than",
        "greater_equal",
        "less_than",
        "less_equal",
        "between",
    }
)


class CriteriaError(ValueError):
    """Criteria that cannot be read; the message says what is wrong."""


@dataclass(frozen=True)
class Condition:
    """One ``(field:operator:value)`` term."""

    field: str
    operator: str
    value: str

    def matches(self, record: dict[str, Any]) -> bool:
        """Whether the record satisfies the condition (``Lookup.id``/``Lookup.name`` reach in)."""
        base, _, part = self.field.partition(".")
        actual = record.get(base)
        if part and isinstance(actual, dict):
            actual = actual.get(part)
        candidates = _candidates(actual)
        values = _split_values(self.value) if self.operator in ("in", "between") else [self.value]
        wanted = [_unescape(v).strip() for v in values]
        if self.operator == "equals":
            return any(c == wanted[0].lower() for c in candidates)
        if self.operator == "not_equal":
            return all(c != wanted[0].lower() for c in candidates)
        if self.operator == "starts_with":
            return any(c.startswith(wanted[0].lower()) for c in candidates)
        if self.operator == "in":
            lowered = {w.lower() for w in wanted}
            return any(c in lowered for c in candidates)
        if actual is None or isinstance(actual, dict | list):
            return False
        compare: dict[str, Callable[[Any, Any], bool]] = {
            "greater_than": lambda a, b: a > b,
            "greater_equal": lambda a, b: a >= b,
            "less_than": lambda a, b: a < b,
            "less_equal": lambda a, b: a <= b,
        }
        if self.operator == "between":
            if len(wanted) != 2:
                return False
            low, high = (_coerce(actual, w) for w in wanted)
            return low is not None and high is not None and low <= actual <= high
        bound = _coerce(actual, wanted[0])
        return bound is not None and compare[self.operator](actual, bound)


@dataclass(frozen=True)
class Criteria:
    """A tree of conditions joined by ``and`` / ``or``."""

    operator: str  # "and", "or" or "leaf"
    children: tuple[Criteria, ...] = ()
    condition: Condition | None = None

    def matches(self, record: dict[str, Any]) -> bool:
        """Whether the record satisfies the criteria."""
        if self.condition is not None:
            return self.condition.matches(record)
        results = (child.matches(record) for child in self.children)
        return all(results) if self.operator == "and" else any(results)

    def fields(self) -> set[str]:
        """Every field name the criteria refer to."""
        if self.condition is not None:
            return {self.condition.field.partition(".")[0]}
        return {name for child in self.children for name in child.fields()}


def _candidates(value: Any) -> list[str]:
    if value is None:
        return [""]
    if isinstance(value, dict):
        return [str(value.get(key, "")).lower() for key in ("id", "name") if key in value]
    if isinstance(value, list):
        return [c for item in value for c in _candidates(item)]
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, float) and value.is_integer():
        return [str(value).lower(), str(int(value))]
    return [str(value).lower()]


def _coerce(actual: Any, text: str) -> Any:
    """Convert the criteria value to the record value's type for ordering comparisons."""
    try:
        if isinstance(actual, bool):
            return None
        if isinstance(actual, int):
            return int(text)
        if isinstance(actual, float):
            return float(text)
    except ValueError:
        return None
    return text


def _split_values(text: str) -> list[str]:
    return re.split(r"(?<!\\),", text)


def _unescape(text: str) -> str:
    return re.sub(r"\\([(),\\])", r"\1", text)


def parse_criteria(text: str) -> Criteria:
    """Parse a criteria string; raise :class:`CriteriaError` naming the problem."""
    parser = _Parser(text.strip())
    result = parser.expression()
    if parser.pos != len(parser.text):
        raise CriteriaError(f"unexpected text at position {parser.pos + 1}")
    return result


# Deeper nesting is refused: Zoho allows few conditions per search, and a recursive parser must
# not let a crafted query exhaust Python's recursion limit (a 500 instead of INVALID_QUERY).
MAX_NESTING = 32


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.depth = 0

    def expression(self) -> Criteria:
        terms = [self.term()]
        joiner: str | None = None
        while self.pos < len(self.text) and self.text[self.pos] != ")":
            match = re.match(r"\s*(and|or)\s*", self.text[self.pos :], re.IGNORECASE)
            if not match:
                raise CriteriaError(f"expected 'and' or 'or' at position {self.pos + 1}")
            word = match.group(1).lower()
            if joiner is not None and word != joiner:
                raise CriteriaError("mixing 'and' and 'or' needs parentheses")
            joiner = word
            self.pos += match.end()
            terms.append(self.term())
        if len(terms) == 1:
            return terms[0]
        return Criteria(joiner or "and", tuple(terms))

    def term(self) -> Criteria:
        if self.pos >= len(self.text) or self.text[self.pos] != "(":
            raise CriteriaError(f"expected '(' at position {self.pos + 1}")
        self.pos += 1
        if self.pos < len(self.text) and self.text[self.pos] == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise CriteriaError(f"parentheses nested deeper than {MAX_NESTING} levels")
            inner = self.expression()
            self._expect(")")
            self.depth -= 1
            return inner
        end = self.pos
        while end < len(self.text) and not (self.text[end] == ")" and self.text[end - 1] != "\\"):
            end += 1
        if end >= len(self.text):
            raise CriteriaError("unbalanced parentheses")
        body = self.text[self.pos : end]
        self.pos = end + 1
        parts = body.split(":", 2)
        if len(parts) != 3 or not parts[0].strip():
            raise CriteriaError(f"'{body}' is not field:operator:value")
        field, operator, value = parts[0].strip(), parts[1].strip().lower(), parts[2]
        if operator not in OPERATORS:
            raise CriteriaError(f"unknown operator '{operator}'")
        return Criteria("leaf", condition=Condition(field, operator, value))

    def _expect(self, char: str) -> None:
        if self.pos >= len(self.text) or self.text[self.pos] != char:
            raise CriteriaError(f"expected '{char}' at position {self.pos + 1}")
        self.pos += 1
