"""User folders: BULKWIZARD_HOME overrides platformdirs."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from bulkwizard.storage import paths


def test_home_override_puts_every_folder_under_it(isolated_home: Path) -> None:
    assert paths.config_dir() == isolated_home / "config"
    assert paths.data_dir() == isolated_home / "data"
    assert paths.cache_dir() == isolated_home / "cache"
    assert paths.log_dir() == isolated_home / "logs"
    assert paths.sandbox_dir() == isolated_home / "data" / "sandbox"


def test_without_override_platformdirs_decides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BULKWIZARD_HOME", raising=False)
    assert paths.home_override() is None
    assert paths.data_dir() == Path(platformdirs.user_data_dir("bulkwizard", False))
    assert paths.config_dir() == Path(platformdirs.user_config_dir("bulkwizard", False))
    assert paths.cache_dir() == Path(platformdirs.user_cache_dir("bulkwizard", False))
    assert paths.log_dir() == Path(platformdirs.user_log_dir("bulkwizard", False))
    assert paths.sandbox_dir().name == "sandbox"


def test_empty_override_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BULKWIZARD_HOME", "  ")
    assert paths.home_override() is None


def test_override_expands_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("BULKWIZARD_HOME", "~/portable")
    assert paths.data_dir() == tmp_path / "portable" / "data"
