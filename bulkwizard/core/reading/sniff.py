"""Guessing how a delimited text file is written: encoding, delimiter, quoting, header row.

:func:`sniff` reads a bounded sample (the head plus a few slices further in, so a 1 GB file costs
the same as a 1 MB one) and returns a fully resolved :class:`ReadOptions`. Any field the caller
sets is kept as given; the others are guessed and listed in ``ReadOptions.guessed`` so the UI can
show each guess and let the user override it.

Encoding, in order: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32); BOM-less UTF-16 (NUL bytes on
one side of ASCII text); valid UTF-8; Western European single-byte text (Windows-1252, or Latin-1
when bytes that Windows-1252 leaves undefined appear); anything else goes to charset-normalizer.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bulkwizard.core.errors import CsvFormatError

# Python's csv module refuses cells over 128 KiB. Zoho takes zips of up to 25 MB, so an overlong
# cell must be read (and flagged by the row checks as too long for its field), not reported as
# an unreadable file. The limit is process-wide; raising it only ever allows more.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|", ":")
HEAD_BYTES = 256 * 1024
SLICE_BYTES = 64 * 1024
SNIFF_RECORDS = 200

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes 0x80-0x9F that Windows-1252 leaves undefined; Latin-1 reads them as C1 controls.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


@dataclass(frozen=True)
class ReadOptions:
    """How to read a delimited file (or which sheet of a workbook); ``None`` means "detect it".

    Attributes:
        encoding: Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16-le``, ``cp1252``, ...).
        delimiter: one character; one of :data:`DELIMITERS` when guessed.
        quotechar: ``'"'`` or ``"'"``; the empty string means fields are never quoted.
        has_header: whether the row at ``header_row`` holds column names.
        header_row: 0-based index of the header among the file's non-blank records; the records
            before it (a report title, say) are skipped. Without a header, data starts there.
        sheet: for workbooks, the sheet to read (the first one when None).
        line_ending: reported, not used for reading: the first line ending seen (``\\r\\n``...).
        bom: reported: the file starts with a byte-order mark.
        guessed: reported: names of the fields that were detected rather than given.
    """

    encoding: str | None = None
    delimiter: str | None = None
    quotechar: str | None = None
    has_header: bool | None = None
    header_row: int | None = None
    sheet: str | None = None
    line_ending: str | None = None
    bom: bool = False
    guessed: tuple[str, ...] = field(default=())

    def with_overrides(self, overrides: ReadOptions | None) -> ReadOptions:
        """Return these options with every non-None reading field of ``overrides`` applied."""
        if overrides is None:
            return self
        changes = {
            name: getattr(overrides, name)
            for name in ("encoding", "delimiter", "quotechar", "has_header", "header_row", "sheet")
            if getattr(overrides, name) is not None
        }
        guessed = tuple(g for g in self.guessed if g not in changes)
        return replace(self, guessed=guessed, **changes)


def codec_layout(encoding: str, head: bytes) -> tuple[str, int]:
    """Return the stateless codec to decode with after ``bom_length`` bytes, and that length.

    ``utf-8-sig``, ``utf-16`` and ``utf-32`` depend on a BOM; reading from an arbitrary offset
    (the row index) needs a fixed-endian codec, so the BOM is resolved here, once. A BOM that
    matches the encoding is always skipped, even when the user picked plain ``utf-8``.

    Raises:
        LookupError: Python knows no such encoding.
    """
    name = codecs.lookup(encoding).name
    if name in ("utf-8", "utf-8-sig"):
        return "utf-8", len(codecs.BOM_UTF8) if head.startswith(codecs.BOM_UTF8) else 0
    for family, boms in (
        ("utf-32", ((codecs.BOM_UTF32_LE, "le"), (codecs.BOM_UTF32_BE, "be"))),
        ("utf-16", ((codecs.BOM_UTF16_LE, "le"), (codecs.BOM_UTF16_BE, "be"))),
    ):
        if not name.startswith(family):
            continue
        for bom, order in boms:
            if head.startswith(bom) and name in (family, f"{family}-{order}"):
                return f"{family}-{order}", len(bom)
        # Without a BOM Python's utf-16/utf-32 assume little-endian; so do we.
        return (name if name != family else f"{family}-le"), 0
    return encoding, 0


def read_samples(path: str | os.PathLike[str]) -> tuple[bytes, list[bytes], bool]:
    """Return the file's head, a few slices further in, and whether the head is the whole file."""
    size = os.path.getsize(path)
    with open(path, "rb") as raw:
        head = raw.read(HEAD_BYTES)
        slices: list[bytes] = []
        if size > HEAD_BYTES:
            for fraction in (0.25, 0.5, 0.75, 1.0):
                start = max(HEAD_BYTES, int(size * fraction) - SLICE_BYTES)
                raw.seek(start)
                slices.append(raw.read(SLICE_BYTES))
    return head, slices, size <= HEAD_BYTES


