"""Connection profiles: versioned JSON, atomic, no secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulkwizard.storage.profiles import Profile, ProfileError, ProfileStore


def make(name: str) -> Profile:
    return Profile(
        name=name,
        datacentre="EU",
        accounts_url="https://accounts.zoho.eu",
        api_url="https://www.zohoapis.eu",
        upload_url="https://content.zohoapis.eu",
        download_url="https://download-accl.zoho.eu",
        client_id="1000.CLIENT",
        org_zgid="808232144",
    )


def test_save_list_get_delete(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    with pytest.raises(ProfileError, match="login"):
        store.get()
    store.save(make("work"))
    store.save(make("test"))
    assert [p.name for p in store.list()] == ["test", "work"]
    assert store.get().name == "work"  # the first saved is the default
    assert store.get("test").org_zgid == "808232144"
    data = json.loads((tmp_path / "profiles.json").read_text())
    assert data["version"] == 1 and data["default"] == "work"
    assert store.delete("work") is True
    assert store.delete("work") is False
    assert store.get().name == "test"
    with pytest.raises(ProfileError, match="no profile named 'nope'"):
        store.get("nope")


def test_bad_names_and_bad_files_are_explained(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path)
    with pytest.raises(ProfileError, match="usable profile name"):
        store.save(make("../etc"))
    (tmp_path / "profiles.json").write_text('{"version": 1, "profiles": [', encoding="utf-8")
    with pytest.raises(ProfileError, match="line 1"):
        store.list()
    (tmp_path / "profiles.json").write_text('{"version": 9, "profiles": []}', encoding="utf-8")
    with pytest.raises(ProfileError, match="newer bulkwizard"):
        store.list()
