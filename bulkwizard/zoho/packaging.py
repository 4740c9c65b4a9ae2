"""Turning a job and its CSV files into upload-ready zips (and unpacking result zips).

One zip per job holds every CSV of the job (parent + children) under the names the resources'
``file_names`` give. Cutting and zipping is the data engine's work
(:class:`~bulkwizard.core.upload.preparer.UploadPreparer`): CSVs over Zoho's 25,000-record or 25 MB
limits become several zips, each a job of its own, and a parent row always travels with its
children (``zoho-api.md`` §6.1).
"""

from __future__ import annotations

import csv
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from bulkwizard.core.errors import BulkWizardError, MappingError
from bulkwizard.core.inputs import bind_inputs, csv_name
from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.upload import SplitError, SplitLimits, UploadPreparer

MAX_ROWS = 25_000


class PackagingError(BulkWizardError):
    """The CSVs cannot be matched to the job or packed; the message says what to do."""


@dataclass(frozen=True)
class Package:
    """One upload: the job to create (file names set) and the zip holding its CSVs."""

    job: BulkWriteJob
    zip_path: Path
    rows: int


def match_csvs(job: BulkWriteJob, specs: list[str]) -> dict[int, Path]:
    """Resource index -> CSV path, from ``--csv [NAME=]PATH`` arguments.

    A bare path matches the resource whose ``file_names`` holds its file name, or the only
    resource of a single-resource job.
    """
    by_name = {
        name: index
        for index, resource in enumerate(job.resources)
        for name in resource.file_names or ()
    }
    result: dict[int, Path] = {}
    for spec in specs:
        name, sep, rest = spec.partition("=")
        if sep and name in by_name:
            index, path = by_name[name], Path(rest)
        elif Path(spec).name in by_name:
            index, path = by_name[Path(spec).name], Path(spec)
        elif len(job.resources) == 1:
            index, path = 0, Path(spec)
        else:
            known = ", ".join(sorted(by_name)) or "none"
            raise PackagingError(
                f"--csv {spec}: no resource names this file in file_names (known: {known}); "
                "use --csv NAME=PATH"
            )
        if index in result:
            raise PackagingError(
                f"--csv {spec}: resource {index + 1} ({job.resources[index].module.api_name}) "
                f"already has a CSV ({result[index]})"
            )
        if path.is_dir():
            raise PackagingError(f"{path}: this is a folder; give the CSV file inside it")
        if not path.is_file():
            raise PackagingError(f"{path}: CSV file not found")
        result[index] = path
    missing = [
        f"{i + 1} ({r.module.api_name})" for i, r in enumerate(job.resources) if i not in result
    ]
    if missing:
        raise PackagingError(
            f"no CSV given for resource {', '.join(missing)}: add --csv PATH for each resource"
        )
    return result


def build_packages(
    job: BulkWriteJob, csvs: dict[int, Path], workdir: Path, max_rows: int = MAX_ROWS
) -> list[Package]:
    """Zip the CSVs for upload with the data engine's preparer (one package per chunk).

    Every CSV is re-encoded as UTF-8 with only the mapped columns; the returned jobs carry the
    renumbered indexes and the file names used inside the zips.

    Raises:
        PackagingError: a family of rows does not fit in one upload, a child row has no parent,
            or the CSVs hold no data rows at all.
        CsvFormatError: a CSV cannot be read.
    """
    files: dict[str | None, str | os.PathLike[str]] = {
        csv_name(job.resources[index]): path for index, path in csvs.items()
    }
    try:
        inputs = bind_inputs(job, files)
        with UploadPreparer(job, inputs, SplitLimits(max_rows=max_rows)) as preparer:
            written = preparer.write(workdir)
            chunk_job = preparer.chunk_job()
    except (SplitError, MappingError) as exc:
        raise PackagingError(str(exc)) from None
    parent = csv_name(chunk_job.resources[0])
    if not written:
        source = csvs.get(0)
        raise PackagingError(
            f"{source if source is not None else 'the CSV'}: no data rows below the header, so "
            "there is nothing to import; check that this is the right file"
        )
    packages = []
    for item in written:
        packages.append(
            Package(job=chunk_job.copy(), zip_path=item.zip, rows=int(item.files.get(parent, 0)))
        )
    return packages


def unpack_results(zip_path: Path, destination: Path) -> list[Path]:
    """Extract a result zip's CSVs into ``destination``; return their paths.

    Member names are reduced to their base name, so a hostile zip cannot write outside.
    """
    destination.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with zipfile.ZipFile(zip_path) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                name = PurePosixPath(info.filename.replace("\\", "/")).name
                if not name or name.startswith("."):
                    continue
                target = destination / name
                with archive.open(info) as source, target.open("wb") as sink:
                    while block := source.read(64 * 1024):
                        sink.write(block)
                written.append(target)
    except zipfile.BadZipFile as exc:
        raise PackagingError(
            f"{zip_path}: the result download is not a valid zip ({exc}); download it again "
            "with `bulkwizard-cli results JOB_ID --out DIR`"
        ) from None
    return written


def count_result_rows(csv_path: Path) -> dict[str, int]:
    """Rows of a result CSV per ``STATUS`` value (upper-cased)."""
    counts: dict[str, int] = {}
    with csv_path.open(encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        for row in reader:
            status = (row.get("STATUS") or "").strip().upper()
            counts[status] = counts.get(status, 0) + 1
    return counts


def error_summary(csv_paths: list[Path]) -> dict[str, int]:
    """How often each ``CODE-column`` entry of the ``ERRORS`` column occurs, most frequent first."""
    counts: dict[str, int] = {}
    for path in csv_paths:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            for row in csv.DictReader(stream):
                for entry in (row.get("ERRORS") or "").split(":"):
                    if entry.strip():
                        counts[entry.strip()] = counts.get(entry.strip(), 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