def _utf16_without_bom(head: bytes) -> str | None:
    sample = head[:4096]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def _decodes(data: bytes, encoding: str, *, partial_start: bool, partial_end: bool) -> bool:
    """Whether ``data`` decodes, forgiving a character cut in half at a slice edge."""
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8"):
        if partial_start:
            data = data.lstrip(bytes(range(0x80, 0xC0)))  # continuation bytes of a cut character
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(data, final=not partial_end)
        except UnicodeDecodeError:
            return False
        return True
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _western_or_other(data: bytes) -> str:
    high = [b for b in data if b >= 0x80]
    letters = sum(1 for b in data if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A) + len(high)
    # Western European text has an accented letter here and there; Cyrillic, Greek, ... written
    # in a single-byte code page is nearly all high bytes, which cp1252 would turn to gibberish.
    if letters and len(high) / letters > 0.4:
        from charset_normalizer import from_bytes  # imported late: it is slow to import

        matches = [str(m.encoding) for m in from_bytes(data) if m.encoding]
        # Spreadsheets in single-byte code pages come from Windows; prefer its code pages when
        # the detector finds one plausible (it may rank mac_cyrillic first on a short sample).
        windows = [name for name in matches if name.startswith("cp125")]
        if windows or matches:
            return (windows or matches)[0]
    if any(b in _CP1252_UNDEFINED for b in high):
        return "latin-1"
    return "cp1252"


def detect_encoding(head: bytes, slices: Sequence[bytes] = (), *, whole: bool = True) -> str:
    """Guess the encoding of a file from its head (and optional later slices).

    Args:
        head: the first bytes of the file.
        slices: further samples; a file that is UTF-8 in its head but not further in is not UTF-8.
        whole: ``head`` is the entire file (so its end is not a cut character).
    """
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return codec
    utf16 = _utf16_without_bom(head)
    if utf16:
        return utf16
    samples = [(head, False, not whole)] + [(s, True, True) for s in slices]
    if all(_decodes(d, "utf-8", partial_start=ps, partial_end=pe) for d, ps, pe in samples):
        return "utf-8"
    return _western_or_other(head + b"\n".join(slices))


def decode_head(head: bytes, encoding: str, *, whole: bool, path: str | None = None) -> str:
    """Decode the head sample with ``encoding``, dropping a cut character at its end.

    Raises:
        CsvFormatError: the sample holds bytes that are invalid in this encoding (names the line).
    """
    try:
        codec, bom_length = codec_layout(encoding, head)
        decoder = codecs.getincrementaldecoder(codec)()
    except LookupError:
        raise CsvFormatError(
            f"unknown encoding {encoding!r}; try utf-8, cp1252, latin-1 or utf-16", path=path
        ) from None
    try:
        return decoder.decode(head[bom_length:], final=whole)
    except UnicodeDecodeError as exc:
        line = head[: bom_length + exc.start].count(b"\n") + 1
        raise CsvFormatError(
            f"the bytes here are not valid {encoding}; choose another encoding",
            path=path,
            line=line,
        ) from None


def sample_records(
    text: str, delimiter: str, quotechar: str, *, whole: bool, limit: int = SNIFF_RECORDS
) -> list[list[str]]:
    """Parse up to ``limit`` non-blank records of a decoded sample (the last, cut one dropped)."""
    reader = csv.reader(io.StringIO(text, newline=""), **dialect_kwargs(delimiter, quotechar))
    records: list[list[str]] = []
    try:
        for record in reader:
            if record:
                records.append(record)
                if len(records) > limit:
                    break
    except csv.Error:
        pass  # a sample cut inside a huge field; the records so far are what we sniff on
    if not whole and len(records) > 1:
        records.pop()  # may be cut in the middle
    return records[:limit]


def dialect_kwargs(delimiter: str, quotechar: str) -> dict[str, Any]:
    """Keyword arguments for :func:`csv.reader` / :func:`csv.writer` for this dialect."""
    if quotechar:
        return {
            "delimiter": delimiter,
            "quotechar": quotechar,
            "doublequote": True,
            "strict": False,
        }
    return {"delimiter": delimiter, "quoting": csv.QUOTE_NONE, "strict": False}


