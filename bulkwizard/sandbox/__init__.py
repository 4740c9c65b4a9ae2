"""A local Zoho-CRM-compatible server with a demo org: the app's embedded default. No Qt.

Start it with :class:`bulkwizard.sandbox.server.SandboxServer` (a context manager) or
``bulkwizard-cli sandbox``. Module map:

- ``server`` (SandboxServer, credentials.json, reset), ``dispatch`` (HTTP server, auth, faults,
  credits, concurrency), ``routing`` (Router, Request, Response, ApiError), ``lock``.
- ``state`` (SandboxState: config, database, metadata, stores), ``db`` (SQLite), ``store``
  (records), ``criteria`` (search criteria), ``tokens`` + ``oauth`` + ``scopes`` (accounts
  server), ``credits``, ``faults``.
- ``demo_metadata`` (modules and fields), ``demo_org`` (org, users, layouts), ``demo_records``.
- ``metadata_api``, ``records_api``; bulk write: ``bulk_api`` and the ``bulk_*``,
  ``processing*``, ``results``, ``callback`` modules.
- ``testing``: a signed-in requests session for tests and scripts.
"""
