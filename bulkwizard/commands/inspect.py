"""``bulkwizard-cli inspect``: read any spreadsheet, show every guess, profile the columns.

Exit codes: 0 read fine; 2 the file cannot be read (the message names the file and line), holds
nothing to import (an empty file or sheet), or the arguments are wrong (``--sheet`` for a text
file, say).

The human report is a plain-text table whose columns line up in a terminal even with CJK and
other wide characters (``unicodedata.east_asian_width``) or combining marks in the cells.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

from bulkwizard.commands import EXIT_OK, EXIT_USAGE
from bulkwizard.core.errors import BulkWizardError, CsvFormatError
from bulkwizard.core.reading import (
    XLSX_SUFFIXES,
    ReadOptions,
    Row,
    Table,
    TableProfile,
    open_table,
    profile_table,
)

_DELIMITER_NAMES = {
    "tab": "\t",
    "\\t": "\t",
    "comma": ",",
    "semicolon": ";",
    "pipe": "|",
    "colon": ":",
}
_CELL_WIDTH = 24


def register(subparsers: Any) -> None:
    """Add the ``inspect`` sub-command."""
    parser = subparsers.add_parser(
        "inspect",
        help="read a spreadsheet: detected format, columns and first rows",
        description=(
            "Read a CSV/TSV/TXT file or an .xlsx workbook, print how it was read (every guess "
            "can be overridden), profile its columns and show its first rows."
        ),
    )
    parser.add_argument("file", help="the spreadsheet (.csv, .tsv, .txt, .xlsx)")
    parser.add_argument("--sheet", help="workbook sheet to read (default: the first)")
    parser.add_argument("--rows", type=int, default=None, metavar="N", help="show N data rows")
    parser.add_argument("--encoding", help="text encoding, e.g. utf-8, cp1252, utf-16")
    parser.add_argument(
        "--delimiter", help="field delimiter: one character, or tab/comma/semicolon/pipe/colon"
    )
    parser.add_argument("--quotechar", help="quote character; empty for none")
    parser.add_argument("--no-header", action="store_true", help="the first row is data")
    parser.add_argument(
        "--header-row", type=int, default=None, metavar="N", help="1-based row holding the header"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def _delimiter(text: str | None) -> str | None:
    if text is None:
        return None
    value = _DELIMITER_NAMES.get(text.lower(), text)
    if len(value) != 1:
        raise ValueError(f"the delimiter must be one character, not {text!r}")
    return value


def _options(args: argparse.Namespace) -> ReadOptions:
    header_row = args.header_row - 1 if args.header_row is not None else None
    if header_row is not None and header_row < 0:
        raise ValueError("--header-row counts from 1")
    if header_row is not None and args.no_header:
        raise ValueError("choose one of --header-row and --no-header")
    if args.rows is not None and args.rows < 0:
        raise ValueError("--rows must be 0 or more")
    if args.quotechar is not None and len(args.quotechar) > 1:
        raise ValueError(f"the quote character must be one character, not {args.quotechar!r}")
    return ReadOptions(
        encoding=args.encoding,
        delimiter=_delimiter(args.delimiter),
        quotechar=args.quotechar,
        # --header-row names the header, so the file has one (only its position is given).
        has_header=False if args.no_header else (True if header_row is not None else None),
        header_row=header_row,
        sheet=args.sheet,
    )


def run(args: argparse.Namespace) -> int:
    """Handle ``inspect``; return the exit code."""
    try:
        options = _options(args)
    except ValueError as exc:
        print(f"bulkwizard-cli inspect: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.sheet is not None and Path(args.file).suffix.lower() not in XLSX_SUFFIXES:
        print(
            f"bulkwizard-cli inspect: error: {args.file}: --sheet is for .xlsx workbooks; this "
            "is a text file, which has no sheets (leave --sheet out)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        with open_table(args.file, options, sheet=args.sheet) as table:
            if _is_empty(table):
                message = _empty_message(args.file, table)
                print(f"bulkwizard-cli inspect: error: {message}", file=sys.stderr)
                return EXIT_USAGE
            table.build_index()
            profile = profile_table(table)
            rows = table.head(args.rows) if args.rows else []
            report = _report(args.file, table, profile, rows, args.rows is not None)
    except CsvFormatError as exc:
        print(f"bulkwizard-cli inspect: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BulkWizardError as exc:
        print(f"bulkwizard-cli inspect: error: {args.file}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_human(report))
    return EXIT_OK


def _is_empty(table: Table) -> bool:
    """True when no header cell and no data cell holds any text (blank lines, bare delimiters).

    Stops at the first cell with text, so a real file costs one row.
    """
    if any(name.strip() for name in table.raw_headers):
        return False
    stream = table.iter_rows()
    try:
        return not any(any(v.strip() for v in row.values + row.extra) for row in stream)
    finally:
        stream.close()  # type: ignore[attr-defined]  # release the file handle now


def _empty_message(path: str, table: Table) -> str:
    hint = ""
    if table.options.sheet:
        where = f"sheet {table.options.sheet!r} of {path}"
        others = [s for s in getattr(table, "sheets", None) or [] if s != table.options.sheet]
        if others:
            hint = f"; the workbook's other sheets: {', '.join(others)} (choose one with --sheet)"
    elif os.path.getsize(path) == 0:
        return f"{path} is empty (0 bytes), so there is nothing to import"
    else:
        where = path
    return (
        f"{where} is empty: no header and no cell with any text (only blank lines, spaces or "
        f"delimiters), so there is nothing to import{hint}"
    )


def _report(
    path: str, table: Table, profile: TableProfile, rows: list[Row], with_rows: bool
) -> dict[str, Any]:
    options = table.options
    report: dict[str, Any] = {
        "file": path,
        "format": "xlsx" if options.sheet else "csv",
        "encoding": options.encoding,
        "delimiter": options.delimiter,
        "quotechar": options.quotechar,
        "line_ending": options.line_ending,
        "bom": options.bom,
        "has_header": options.has_header,
        "header_row": (options.header_row or 0) + 1 if options.has_header else None,
        "sheet": options.sheet,
        "sheets": getattr(table, "sheets", None),
        "guessed": list(options.guessed),
        "headers": table.headers,
        "raw_headers": table.raw_headers,
        "row_count": table.row_count if table.row_count is not None else profile.row_count,
        "ragged_rows": profile.ragged_rows,
        "columns": [column.to_json() for column in profile.columns],
    }
    if with_rows:
        report["rows"] = [row.values + row.extra for row in rows]
        report["row_lines"] = [row.line for row in rows]
    return report


def _char_width(char: str) -> int:
    """Terminal columns a character takes: 2 for wide (CJK) ones, 0 for combining marks."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (``len`` counts a CJK character as one)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", "⇥")
    if display_width(text) <= _CELL_WIDTH:
        return text
    kept, used = [], 0
    for char in text:  # cut by display width, leaving one column for the ellipsis
        width = _char_width(char)
        if used + width > _CELL_WIDTH - 1:
            break
        kept.append(char)
        used += width
    return "".join(kept) + "…"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def _grid(header: list[str], body: list[list[str]]) -> str:
    cells = [[_cell(v) for v in header]] + [[_cell(v) for v in line] for line in body]
    widths = [
        max(display_width(line[i]) for line in cells if i < len(line)) for i in range(len(header))
    ]
    out = []
    for number, line in enumerate(cells):
        out.append("  ".join(_pad(c, w) for c, w in zip(line, widths, strict=False)).rstrip())
        if number == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"


