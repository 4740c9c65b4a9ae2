"""``bulkwizard-cli modules | fields | metadata pull | submit | status | results``: talk to Zoho.

    bulkwizard-cli modules [--profile NAME] [--json]
    bulkwizard-cli fields MODULE [--json]
    bulkwizard-cli metadata pull [--out DIR]
    bulkwizard-cli submit JOB_OR_TEMPLATE.json --csv [NAME=]PATH ... [--wait] [--out DIR] [--json]
    bulkwizard-cli status JOB_ID [--json]
    bulkwizard-cli results JOB_ID --out DIR [--json]

Exit codes: 0 ok, 1 rows failed / job failed / problems found, 2 usage or input error,
3 network or authentication error.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bulkwizard.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from bulkwizard.commands.common import (
    UsageError,
    decode_job_text,
    format_report,
    read_csv_shape,
)
from bulkwizard.commands.session import (
    add_profile_option,
    report_error,
    setup_logging,
)
from bulkwizard.core.errors import BulkWizardError, JobFormatError
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import MetadataSnapshot
from bulkwizard.storage.profiles import ProfileStore
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.connection import connect
from bulkwizard.zoho.errors import JobCreationUncertainError
from bulkwizard.zoho.jobs import COMPLETED, JobDetails
from bulkwizard.zoho.metadata_cache import cached_snapshot, pull_snapshot, snapshot_folder
from bulkwizard.zoho.packaging import build_packages, error_summary, match_csvs
from bulkwizard.zoho.pending import PendingNotes, fingerprint
from bulkwizard.zoho.submit import (
    Events,
    PartialSubmitError,
    Submitted,
    fetch_results,
    submit,
)


def register(subparsers: Any) -> None:
    """Add the remote commands."""

    def add(name: str, help_text: str, description: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = subparsers.add_parser(
            name, help=help_text, description=description
        )
        add_profile_option(parser)
        return parser

    modules = add("modules", "list the org's modules", "List the modules you can import into.")
    modules.add_argument("--json", action="store_true", help="print JSON")
    modules.set_defaults(handler=handle_modules)

    fields = add("fields", "list a module's fields", "List the fields of MODULE (API names).")
    fields.add_argument("module", metavar="MODULE", help="module API name, e.g. Leads")
    fields.add_argument("--json", action="store_true", help="print JSON")
    fields.set_defaults(handler=handle_fields)

    metadata = subparsers.add_parser(
        "metadata", help="metadata snapshots", description="Work with metadata snapshots."
    )
    actions = metadata.add_subparsers(dest="metadata_action", metavar="ACTION")
    pull = actions.add_parser(
        "pull",
        help="download modules, fields and layouts as a snapshot",
        description="Download the org's modules, fields and layouts as a metadata snapshot "
        "folder (by default the profile's cache, used by validate --profile and submit).",
    )
    add_profile_option(pull)
    pull.add_argument("--out", metavar="DIR", help="write the snapshot here instead of the cache")
    pull.set_defaults(handler=handle_metadata_pull)
    metadata.set_defaults(handler=lambda _args: _usage(metadata))

    sub = add(
        "submit",
        "validate, upload and create a bulk write job",
        "Validate the job against the profile's metadata, zip the CSVs (parent and children in "
        "one zip; CSVs over 25,000 rows split into several jobs), upload, create the job, and "
        "with --wait follow it to the end and unpack the results into --out.",
    )
    sub.add_argument("job", metavar="JOB_OR_TEMPLATE.json", help="the job (or template) JSON")
    sub.add_argument(
        "--csv",
        metavar="[NAME=]PATH",
        action="append",
        default=[],
        required=True,
        help="a CSV of the job (NAME = a file name from the resource's file_names); repeatable",
    )
    sub.add_argument("--wait", action="store_true", help="wait for the job and fetch results")
    sub.add_argument("--out", metavar="DIR", help="where results go (default ./results-<job id>)")
    sub.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    sub.add_argument(
        "--refresh-metadata", action="store_true", help="pull fresh metadata before validating"
    )
    sub.add_argument(
        "--force",
        action="store_true",
        help="submit even though an earlier identical submission ended in doubt",
    )
    sub.add_argument(
        "--timeout", type=float, default=3600.0, metavar="SECONDS", help="--wait limit"
    )
    sub.set_defaults(handler=handle_submit)

    status = add("status", "show a job's state", "Show a bulk write job's state and counters.")
    status.add_argument("job_id", metavar="JOB_ID")
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(handler=handle_status)

    results = add("results", "download a job's results", "Download and unpack a job's results.")
    results.add_argument("job_id", metavar="JOB_ID")
    results.add_argument("--out", metavar="DIR", required=True, help="folder for the result CSVs")
    results.add_argument("--json", action="store_true", help="print JSON")
    results.set_defaults(handler=handle_results)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _client(args: argparse.Namespace) -> ZohoClient:
    setup_logging()
    return connect(ProfileStore().get(args.profile))


# -- metadata --------------------------------------------------------------------------------------


def handle_modules(args: argparse.Namespace) -> int:
    """Run ``modules``."""
    try:
        body = _client(args).modules_body()
    except BulkWizardError as exc:
        return report_error("modules", exc)
    snapshot = MetadataSnapshot.from_responses(body, {})
    modules = snapshot.parent_modules()
    if args.json:
        rows = [
            {"api_name": m.api_name, "label": m.label, "type": m.generated_type} for m in modules
        ]
        print(json.dumps({"modules": rows}, indent=2))
        return EXIT_OK
    for module in modules:
        print(f"{module.api_name:<24} {module.label:<28} {module.generated_type}")
    return EXIT_OK


def handle_fields(args: argparse.Namespace) -> int:
    """Run ``fields MODULE``."""
    try:
        body = _client(args).fields_body(args.module)
    except BulkWizardError as exc:
        return report_error("fields", exc)
    snapshot = MetadataSnapshot.from_responses({"modules": []}, {args.module: body})
    fields = sorted((snapshot.fields_of(args.module) or {}).values(), key=lambda f: f.api_name)
    if args.json:
        rows = [
            {
                "api_name": f.api_name,
                "label": f.label,
                "data_type": f.data_type,
                "mandatory": f.system_mandatory,
                "unique": f.unique,
                "importable": f.importable_for(None),
                "lookup_module": f.lookup_module,
            }
            for f in fields
        ]
        print(json.dumps({"module": args.module, "fields": rows}, indent=2))
        return EXIT_OK
    for f in fields:
        notes = [
            note
            for note, on in (
                ("mandatory", f.system_mandatory),
                ("unique", f.unique),
                ("read-only", not f.importable_for(None)),
                (f"-> {f.lookup_module}", bool(f.lookup_module)),
            )
            if on
        ]
        print(f"{f.api_name:<28} {f.data_type:<18} {f.label:<28} {', '.join(notes)}".rstrip())
    return EXIT_OK


def handle_metadata_pull(args: argparse.Namespace) -> int:
    """Run ``metadata pull``."""
    try:
        client = _client(args)
        folder = Path(args.out) if args.out else snapshot_folder(client.profile.name)
        snapshot = pull_snapshot(
            client, folder, progress=lambda name: print(f"  fields of {name}", file=sys.stderr)
        )
    except BulkWizardError as exc:
        return report_error("metadata pull", exc)
    print(
        f"Wrote {len(snapshot.modules)} modules and {len(snapshot.fields)} field lists to {folder}"
    )
    return EXIT_OK


# -- jobs ------------------------------------------------------------------------------------------


def load_job_or_template(path: Path) -> BulkWriteJob:
    """A job JSON file, or a template whose ``job`` key holds the job."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise JobFormatError(
            f"cannot read the job file ({exc.strerror or exc})", source=str(path)
        ) from None
    text = decode_job_text(raw, path)
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("job"), dict) and "resource" not in data:
        try:
            return BulkWriteJob.from_json(data["job"])
        except JobFormatError as exc:
            raise exc.with_source(str(path)) from None
    return BulkWriteJob.from_text(text, source=str(path))


