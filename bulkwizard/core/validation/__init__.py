"""Pre-flight validation: everything Zoho would reject in a Bulk Write job, found before sending.

Entry points: :func:`validate_job` (a job against a metadata snapshot and optional CSV shapes)
returns :class:`Problem` objects carrying Zoho's error code, a JSON path and plain words;
:func:`has_errors` tells whether Zoho would refuse the job.
"""

from bulkwizard.core.validation.model import CsvShape, Problem, Problems
from bulkwizard.core.validation.validate import has_errors, validate_job

__all__ = [
    "CsvShape",
    "Problem",
    "Problems",
    "has_errors",
    "validate_job",
]
