"""``bulkwizard-cli check`` and ``bulkwizard-cli split``: row checks and upload-ready zips.

    bulkwizard-cli check JOB.json --metadata SNAPSHOT_DIR --csv [NAME=]PATH ... [--json]
    bulkwizard-cli split JOB.json --csv [NAME=]PATH ... --out DIR [--max-rows N] [--json]

``--csv`` follows the ``validate`` command: ``NAME=PATH`` for the resource whose ``file_names``
holds NAME, a bare PATH for a single-resource job (or when its file name is in ``file_names``).

Exit codes: ``check`` 0 without errors (warnings allowed), 1 when any finding is an error;
``split`` 0 when the zips were written, 1 when the rows cannot be cut (a family too big, an
orphan child row); both 2 on unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bulkwizard.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from bulkwizard.core.errors import (
    BulkWizardError,
    CsvFormatError,
    JobFormatError,
    MappingError,
    MetadataError,
)
from bulkwizard.core.inputs import ResourceInput, bind_inputs, close_inputs
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.rowcheck import Finding, check_rows, export_flagged_rows
from bulkwizard.core.upload import (
    MAX_ROWS_PER_CSV,
    MAX_ZIP_BYTES,
    SplitError,
    SplitLimits,
    UploadPreparer,
)

_INPUT_ERRORS = (JobFormatError, MetadataError, CsvFormatError, MappingError, OSError)


def register(subparsers: Any) -> None:
    """Add the ``check`` and ``split`` sub-commands."""
    check = subparsers.add_parser(
        "check",
        help="check every row of the job's files against CRM field rules",
        description=(
            "Check every row of the job's CSV files against the fields' metadata and the "
            "mapping: numbers, dates, emails, picklists, lengths, mandatory cells, duplicates, "
            "child rows without a parent. Codes are Zoho's row-level result codes."
        ),
    )
    _add_common(check)
    check.add_argument(
        "--metadata",
        metavar="SNAPSHOT_DIR",
        required=True,
        help="metadata snapshot folder (modules.json + fields/<Module>.json)",
    )
    check.add_argument("--json", action="store_true", help="print the findings as JSON")
    check.add_argument("--limit", type=int, default=None, metavar="N", help="stop after N findings")
    check.add_argument(
        "--export",
        metavar="DIR",
        default=None,
        help="also write each file's flagged rows + a Problems column to DIR/NAME-problems.csv",
    )
    check.set_defaults(handler=handle_check)

    split = subparsers.add_parser(
        "split",
        help="write the job's files as upload-ready zips, parents and children together",
        description=(
            "Write the job's CSV files the way Zoho accepts them (UTF-8, comma, one zip per "
            "upload of at most 25,000 rows per CSV and 25 MB) keeping every parent row's child "
            "rows in the same zip. Writes DIR/part-NNN.zip, DIR/job-NNN.json and DIR/plan.json."
        ),
    )
    _add_common(split)
    split.add_argument("--out", metavar="DIR", required=True, help="folder for the zips")
    split.add_argument(
        "--max-rows",
        type=int,
        default=MAX_ROWS_PER_CSV,
        metavar="N",
        help=f"rows per CSV per upload (default and maximum {MAX_ROWS_PER_CSV:,})",
    )
    split.add_argument(
        "--max-bytes",
        type=int,
        default=MAX_ZIP_BYTES,
        metavar="N",
        help=f"bytes per zip (default and maximum {MAX_ZIP_BYTES:,})",
    )
    split.add_argument(
        "--keep-unmapped",
        action="store_true",
        help="keep columns no mapping reads (default: leave them out and renumber the indexes)",
    )
    split.add_argument("--json", action="store_true", help="print the plan as JSON")
    split.set_defaults(handler=handle_split)


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("job", metavar="JOB_OR_TEMPLATE", help="the job JSON file")
    parser.add_argument(
        "--csv",
        metavar="[NAME=]PATH",
        action="append",
        default=[],
        required=True,
        help="a CSV (or .xlsx) of the job: NAME=PATH, NAME from file_names; repeatable",
    )


def _fail(command: str, exc: BaseException) -> int:
    print(f"bulkwizard-cli {command}: {exc}", file=sys.stderr)
    return EXIT_USAGE


def load_job(path: Path) -> BulkWriteJob:
    """Read a job JSON file (templates will be accepted here too)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise MappingError(f"{path}: cannot read the job file ({exc.strerror})") from None
    return BulkWriteJob.from_text(text, source=str(path))


