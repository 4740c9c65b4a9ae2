"""The vectorised full scan behind :func:`bulkwizard.core.profile.profile_table`.

pyarrow's streaming CSV reader parses the file in blocks on its own threads, starting at the
first data row's byte offset (so header and preamble never reach it) and transcoding from the
file's encoding when that is not UTF-8. Per batch we only read counts that the parser has already
computed (empty cells are parsed as nulls, so an empty count is ``null_count``) and copy a small
slice of rows into a sample. Kinds, formats and distinct estimates are computed from that sample
(spread over the whole file) once the scan ends, so the cost per megabyte is the parser's.

Returns None whenever pyarrow is missing or cannot parse the file as the sniffer described it;
the caller then falls back to the Python engine, which reports malformed rows with their line.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from bulkwizard.core.profile import (
    KIND_VALUES,
    SAMPLE_ROWS,
    SHOWN_SAMPLES,
    ColumnProfile,
    ProfileCancelled,
    TableProfile,
    chao1,
    infer_kind,
)
from bulkwizard.core.table import CancelFlag, ProgressCallback, Table
from bulkwizard.core.table_csv import CsvTable

BLOCK_BYTES = 1 << 20  # bigger blocks cost memory (readahead) and are no faster
# A slice of a batch pins the whole batch, so the sample is copied out every this many slices.
COMPACT_SLICES = 8


class _Sampler:
    """The first rows of every batch (a ``rate`` share, ``cap`` rows in all): a sample spread
    over the whole file, kept as zero-copy slices and copied into one table every
    :data:`COMPACT_SLICES` slices (one copy instead of a ``take`` per batch).
    """

    def __init__(self, pa: Any, rate: float, cap: int) -> None:
        self._pa = pa
        self.rate = rate
        self.cap = cap
        self.rows = 0
        self._slices: list[Any] = []
        self._kept: list[Any] = []

    def add(self, batch: Any) -> None:
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


def _shown(table: CsvTable) -> list[list[str]]:
    """First distinct non-empty values of each column, from the rows at the top."""
    shown: list[list[str]] = [[] for _ in range(table.column_count)]
    for row in table.head(200):
        for values, value in zip(shown, row.values, strict=True):
            if value and len(values) < SHOWN_SAMPLES and value not in values:
                values.append(value)
    return shown


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
    layout = table.layout
    width = table.column_count
    widths = Counter(table.head_widths())
    # Rows with a trailing delimiter have one field more than the header; parse that shape.
    parsed_width = max(width, widths.most_common(1)[0][0] if widths else width)
    names = [f"c{i}" for i in range(parsed_width)]
    invalid = [0]

    def on_invalid(_row: Any) -> str:
        invalid[0] += 1
        return "skip"

    codec = layout.codec.replace("_", "-").lower()
    read_options = pacsv.ReadOptions(
        column_names=names,
        block_size=BLOCK_BYTES,
        encoding="utf8" if codec in ("utf-8", "utf8") else layout.codec,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=layout.delimiter,
        quote_char=layout.quotechar or False,
        double_quote=True,
        newlines_in_values=True,
        ignore_empty_lines=True,
        invalid_row_handler=on_invalid,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in names},
        include_columns=names[:width],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    estimate = max(table.estimated_row_count, 1)
    sampler = _Sampler(pa, min(1.0, SAMPLE_ROWS / estimate), 4 * SAMPLE_ROWS)
    rows = 0
    empties = [0] * width
    try:
        with pa.OSFile(layout.path) as source:
            source.seek(table.data_offset)
            reader = pacsv.open_csv(
                source,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
            for batch in reader:
                rows += batch.num_rows
                for index, column in enumerate(batch.columns):
                    empties[index] += column.null_count
                sampler.add(batch)
                if cancel is not None and cancel.is_set():
                    raise ProfileCancelled("profiling was cancelled")
                if progress is not None:
                    progress(min(source.tell(), table.size), table.size)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    total = rows + invalid[0]
    shown = _shown(table)
    sample = sampler.table()
    filled = [column.combine_chunks().drop_null() for column in sample.columns] if sample else []
    distinct = [_frequencies(pc, values, exact=sampler.rows >= rows) for values in filled]
    columns: list[ColumnProfile] = []
    for index, name in enumerate(table.headers):
        profile = ColumnProfile(
            index=index, name=name, empty_count=empties[index], row_count=rows, samples=shown[index]
        )
        columns.append(profile)
        if not filled:
            continue
        count, singletons, doubletons = distinct[index]
        if sampler.rows >= rows:
            profile.distinct_estimate, profile.distinct_exact = count, True
        else:
            profile.distinct_estimate = chao1(count, singletons, doubletons, rows - empties[index])
            profile.distinct_exact = False
        texts = _kind_texts(pa, filled[index])
        for text in texts:  # the top rows may hold fewer distinct values than wanted
            if len(profile.samples) >= SHOWN_SAMPLES:
                break
            if text not in profile.samples:
                profile.samples.append(text)
        profile.kind, profile.format, profile.kind_share = infer_kind(
            texts[:KIND_VALUES], day_first=day_first
        )
    return TableProfile(columns=columns, row_count=total, ragged_rows=invalid[0], engine="arrow")


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


def _kind_texts(pa: Any, values: Any) -> list[str]:
    """About KIND_VALUES stripped non-blank values spread evenly over a sampled column."""
    step = max(1, len(values) // KIND_VALUES)
    picked = values.take(pa.array(range(0, len(values), step), pa.int64()))
    return [text for text in (value.strip() for value in picked.to_pylist()) if text]
