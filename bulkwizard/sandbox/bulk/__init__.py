"""The sandbox's Bulk Write API: upload, create job, job details, processing, results, callbacks.

Entry point: :func:`register_routes`. Jobs are validated as Zoho does, processed in a background
worker with real row semantics, and their result zips served like Zoho's.
"""

from bulkwizard.sandbox.bulk.api import register as register_routes

__all__ = [
    "register_routes",
]