class _Progress:
    """Human progress on stderr: stages, an upload percentage, job state changes."""

    def __init__(self) -> None:
        self.last_percent = -1
        self.last_sent = 0
        self.last_state = ""
        self.started = time.monotonic()

    def stage(self, text: str) -> None:
        print(text, file=sys.stderr)

    def upload(self, sent: int, total: int) -> None:
        percent = sent * 100 // max(total, 1)
        if sent < self.last_sent:  # a retry starts the body again
            self.last_percent = -1
        self.last_sent = sent
        if percent >= self.last_percent + 25 or (sent == total and percent != self.last_percent):
            self.last_percent = percent
            print(f"  uploaded {percent}% ({sent:,} of {total:,} bytes)", file=sys.stderr)

    def job(self, details: JobDetails) -> None:
        counts = details.counts
        state = f"{details.status} {counts.total_count}"
        if state != self.last_state:
            self.last_state = state
            elapsed = time.monotonic() - self.started
            extra = f", {counts.total_count:,} rows processed" if counts.total_count else ""
            print(f"  job {details.id}: {details.status}{extra} ({elapsed:.0f}s)", file=sys.stderr)


def _print_job(details: JobDetails, out: Any = None) -> None:
    stream = out or sys.stdout
    print(f"Job {details.id}: {details.status} ({details.operation})", file=stream)
    for resource in details.resources:
        f = resource.file
        print(
            f"  {resource.module:<20} {resource.status:<12} added {f.added_count}, updated "
            f"{f.updated_count}, skipped {f.skipped_count}, total {f.total_count}",
            file=stream,
        )


