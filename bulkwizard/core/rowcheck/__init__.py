"""Row checks: every row of a job's files against the CRM's rules, streamed as findings.

Entry points: :func:`check_rows` (yields :class:`Finding` objects naming file, row, line, column
and a suggestion), :func:`has_errors`, and :func:`export_flagged_rows` (the flagged rows as CSVs).
"""

from bulkwizard.core.rowcheck.check import check_rows, has_errors
from bulkwizard.core.rowcheck.export import export_flagged_rows
from bulkwizard.core.rowcheck.model import Finding

__all__ = [
    "Finding",
    "check_rows",
    "export_flagged_rows",
    "has_errors",
]
