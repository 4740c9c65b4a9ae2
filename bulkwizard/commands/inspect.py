"""``bulkwizard-cli inspect``: read any spreadsheet, show every guess, profile the columns.

Exit codes: 0 read fine; 2 the file cannot be read (the message names the file and line) or the
arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bulkwizard.commands import EXIT_OK, EXIT_USAGE
from bulkwizard.core.errors import BulkWizardError, CsvFormatError
from bulkwizard.core.profile import TableProfile, profile_table
from bulkwizard.core.sniff import ReadOptions
from bulkwizard.core.table import Row, Table, open_table

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
    try:
        with open_table(args.file, options, sheet=args.sheet) as table:
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


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "⏎").replace("\n", "⏎").replace("\r", "⏎").replace("\t", "⇥")
    return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"


def _grid(header: list[str], body: list[list[str]]) -> str:
    cells = [[_cell(v) for v in header]] + [[_cell(v) for v in line] for line in body]
    widths = [max(len(line[i]) for line in cells if i < len(line)) for i in range(len(header))]
    out = []
    for number, line in enumerate(cells):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)).rstrip())
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