def _human(report: dict[str, Any]) -> str:
    guessed = set(report["guessed"])

    def mark(name: str) -> str:
        return " (guessed)" if name in guessed else ""

    lines = [f"File:        {report['file']}"]
    if report["format"] == "xlsx":
        lines.append(f"Sheet:       {report['sheet']} (of {', '.join(report['sheets'] or [])})")
    else:
        delimiter = {"\t": "tab"}.get(report["delimiter"], report["delimiter"])
        lines.append(f"Encoding:    {report['encoding']}{mark('encoding')}")
        lines.append(f"Delimiter:   {delimiter!r}{mark('delimiter')}")
        lines.append(f"Quote:       {report['quotechar']!r}{mark('quotechar')}")
    header = f"row {report['header_row']}" if report["has_header"] else "none"
    lines.append(f"Header:      {header}{mark('has_header')}")
    lines.append(f"Rows:        {report['row_count']:,}   Columns: {len(report['headers'])}")
    if report["ragged_rows"]:
        lines.append(f"Ragged rows: {report['ragged_rows']:,} (cell count differs from the header)")
    text = "\n".join(lines) + "\n\n"
    body = [
        [
            str(c["index"] + 1),
            c["name"],
            c["kind"],
            c["format"] or "",
            f"{c['empty_share']:.1%}",
            f"{'' if c['distinct_exact'] else '~'}{c['distinct_estimate']:,}",
            ", ".join(c["samples"][:3]),
        ]
        for c in report["columns"]
    ]
    text += _grid(["#", "Column", "Kind", "Format", "Empty", "Distinct", "Samples"], body)
    if "rows" in report:
        text += f"\nFirst {len(report['rows'])} rows:\n"
        body = [
            [str(i + 1), str(line), *values]
            for i, (values, line) in enumerate(
                zip(report["rows"], report["row_lines"], strict=True)
            )
        ]
        text += _grid(["Row", "Line", *report["headers"]], body)
    return text
