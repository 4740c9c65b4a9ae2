"""The real path: a token stored and read back through a real Secret Service (GNOME Keyring).

The test starts a private D-Bus session (``dbus-run-session``) with ``gnome-keyring-daemon``
unlocked by a password on stdin, and runs bulkwizard's :class:`KeyringStore` inside it through
keyring's SecretService backend. It skips only when those programs are not installed (the README's
test command installs them: ``apt-get install -y dbus dbus-x11 gnome-keyring``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

INNER = textwrap.dedent(
    """
    import secrets as random_secrets
    import keyring
    from keyring.backends import SecretService
    from bulkwizard.storage import secrets

    keyring.set_keyring(SecretService.Keyring())
    store = secrets.KeyringStore()
    store.check()
    token = "1000." + random_secrets.token_hex(16) + "." + random_secrets.token_hex(16)
    store.set("ss-test", secrets.REFRESH_TOKEN, token)
    # Read through a fresh backend object so nothing comes from a Python-side cache.
    keyring.set_keyring(SecretService.Keyring())
    assert secrets.KeyringStore().get("ss-test", secrets.REFRESH_TOKEN) == token
    assert keyring.get_password("bulkwizard", "ss-test:refresh_token") == token
    store.delete("ss-test", secrets.REFRESH_TOKEN)
    assert store.get("ss-test", secrets.REFRESH_TOKEN) is None
    print("ROUND-TRIP-OK", type(keyring.get_keyring()).__module__)
    print("TEST-TOKEN", token)
    """
)


@pytest.mark.secret_service
def test_refresh_token_round_trip_through_real_secret_service(tmp_path: Path) -> None:
    missing = [b for b in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(b)]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed; install with "
            "`apt-get install -y dbus dbus-x11 gnome-keyring` to run the real Secret Service test"
        )
    script = tmp_path / "inner.py"
    script.write_text(INNER, encoding="utf-8")
    home = tmp_path / "home"
    (home / ".local" / "share" / "keyrings").mkdir(parents=True)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_RUNTIME_DIR": str(tmp_path),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "KEYRING_PASS": "bulkwizard-test-password",
    }
    shell = (
        'printf %s "$KEYRING_PASS" | gnome-keyring-daemon --unlock --components=secrets '
        f">/dev/null && exec {sys.executable} {script}"
    )
    completed = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", shell],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "ROUND-TRIP-OK keyring.backends.SecretService" in completed.stdout
    # The secret went to the daemon's keyring file, never to a plaintext file of ours.
    token = completed.stdout.split("TEST-TOKEN ", 1)[1].split()[0]
    written = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.parent.name == "keyrings" for p in written), "gnome-keyring wrote no keyring"
    assert not [p for p in written if token.encode() in p.read_bytes()]
