"""A streamed ``multipart/form-data`` body for the zip upload, reporting progress as it is read.

The zip is never loaded into memory: requests reads the body object in blocks, and each block
read advances the progress callback ``(bytes_sent, total_bytes)``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

ProgressCallback = Callable[[int, int], None]

CHUNK = 64 * 1024


def new_boundary() -> str:
    """A random multipart boundary."""
    return f"bulkwizard-{secrets.token_hex(16)}"


def content_type(boundary: str) -> str:
    """The ``Content-Type`` header of a multipart body with ``boundary``."""
    return f"multipart/form-data; boundary={boundary}"


class MultipartFileBody:
    """One file field as a readable, sized body (``len()`` gives the Content-Length).

    Args:
        path: the file to send.
        field: the form field name (Zoho's upload API uses ``file``).
        progress: called with ``(sent, total)`` after each block.
        boundary: the multipart boundary (a retry must reuse the one in the header).
    """

    def __init__(
        self,
        path: Path,
        field: str = "file",
        content_type: str = "application/zip",
        progress: ProgressCallback | None = None,
        boundary: str | None = None,
    ) -> None:
        self.path = path
        self.boundary = boundary or new_boundary()
        filename = path.name.replace('"', "_")
        self._head = (
            f"--{self.boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        self._tail = f"\r\n--{self.boundary}--\r\n".encode()
        self._size = os.path.getsize(path)
        self._total = len(self._head) + self._size + len(self._tail)
        self._progress = progress
        self._stage = 0  # 0 head, 1 file, 2 tail, 3 done
        self._file: BinaryIO | None = None
        self._sent = 0

    @property
    def content_type(self) -> str:
        return content_type(self.boundary)

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        """Return the next block of the body (``b""`` at the end)."""
        wanted = CHUNK if size is None or size < 0 else size
        chunk = b""
        if self._stage == 0:
            chunk = self._head
            self._stage = 1
            self._file = self.path.open("rb")
        elif self._stage == 1:
            assert self._file is not None
            chunk = self._file.read(wanted)
            if not chunk:
                self._file.close()
                self._stage = 2
                return self.read(size)
        elif self._stage == 2:
            chunk = self._tail
            self._stage = 3
        self._sent += len(chunk)
        if chunk and self._progress is not None:
            self._progress(self._sent, self._total)
        return chunk

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()
