"""Atomic writes: all or nothing, owner-only permissions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from bulkwizard.core.atomic import atomic_write_bytes, atomic_write_text, write_json_atomic


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "profiles.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_write_text(target) as stream:
        stream.write("half of the new")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["profiles.json"]


def test_writes_replace_the_file_and_create_folders(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "result.zip"
    with atomic_write_bytes(target) as stream:
        stream.write(b"PK\x03\x04")
    assert target.read_bytes() == b"PK\x03\x04"
    write_json_atomic(tmp_path / "a.json", {"name": "Zoë"})
    assert json.loads((tmp_path / "a.json").read_text(encoding="utf-8")) == {"name": "Zoë"}
    assert "Zoë" in (tmp_path / "a.json").read_text(encoding="utf-8")  # not \\u-escaped


def test_files_are_readable_by_the_owner_only(tmp_path: Path) -> None:
    write_json_atomic(tmp_path / "credentials.json", {"client_secret": "s"})
    mode = stat.S_IMODE((tmp_path / "credentials.json").stat().st_mode)
    assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0
