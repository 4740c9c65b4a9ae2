"""Pre-flight validation of a Bulk Write job against CRM metadata, before anything is uploaded.

:func:`validate_job` reports every problem Zoho would reject the job for, with Zoho's error code
(``MANDATORY_NOT_FOUND``, ``INVALID_FIELD`` ...), a plain-language message that names the field
(label and API name), the CSV column and what to do, and the JSON path of the offending item. It
also warns about things that are accepted but will probably go wrong (a date column in another
format, empty cells that will wipe data on update ...).

The checks live in modules by concern:

* this module: the job as a whole (operation, callback, encoding, resource list);
* :mod:`bulkwizard.core.validation.resources`: each resource and the parent-child rules;
* :mod:`bulkwizard.core.validation.mappings`: each field mapping (names, columns, duplicates),
  with :mod:`~bulkwizard.core.validation.lookups` (lookup ``find_by``),
  :mod:`~bulkwizard.core.validation.formats` (``format``),
  :mod:`~bulkwizard.core.validation.defaults` (default and cell values) and
  :mod:`~bulkwizard.core.validation.fields` (importable and mandatory fields);
* :mod:`bulkwizard.core.validation.automap`: resources without mappings (CSV header row);
* :mod:`bulkwizard.core.validation.samples`: warnings from the CSVs' sample rows.

The sandbox server calls :func:`validate_job` too, to answer Create Job requests as Zoho would.
"""

from __future__ import annotations

import codecs
from collections.abc import Mapping
from urllib.parse import urlparse

from bulkwizard.core.job import OPERATIONS, BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.validation.automap import check_auto_mapped
from bulkwizard.core.validation.mappings import check_mappings
from bulkwizard.core.validation.model import Context, CsvShape, Problem, Problems
from bulkwizard.core.validation.resources import check_parent_child, check_resource
from bulkwizard.core.validation.samples import check_samples

__all__ = ["CsvShape", "Problem", "Problems", "has_errors", "validate_job"]


def validate_job(
    job: BulkWriteJob,
    snapshot: MetadataSnapshot,
    csvs: Mapping[int, CsvShape] | None = None,
    *,
    require_file_id: bool = True,
) -> list[Problem]:
    """Check a job against a metadata snapshot (and, when given, the CSVs' headers and samples).

    Args:
        job: the job to check.
        snapshot: the org's modules and fields.
        csvs: CSV shape per resource index; checks that need a CSV are skipped for resources
            without one.
        require_file_id: False while the job is a draft that has not been uploaded yet (the
            wizard and ``validate --before-upload``), so a missing ``file_id`` is not an error.

    Returns:
        Errors (Zoho would reject the job) and warnings (likely trouble), in the order found.
    """
    context = Context(job=job, snapshot=snapshot, csvs=csvs or {}, require_file_id=require_file_id)
    _check_job(context)
    for index, resource in enumerate(job.resources):
        check_resource(context, index, resource)
        check_mappings(context, index, resource)
        check_auto_mapped(context, index, resource)
        check_samples(context, index, resource)
    check_parent_child(context)
    return list(context.problems)


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem would make Zoho reject the job."""
    return any(problem.is_error for problem in problems)


def _check_job(context: Context) -> None:
    job, problems = context.job, context.problems
    choices = "insert (create new records), update (change existing records) or upsert"
    if job.operation is None:
        problems.error(
            "MANDATORY_NOT_FOUND",
            f'The job has no operation. Set "operation" to {choices} (update when found, '
            "else create).",
            "$.operation",
        )
    elif job.operation not in OPERATIONS:
        problems.error(
            "INVALID_DATA",
            f'"{job.operation}" is not an operation Zoho knows. Use {choices} (update when '
            "found, else create); they are lower case.",
            "$.operation",
        )
    if job.callback is not None:
        _check_callback(context)
    if job.character_encoding is not None:
        try:
            codecs.lookup(job.character_encoding)
        except LookupError:
            problems.warning(
                "UNKNOWN_ENCODING",
                f'"{job.character_encoding}" is not a character encoding we recognise; Zoho may '
                'fail to read the file. Use a standard name such as "UTF-8" or "windows-1252", '
                "or leave character_encoding out to let Zoho detect it.",
                "$.character_encoding",
            )
    if not job.resources:
        problems.error(
            "MANDATORY_NOT_FOUND",
            "The job has no resource: add one entry to the resource array per CSV file, with the "
            "module it goes into.",
            "$.resource",
        )


def _check_callback(context: Context) -> None:
    callback, problems = context.job.callback, context.problems
    assert callback is not None
    if callback.url is None:
        problems.error(
            "MANDATORY_NOT_FOUND",
            "The callback has no url. Give the web address Zoho should notify when the job "
            "ends, or remove the callback.",
            "$.callback.url",
        )
    else:
        parsed = urlparse(callback.url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.error(
                "INVALID_CALLBACK_METHOD",
                f'The callback url "{callback.url}" is not a web address Zoho can POST to. Use a '
                "full http:// or https:// address, or remove the callback.",
                "$.callback.url",
            )
    if callback.method is None:
        problems.error(
            "MANDATORY_NOT_FOUND",
            'The callback has no method. Add "method": "post" (the only method Zoho supports).',
            "$.callback.method",
        )
    elif callback.method != "post":
        problems.error(
            "INVALID_CALLBACK_METHOD",
            f'The callback method "{callback.method}" is not supported: Zoho only calls back with '
            '"post" (lower case).',
            "$.callback.method",
        )
