"""The full scan of a table: :func:`profile_table`, vectorised with pyarrow where it can be.

pyarrow's streaming CSV reader parses the file in blocks, starting at the first data row's byte
offset (so header and preamble never reach it) and transcoding from the file's encoding when that
is not UTF-8. Per batch we only read counts that the parser has already computed (empty cells are
parsed as nulls, so an empty count is ``null_count``) and keep a slice of the first rows as a
sample. Kinds, formats and distinct estimates are computed from that sample (spread over the
whole file) once the scan ends, so the cost per megabyte is the parser's.

The streaming reader runs on one thread, so the work that need not be in it goes to a second:

* UTF-8 validation: the reader is told not to check its string cells, and :class:`_Utf8Check`
  checks every byte after the header on another thread meanwhile (a tenth of the reader's time
  on typical files). Transcoded files are valid UTF-8 by construction.
* Counting values for the distinct estimates is split over two threads (pyarrow releases the
  GIL while it hashes).

(Iterating the reader on a thread of its own was measured slower: the work per batch here is a
few dozen microseconds, less than the hand-off between threads.)

:func:`arrow_profile` returns None whenever pyarrow is missing or cannot parse the file as the
sniffer described it (including bytes that are not valid in its encoding); :func:`profile_table`
then falls back to the Python engine of :mod:`bulkwizard.core.reading.profile`, which reports
malformed rows with their line.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from bulkwizard.core.errors import BulkWizardError
from bulkwizard.core.reading.csv_table import CsvTable
from bulkwizard.core.reading.profile import (
    KIND_VALUES,
    SAMPLE_ROWS,
    SHOWN_SAMPLES,
    ColumnProfile,
    ProfileCancelled,
    TableProfile,
    chao1,
    infer_kind,
    profile_rows,
)
from bulkwizard.core.reading.table import CancelFlag, ProgressCallback, Table

BLOCK_BYTES = 1 << 20  # bigger blocks cost memory (readahead) and are no faster
# A slice of a batch pins the whole batch, so the sample is copied out every this many slices.
COMPACT_SLICES = 8


def arrow_profile(
    table: Table,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag | None = None,
    day_first: bool = False,
) -> TableProfile | None:
    """Profile a delimited file with pyarrow; None when this engine does not apply."""
    if not isinstance(table, CsvTable):
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    width = table.column_count
    invalid = [0]

    def on_invalid(_row: Any) -> str:
        invalid[0] += 1
        return "skip"

    # The scan starts after any byte-order mark, so UTF-8 with a BOM reads as plain UTF-8.
    utf8 = table.layout.codec.replace("_", "-").lower() in ("utf-8", "utf8", "utf-8-sig")
    options = _csv_options(pa, pacsv, table, on_invalid, utf8=utf8)
    sampler = _Sampler(pa, min(1.0, SAMPLE_ROWS / max(table.estimated_row_count, 1)))
    checker = _Utf8Check(pa, table.path, table.data_offset) if utf8 else None

    rows = 0
    empties = [0] * width
    scanned = False
    try:
        with pa.OSFile(table.path) as source:
            source.seek(table.data_offset)
            for batch in pacsv.open_csv(source, **options):
                rows += batch.num_rows
                for index, column in enumerate(batch.columns):
                    empties[index] += column.null_count
                sampler.add(batch)
                if cancel is not None and cancel.is_set():
                    raise ProfileCancelled("profiling was cancelled")
                if checker is not None and not checker.valid:
                    return None
                if progress is not None:
                    progress(min(source.tell(), table.size), table.size)
        scanned = True
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    finally:
        if checker is not None:
            checker.join(stop=not scanned)
    if checker is not None and not checker.valid:
        return None
    shown = _shown(table)
    sample = sampler.table()
    filled = [column.combine_chunks().drop_null() for column in sample.columns] if sample else []
    exact = sampler.rows >= rows
    # Counting first, on two threads: pyarrow hashes without the GIL, but a thread waiting
    # for the GIL while another runs Python would wait for the 5 ms switch interval.
    counts = _in_two_threads([partial(_frequencies, pc, v, exact=exact) for v in filled])
    columns: list[ColumnProfile] = []
    for index, name in enumerate(table.headers):
        profile = ColumnProfile(
            index=index, name=name, empty_count=empties[index], row_count=rows, samples=shown[index]
        )
        columns.append(profile)
        if not filled:
            continue
        count, singletons, doubletons = counts[index]
        profile.distinct_exact = exact
        profile.distinct_estimate = (
            count if exact else chao1(count, singletons, doubletons, rows - empties[index])
        )
        texts = _kind_texts(filled[index])
        for text in texts:  # the top rows may hold fewer distinct values than wanted
            if len(profile.samples) >= SHOWN_SAMPLES:
                break
            if text not in profile.samples:
                profile.samples.append(text)
        profile.kind, profile.format, profile.kind_share = infer_kind(
            texts[:KIND_VALUES], day_first=day_first
        )
    return TableProfile(
        columns=columns, row_count=rows + invalid[0], ragged_rows=invalid[0], engine="arrow"
    )


def _csv_options(
    pa: Any, pacsv: Any, table: CsvTable, on_invalid: Callable[[Any], str], *, utf8: bool
) -> dict[str, Any]:
    """Reader options for ``pacsv.open_csv``: every column a nullable string, "" is null."""
    layout = table.layout
    width = table.column_count
    widths = Counter(table.head_widths())
    # Rows with a trailing delimiter have one field more than the header; parse that shape.
    parsed_width = max(width, widths.most_common(1)[0][0] if widths else width)
    names = [f"c{i}" for i in range(parsed_width)]
    return {
        "read_options": pacsv.ReadOptions(
            column_names=names,
            block_size=BLOCK_BYTES,
            # Other encodings are transcoded (through Python's codecs, which is slower).
            encoding="utf8" if utf8 else layout.codec,
        ),
        "parse_options": pacsv.ParseOptions(
            delimiter=layout.delimiter,
            quote_char=layout.quotechar or False,
            double_quote=True,
            newlines_in_values=True,
            ignore_empty_lines=True,
            invalid_row_handler=on_invalid,
        ),
        "convert_options": pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            include_columns=names[:width],
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            # UTF-8 input is checked by _Utf8Check on another thread; transcoded input is
            # valid by construction.
            check_utf8=False,
        ),
    }


class _Sampler:
    """The first rows of every batch (a ``rate`` share, 4 x SAMPLE_ROWS rows at most).

    That is a sample spread over the whole file. It is kept as zero-copy slices and copied into
    one table every :data:`COMPACT_SLICES` slices (so it never pins more than that many blocks),
    which costs one copy where a ``take`` per batch cost one per batch.
    """

    def __init__(self, pa: Any, rate: float) -> None:
        self._pa = pa
        self.rate = rate
        self.cap = 4 * SAMPLE_ROWS
        self.rows = 0
        self._slices: list[Any] = []
        self._kept: list[Any] = []

    def add(self, batch: Any) -> None:
        """Keep the first rows of ``batch``."""
        count = batch.num_rows
        take = min(count, math.ceil(count * self.rate), self.cap - self.rows)
        if take <= 0:
            return
        self._slices.append(batch.slice(0, take))
        self.rows += take
        if len(self._slices) >= COMPACT_SLICES:
            self._kept.append(self._pa.Table.from_batches(self._slices).combine_chunks())
            self._slices = []

    def table(self) -> Any:
        """The sample as one table with one chunk per column, or None when it is empty."""
        if not self.rows:
            return None
        parts = list(self._kept)
        if self._slices:
            parts.append(self._pa.Table.from_batches(self._slices))
        return self._pa.concat_tables(parts).combine_chunks()


class _Utf8Check:
    """Checks, on its own thread, that the bytes of a file from ``offset`` on are valid UTF-8.

    The file is read in blocks; a block ends before the last multi-byte sequence it may have
    cut, which starts the next block. pyarrow validates each block (a binary-to-string cast)
    without holding the GIL, so the check runs next to the CSV reader rather than inside it.
    """

    def __init__(self, pa: Any, path: str, offset: int) -> None:
        self._pa = pa
        self._path = path
        self._offset = offset
        self._stop = threading.Event()
        self.valid = True
        self._thread = threading.Thread(target=self._run, name="utf-8 check", daemon=True)
        self._thread.start()

    def join(self, *, stop: bool = False) -> None:
        """Wait for the check to end; with ``stop``, end it early (``valid`` then means nothing)."""
        if stop:
            self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            with open(self._path, "rb") as raw:
                raw.seek(self._offset)
                carry = b""
                while not self._stop.is_set():
                    block = raw.read(BLOCK_BYTES)
                    data = carry + block if carry else block
                    cut = utf8_cut(data) if block else len(data)
                    if cut:
                        self._check(memoryview(data)[:cut])
                    if not block:
                        return
                    carry = data[cut:]
        except (self._pa.ArrowInvalid, OSError):
            self.valid = False

    def _check(self, data: memoryview) -> None:
        pa = self._pa
        offsets = pa.array([0, len(data)], pa.int32()).buffers()[1]
        cells = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, pa.py_buffer(data)])
        cells.cast(pa.string())  # raises ArrowInvalid on invalid UTF-8


def utf8_cut(data: bytes) -> int:
    """Where to end a block of UTF-8 so that no multi-byte sequence is split: before the last
    sequence when it may be incomplete (it then starts the next block)."""
    end = len(data)
    for back in range(1, min(4, end) + 1):
        byte = data[end - back]
        if byte < 0x80:  # ASCII: every sequence before it is whole
            return end
        if byte >= 0xC0:  # the lead byte of the last sequence
            return end - back
    return end


def _shown(table: CsvTable) -> list[list[str]]:
    """First distinct non-empty values of each column, from the rows at the top."""
    rows = table.head(200)
    shown: list[list[str]] = []
    for index in range(table.column_count):
        values: list[str] = []
        for row in rows:  # column by column: most columns fill up within a few rows
            value = row.values[index]
            if value and value not in values:
                values.append(value)
                if len(values) >= SHOWN_SAMPLES:
                    break
        shown.append(values)
    return shown


def _in_two_threads(tasks: list[Callable[[], Any]]) -> list[Any]:
    """Run ``tasks`` (pyarrow kernels that release the GIL) on this thread and one more."""
    results: list[Any] = [None] * len(tasks)
    failures: list[BaseException] = []

    def run(first: int) -> None:
        try:
            for index in range(first, len(tasks), 2):
                results[index] = tasks[index]()
        except BaseException as exc:  # noqa: BLE001 - re-raised on the calling thread
            failures.append(exc)

    helper = threading.Thread(target=run, args=(1,), name="profile counts", daemon=True)
    helper.start()
    run(0)
    helper.join()
    if failures:
        raise failures[0]
    return results


def _frequencies(pc: Any, values: Any, *, exact: bool) -> tuple[int, int, int]:
    """(distinct values, values seen once, values seen twice) in a sampled column.

    The last two feed the Chao1 estimate, so a column sampled whole skips them.
    """
    counts = pc.value_counts(values).field("counts")
    singletons = doubletons = 0
    if not exact:
        # Frequencies of frequencies: a handful of entries, whatever the column holds.
        for entry in pc.value_counts(counts).to_pylist():
            if entry["values"] == 1:
                singletons = entry["counts"]
            elif entry["values"] == 2:
                doubletons = entry["counts"]
    return len(counts), singletons, doubletons


def _kind_texts(values: Any) -> list[str]:
    """About KIND_VALUES stripped non-blank values spread evenly over a sampled column."""
    picked = values[:: max(1, len(values) // KIND_VALUES)]
    return [text for text in (value.strip() for value in picked.to_pylist()) if text]


def profile_table(
    table: Table,
    *,
    progress: ProgressCallback | None = None,
    cancel: CancelFlag | None = None,
    engine: str = "auto",
) -> TableProfile:
    """Scan the whole table once and profile every column.

    Args:
        table: an open table.
        progress: called with (bytes done, bytes total) now and then.
        cancel: set it to stop; :class:`ProfileCancelled` is raised.
        engine: ``"auto"`` (arrow for text files when pyarrow is installed), ``"arrow"`` or
            ``"python"``.

    Raises:
        CsvFormatError: the file turned out malformed (names the line).
        ProfileCancelled: the cancel flag was set.
    """
    day_first = table.options.delimiter == ";"  # European exports write dates day first
    if engine != "python":
        result = arrow_profile(table, progress=progress, cancel=cancel, day_first=day_first)
        if result is not None or engine == "arrow":
            if result is None:
                raise BulkWizardError("the arrow engine cannot read this table")
            return result
    return profile_rows(table.headers, table.iter_rows(), day_first=day_first, cancel=cancel)
