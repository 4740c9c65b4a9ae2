"""The data engine's read side: any spreadsheet as a table of strings, and its column profiles.

Entry points: :func:`open_table` (sniffs encoding, delimiter, quoting and header; returns a lazy
:class:`Table`), :class:`ReadOptions` (what was detected, to confirm or override),
:func:`profile_table` (one full scan: row count, empties, kinds, date formats) and the vectorised
block reader (:func:`fast_source`, :func:`iter_blocks`) that row checks and uploads share.
"""

from bulkwizard.core.reading.blocks import (
    LONE_CR,
    ArrowBlock,
    BlockParser,
    FastSource,
    fast_source,
    iter_blocks,
)
from bulkwizard.core.reading.opener import XLSX_SUFFIXES, open_table
from bulkwizard.core.reading.profile import TableProfile
from bulkwizard.core.reading.scan import profile_table
from bulkwizard.core.reading.sniff import ReadOptions, detect_has_header
from bulkwizard.core.reading.table import Row, Table

__all__ = [
    "ArrowBlock",
    "BlockParser",
    "FastSource",
    "LONE_CR",
    "ReadOptions",
    "Row",
    "Table",
    "TableProfile",
    "XLSX_SUFFIXES",
    "detect_has_header",
    "fast_source",
    "iter_blocks",
    "open_table",
    "profile_table",
]