def _print_results(files: list[Path]) -> None:
    for path in files:
        print(f"  results: {path}")
    problems = error_summary(files)
    if problems:
        print("  Rows not imported, by reason (CODE-column, see the ERRORS column):")
        for entry, count in list(problems.items())[:10]:
            print(f"    {count:>6}  {entry}")


def _job_exit(details: JobDetails | None) -> int:
    if details is None:
        return EXIT_OK
    if details.status != COMPLETED or details.counts.skipped_count:
        return EXIT_PROBLEMS
    return EXIT_OK


def _validate(job: BulkWriteJob, snapshot: MetadataSnapshot, csvs: dict[int, Path]) -> list[Any]:
    from bulkwizard.core.validation import validate_job

    # Read as submit will upload them (title lines skipped, a headerless file given names).
    shapes = {index: read_csv_shape(path, as_prepared=True) for index, path in csvs.items()}
    return validate_job(job, snapshot, shapes, require_file_id=False)


def handle_submit(args: argparse.Namespace) -> int:
    """Run ``submit``."""

    progress = _Progress()
    try:
        job = load_job_or_template(Path(args.job))
        _out_dir(args.out)
        csvs = match_csvs(job, args.csv)
        client = _client(args)
        snapshot, _folder = cached_snapshot(client, refresh=args.refresh_metadata)
        problems = _validate(job, snapshot, csvs)
        if any(p.is_error for p in problems):
            sys.stderr.write(format_report(problems, args.job))
            print("Not submitted: fix the errors above first.", file=sys.stderr)
            return EXIT_PROBLEMS
        if problems:
            sys.stderr.write(format_report(problems, args.job))
        notes = PendingNotes()
        key = fingerprint(job, csvs)
        note = notes.find(client.profile.name, key)
        if note is not None and not args.force:
            print(
                f"Not submitted: on {note.get('time')} the same job and data were submitted but "
                f"Zoho's answer was lost, so a job may already exist (uploaded file "
                f"{note.get('file_id')}). Check the bulk write jobs in Zoho CRM; to submit "
                "anyway, add --force.",
                file=sys.stderr,
            )
            return EXIT_PROBLEMS
        with tempfile.TemporaryDirectory(prefix="bulkwizard-submit-") as workdir:
            packages = build_packages(job, csvs, Path(workdir))
            if len(packages) > 1:
                progress.stage(f"The CSV is over 25,000 rows: submitting {len(packages)} jobs")
            out_dir = _out_dir(args.out)
            events = Events(stage=progress.stage, upload=progress.upload, job=progress.job)
            try:
                done = submit(
                    client,
                    packages,
                    wait=args.wait,
                    out_dir=out_dir,
                    events=events,
                    poll_timeout=args.timeout,
                )
            except JobCreationUncertainError as exc:
                notes.add(client.profile.name, key, exc.file_id, str(args.job))
                raise
            except PartialSubmitError as exc:
                if isinstance(exc.cause, JobCreationUncertainError):
                    notes.add(client.profile.name, key, exc.cause.file_id, str(args.job))
                return _report_partial(exc, as_json=args.json)
            notes.clear(client.profile.name, key)
            if args.wait and out_dir is None:
                for item in done:
                    if item.details is not None and item.details.download_url:
                        target = Path(f"results-{item.job_id}")
                        item.result_files = fetch_results(client, item.details, target, events)
    except BulkWizardError as exc:
        return report_error("submit", exc)
    return _report_submitted(done, as_json=args.json)


