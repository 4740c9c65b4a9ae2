"""Opening a spreadsheet file as a :class:`~bulkwizard.core.reading.table.Table`.

:func:`open_table` picks the reader by the file's suffix (workbooks) or else reads delimited text;
it lives apart from the :class:`Table` base so that the readers can import the base without a
circle.
"""

from __future__ import annotations

import os
from pathlib import Path

from bulkwizard.core.errors import CsvFormatError
from bulkwizard.core.reading.csv_table import CsvTable
from bulkwizard.core.reading.sniff import ReadOptions
from bulkwizard.core.reading.table import Table
from bulkwizard.core.reading.xlsx import XlsxTable

XLSX_SUFFIXES = (".xlsx", ".xlsm")


def open_table(
    path: str | os.PathLike[str], options: ReadOptions | None = None, sheet: str | None = None
) -> Table:
    """Open a CSV/TSV/TXT file or an ``.xlsx`` workbook, detecting whatever ``options`` leaves out.

    Args:
        path: the file.
        options: reading options; None fields are detected.
        sheet: workbook sheet name (overrides ``options.sheet``); ignored for text files.

    Raises:
        CsvFormatError: the file is missing, unreadable, or not a table we can read.
    """
    name = os.fspath(path)
    if os.path.isdir(name):
        raise CsvFormatError(
            "this is a folder, not a file; give the spreadsheet inside it", path=name
        )
    if not os.path.isfile(name):
        raise CsvFormatError("no such file", path=name)
    if Path(name).suffix.lower() in XLSX_SUFFIXES:
        wanted = sheet if sheet is not None else (options.sheet if options else None)
        return XlsxTable(name, wanted, options)
    return CsvTable(name, options)
