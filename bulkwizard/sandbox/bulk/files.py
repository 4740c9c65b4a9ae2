"""Uploaded bulk-write zips: checking them on upload and reading their CSVs for a job.

Zoho's rules (zoho-api.md sections 2 and 6.1): a zip of at most 25 MB holding CSVs; each CSV at
most 25,000 records and 200 columns; the delimiter (comma, semicolon, colon or pipe) is detected
from the header row; the charset is the job's ``character_encoding`` or detected.

"One CSV unless parent-child" cannot be decided at upload time (the upload does not say what the
zip is for), so uploads accept any zip holding at least one CSV and Create Job enforces it: a
single-resource job refuses a zip with more than one CSV (see ``bulk_create``).
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from bulkwizard.sandbox.bulk.model import CsvFile

MAX_ZIP_BYTES = 25 * 1024 * 1024
MAX_ROWS = 25_000
MAX_COLUMNS = 200
DELIMITERS = (",", ";", ":", "|")
# Tried in order when the job gives no character_encoding; cp1252 decodes any byte sequence.
_DETECT_ENCODINGS = ("utf-8-sig", "utf-16", "cp1252")


class ZipProblem(ValueError):
    """An upload that is not a usable zip of CSVs; the message says why."""


@dataclass(frozen=True)
class ZipSummary:
    """What an upload check learns: the CSV member names, in zip order."""

    csv_names: list[str]


def check_zip(data: bytes) -> ZipSummary:
    """Check that ``data`` is a zip with at least one CSV; raise :class:`ZipProblem` if not."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ZipProblem("not a zip file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [
                info.filename
                for info in archive.infolist()
                if not info.is_dir() and info.filename.lower().endswith(".csv")
                and not PurePosixPath(info.filename).name.startswith(("._", "."))
            ]  # fmt: skip
            if archive.testzip() is not None:
                raise ZipProblem("the zip is damaged")
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as exc:
        raise ZipProblem(f"the zip cannot be read ({exc})") from None
    if not names:
        raise ZipProblem("the zip holds no CSV file")
    return ZipSummary(names)


def member_for(csv_names: list[str], wanted: str) -> str | None:
    """The zip member a ``file_names`` entry means (exact path, else the same base name)."""
    if wanted in csv_names:
        return wanted
    base = PurePosixPath(wanted).name
    matches = [name for name in csv_names if PurePosixPath(name).name == base]
    return matches[0] if len(matches) == 1 else None


def decode(data: bytes, encoding: str | None) -> str:
    """Decode CSV bytes with the given charset, else the first that fits."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            encoding = None
    if encoding:
        return data.decode(encoding, errors="replace").lstrip("\ufeff")
    for candidate in _DETECT_ENCODINGS:
        if candidate == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # pragma: no cover - cp1252 leaves only 5 undefined bytes


def detect_delimiter(header_line: str) -> str:
    """The delimiter the header row uses most (comma when none appears)."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def parse_csv(name: str, text: str) -> CsvFile:
    """Split CSV text into header and rows.

    Blank lines are not rows, but a line of only delimiters is a row of empty cells (as the data
    engine counts it): it is processed and reported like any other row, never silently dropped.
    """
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first_line))
    try:
        rows = [row for row in reader if row]
    except csv.Error as exc:
        raise ZipProblem(f"{name}: not a readable CSV ({exc})") from None
    if not rows:
        return CsvFile(name, [], [])
    return CsvFile(name, [h.strip() for h in rows[0]], rows[1:])


def read_csvs(data: bytes, members: list[str], encoding: str | None) -> dict[str, CsvFile]:
    """Read the named CSV members of a zip."""
    result: dict[str, CsvFile] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in members:
            text = decode(archive.read(member), encoding)
            result[member] = parse_csv(PurePosixPath(member).name, text)
    return result