def file_specs(job: BulkWriteJob, specs: Sequence[str]) -> dict[str | None, str]:
    """Turn ``--csv`` arguments into {file name (or None for the only resource): path}."""
    names = {name for resource in job.resources for name in resource.file_names or ()}
    result: dict[str | None, str] = {}
    for spec in specs:
        name, sep, rest = spec.partition("=")
        key: str | None
        if sep and (name in names or not Path(spec).exists()):
            key, path = name, rest
        else:
            key, path = (Path(spec).name if Path(spec).name in names else None), spec
        if key in result:
            raise MappingError(f"--csv {spec}: that resource already has a file ({result[key]})")
        result[key] = path
    return result


def _inputs(job: BulkWriteJob, specs: Sequence[str]) -> list[ResourceInput]:
    return bind_inputs(job, file_specs(job, specs))


def handle_check(args: argparse.Namespace) -> int:
    """Run ``check``; return the exit code."""
    if args.limit is not None and args.limit < 1:
        return _fail("check", ValueError("--limit must be at least 1"))
    try:
        job = load_job(Path(args.job))
        snapshot = MetadataSnapshot.load(args.metadata)
        inputs = _inputs(job, args.csv)
        findings: list[Finding] = []
        try:
            for finding in check_rows(job, snapshot, inputs):
                findings.append(finding)
                if not args.json:
                    print(finding.describe())
                if args.limit is not None and len(findings) >= args.limit:
                    break
            if args.export:
                export_all(inputs, findings, Path(args.export))
        finally:
            close_inputs(inputs)
    except _INPUT_ERRORS as exc:
        return _fail("check", exc)
    errors = sum(1 for f in findings if f.is_error)
    if args.json:
        json.dump({"findings": [f.to_json() for f in findings]}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        warnings = len(findings) - errors
        print(f"{errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_PROBLEMS if errors else EXIT_OK


def export_all(inputs: Sequence[ResourceInput], findings: Sequence[Finding], folder: Path) -> None:
    """Write ``NAME-problems.csv`` into ``folder`` for every file that has findings."""
    for item in inputs:
        mine = [f for f in findings if f.file == item.label]
        if mine:
            target = folder / f"{Path(item.name).stem}-problems.csv"
            count = export_flagged_rows(item.table, mine, target)
            print(f"{count} flagged row(s) of {item.label} written to {target}", file=sys.stderr)


def handle_split(args: argparse.Namespace) -> int:
    """Run ``split``; return the exit code."""
    if not 1 <= args.max_rows <= MAX_ROWS_PER_CSV:
        return _fail("split", ValueError(f"--max-rows must be 1 to {MAX_ROWS_PER_CSV:,}"))
    if not 1 <= args.max_bytes <= MAX_ZIP_BYTES:
        return _fail("split", ValueError(f"--max-bytes must be 1 to {MAX_ZIP_BYTES:,}"))
    limits = SplitLimits(max_rows=args.max_rows, max_bytes=args.max_bytes)
    try:
        job = load_job(Path(args.job))
        inputs = _inputs(job, args.csv)
        try:
            with UploadPreparer(job, inputs, limits, drop_unmapped=not args.keep_unmapped) as prep:
                plan = prep.plan()
                if not any(plan.total_rows.values()):
                    # Nothing to upload is almost always the wrong file (or only a header);
                    # writing no zips and saying "0 jobs" would look like success.
                    names = ", ".join(item.label for item in inputs)
                    print(
                        f"bulkwizard-cli split: {names}: no data rows below the header, so "
                        "there is nothing to upload; check that these are the right files",
                        file=sys.stderr,
                    )
                    return EXIT_PROBLEMS
                jobs = prep.write(args.out)
        finally:
            close_inputs(inputs)
    except SplitError as exc:
        print(f"bulkwizard-cli split: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except (*_INPUT_ERRORS, BulkWizardError) as exc:
        return _fail("split", exc)
    if args.json:
        summary = {"jobs": [job.to_json() for job in jobs], "rows": plan.total_rows}
        json.dump(summary, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for entry in jobs:
            files = ", ".join(f"{name}: {count:,} rows" for name, count in entry.files.items())
            print(f"{entry.zip} ({entry.zip_bytes:,} bytes): {files}")
        print(f"{plan.job_count} job(s) written to {args.out}", file=sys.stderr)
    return EXIT_OK