def _report_partial(exc: PartialSubmitError, *, as_json: bool) -> int:
    """Some parts became jobs, then one failed: say exactly which (the cause is printed last)."""
    if as_json:
        _report_submitted(exc.created, as_json=True)
    print(f"bulkwizard-cli submit: {exc}", file=sys.stderr)
    return report_error("submit", exc.cause)


def _report_submitted(done: list[Submitted], *, as_json: bool) -> int:
    if as_json:
        jobs = []
        for item in done:
            if item.details is not None:
                entry = item.details.summary()
            else:
                entry = {
                    "id": item.job_id,
                    "status": "ADDED",
                    "added_count": 0,
                    "updated_count": 0,
                    "skipped_count": 0,
                    "total_count": 0,
                }
            entry["file_id"] = item.file_id
            entry["results"] = [str(p) for p in item.result_files]
            jobs.append(entry)
        print(json.dumps({"jobs": jobs}, indent=2))
    else:
        for item in done:
            if item.details is None:
                print(
                    f"Job {item.job_id} created. Follow it with "
                    f"`bulkwizard-cli status {item.job_id}`."
                )
                continue
            _print_job(item.details)
            _print_results(item.result_files)
    codes = [_job_exit(item.details) for item in done]
    return max(codes) if codes else EXIT_OK


def _out_dir(text: str | None) -> Path | None:
    """The results folder, refused up front when it is an existing file (not after the job)."""
    if text is None:
        return None
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise UsageError(f"--out {text}: this is a file; give a folder for the results")
    return path


def _job_id(text: str) -> str:
    """The job id as given, refused before any network call when it cannot be one."""
    value = text.strip()
    if not value.isdigit() or not value.isascii():
        raise UsageError(
            f"{text!r} is not a job id: Zoho job ids are long numbers such as "
            "4876876000000541958 (see `submit` output or the Zoho CRM Data Administration page)"
        )
    return value


def handle_status(args: argparse.Namespace) -> int:
    """Run ``status JOB_ID``."""
    try:
        details = _client(args).job(_job_id(args.job_id))
    except BulkWizardError as exc:
        return report_error("status", exc)
    if args.json:
        data = details.summary()
        data["download_url"] = details.download_url
        print(json.dumps(data, indent=2))
    else:
        _print_job(details)
    return _job_exit(details) if details.finished else EXIT_OK


def handle_results(args: argparse.Namespace) -> int:
    """Run ``results JOB_ID --out DIR``."""
    try:
        job_id = _job_id(args.job_id)
        out_dir = _out_dir(args.out)
        assert out_dir is not None  # --out is required
        client = _client(args)
        details = client.job(job_id)
        if not details.download_url:
            print(
                f"Job {details.id} is {details.status}: no results yet. Try again when it is "
                "COMPLETED.",
                file=sys.stderr,
            )
            return EXIT_PROBLEMS
        files = fetch_results(client, details, out_dir)
    except BulkWizardError as exc:
        return report_error("results", exc)
    if args.json:
        print(json.dumps({"job": details.summary(), "results": [str(p) for p in files]}, indent=2))
    else:
        _print_job(details)
        _print_results(files)
    return _job_exit(details)