def _consistency(records: list[list[str]]) -> tuple[float, int]:
    counts = Counter(len(r) for r in records)
    if not counts:
        return 0.0, 0
    mode, hits = max(counts.items(), key=lambda item: (item[1], item[0]))
    return hits / len(records), mode


def detect_quotechar(text: str) -> str:
    """Return ``'"'`` unless the sample only quotes fields with apostrophes."""
    if '"' in text:
        return '"'
    boundary = re.findall(r"(?:^|[,;\t|:])'[^'\r\n]*'(?=[,;\t|:]|\r|\n|$)", text, re.MULTILINE)
    return "'" if len(boundary) >= 2 else '"'


def detect_delimiter(text: str, quotechar: str, *, whole: bool) -> str:
    """Pick the delimiter giving the most consistent field count (ties: more fields, then order).

    A candidate qualifies when at least 80% of the sampled records share one field count above 1;
    among those the one with more fields wins (a ``;`` file with decimal commas has one comma per
    number but many semicolons), then the order of :data:`DELIMITERS`.
    """
    best: tuple[float, int, int] | None = None
    choice = ","
    for rank, delimiter in enumerate(DELIMITERS):
        if delimiter not in text:
            continue
        share, mode = _consistency(sample_records(text, delimiter, quotechar, whole=whole))
        if mode < 2:
            continue
        key = (1.0 if share >= 0.8 else share, mode if share >= 0.8 else 0, -rank)
        if best is None or key > best:
            best, choice = key, delimiter
    return choice


_TYPED = re.compile(
    r"^\s*(?:[+-]?[\d.,]+%?|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}.*|true|false|yes|no|"
    r"[^@\s]+@[^@\s]+\.[a-z]{2,}|https?://\S+)\s*$",
    re.IGNORECASE,
)


