"""Preparing uploads: a job's files cut into jobs Zoho accepts and zipped, families kept whole.

Entry points: :class:`UploadPreparer` (plan, renumber, spool and zip each part) with
:class:`SplitLimits` (Zoho's 25,000 rows / 25 MB per job) and :class:`SplitError`.
"""

from bulkwizard.core.upload.preparer import DEFAULT_COMPRESSLEVEL, UploadPreparer
from bulkwizard.core.upload.split import MAX_ROWS_PER_CSV, MAX_ZIP_BYTES, SplitError, SplitLimits

__all__ = [
    "DEFAULT_COMPRESSLEVEL",
    "MAX_ROWS_PER_CSV",
    "MAX_ZIP_BYTES",
    "SplitError",
    "SplitLimits",
    "UploadPreparer",
]
