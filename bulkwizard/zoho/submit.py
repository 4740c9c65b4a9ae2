"""Submitting packaged jobs: upload, create, optionally wait, download and unpack the results.

Plain callbacks report progress (``Events``), so the CLI prints them and the GUI can re-emit them
as signals. Nothing here prints or imports Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bulkwizard.core.errors import BulkWizardError
from bulkwizard.zoho.client import ZohoClient
from bulkwizard.zoho.jobs import JobDetails
from bulkwizard.zoho.packaging import Package, PackagingError, count_result_rows, unpack_results


@dataclass
class Events:
    """Callbacks for progress; every one is optional."""

    stage: Callable[[str], None] | None = None
    upload: Callable[[int, int], None] | None = None
    job: Callable[[JobDetails], None] | None = None

    def say(self, text: str) -> None:
        if self.stage is not None:
            self.stage(text)


@dataclass
class Submitted:
    """One created job and, once finished, its details and unpacked result files."""

    package: Package
    file_id: str
    job_id: str
    details: JobDetails | None = None
    result_files: list[Path] = field(default_factory=list)

    @property
    def result_rows(self) -> dict[str, int]:
        """Result rows per STATUS over every result CSV of the parent module (first resource)."""
        totals: dict[str, int] = {}
        parent = self.details.resources[0].module if self.details and self.details.resources else ""
        for path in self.result_files:
            if parent and not path.name.startswith(f"{parent}-"):
                continue
            for status, count in count_result_rows(path).items():
                totals[status] = totals.get(status, 0) + count
        return totals


class PartialSubmitError(BulkWizardError):
    """A CSV cut into several jobs: some jobs were created, then one part failed.

    The user must not resubmit the whole file (the rows of the created jobs would be imported
    twice), so the message says which jobs exist and how many rows were left out.

    Attributes:
        created: the jobs that exist.
        cause: the error of the part that failed.
        rows_not_submitted: parent rows in the part that failed and the parts after it.
    """

    def __init__(self, created: list[Submitted], cause: BulkWizardError, total_rows: int) -> None:
        self.created = created
        self.cause = cause
        self.rows_not_submitted = total_rows - sum(item.package.rows for item in created)
        jobs = ", ".join(f"{item.job_id} ({item.package.rows:,} rows)" for item in created)
        super().__init__(
            f"only part of the data was submitted: job(s) {jobs} were created, then part "
            f"{len(created) + 1} failed (the reason follows), so {self.rows_not_submitted:,} "
            "rows were not submitted. Do not submit the whole file again, or the rows already "
            "in those jobs are imported twice: once the jobs finish, their results (`bulkwizard-"
            "cli results JOB_ID`) list the rows they hold; submit the others on their own."
        )


def upload_and_create(client: ZohoClient, package: Package, events: Events) -> Submitted:
    """Upload the package's zip, put its file_id on every resource, create the job."""
    events.say(f"Uploading {package.zip_path.name} ({package.zip_path.stat().st_size:,} bytes)")
    file_id = client.upload(package.zip_path, progress=events.upload)
    job = package.job.copy()
    for resource in job.resources:
        resource.file_id = file_id  # parent and children share one upload
    events.say(f"Uploaded as file {file_id}; creating the job")
    job_id = client.create_job(job)
    events.say(f"Created job {job_id}")
    return Submitted(package=package, file_id=file_id, job_id=job_id)


def fetch_results(
    client: ZohoClient, details: JobDetails, out_dir: Path, events: Events | None = None
) -> list[Path]:
    """Download the job's result zip into ``out_dir`` and unpack its CSVs there.

    Raises:
        PackagingError: the folder cannot be written (the message says how to fetch them later).
    """
    if not details.download_url:
        return []
    if events is not None:
        events.say(f"Downloading the results of job {details.id}")
    try:
        zip_path = client.download_result(details.download_url, out_dir / f"{details.id}.zip")
        return unpack_results(zip_path, out_dir)
    except OSError as exc:
        raise PackagingError(
            f"{out_dir}: cannot write the results of job {details.id} there "
            f"({exc.strerror or exc}); the job itself is fine: fetch them into another folder "
            f"with `bulkwizard-cli results {details.id} --out DIR`"
        ) from None


def submit(
    client: ZohoClient,
    packages: list[Package],
    *,
    wait: bool,
    out_dir: Path | None,
    events: Events | None = None,
    poll_timeout: float = 3600.0,
) -> list[Submitted]:
    """Submit every package; with ``wait``, poll each job to its end and fetch its results.

    Results go to ``out_dir`` for one job and ``out_dir/<job id>/`` when a CSV was cut into
    several jobs, so result files never overwrite each other.

    Raises:
        PartialSubmitError: a later part failed after earlier parts became jobs.
    """
    events = events or Events()
    submitted: list[Submitted] = []
    for package in packages:
        try:
            submitted.append(upload_and_create(client, package, events))
        except BulkWizardError as exc:
            if not submitted:
                raise
            raise PartialSubmitError(submitted, exc, sum(p.rows for p in packages)) from exc
    if not wait:
        return submitted
    for item in submitted:
        item.details = client.wait_for_job(item.job_id, on_update=events.job, timeout=poll_timeout)
        if out_dir is not None and item.details.download_url:
            target = out_dir if len(submitted) == 1 else out_dir / item.job_id
            item.result_files = fetch_results(client, item.details, target, events)
    return submitted