def detect_header_row(records: list[list[str]]) -> int:
    """Index of the first record that looks like the table's top (skipping short title lines)."""
    _, mode = _consistency(records)
    if mode <= 1:
        return 0
    # A title line ("Contacts export", "Generated on,2024-01-01") has far fewer cells than the
    # table; a header or data row with a few blanks or a missing cell does not.
    needed = max(2, mode // 2)
    for index, record in enumerate(records[:20]):
        if sum(1 for v in record if v.strip()) >= needed:
            return index
    return 0


def detect_has_header(records: list[list[str]], header_row: int = 0) -> bool:
    """Guess whether ``records[header_row]`` holds column names rather than data.

    Votes per column: a header cell that is text above a typed column (numbers, dates, emails...)
    says yes; a cell shaped like its column's values, or repeated among them, says no. Without
    votes, names that are all filled, distinct and untyped are taken as a header.
    """
    if header_row >= len(records):
        return False
    first = records[header_row]
    data = records[header_row + 1 : header_row + 51]
    yes = no = 0
    for column, cell in enumerate(first):
        values = [r[column] for r in data if column < len(r) and r[column].strip()]
        if not cell.strip() or not values:
            continue
        typed_share = sum(1 for v in values if _TYPED.match(v)) / len(values)
        cell_typed = bool(_TYPED.match(cell))
        if typed_share >= 0.8:
            if cell_typed:
                no += 1
            else:
                yes += 1
        elif cell in values:
            no += 1
    if yes or no:
        return yes > no
    filled = [c.strip() for c in first if c.strip()]
    # As wide as the rows below it: a workbook trims trailing empty cells, so a short first
    # row ("Smith" above three-cell rows) is a data row with blanks, not a header.
    widths = Counter(len(r) for r in data)
    width = max(len(first), widths.most_common(1)[0][0] if widths else 0)
    return (
        len(filled) == width
        and len(set(filled)) == len(filled)
        and not any(_TYPED.match(c) for c in filled)
    )


def guess_header(
    records: list[list[str]], header_row: int | None, has_header: bool | None
) -> tuple[int, bool, list[str]]:
    """Resolve the header position and presence; return them and the names of what was guessed.

    Title lines come before a header: when the lines a guess would skip are followed by no
    header, they are more likely a first data row with blank cells, so nothing is skipped.
    Rows are never dropped on a guess.
    """
    guessed: list[str] = []
    row_guessed = header_row is None
    if header_row is None:
        header_row = detect_header_row(records)
        guessed.append("header_row")
    if has_header is None:
        has_header = detect_has_header(records, header_row)
        guessed.append("has_header")
        if not has_header and header_row and row_guessed:
            header_row = 0
            has_header = detect_has_header(records, 0)
    return header_row, has_header, guessed


def unique_headers(raw: Sequence[str], count: int | None = None) -> list[str]:
    """Display names for header cells: blanks become ``Column N``, repeats ``Name (2)``.

    Args:
        raw: the header cells as read (may be shorter than ``count``).
        count: number of columns; missing cells are treated as blank.
    """
    total = max(len(raw), count or 0)
    cells = [(raw[i].strip() if i < len(raw) else "") for i in range(total)]
    taken = {c.casefold() for c in cells if c}
    names: list[str] = []
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        name = cell or f"Column {index + 1}"
        if not cell:
            suffix = 2
            while name.casefold() in taken or name.casefold() in seen:
                name = f"Column {index + 1} ({suffix})"
                suffix += 1
        elif name.casefold() in seen:
            suffix = 2
            while f"{cell} ({suffix})".casefold() in seen | taken:
                suffix += 1
            name = f"{cell} ({suffix})"
        seen.add(name.casefold())
        names.append(name)
    return names


def _line_ending(text: str) -> str | None:
    match = re.search(r"\r\n|\r|\n", text)
    return match.group(0) if match else None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _refuse_binary(text: str, path: str) -> None:
    """Raise when the decoded sample is mostly not text (an image, a PDF, a renamed .xls)."""
    sample = text[:65536]
    if len(_CONTROL.findall(sample)) > max(8, 0.01 * len(sample)):  # a stray NUL is tolerated
        raise CsvFormatError(
            "this does not look like a text file (it holds binary data); export the data as "
            "CSV or as an .xlsx workbook",
            path=path,
        )


def _check_dialect(given: ReadOptions, path: str) -> None:
    """Refuse a delimiter or quote character the csv module cannot use (a user's override)."""
    for label, value in (("delimiter", given.delimiter), ("quote character", given.quotechar)):
        if value is None or (label == "quote character" and value == ""):
            continue
        if len(value) != 1 or value in "\r\n":
            raise CsvFormatError(
                f"the {label} must be one character (not a line break), not {value!r}", path=path
            )
    if given.delimiter is not None and given.delimiter == given.quotechar:
        raise CsvFormatError(
            f"the delimiter and the quote character cannot both be {given.delimiter!r}", path=path
        )
    if given.header_row is not None and given.header_row < 0:
        raise CsvFormatError("the header row counts from 1", path=path)


def sniff(path: str | os.PathLike[str], options: ReadOptions | None = None) -> ReadOptions:
    """Detect how to read a delimited text file; fields set in ``options`` are kept as given.

    Raises:
        CsvFormatError: the file cannot be opened or decoded with the (given or guessed) encoding.
    """
    given = options or ReadOptions()
    name = os.fspath(path)
    _check_dialect(given, name)
    try:
        head, slices, whole = read_samples(path)
    except OSError as exc:
        raise CsvFormatError(f"cannot open the file: {exc.strerror or exc}", path=name) from None
    if head.startswith(b"PK\x03\x04"):
        raise CsvFormatError(
            "this is a zip archive, not a text file; if it is an Excel workbook, name it .xlsx",
            path=name,
        )
    guessed: list[str] = []
    encoding = given.encoding
    if encoding is None:
        encoding = detect_encoding(head, slices, whole=whole)
        guessed.append("encoding")
    text = decode_head(head, encoding, whole=whole, path=name)
    _refuse_binary(text, name)
    bom = codec_layout(encoding, head)[1] > 0
    quotechar = given.quotechar
    if quotechar is None:
        quotechar = detect_quotechar(text)
        guessed.append("quotechar")
    delimiter = given.delimiter
    if delimiter is None:
        delimiter = detect_delimiter(text, quotechar, whole=whole)
        guessed.append("delimiter")
    if quotechar == delimiter and "quotechar" in guessed:
        quotechar = "'" if delimiter == '"' else '"'  # the user's delimiter wins over a guess
    records = sample_records(text, delimiter, quotechar, whole=whole)
    header_row, has_header, header_guesses = guess_header(
        records, given.header_row, given.has_header
    )
    guessed.extend(header_guesses)
    return ReadOptions(
        encoding=encoding,
        delimiter=delimiter,
        quotechar=quotechar,
        has_header=has_header,
        header_row=header_row,
        sheet=given.sheet,
        line_ending=_line_ending(text),
        bom=bom,
        guessed=tuple(guessed),
    )
