"""Client-side idempotency notes: submissions whose job creation ended in doubt.

When ``POST /crm/bulk/v8/write`` fails ambiguously and the job cannot be looked up, the client
raises :class:`~bulkwizard.zoho.errors.JobCreationUncertainError`. The command line then writes a
note keyed by a fingerprint of the job and its CSVs (``<data dir>/pending-submissions.json``). A
later submit of the same job and data is refused until the user has checked Zoho and confirms
with ``--force``, so a retry by hand cannot silently create the job a second time.

Notes hold no secret: the profile name, the fingerprint, the uploaded ``file_id``, a time.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bulkwizard.core.job import BulkWriteJob
from bulkwizard.core.metadata import write_json_atomic
from bulkwizard.storage import paths

FILE_NAME = "pending-submissions.json"
FORMAT_VERSION = 1


def fingerprint(job: BulkWriteJob, csvs: Mapping[int, Path]) -> str:
    """SHA-256 over the job (without file ids) and the bytes of every CSV."""
    body = job.copy()
    for resource in body.resources:
        resource.file_id = None
    digest = hashlib.sha256(json.dumps(body.to_json(), sort_keys=True).encode("utf-8"))
    for index in sorted(csvs):
        digest.update(f"\0{index}\0".encode())
        with csvs[index].open("rb") as stream:
            while block := stream.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()


class PendingNotes:
    """The notes file in the data dir (or ``folder`` for tests)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder if folder is not None else paths.data_dir()) / FILE_NAME

    def _load(self) -> list[dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        notes = data.get("notes") if isinstance(data, dict) else None
        return [n for n in notes if isinstance(n, dict)] if isinstance(notes, list) else []

    def _save(self, notes: list[dict[str, Any]]) -> None:
        write_json_atomic(self.path, {"version": FORMAT_VERSION, "notes": notes})

    def find(self, profile: str, key: str) -> dict[str, Any] | None:
        """The note for this profile and fingerprint, if any."""
        for note in self._load():
            if note.get("profile") == profile and note.get("fingerprint") == key:
                return note
        return None

    def add(self, profile: str, key: str, file_id: str, source: str) -> None:
        """Remember an uncertain creation."""
        notes = [
            n
            for n in self._load()
            if not (n.get("profile") == profile and n.get("fingerprint") == key)
        ]
        notes.append(
            {
                "profile": profile,
                "fingerprint": key,
                "file_id": file_id,
                "source": source,
                "time": time.strftime("%Y-%m-%d %H:%M:%S %z"),
            }
        )
        self._save(notes)

    def clear(self, profile: str, key: str) -> None:
        """Forget the note (the job was created, or the user confirmed with ``--force``)."""
        notes = self._load()
        kept = [
            n for n in notes if not (n.get("profile") == profile and n.get("fingerprint") == key)
        ]
        if len(kept) != len(notes):
            self._save(kept)
