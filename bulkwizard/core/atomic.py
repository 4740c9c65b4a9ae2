"""Atomic file writes: a temp file beside the target, fsync, then rename.

Readers (and a crash half-way) never see half a file: templates, profiles, metadata snapshots,
exports and downloaded results are either the old version or the new one. The temp file is
created by :func:`tempfile.mkstemp`, so it (and the result) is readable by the owner only.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO, TextIO


@contextmanager
def _replacing(path: Path) -> Iterator[tuple[int, str]]:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        yield handle, temp_name
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _sync(stream: IO[Any]) -> None:
    stream.flush()
    os.fsync(stream.fileno())


@contextmanager
def atomic_write_text(
    path: Path, *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` on a clean exit (nothing changes on error)."""
    with _replacing(path) as (handle, _temp):
        with os.fdopen(handle, "w", encoding=encoding, newline=newline) as stream:
            yield stream
            _sync(stream)


@contextmanager
def atomic_write_bytes(path: Path) -> Iterator[BinaryIO]:
    """A binary stream whose content replaces ``path`` on a clean exit (unchanged on error)."""
    with _replacing(path) as (handle, _temp):
        with os.fdopen(handle, "wb") as stream:
            yield stream
            _sync(stream)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as indented UTF-8 JSON to ``path`` atomically."""
    with atomic_write_text(path) as stream:
        json.dump(data, stream, indent=2, ensure_ascii=False)
        stream.write("\n")
