"""A local Zoho-CRM-compatible server with a demo org: the app's embedded default. No Qt.

Start it with :class:`bulkwizard.sandbox.server.SandboxServer` (a context manager) or
``bulkwizard-cli sandbox``. Module map, from the top down:

- ``server`` puts the sandbox together (routes, credentials.json, reset); ``dispatch`` is the
  threaded HTTP server (Host check, auth, faults, credits, concurrency); ``testing`` gives tests
  and scripts a signed-in requests session.
- ``api/`` (OAuth accounts server, metadata, records) and ``bulk/`` (the Bulk Write API) are the
  endpoints; ``http/`` is the framework they are written on (Router, Request, Response, scopes).
- ``state`` holds one sandbox's state, built from ``db`` (SQLite), ``record_store``,
  ``criteria`` (search), ``token_store``, ``credits``, ``faults`` and ``demo/`` (the demo org's
  metadata, org, users, layouts and records); ``lock`` keeps one sandbox per data folder.
"""
