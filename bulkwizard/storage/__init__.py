"""User folders, settings, connection profiles, job history and secrets (keyring). No Qt."""
