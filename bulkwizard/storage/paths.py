"""Where bulkwizard keeps its files: per-OS user folders, or one folder for tests and portable use.

By default the folders come from platformdirs (``~/.config/bulkwizard``, ``~/.local/share/
bulkwizard``, ... on Linux; the usual places on Windows and macOS). Setting the environment
variable ``BULKWIZARD_HOME`` puts everything under that one folder instead::

    $BULKWIZARD_HOME/config   $BULKWIZARD_HOME/data   $BULKWIZARD_HOME/cache   $BULKWIZARD_HOME/logs

The functions only compute paths; callers create folders when they write.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "bulkwizard"
HOME_ENV = "BULKWIZARD_HOME"


def home_override() -> Path | None:
    """The ``BULKWIZARD_HOME`` folder, if the variable is set and not empty."""
    value = os.environ.get(HOME_ENV, "").strip()
    return Path(value).expanduser() if value else None


def config_dir() -> Path:
    """Settings and connection profiles."""
    home = home_override()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, False))


def data_dir() -> Path:
    """Job history, templates, the sandbox's data."""
    home = home_override()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, False))


def cache_dir() -> Path:
    """Metadata snapshots and other files that can be fetched again."""
    home = home_override()
    return home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME, False))


def log_dir() -> Path:
    """Log files."""
    home = home_override()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, False))


def sandbox_dir() -> Path:
    """The built-in sandbox's default data folder (``<data_dir>/sandbox``)."""
    return data_dir() / "sandbox"
