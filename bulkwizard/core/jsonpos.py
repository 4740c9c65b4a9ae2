"""A small JSON reader that remembers where every value starts in the text.

Python's :mod:`json` gives positions only for syntax errors. A job file that is valid JSON but has a
misplaced object (Zoho's own parent-child sample nests a resource in ``field_mappings``) deserves
an error that names the line too, so job files are read with this parser, which returns the value
and a map from JSON path (``$.resource[1].field_mappings[3]``) to ``(line, column)``.
"""

from __future__ import annotations

import json
import json.decoder
import re
from typing import Any

from bulkwizard.core.errors import JobFormatError

_WHITESPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}

Positions = dict[str, tuple[int, int]]


def line_col(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based ``(line, column)`` of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def child_path(path: str, key: str | int) -> str:
    """Return the JSON path of ``key`` under ``path`` (``$.a`` + 0 -> ``$.a[0]``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


class _Parser:
    # Job files are a few levels deep; the limit keeps hostile input from exhausting the stack.
    MAX_DEPTH = 64

    def __init__(self, text: str) -> None:
        self.text = text
        self.positions: Positions = {}
        self.depth = 0

    def fail(self, message: str, offset: int) -> JobFormatError:
        line, column = line_col(self.text, offset)
        return JobFormatError(message, line=line, column=column)

    def skip(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        assert match is not None  # the pattern matches the empty string
        offset = match.end()
        if self.text.startswith("//", offset) or self.text.startswith("/*", offset):
            raise self.fail(
                "comments are not allowed in JSON; remove the // or /* */ comment", offset
            )
        return offset

    def value(self, offset: int, path: str) -> tuple[Any, int]:
        offset = self.skip(offset)
        self.positions[path] = line_col(self.text, offset)
        if offset >= len(self.text):
            raise self.fail("the JSON ends too early; a value is missing", offset)
        char = self.text[offset]
        if char in "{[":
            self.depth += 1
            if self.depth > self.MAX_DEPTH:
                raise self.fail(
                    f"the JSON is nested more than {self.MAX_DEPTH} levels deep", offset
                )
            try:
                if char == "{":
                    return self.object(offset + 1, path)
                return self.array(offset + 1, path)
            finally:
                self.depth -= 1
        if char == '"':
            return self.string(offset + 1)
        for literal, result in _LITERALS.items():
            if self.text.startswith(literal, offset):
                return result, offset + len(literal)
        match = _NUMBER.match(self.text, offset)
        if match:
            number = match.group(0)
            if match.group(1) or match.group(2):
                return float(number), match.end()
            return int(number), match.end()
        raise self.fail(f"unexpected character {char!r}; expected a JSON value", offset)

    def string(self, offset: int) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(self.text, offset, True)  # type: ignore[attr-defined]
        except json.JSONDecodeError as exc:
            raise self.fail(exc.msg, exc.pos) from None

    def object(self, offset: int, path: str) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        offset = self.skip(offset)
        if self.text.startswith("}", offset):
            return result, offset + 1
        while True:
            offset = self.skip(offset)
            if not self.text.startswith('"', offset):
                raise self.fail("expected a key in double quotes", offset)
            key_offset = offset
            key, offset = self.string(offset + 1)
            offset = self.skip(offset)
            if not self.text.startswith(":", offset):
                raise self.fail(f"expected ':' after key {key!r}", offset)
            key_path = child_path(path, key)
            if key in result:
                raise self.fail(f"key {key!r} appears twice in the same object", key_offset)
            result[key], offset = self.value(offset + 1, key_path)
            # Point errors about a key at the key itself, not at its value.
            self.positions[key_path] = line_col(self.text, key_offset)
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset += 1
                continue
            if self.text.startswith("}", offset):
                return result, offset + 1
            raise self.fail("expected ',' or '}' after a value in an object", offset)

    def array(self, offset: int, path: str) -> tuple[list[Any], int]:
        result: list[Any] = []
        offset = self.skip(offset)
        if self.text.startswith("]", offset):
            return result, offset + 1
        while True:
            item, offset = self.value(offset, child_path(path, len(result)))
            result.append(item)
            offset = self.skip(offset)
            if self.text.startswith(",", offset):
                offset += 1
                continue
            if self.text.startswith("]", offset):
                return result, offset + 1
            raise self.fail("expected ',' or ']' after a value in an array", offset)


def loads_with_positions(text: str) -> tuple[Any, Positions]:
    """Parse JSON ``text``; return the value and the start position of every JSON path.

    Raises:
        JobFormatError: the text is not JSON; the error names line and column.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = _Parser(text)
    value, end = parser.value(0, "$")
    end = parser.skip(end)
    if end != len(text):
        raise parser.fail("unexpected text after the end of the JSON value", end)
    return value, parser.positions
