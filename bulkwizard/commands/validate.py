"""``bulkwizard-cli validate``: pre-flight check of a Bulk Write job against CRM metadata.

    bulkwizard-cli validate JOB.json --metadata SNAPSHOT_DIR [--csv PATH | --csv NAME=PATH ...]
                            [--json] [--before-upload]

Exit codes: 0 no errors (warnings allowed), 1 errors found, 2 unusable input (unreadable or
invalid job file, missing snapshot, unreadable CSV, ambiguous ``--csv``).

The metadata source is a seam: :func:`run` takes a loaded :class:`MetadataSnapshot`, so a live
source (``--profile``) only has to produce one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from bulkwizard.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from bulkwizard.commands.common import (
    UsageError,
    decode_job_text,
    format_report,
    load_snapshot,
    read_csv_shape,
)
from bulkwizard.core.errors import BulkWizardError, CsvFormatError, JobFormatError, MetadataError
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.core.validation import CsvShape, validate_job


def register(subparsers: Any) -> None:
    """Add the ``validate`` sub-command."""
    parser = subparsers.add_parser(
        "validate",
        help="check a Bulk Write job against CRM metadata before uploading",
        description=(
            "Check a Bulk Write job (the Create Job request JSON) against a metadata snapshot "
            "and, optionally, the CSV files. Reports what Zoho would reject, with Zoho's error "
            "codes, and warns about likely trouble."
        ),
    )
    parser.add_argument("job", metavar="JOB.json", help="the job JSON file")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--metadata",
        metavar="SNAPSHOT_DIR",
        help="metadata snapshot folder (modules.json + fields/<Module>.json)",
    )
    source.add_argument(
        "--profile",
        metavar="NAME",
        help="use the signed-in profile's metadata (cached; pulled from the CRM on first use)",
    )
    parser.add_argument(
        "--refresh-metadata",
        action="store_true",
        help="with --profile: pull fresh metadata from the CRM instead of using the cache",
    )
    parser.add_argument(
        "--csv",
        metavar="[NAME=]PATH",
        action="append",
        default=[],
        help=(
            "a CSV of the job: NAME=PATH for the resource whose file_names holds NAME; a bare "
            "PATH for a single-resource job (or matched by file name); repeatable"
        ),
    )
    parser.add_argument("--json", action="store_true", help="print the problems as JSON")
    parser.add_argument(
        "--before-upload",
        action="store_true",
        help="the job is a draft not uploaded yet: do not require file_id",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run the command; return the exit code."""
    try:
        job = load_job(Path(args.job))
        csvs = load_csvs(job, args.csv)
        if args.metadata:
            snapshot = load_snapshot(Path(args.metadata))
    except (UsageError, JobFormatError, MetadataError, CsvFormatError) as exc:
        print(f"bulkwizard-cli validate: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not args.metadata:
        # Imported here: the offline path must not pay for (or depend on) the HTTP client.
        from bulkwizard.commands.session import report_error, snapshot_for_profile

        try:
            snapshot = snapshot_for_profile(args.profile, refresh=args.refresh_metadata)
        except BulkWizardError as exc:
            return report_error("validate", exc)
    return run(
        job,
        snapshot,
        csvs,
        as_json=args.json,
        require_file_id=not args.before_upload,
        source=args.job,
    )


def run(
    job: BulkWriteJob,
    snapshot: MetadataSnapshot,
    csvs: dict[int, CsvShape],
    *,
    as_json: bool = False,
    require_file_id: bool = True,
    source: str = "job",
    out: TextIO | None = None,
) -> int:
    """Validate a loaded job against a loaded snapshot, print the report, return the exit code."""
    stream = out or sys.stdout
    problems = validate_job(job, snapshot, csvs, require_file_id=require_file_id)
    if as_json:
        json.dump({"problems": [p.to_json() for p in problems]}, stream, indent=2)
        stream.write("\n")
    else:
        stream.write(format_report(problems, source))
        if any(p.code == "MANDATORY_NOT_FOUND" and p.path.endswith(".file_id") for p in problems):
            stream.write(
                "Tip: checking a job before uploading it? Add --before-upload; `submit` fills "
                "in the file_id itself.\n"
            )
    return EXIT_PROBLEMS if any(p.is_error for p in problems) else EXIT_OK


def load_job(path: Path) -> BulkWriteJob:
    """Read a job file; errors name the file, line and column."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{path}: job file not found") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: this is a folder; give the job's .json file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the job file ({exc.strerror or exc})") from None
    return BulkWriteJob.from_text(decode_job_text(data, path), source=str(path))


def load_csvs(job: BulkWriteJob, specs: Sequence[str]) -> dict[int, CsvShape]:
    """Turn ``--csv`` arguments into CSV shapes keyed by resource index."""
    result: dict[int, CsvShape] = {}
    for spec in specs:
        index, path = _resolve_csv(job, spec)
        if index in result:
            raise UsageError(
                f"--csv {spec}: resource {index + 1} ({job.resources[index].module.api_name}) "
                f"already has a CSV ({result[index].name})"
            )
        result[index] = read_csv_shape(path)
    return result


def _resolve_csv(job: BulkWriteJob, spec: str) -> tuple[int, Path]:
    by_name = {
        name: index
        for index, resource in enumerate(job.resources)
        for name in resource.file_names or ()
    }
    name, sep, rest = spec.partition("=")
    if sep and name in by_name:
        return by_name[name], Path(rest)
    if sep and not Path(spec).exists():
        known = ", ".join(sorted(by_name)) or "none (the job has no file_names)"
        raise UsageError(f"--csv {spec}: no resource has {name!r} in file_names (known: {known})")
    path = Path(spec)
    if path.name in by_name:
        return by_name[path.name], path
    if len(job.resources) == 1:
        return 0, path
    raise UsageError(
        f"--csv {spec}: the job has {len(job.resources)} resources; say which one this CSV "
        "belongs to with --csv NAME=PATH, NAME being a file name from its file_names"
    )
