"""Pure-Python heart of bulkwizard: no Qt, no network, and nothing of ours but ``core``.

The job model (``job``, ``jsonpos``), the CRM field metadata (``metadata``), Zoho's value formats
(``formats``), which file feeds which resource (``inputs``), typed errors (``errors``) and atomic
writes (``atomic``); and the data engine's packages: ``reading`` (sniff, read and profile any
spreadsheet), ``validation`` (pre-flight checks of a job), ``rowcheck`` (every row against the
CRM's rules) and ``upload`` (split and zip into jobs Zoho accepts).
"""
