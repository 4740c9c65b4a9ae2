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
    rate = min(1.0, SAMPLE_ROWS / estimate)
    rows = 0
    empties = [0] * width
    sampled: list[Any] = []
    sampled_rows = 0
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
                count = batch.num_rows
                rows += count
                for index, column in enumerate(batch.columns):
                    empties[index] += column.null_count
                take = min(count, math.ceil(count * rate), 4 * SAMPLE_ROWS - sampled_rows)
                if take > 0:
                    # take() copies, so the sample does not keep whole blocks alive.
                    sampled.append(batch.take(pa.array(range(take), pa.int32())))
                    sampled_rows += take
                if cancel is not None and cancel.is_set():
                    raise ProfileCancelled("profiling was cancelled")
                if progress is not None:
                    progress(min(source.tell(), table.size), table.size)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError):
        return None
    total = rows + invalid[0]
    shown = _shown(table)
    sample = pa.Table.from_batches(sampled) if sampled else None
    columns: list[ColumnProfile] = []
    for index, name in enumerate(table.headers):
        profile = ColumnProfile(
            index=index, name=name, empty_count=empties[index], row_count=rows, samples=shown[index]
        )
        if sample is not None:
            values = sample.column(index).combine_chunks().drop_null()
            counts = pc.value_counts(values).field("counts")
            distinct = len(counts)
            filled = rows - empties[index]
            if sampled_rows >= rows:
                profile.distinct_estimate, profile.distinct_exact = distinct, True
            else:
                singletons = pc.sum(pc.equal(counts, 1)).as_py() or 0
                doubletons = pc.sum(pc.equal(counts, 2)).as_py() or 0
                profile.distinct_estimate = chao1(distinct, singletons, doubletons, filled)
                profile.distinct_exact = False
            step = max(1, len(values) // KIND_VALUES)
            picked = pc.take(values, pa.array(range(0, len(values), step), pa.int64()))
            texts = [v.strip() for v in picked.to_pylist() if v.strip()]
            for text in texts:  # the top rows may hold fewer distinct values than wanted
                if len(profile.samples) >= SHOWN_SAMPLES:
                    break
                if text not in profile.samples:
                    profile.samples.append(text)
            profile.kind, profile.format, profile.kind_share = infer_kind(
                texts[:KIND_VALUES], day_first=day_first
            )
        columns.append(profile)
    return TableProfile(columns=columns, row_count=total, ragged_rows=invalid[0], engine="arrow")
